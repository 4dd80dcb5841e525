// @vitest-environment node
import { describe, expect, it } from 'vitest'
import { elapsed, formatDate, formatDateTime, formatDuration, formatOffset, formatTime, relativeTime, toDate } from './time'

const NOW = new Date('2025-03-12T12:00:00Z')
const ago = (ms: number) => new Date(NOW.getTime() - ms)
const MINUTE = 60_000
const HOUR = 60 * MINUTE
const DAY = 24 * HOUR

describe('relativeTime', () => {
  it('says "just now" for the last few seconds, past or future', () => {
    expect(relativeTime(ago(10_000), NOW)).toBe('just now')
    expect(relativeTime(new Date(NOW.getTime() + 20_000), NOW)).toBe('just now')
  })

  it('counts minutes, hours and days', () => {
    expect(relativeTime(ago(MINUTE), NOW)).toBe('1 minute ago')
    expect(relativeTime(ago(5 * MINUTE), NOW)).toBe('5 minutes ago')
    expect(relativeTime(ago(3 * HOUR), NOW)).toBe('3 hours ago')
    expect(relativeTime(ago(DAY), NOW)).toBe('yesterday')
    expect(relativeTime(ago(4 * DAY), NOW)).toBe('4 days ago')
  })

  it('counts weeks and months, then gives the date', () => {
    expect(relativeTime(ago(14 * DAY), NOW)).toBe('2 weeks ago')
    expect(relativeTime(ago(90 * DAY), NOW)).toBe('3 months ago')
    expect(relativeTime('2023-01-05T10:00:00Z', NOW)).toBe('5 Jan 2023')
  })

  it('speaks of the future too', () => {
    expect(relativeTime(new Date(NOW.getTime() + 2 * HOUR), NOW)).toBe('in 2 hours')
  })

  it('accepts ISO strings and shows a dash for missing or bad values', () => {
    expect(relativeTime('2025-03-12T11:50:00Z', NOW)).toBe('10 minutes ago')
    expect(relativeTime(null, NOW)).toBe('—')
    expect(relativeTime('not a date', NOW)).toBe('—')
  })
})

describe('formatDate and formatDateTime', () => {
  it('formats in the given time zone', () => {
    expect(formatDate('2025-03-12T23:30:00Z', { timeZone: 'UTC' })).toBe('12 Mar 2025')
    expect(formatDateTime('2025-03-12T09:05:07Z', { timeZone: 'UTC' })).toBe('12 Mar 2025, 09:05:07')
    expect(formatDateTime('2025-03-12T23:30:00Z', { timeZone: 'Asia/Tokyo' })).toBe(
      '13 Mar 2025, 08:30:00',
    )
  })

  it('formats a time of day', () => {
    expect(formatTime('2025-03-12T09:05:07Z', { timeZone: 'UTC' })).toBe('09:05:07')
  })

  it('shows a dash when there is no date', () => {
    expect(formatTime(null)).toBe('—')
    expect(formatDateTime(null)).toBe('—')
    expect(formatDate(undefined)).toBe('—')
  })
})

describe('formatDuration', () => {
  it.each([
    [0, '0 ms'],
    [850, '850 ms'],
    [4_230, '4.2 s'],
    [12_900, '12 s'],
    [185_000, '3 m 05 s'],
    [HOUR + 2 * MINUTE + 30_000, '1 h 02 m'],
    [2 * DAY + 3 * HOUR + 59 * MINUTE, '2 d 3 h'],
  ])('formats %d ms as %s', (ms, expected) => {
    expect(formatDuration(ms)).toBe(expected)
  })

  it('shows a dash for missing, negative or infinite values', () => {
    expect(formatDuration(null)).toBe('—')
    expect(formatDuration(-5)).toBe('—')
    expect(formatDuration(Number.POSITIVE_INFINITY)).toBe('—')
  })
})

describe('elapsed', () => {
  it('measures from start to finish', () => {
    expect(elapsed('2025-03-12T10:00:00Z', '2025-03-12T10:01:30Z', NOW)).toBe(90_000)
  })

  it('measures to now while unfinished', () => {
    expect(elapsed('2025-03-12T11:59:00Z', null, NOW)).toBe(MINUTE)
  })

  it('is null when it never started, and never negative', () => {
    expect(elapsed(null, null, NOW)).toBeNull()
    expect(elapsed('2025-03-12T12:00:05Z', null, NOW)).toBe(0)
  })
})

describe('toDate', () => {
  it('parses and rejects', () => {
    expect(toDate('2025-03-12T12:00:00Z')?.getTime()).toBe(NOW.getTime())
    expect(toDate('')).toBeNull()
    expect(toDate('garbage')).toBeNull()
  })
})

describe('formatOffset', () => {
  const start = '2025-03-12T10:00:00Z'

  it('counts minutes, seconds and tenths from the start', () => {
    expect(formatOffset('2025-03-12T10:00:00Z', start)).toBe('+0:00.0')
    expect(formatOffset('2025-03-12T10:00:04.25Z', start)).toBe('+0:04.2')
    expect(formatOffset('2025-03-12T10:12:30Z', start)).toBe('+12:30.0')
  })

  it('switches to hours past an hour, and says what came before the start', () => {
    expect(formatOffset('2025-03-12T11:02:03Z', start)).toBe('+1:02:03')
    expect(formatOffset('2025-03-12T09:59:58.5Z', start)).toBe('-0:01.5')
  })

  it('shows a dash without both times', () => {
    expect(formatOffset(null, start)).toBe('—')
    expect(formatOffset(start, undefined)).toBe('—')
  })
})
