// Dates and durations as people read them. Pure: "now" is always a parameter.

const SECOND = 1000
const MINUTE = 60 * SECOND
const HOUR = 60 * MINUTE
const DAY = 24 * HOUR

type DateInput = string | number | Date

export function toDate(value: DateInput | null | undefined): Date | null {
  if (value === null || value === undefined || value === '') return null
  const date = value instanceof Date ? value : new Date(value)
  return Number.isNaN(date.getTime()) ? null : date
}

const relativeFormats = new Map<string, Intl.RelativeTimeFormat>()
function relativeFormat(locale: string): Intl.RelativeTimeFormat {
  let format = relativeFormats.get(locale)
  if (!format) {
    format = new Intl.RelativeTimeFormat(locale, { numeric: 'auto' })
    relativeFormats.set(locale, format)
  }
  return format
}

/**
 * "just now", "5 minutes ago", "yesterday", "3 weeks ago", "in 2 hours"...
 * Past a year it gives the date itself ("12 Mar 2024").
 */
export function relativeTime(
  value: DateInput | null | undefined,
  now: DateInput = Date.now(),
  locale = 'en',
): string {
  const date = toDate(value)
  const reference = toDate(now)
  if (!date || !reference) return '—'
  const diff = date.getTime() - reference.getTime()
  const abs = Math.abs(diff)
  if (abs < 45 * SECOND) return 'just now'
  const format = relativeFormat(locale)
  const sign = diff < 0 ? -1 : 1
  if (abs < 45 * MINUTE) return format.format(sign * Math.max(1, Math.round(abs / MINUTE)), 'minute')
  if (abs < 22 * HOUR) return format.format(sign * Math.max(1, Math.round(abs / HOUR)), 'hour')
  if (abs < 7 * DAY) return format.format(sign * Math.max(1, Math.round(abs / DAY)), 'day')
  if (abs < 30 * DAY) return format.format(sign * Math.round(abs / (7 * DAY)), 'week')
  if (abs < 365 * DAY) return format.format(sign * Math.max(1, Math.round(abs / (30 * DAY))), 'month')
  return formatDate(date)
}

export interface FormatOptions {
  locale?: string
  /** IANA zone; the browser's own when left out. */
  timeZone?: string
}

/** "12 Mar 2025". */
export function formatDate(value: DateInput | null | undefined, options: FormatOptions = {}): string {
  const date = toDate(value)
  if (!date) return '—'
  return new Intl.DateTimeFormat(options.locale ?? 'en-GB', {
    day: 'numeric',
    month: 'short',
    year: 'numeric',
    timeZone: options.timeZone,
  }).format(date)
}

/** "12 Mar 2025, 14:03:09" — for tooltips and timing tables. */
export function formatDateTime(
  value: DateInput | null | undefined,
  options: FormatOptions = {},
): string {
  const date = toDate(value)
  if (!date) return '—'
  return new Intl.DateTimeFormat(options.locale ?? 'en-GB', {
    day: 'numeric',
    month: 'short',
    year: 'numeric',
    hour: '2-digit',
    minute: '2-digit',
    second: '2-digit',
    hourCycle: 'h23',
    timeZone: options.timeZone,
  }).format(date)
}

const pad = (n: number) => String(n).padStart(2, '0')

/** "850 ms", "4.2 s", "12 s", "3 m 05 s", "1 h 02 m", "2 d 3 h". */
export function formatDuration(ms: number | null | undefined): string {
  if (ms === null || ms === undefined || !Number.isFinite(ms) || ms < 0) return '—'
  if (ms < SECOND) return `${Math.round(ms)} ms`
  if (ms < 10 * SECOND) {
    const seconds = Math.floor(ms / 100) / 10
    return `${seconds.toFixed(1)} s`
  }
  const totalSeconds = Math.floor(ms / SECOND)
  if (ms < MINUTE) return `${totalSeconds} s`
  const days = Math.floor(ms / DAY)
  const hours = Math.floor((ms % DAY) / HOUR)
  const minutes = Math.floor((ms % HOUR) / MINUTE)
  const seconds = totalSeconds % 60
  if (ms < HOUR) return `${minutes} m ${pad(seconds)} s`
  if (ms < DAY) return `${hours} h ${pad(minutes)} m`
  return `${days} d ${hours} h`
}

/**
 * Milliseconds between start and finish; while unfinished, between start and now.
 * Null when it never started.
 */
export function elapsed(
  startedAt: DateInput | null | undefined,
  finishedAt: DateInput | null | undefined,
  now: DateInput = Date.now(),
): number | null {
  const start = toDate(startedAt)
  if (!start) return null
  const end = toDate(finishedAt) ?? toDate(now)
  if (!end) return null
  return Math.max(0, end.getTime() - start.getTime())
}

/** "14:03:09" — for events within a run, whose date the page already shows. */
export function formatTime(value: DateInput | null | undefined, options: FormatOptions = {}): string {
  const date = toDate(value)
  if (!date) return '—'
  return new Intl.DateTimeFormat(options.locale ?? 'en-GB', {
    hour: '2-digit',
    minute: '2-digit',
    second: '2-digit',
    hourCycle: 'h23',
    timeZone: options.timeZone,
  }).format(date)
}

/** "+0:04.2", "+12:30.0", "+1:02:03": how long after a start something happened (a timeline). */
export function formatOffset(
  value: DateInput | null | undefined,
  start: DateInput | null | undefined,
): string {
  const date = toDate(value)
  const origin = toDate(start)
  if (!date || !origin) return '—'
  const ms = date.getTime() - origin.getTime()
  const sign = ms < 0 ? '-' : '+'
  const abs = Math.abs(ms)
  const hours = Math.floor(abs / HOUR)
  const minutes = Math.floor((abs % HOUR) / MINUTE)
  const seconds = Math.floor((abs % MINUTE) / SECOND)
  if (hours > 0) return `${sign}${hours}:${pad(minutes)}:${pad(seconds)}`
  const tenths = Math.floor((abs % SECOND) / 100)
  return `${sign}${minutes}:${pad(seconds)}.${tenths}`
}
