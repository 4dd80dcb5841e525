// Keyboard shortcuts (pure, so they can be tested without a DOM).

export interface KeyLike {
  key: string
  ctrlKey: boolean
  metaKey: boolean
  altKey: boolean
  shiftKey: boolean
}

/** Ctrl+Enter, or Cmd+Enter on a Mac. */
export function isModEnter(event: KeyLike): boolean {
  return event.key === 'Enter' && (event.ctrlKey || event.metaKey) && !event.altKey && !event.shiftKey
}

/** True on Apple platforms, where the shortcut is written with ⌘. */
export function isApplePlatform(platform: string): boolean {
  return /mac|iphone|ipad|ipod/i.test(platform)
}

/** "Ctrl+Enter" or "⌘ Enter". */
export function modEnterLabel(platform: string): string {
  return isApplePlatform(platform) ? '⌘ Enter' : 'Ctrl+Enter'
}
