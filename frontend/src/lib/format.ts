// Sizes, numbers and values as people read them (pure).

const UNITS = ['B', 'KB', 'MB', 'GB', 'TB']

/** "0 B", "812 B", "1.5 KB", "23 KB", "4.2 MB" (powers of 1024). */
export function formatBytes(size: number | null | undefined): string {
  if (size === null || size === undefined || !Number.isFinite(size) || size < 0) return '—'
  let value = size
  let unit = 0
  while (value >= 1024 && unit < UNITS.length - 1) {
    value /= 1024
    unit += 1
  }
  if (unit === 0) return `${value} B`
  return `${value < 10 ? value.toFixed(1) : Math.round(value)} ${UNITS[unit]}`
}

/** A metric value: integers as they are, others to 4 significant digits, tiny/huge as 1.2e-5. */
export function formatNumber(value: number | null | undefined): string {
  if (value === null || value === undefined) return '—'
  if (typeof value !== 'number') return String(value)
  if (!Number.isFinite(value)) return String(value)
  if (Number.isInteger(value) && Math.abs(value) < 1e15) return String(value)
  const abs = Math.abs(value)
  if (abs !== 0 && (abs < 1e-3 || abs >= 1e6)) return value.toExponential(2)
  return String(Number(value.toPrecision(4)))
}

/** "45%" for a 0..1 progress; null when there is no progress to show. */
export function formatProgress(progress: number | null | undefined): string | null {
  if (progress === null || progress === undefined || !Number.isFinite(progress)) return null
  return `${Math.round(Math.min(1, Math.max(0, progress)) * 100)}%`
}

export interface ValuePreview {
  text: string
  truncated: boolean
}

/**
 * A value pretty-printed for reading (strings as they are, the rest as indented JSON),
 * cut after `maxChars` characters or `maxLines` lines.
 */
export function previewValue(value: unknown, maxChars = 800, maxLines = 24): ValuePreview {
  let full: string
  if (typeof value === 'string') full = value
  else {
    try {
      full = JSON.stringify(value, null, 2) ?? String(value)
    } catch {
      full = String(value)
    }
  }
  let text = full
  const lines = text.split('\n')
  if (lines.length > maxLines) text = lines.slice(0, maxLines).join('\n')
  if (text.length > maxChars) text = text.slice(0, maxChars)
  const truncated = text.length < full.length
  return { text: truncated ? `${text.trimEnd()}\n…` : text, truncated }
}
