// Saving bytes the app already holds as a file: a blob URL and a click on an `<a download>`.

/** How long a blob URL stays valid after the click: the browser reads a big one asynchronously. */
export const REVOKE_AFTER_MS = 10_000

/** Starts a download of `blob` named `filename` (through a blob URL, revoked afterwards). */
export function saveBlob(blob: Blob, filename: string, revokeAfterMs = REVOKE_AFTER_MS): void {
  const url = URL.createObjectURL(blob)
  const link = document.createElement('a')
  link.href = url
  link.download = filename
  link.rel = 'noopener'
  link.style.display = 'none'
  document.body.append(link)
  try {
    link.click()
  } finally {
    link.remove()
    window.setTimeout(() => URL.revokeObjectURL(url), revokeAfterMs)
  }
}

/** "512 B", "12.4 KB", "3.1 MB". */
export function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KB`
  if (bytes < 1024 * 1024 * 1024) return `${(bytes / (1024 * 1024)).toFixed(1)} MB`
  return `${(bytes / (1024 * 1024 * 1024)).toFixed(2)} GB`
}
