import { fireEvent, render, screen, within } from '@testing-library/react'
import { describe, expect, it } from 'vitest'
import { ShortcutHelp, ShortcutHelpButton, comboLabel, useShortcutHelp } from './ShortcutHelp'

function Harness({ platform }: { platform?: string }) {
  const help = useShortcutHelp()
  return (
    <div>
      <input aria-label="Label" />
      <textarea aria-label="Notes" />
      <ShortcutHelpButton onClick={help.show} />
      <ShortcutHelp open={help.open} onClose={help.hide} platform={platform} />
    </div>
  )
}

describe('ShortcutHelp', () => {
  it('opens with "?" and closes with Escape', () => {
    render(<Harness platform="Win32" />)
    expect(screen.queryByRole('dialog')).toBeNull()
    fireEvent.keyDown(document.body, { key: '?', shiftKey: true })
    const dialog = screen.getByRole('dialog', { name: 'Keyboard shortcuts' })
    for (const label of ['Undo', 'Redo', 'Delete the selection', 'Copy', 'Paste', 'Duplicate', 'Select all', 'Save', 'Fit view', 'Show this help']) {
      expect(within(dialog).getByText(label)).toBeTruthy()
    }
    expect(within(dialog).getByLabelText('Ctrl+Z')).toBeTruthy()
    expect(within(dialog).getByLabelText('Ctrl+Shift+Z')).toBeTruthy()
    expect(within(dialog).getByLabelText('Ctrl+Y')).toBeTruthy()
    fireEvent.keyDown(document, { key: 'Escape' })
    expect(screen.queryByRole('dialog')).toBeNull()
  })

  it('lists the keys for notes and groups', () => {
    render(<ShortcutHelp open onClose={() => undefined} platform="Linux x86_64" />)
    const dialog = screen.getByRole('dialog')
    for (const label of ['Add a note', 'Edit the focused note or group label', 'Group the selected nodes', 'Ungroup']) {
      expect(within(dialog).getByText(label)).toBeTruthy()
    }
    expect(within(dialog).getByLabelText('N')).toBeTruthy()
    expect(within(dialog).getByLabelText('Ctrl+G')).toBeTruthy()
    expect(within(dialog).getByLabelText('Ctrl+Shift+G')).toBeTruthy()
  })

  it('ignores "?" typed in a text field', () => {
    render(<Harness />)
    fireEvent.keyDown(screen.getByLabelText('Label'), { key: '?' })
    fireEvent.keyDown(screen.getByLabelText('Notes'), { key: '?' })
    expect(screen.queryByRole('dialog')).toBeNull()
  })

  it('ignores "?" with a modifier', () => {
    render(<Harness />)
    fireEvent.keyDown(document.body, { key: '?', ctrlKey: true })
    expect(screen.queryByRole('dialog')).toBeNull()
  })

  it('opens from the button', () => {
    render(<Harness />)
    fireEvent.click(screen.getByRole('button', { name: 'Keyboard shortcuts' }))
    expect(screen.getByRole('dialog', { name: 'Keyboard shortcuts' })).toBeTruthy()
  })

  it('writes ⌘ on macOS', () => {
    render(<ShortcutHelp open onClose={() => undefined} platform="MacIntel" />)
    const dialog = screen.getByRole('dialog')
    expect(within(dialog).getByLabelText('⌘Z')).toBeTruthy()
    expect(within(dialog).getByLabelText('⇧⌘Z')).toBeTruthy()
    expect(dialog.textContent).not.toContain('Ctrl')
  })

  it('formats combinations per platform', () => {
    expect(comboLabel(['Mod', 'Shift', 'Z'], 'Linux x86_64')).toBe('Ctrl+Shift+Z')
    expect(comboLabel(['Mod', 'Shift', 'Z'], 'MacIntel')).toBe('⇧⌘Z')
    expect(comboLabel(['Mod', 'S'], 'iPhone')).toBe('⌘S')
  })
})
