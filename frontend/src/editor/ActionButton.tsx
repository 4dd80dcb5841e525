// The round red "+" at the bottom right of the canvas (as in DeepForge): a small
// menu of the editor's main actions. A menu button: arrows move, Escape closes.

import { useCallback, useEffect, useId, useRef, useState, type KeyboardEvent } from 'react'
import './editor-extras.css'

export interface ActionItem {
  label: string
  onSelect: () => void
  disabled?: boolean
  /** Shown after the label (a shortcut hint). */
  hint?: string
  /** A coloured mark, as DeepForge colours its actions: red runs, yellow exports. */
  tone?: 'run' | 'export'
}

export function ActionButton({ items }: { items: ActionItem[] }) {
  const [open, setOpen] = useState(false)
  const [active, setActive] = useState(0)
  const menuId = useId()
  const rootRef = useRef<HTMLDivElement>(null)
  const buttonRef = useRef<HTMLButtonElement>(null)
  const itemRefs = useRef<(HTMLButtonElement | null)[]>([])

  const enabled = items.map((item, index) => (item.disabled ? -1 : index)).filter((index) => index >= 0)

  const close = useCallback((refocus = true) => {
    setOpen(false)
    if (refocus) buttonRef.current?.focus()
  }, [])

  const openAt = (which: 'first' | 'last') => {
    setActive(which === 'first' ? (enabled[0] ?? 0) : (enabled[enabled.length - 1] ?? 0))
    setOpen(true)
  }

  useEffect(() => {
    if (open) itemRefs.current[active]?.focus()
  }, [open, active])

  // A click elsewhere closes the menu.
  useEffect(() => {
    if (!open) return
    const onPointerDown = (event: PointerEvent | MouseEvent) => {
      if (!rootRef.current?.contains(event.target as Node)) close(false)
    }
    document.addEventListener('mousedown', onPointerDown)
    return () => document.removeEventListener('mousedown', onPointerDown)
  }, [open, close])

  const move = (step: number) => {
    if (!enabled.length) return
    const at = enabled.indexOf(active)
    setActive(enabled[(at + step + enabled.length) % enabled.length]!)
  }

  const onMenuKeyDown = (event: KeyboardEvent<HTMLDivElement>) => {
    let handled = true
    if (event.key === 'Escape') close()
    else if (event.key === 'ArrowDown') move(1)
    else if (event.key === 'ArrowUp') move(-1)
    else if (event.key === 'Home') setActive(enabled[0] ?? 0)
    else if (event.key === 'End') setActive(enabled[enabled.length - 1] ?? 0)
    else if (event.key === 'Tab') {
      close(false)
      handled = false
    } else handled = false
    if (handled) {
      event.preventDefault()
      event.stopPropagation()
    }
  }

  return (
    <div className="action-button-root" ref={rootRef}>
      {open && (
        <div className="action-menu" role="menu" id={menuId} aria-label="Actions" onKeyDown={onMenuKeyDown}>
          {items.map((item, index) => (
            <button
              key={item.label}
              ref={(element) => {
                itemRefs.current[index] = element
              }}
              type="button"
              role="menuitem"
              className="action-menu-item"
              tabIndex={index === active ? 0 : -1}
              disabled={item.disabled}
              onMouseEnter={() => !item.disabled && setActive(index)}
              onClick={() => {
                close(false)
                item.onSelect()
              }}
            >
              <span>
                {item.tone && <span className={`action-menu-tone tone-${item.tone}`} aria-hidden="true" />}
                {item.label}
              </span>
              {item.hint && <kbd className="action-menu-hint">{item.hint}</kbd>}
            </button>
          ))}
        </div>
      )}
      <button
        ref={buttonRef}
        type="button"
        className="action-button"
        aria-label="Actions"
        aria-haspopup="menu"
        aria-expanded={open}
        aria-controls={open ? menuId : undefined}
        title="Actions"
        onClick={() => (open ? close(false) : openAt('first'))}
        onKeyDown={(event) => {
          if (event.key === 'ArrowDown' || event.key === 'ArrowUp') {
            event.preventDefault()
            openAt(event.key === 'ArrowDown' ? 'first' : 'last')
          } else if (event.key === 'Escape' && open) {
            event.preventDefault()
            close()
          }
        }}
      >
        <svg viewBox="0 0 24 24" width="24" height="24" aria-hidden="true" className={open ? 'is-open' : undefined}>
          <path d="M12 5v14M5 12h14" stroke="currentColor" strokeWidth="2.5" strokeLinecap="round" fill="none" />
        </svg>
      </button>
    </div>
  )
}
