// Light / dark theme: the user's preference ('light' | 'dark' | 'system') lives in localStorage;
// 'system' follows `prefers-color-scheme` (and its changes). The resolved theme is applied as
// <html data-theme="light|dark">, which src/styles/index.css keys its dark palette on.
import { useSyncExternalStore } from 'react'

export type ThemePreference = 'light' | 'dark' | 'system'
export type ResolvedTheme = 'light' | 'dark'

export const THEME_STORAGE_KEY = 'pipewright.theme'
export const THEME_CYCLE: readonly ThemePreference[] = ['light', 'dark', 'system']
const DARK_QUERY = '(prefers-color-scheme: dark)'

export function isThemePreference(value: unknown): value is ThemePreference {
  return value === 'light' || value === 'dark' || value === 'system'
}

export function readPreference(): ThemePreference {
  try {
    const stored = globalThis.localStorage?.getItem(THEME_STORAGE_KEY)
    return isThemePreference(stored) ? stored : 'system'
  } catch {
    return 'system' // storage blocked (privacy mode, sandboxed frame)
  }
}

function darkQuery(): MediaQueryList | null {
  if (typeof window === 'undefined' || typeof window.matchMedia !== 'function') return null
  return window.matchMedia(DARK_QUERY)
}

export function systemTheme(): ResolvedTheme {
  return darkQuery()?.matches ? 'dark' : 'light'
}

export function resolveTheme(
  preference: ThemePreference,
  system: ResolvedTheme = systemTheme(),
): ResolvedTheme {
  return preference === 'system' ? system : preference
}

export function nextPreference(preference: ThemePreference): ThemePreference {
  return THEME_CYCLE[(THEME_CYCLE.indexOf(preference) + 1) % THEME_CYCLE.length] ?? 'light'
}

export function applyTheme(theme: ResolvedTheme): void {
  if (typeof document === 'undefined') return
  document.documentElement.dataset.theme = theme
}

// ---- store (one per page) ----

type Snapshot = { preference: ThemePreference; theme: ResolvedTheme }

let snapshot: Snapshot | null = null
const listeners = new Set<() => void>()
let mediaCleanup: (() => void) | null = null

function compute(): Snapshot {
  const preference = readPreference()
  return { preference, theme: resolveTheme(preference) }
}

function refresh(): void {
  const next = compute()
  applyTheme(next.theme)
  if (!snapshot || snapshot.preference !== next.preference || snapshot.theme !== next.theme) {
    snapshot = next
    for (const listener of [...listeners]) listener()
  }
}

function getSnapshot(): Snapshot {
  if (!snapshot) {
    snapshot = compute()
    applyTheme(snapshot.theme)
  }
  return snapshot
}

function onStorage(event: StorageEvent) {
  if (event.key === null || event.key === THEME_STORAGE_KEY) refresh()
}

function subscribe(listener: () => void): () => void {
  listeners.add(listener)
  if (listeners.size === 1) {
    const query = darkQuery()
    const onChange = () => refresh()
    query?.addEventListener?.('change', onChange)
    window.addEventListener('storage', onStorage) // other tabs
    mediaCleanup = () => {
      query?.removeEventListener?.('change', onChange)
      window.removeEventListener('storage', onStorage)
    }
    refresh() // the system setting may have changed before anyone listened
  }
  return () => {
    listeners.delete(listener)
    if (listeners.size === 0) {
      mediaCleanup?.()
      mediaCleanup = null
    }
  }
}

/** Reads the stored preference and applies it to <html>. Call as early as possible. */
export function initTheme(): ResolvedTheme {
  snapshot = null
  return getSnapshot().theme
}

export function setThemePreference(preference: ThemePreference): void {
  try {
    if (preference === 'system') globalThis.localStorage?.removeItem(THEME_STORAGE_KEY)
    else globalThis.localStorage?.setItem(THEME_STORAGE_KEY, preference)
  } catch {
    // Not persisted; still applied for this page below.
  }
  const next = { preference, theme: resolveTheme(preference) }
  applyTheme(next.theme)
  snapshot = next
  for (const listener of [...listeners]) listener()
}

const SERVER_SNAPSHOT: Snapshot = { preference: 'system', theme: 'light' }

/** The current preference and resolved theme; re-renders on changes (toggle, OS, other tabs). */
export function useTheme(): Snapshot & { setPreference: (p: ThemePreference) => void } {
  const current = useSyncExternalStore(subscribe, getSnapshot, () => SERVER_SNAPSHOT)
  return { ...current, setPreference: setThemePreference }
}
