// The schedule form's state and what it sends: "every N units" or a cron expression, in a time
// zone, from an optional start to an optional end, at most N runs at once.

import type { ScheduleFields, Trigger } from '../api/recurring'
import { flattenMessages } from '../lib/errors'

export type IntervalUnit = 'minutes' | 'hours' | 'days' | 'weeks'

export const UNIT_SECONDS: Record<IntervalUnit, number> = {
  minutes: 60,
  hours: 3600,
  days: 86400,
  weeks: 604800,
}

export const MAX_CONCURRENT = 20

/** Cron expressions people reach for, offered as examples next to the field. */
export const CRON_EXAMPLES: { label: string; cron: string }[] = [
  { label: 'Every hour', cron: '0 * * * *' },
  { label: 'Every day at 02:00', cron: '0 2 * * *' },
  { label: 'Weekdays at 09:00', cron: '0 9 * * 1-5' },
  { label: 'Mondays at 06:00', cron: '0 6 * * 1' },
]

/** What the form holds: strings as typed, so that a half-typed value is not lost. */
export interface ScheduleDraft {
  trigger: Trigger
  every: string
  unit: IntervalUnit
  cron: string
  timezone: string
  /** `datetime-local` values (the browser's local time), empty for none. */
  start: string
  end: string
  maxConcurrent: string
}

/** The draft's fields by the names the form shows errors under. */
export type DraftField = 'trigger' | 'every' | 'cron' | 'timezone' | 'start' | 'end' | 'maxConcurrent' | 'name'

export function browserTimeZone(): string {
  try {
    return Intl.DateTimeFormat().resolvedOptions().timeZone || 'UTC'
  } catch {
    return 'UTC'
  }
}

export function defaultDraft(timezone = browserTimeZone()): ScheduleDraft {
  return {
    trigger: 'interval',
    every: '1',
    unit: 'days',
    cron: '0 2 * * *',
    timezone,
    start: '',
    end: '',
    maxConcurrent: '1',
  }
}

/** A `datetime-local` value for an ISO time, in the browser's time zone. */
export function toLocalInput(iso: string | null | undefined): string {
  if (!iso) return ''
  const date = new Date(iso)
  if (Number.isNaN(date.getTime())) return ''
  const pad = (value: number) => String(value).padStart(2, '0')
  return (
    `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}` +
    `T${pad(date.getHours())}:${pad(date.getMinutes())}`
  )
}

/** The biggest unit that divides the interval: 7200 s → 2 hours. */
export function splitInterval(seconds: number): { every: string; unit: IntervalUnit } {
  const units: IntervalUnit[] = ['weeks', 'days', 'hours', 'minutes']
  for (const unit of units) {
    if (seconds % UNIT_SECONDS[unit] === 0) return { every: String(seconds / UNIT_SECONDS[unit]), unit }
  }
  return { every: String(Math.max(1, Math.round(seconds / 60))), unit: 'minutes' }
}

/** The form state of a saved schedule, for editing it. */
export function draftFrom(schedule: {
  trigger: Trigger
  interval_seconds: number | null
  cron: string
  timezone: string
  start_at: string | null
  end_at: string | null
  max_concurrent: number
}): ScheduleDraft {
  const interval = schedule.interval_seconds ? splitInterval(schedule.interval_seconds) : null
  return {
    ...defaultDraft(schedule.timezone),
    trigger: schedule.trigger,
    ...(interval ?? {}),
    cron: schedule.cron || defaultDraft().cron,
    start: toLocalInput(schedule.start_at),
    end: toLocalInput(schedule.end_at),
    maxConcurrent: String(schedule.max_concurrent),
  }
}

const WHOLE = /^\s*\d+\s*$/

/** The fields to send, or why the draft cannot be sent (messages by draft field). */
export function scheduleBody(draft: ScheduleDraft): {
  body: ScheduleFields
  errors: Partial<Record<DraftField, string>>
} {
  const errors: Partial<Record<DraftField, string>> = {}
  const body: ScheduleFields = { trigger: draft.trigger, timezone: draft.timezone.trim() || 'UTC' }
  if (draft.trigger === 'interval') {
    const every = Number(draft.every)
    if (!WHOLE.test(draft.every) || every < 1) errors.every = 'Enter a whole number of at least 1.'
    else body.interval_seconds = every * UNIT_SECONDS[draft.unit]
  } else {
    const cron = draft.cron.trim().replace(/\s+/g, ' ')
    if (!cron) errors.cron = 'Enter a cron expression, e.g. 0 9 * * 1-5.'
    body.cron = cron
  }
  for (const field of ['start', 'end'] as const) {
    const value = draft[field]
    if (!value) {
      body[field === 'start' ? 'start_at' : 'end_at'] = null
      continue
    }
    const date = new Date(value)
    if (Number.isNaN(date.getTime())) errors[field] = 'Enter a date and time.'
    else body[field === 'start' ? 'start_at' : 'end_at'] = date.toISOString()
  }
  const cap = Number(draft.maxConcurrent)
  if (!WHOLE.test(draft.maxConcurrent) || cap < 1 || cap > MAX_CONCURRENT) {
    errors.maxConcurrent = `Enter a whole number from 1 to ${MAX_CONCURRENT}.`
  } else {
    body.max_concurrent = cap
  }
  return { body, errors }
}

const SERVER_FIELDS: Record<string, DraftField> = {
  trigger: 'trigger',
  interval_seconds: 'every',
  cron: 'cron',
  timezone: 'timezone',
  start_at: 'start',
  end_at: 'end',
  max_concurrent: 'maxConcurrent',
  name: 'name',
}

/** A 400's schedule problems (`{"cron": [...]}`, or nested under `schedule`) by draft field. */
export function scheduleErrors(body: unknown): { fields: Partial<Record<DraftField, string>>; other: string[] } {
  const result: { fields: Partial<Record<DraftField, string>>; other: string[] } = { fields: {}, other: [] }
  if (typeof body !== 'object' || body === null || Array.isArray(body)) return result
  const record = body as Record<string, unknown>
  const source =
    typeof record.schedule === 'object' && record.schedule !== null && !Array.isArray(record.schedule)
      ? (record.schedule as Record<string, unknown>)
      : record
  for (const [key, value] of Object.entries(source)) {
    const messages = flattenMessages(value)
    const field = SERVER_FIELDS[key]
    if (field && messages.length) result.fields[field] ??= messages[0]
    else result.other.push(...messages)
  }
  return result
}

function plural(count: number, unit: string): string {
  return count === 1 ? unit : `${count} ${unit}s`
}

/** "Every 2 hours", "Every day", "0 9 * * 1-5 (Europe/Paris)". */
export function describeSchedule(schedule: {
  trigger: Trigger
  interval_seconds: number | null
  cron: string
  timezone: string
}): string {
  if (schedule.trigger === 'cron') return `${schedule.cron} (${schedule.timezone})`
  const { every, unit } = splitInterval(schedule.interval_seconds ?? 0)
  const count = Number(every)
  if (schedule.interval_seconds && schedule.interval_seconds < 60) return `Every ${plural(schedule.interval_seconds, 'second')}`
  return `Every ${plural(count, unit.replace(/s$/, ''))}`
}
