import { fireEvent, render, screen } from '@testing-library/react'
import { describe, expect, it, vi } from 'vitest'
import { ActionButton } from './ActionButton'

function setup() {
  const add = vi.fn()
  const run = vi.fn()
  const tidy = vi.fn()
  render(
    <ActionButton
      items={[
        { label: 'Add node', onSelect: add },
        { label: 'Run…', onSelect: run },
        { label: 'Tidy up', onSelect: tidy, hint: 'Shift+L' },
      ]}
    />,
  )
  return { add, run, tidy, button: screen.getByRole('button', { name: 'Actions' }) }
}

describe('ActionButton', () => {
  it('opens a menu, focuses its first item and closes with Escape', () => {
    const { button } = setup()
    expect(screen.queryByRole('menu')).toBeNull()
    expect(button.getAttribute('aria-expanded')).toBe('false')
    fireEvent.click(button)
    const menu = screen.getByRole('menu', { name: 'Actions' })
    expect(button.getAttribute('aria-expanded')).toBe('true')
    const items = screen.getAllByRole('menuitem')
    expect(items.map((item) => item.textContent)).toEqual(['Add node', 'Run…', 'Tidy upShift+L'])
    expect(document.activeElement).toBe(items[0])
    fireEvent.keyDown(menu, { key: 'Escape' })
    expect(screen.queryByRole('menu')).toBeNull()
    expect(document.activeElement).toBe(button)
  })

  it('moves with the arrow keys (wrapping) and runs the chosen item', () => {
    const { button, tidy, add } = setup()
    fireEvent.keyDown(button, { key: 'ArrowDown' })
    let items = screen.getAllByRole('menuitem')
    expect(document.activeElement).toBe(items[0])
    fireEvent.keyDown(items[0]!, { key: 'ArrowDown' })
    expect(document.activeElement).toBe(items[1])
    fireEvent.keyDown(items[1]!, { key: 'ArrowDown' })
    expect(document.activeElement).toBe(items[2])
    fireEvent.keyDown(items[2]!, { key: 'ArrowDown' })
    expect(document.activeElement).toBe(items[0])
    fireEvent.keyDown(items[0]!, { key: 'ArrowUp' })
    expect(document.activeElement).toBe(items[2])
    fireEvent.click(items[2]!)
    expect(tidy).toHaveBeenCalledTimes(1)
    expect(add).not.toHaveBeenCalled()
    expect(screen.queryByRole('menu')).toBeNull()

    // ArrowUp on the button opens at the last item; a click outside closes.
    fireEvent.keyDown(button, { key: 'ArrowUp' })
    items = screen.getAllByRole('menuitem')
    expect(document.activeElement).toBe(items[2])
    fireEvent.mouseDown(document.body)
    expect(screen.queryByRole('menu')).toBeNull()
  })

  it('toggles closed on a second click', () => {
    const { button } = setup()
    fireEvent.click(button)
    expect(screen.getByRole('menu')).toBeTruthy()
    fireEvent.click(button)
    expect(screen.queryByRole('menu')).toBeNull()
  })
})
