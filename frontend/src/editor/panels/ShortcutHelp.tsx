// The editor's keyboard shortcuts, in a dialog opened with "?" or a button.

import { useCallback, useEffect, useState } from 'react'
import { Dialog } from '../../components/Dialog'
import { isApplePlatform } from '../../lib/keys'

/** A key combination: "Mod" is Ctrl, or ⌘ on Apple platforms. */
export type KeyCombo = readonly string[]

export interface ShortcutEntry {
  label: string
  /** Alternatives, any of which does it. */
  combos: readonly KeyCombo[]
}

export const EDITOR_SHORTCUTS: readonly ShortcutEntry[] = [
  { label: 'Undo', combos: [['Mod', 'Z']] },
  { label: 'Redo', combos: [['Mod', 'Shift', 'Z'], ['Mod', 'Y']] },
  { label: 'Delete the selection', combos: [['Delete'], ['Backspace']] },
  { label: 'Copy', combos: [['Mod', 'C']] },
  { label: 'Paste', combos: [['Mod', 'V']] },
  { label: 'Duplicate', combos: [['Mod', 'D']] },
  { label: 'Select all', combos: [['Mod', 'A']] },
  { label: 'Add a note', combos: [['N']] },
  { label: 'Edit the focused note or group label', combos: [['Enter']] },
  { label: 'Stop editing a note', combos: [['Escape'], ['Mod', 'Enter']] },
  { label: 'Group the selected nodes', combos: [['Mod', 'G']] },
  { label: 'Ungroup', combos: [['Mod', 'Shift', 'G']] },
  { label: 'Save', combos: [['Mod', 'S']] },
  { label: 'Fit view', combos: [['Shift', '1']] },
  { label: 'Show this help', combos: [['?']] },
]

const APPLE_MODIFIER_ORDER = ['Ctrl', 'Alt', 'Shift', 'Mod']

const APPLE_KEYS: Record<string, string> = {
  Mod: '⌘',
  Ctrl: '⌃',
  Shift: '⇧',
  Alt: '⌥',
  Backspace: '⌫',
  Delete: '⌦',
}

/** The keys of a combination as written on this platform: `["⌘", "Z"]` or `["Ctrl", "Z"]`. */
export function comboKeys(combo: KeyCombo, platform: string): string[] {
  if (!isApplePlatform(platform)) return combo.map((key) => (key === 'Mod' ? 'Ctrl' : key))
  // Apple writes modifiers in the order ⌃⌥⇧⌘.
  const rank = (key: string) => APPLE_MODIFIER_ORDER.indexOf(key) + 1 || APPLE_MODIFIER_ORDER.length + 1
  return [...combo].sort((a, b) => rank(a) - rank(b)).map((key) => APPLE_KEYS[key] ?? key)
}

/** "⌘Z" or "Ctrl+Z" (for tooltips). */
export function comboLabel(combo: KeyCombo, platform: string): string {
  return comboKeys(combo, platform).join(isApplePlatform(platform) ? '' : '+')
}

function currentPlatform(): string {
  return typeof navigator === 'undefined' ? '' : navigator.platform
}

export interface ShortcutHelpProps {
  open: boolean
  onClose: () => void
  /** Defaults to `EDITOR_SHORTCUTS`. */
  shortcuts?: readonly ShortcutEntry[]
  /** Defaults to `navigator.platform` (⌘ on macOS). */
  platform?: string
}

export function ShortcutHelp({ open, onClose, shortcuts = EDITOR_SHORTCUTS, platform }: ShortcutHelpProps) {
  if (!open) return null
  const where = platform ?? currentPlatform()
  const apple = isApplePlatform(where)
  return (
    <Dialog title="Keyboard shortcuts" onClose={onClose}>
      <dl className="shortcut-list">
        {shortcuts.map((shortcut) => (
          <div className="shortcut-row" key={shortcut.label}>
            <dt>{shortcut.label}</dt>
            <dd>
              {shortcut.combos.map((combo, index) => (
                <span className="shortcut-combo" key={index} aria-label={comboLabel(combo, where)}>
                  {index > 0 && <span className="shortcut-or">or</span>}
                  {comboKeys(combo, where).map((key, keyIndex) => (
                    <span key={keyIndex} aria-hidden="true">
                      {keyIndex > 0 && !apple && <span className="shortcut-plus">+</span>}
                      <kbd>{key}</kbd>
                    </span>
                  ))}
                </span>
              ))}
            </dd>
          </div>
        ))}
      </dl>
    </Dialog>
  )
}

/** True for key presses meant for a text field, not for the editor's shortcuts. */
export function isTypingTarget(target: EventTarget | null): boolean {
  if (!(target instanceof HTMLElement)) return false
  if (target.isContentEditable) return true
  const tag = target.tagName
  if (tag === 'TEXTAREA' || tag === 'SELECT') return true
  if (tag !== 'INPUT') return false
  const type = (target as HTMLInputElement).type
  return !['button', 'checkbox', 'radio', 'range', 'color', 'file', 'submit', 'reset', 'image'].includes(type)
}

export interface ShortcutHelpControl {
  open: boolean
  show: () => void
  hide: () => void
}

/** The help's open state, opened by "?" typed anywhere but in a text field. */
export function useShortcutHelp(options: { enabled?: boolean } = {}): ShortcutHelpControl {
  const enabled = options.enabled ?? true
  const [open, setOpen] = useState(false)

  useEffect(() => {
    if (!enabled) return
    const onKeyDown = (event: KeyboardEvent) => {
      if (event.key !== '?' || event.defaultPrevented || event.repeat) return
      if (event.ctrlKey || event.metaKey || event.altKey) return
      if (isTypingTarget(event.target)) return
      event.preventDefault()
      setOpen(true)
    }
    document.addEventListener('keydown', onKeyDown)
    return () => document.removeEventListener('keydown', onKeyDown)
  }, [enabled])

  const show = useCallback(() => setOpen(true), [])
  const hide = useCallback(() => setOpen(false), [])
  return { open, show, hide }
}

/** The "?" button that opens the help. */
export function ShortcutHelpButton({ onClick }: { onClick: () => void }) {
  return (
    <button
      type="button"
      className="icon-button shortcut-help-button"
      aria-label="Keyboard shortcuts"
      title="Keyboard shortcuts (?)"
      onClick={onClick}
    >
      <span aria-hidden="true">?</span>
    </button>
  )
}
