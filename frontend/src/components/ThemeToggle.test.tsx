import { render, screen } from '@testing-library/react'
import userEvent from '@testing-library/user-event'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { THEME_STORAGE_KEY, initTheme } from '../lib/theme'
import { ThemeToggle } from './ThemeToggle'

beforeEach(() => {
  localStorage.clear()
  vi.stubGlobal(
    'matchMedia',
    vi.fn(() => ({
      matches: true, // the OS prefers dark
      addEventListener: () => {},
      removeEventListener: () => {},
    })),
  )
  initTheme()
})

afterEach(() => {
  vi.unstubAllGlobals()
  localStorage.clear()
})

describe('ThemeToggle', () => {
  it('cycles Light → Dark → System on click, persisting and applying each', async () => {
    const user = userEvent.setup()
    localStorage.setItem(THEME_STORAGE_KEY, 'light')
    initTheme()
    render(<ThemeToggle />)

    const button = screen.getByRole('button', { name: 'Theme: Light' })
    expect(document.documentElement.dataset.theme).toBe('light')

    await user.click(button)
    expect(screen.getByRole('button', { name: 'Theme: Dark' })).toBe(button)
    expect(localStorage.getItem(THEME_STORAGE_KEY)).toBe('dark')
    expect(document.documentElement.dataset.theme).toBe('dark')

    await user.click(button)
    expect(button.getAttribute('aria-label')).toBe('Theme: System')
    expect(document.documentElement.dataset.theme).toBe('dark') // the OS prefers dark
    expect(button.title).toContain('currently dark')

    await user.click(button)
    expect(button.getAttribute('aria-label')).toBe('Theme: Light')
    expect(document.documentElement.dataset.theme).toBe('light')
  })

  it('is keyboard accessible', async () => {
    const user = userEvent.setup()
    render(<ThemeToggle />)
    const button = screen.getByRole('button', { name: 'Theme: System' })
    await user.tab()
    expect(document.activeElement).toBe(button)
    await user.keyboard('{Enter}')
    expect(button.getAttribute('aria-label')).toBe('Theme: Light')
    await user.keyboard(' ')
    expect(button.getAttribute('aria-label')).toBe('Theme: Dark')
    expect(document.documentElement.dataset.theme).toBe('dark')
  })
})
