import { act, renderHook } from '@testing-library/react'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import {
  THEME_STORAGE_KEY,
  initTheme,
  nextPreference,
  readPreference,
  resolveTheme,
  setThemePreference,
  useTheme,
} from './theme'

type Listener = (event: { matches: boolean }) => void

/** A controllable `prefers-color-scheme: dark` media query. */
function stubSystemTheme(initialDark: boolean) {
  const listeners = new Set<Listener>()
  const query = {
    matches: initialDark,
    media: '(prefers-color-scheme: dark)',
    addEventListener: (_: string, l: Listener) => listeners.add(l),
    removeEventListener: (_: string, l: Listener) => listeners.delete(l),
  }
  vi.stubGlobal(
    'matchMedia',
    vi.fn(() => query),
  )
  return {
    setDark(dark: boolean) {
      query.matches = dark
      for (const l of [...listeners]) l({ matches: dark })
    },
    listenerCount: () => listeners.size,
  }
}

beforeEach(() => {
  localStorage.clear()
  delete document.documentElement.dataset.theme
})

afterEach(() => {
  vi.unstubAllGlobals()
  localStorage.clear()
})

describe('theme preference', () => {
  it('defaults to system and ignores junk in storage', () => {
    expect(readPreference()).toBe('system')
    localStorage.setItem(THEME_STORAGE_KEY, 'purple')
    expect(readPreference()).toBe('system')
  })

  it('persists the chosen preference in localStorage', () => {
    stubSystemTheme(false)
    setThemePreference('dark')
    expect(localStorage.getItem(THEME_STORAGE_KEY)).toBe('dark')
    expect(readPreference()).toBe('dark')
    setThemePreference('light')
    expect(readPreference()).toBe('light')
    setThemePreference('system')
    expect(readPreference()).toBe('system')
  })

  it('cycles light → dark → system → light', () => {
    expect(nextPreference('light')).toBe('dark')
    expect(nextPreference('dark')).toBe('system')
    expect(nextPreference('system')).toBe('light')
  })
})

describe('resolution against the system', () => {
  it('resolves system to the OS setting and explicit choices to themselves', () => {
    expect(resolveTheme('system', 'dark')).toBe('dark')
    expect(resolveTheme('system', 'light')).toBe('light')
    expect(resolveTheme('light', 'dark')).toBe('light')
    expect(resolveTheme('dark', 'light')).toBe('dark')
  })

  it('falls back to light without matchMedia', () => {
    vi.stubGlobal('matchMedia', undefined)
    expect(resolveTheme('system')).toBe('light')
  })

  it('applies the stored theme to <html data-theme> on init', () => {
    stubSystemTheme(true)
    expect(initTheme()).toBe('dark')
    expect(document.documentElement.dataset.theme).toBe('dark')
    localStorage.setItem(THEME_STORAGE_KEY, 'light')
    expect(initTheme()).toBe('light')
    expect(document.documentElement.dataset.theme).toBe('light')
  })
})

describe('useTheme', () => {
  it('follows OS changes while the preference is system', () => {
    const system = stubSystemTheme(false)
    initTheme()
    const { result, unmount } = renderHook(() => useTheme())
    expect(result.current).toMatchObject({ preference: 'system', theme: 'light' })
    expect(document.documentElement.dataset.theme).toBe('light')

    act(() => system.setDark(true))
    expect(result.current.theme).toBe('dark')
    expect(document.documentElement.dataset.theme).toBe('dark')

    // An explicit choice wins over the OS.
    act(() => result.current.setPreference('light'))
    act(() => system.setDark(true))
    expect(result.current).toMatchObject({ preference: 'light', theme: 'light' })
    expect(document.documentElement.dataset.theme).toBe('light')

    unmount()
    expect(system.listenerCount()).toBe(0)
  })

  it('picks up a preference changed in another tab', () => {
    stubSystemTheme(false)
    initTheme()
    const { result } = renderHook(() => useTheme())
    localStorage.setItem(THEME_STORAGE_KEY, 'dark')
    act(() => {
      window.dispatchEvent(new StorageEvent('storage', { key: THEME_STORAGE_KEY }))
    })
    expect(result.current.theme).toBe('dark')
    expect(document.documentElement.dataset.theme).toBe('dark')
  })
})
