import { describe, expect, it } from 'vitest'
import {
  defaultDraft,
  describeSchedule,
  draftFrom,
  scheduleBody,
  scheduleErrors,
  splitInterval,
  toLocalInput,
} from './schedule'

describe('scheduleBody', () => {
  it('sends an interval in seconds', () => {
    const { body, errors } = scheduleBody({ ...defaultDraft('Europe/Paris'), every: '3', unit: 'hours' })
    expect(errors).toEqual({})
    expect(body).toMatchObject({
      trigger: 'interval',
      interval_seconds: 10800,
      timezone: 'Europe/Paris',
      max_concurrent: 1,
      start_at: null,
      end_at: null,
    })
  })

  it('sends a cron expression with its spaces tidied', () => {
    const { body, errors } = scheduleBody({ ...defaultDraft('UTC'), trigger: 'cron', cron: ' 0  9 * * 1-5 ' })
    expect(errors).toEqual({})
    expect(body.cron).toBe('0 9 * * 1-5')
    expect(body.interval_seconds).toBeUndefined()
  })

  it('sends start and end as ISO times from the local inputs', () => {
    const start = new Date(2026, 11, 1, 9, 30)
    const { body } = scheduleBody({ ...defaultDraft('UTC'), start: toLocalInput(start.toISOString()) })
    expect(body.start_at).toBe(start.toISOString())
  })

  it('names what cannot be sent', () => {
    const { errors } = scheduleBody({ ...defaultDraft('UTC'), every: '1.5', maxConcurrent: '0' })
    expect(errors.every).toMatch(/whole number/)
    expect(errors.maxConcurrent).toMatch(/1 to 20/)
    expect(scheduleBody({ ...defaultDraft(), trigger: 'cron', cron: ' ' }).errors.cron).toMatch(/cron expression/)
  })
})

describe('reading schedules back', () => {
  it('splits an interval into the biggest unit that divides it', () => {
    expect(splitInterval(7200)).toEqual({ every: '2', unit: 'hours' })
    expect(splitInterval(1209600)).toEqual({ every: '2', unit: 'weeks' })
    expect(splitInterval(90)).toEqual({ every: '2', unit: 'minutes' })
  })

  it('makes a draft of a saved schedule', () => {
    const draft = draftFrom({
      trigger: 'interval',
      interval_seconds: 86400,
      cron: '',
      timezone: 'Asia/Tokyo',
      start_at: null,
      end_at: null,
      max_concurrent: 3,
    })
    expect(draft).toMatchObject({ every: '1', unit: 'days', timezone: 'Asia/Tokyo', maxConcurrent: '3' })
  })

  it('describes a schedule in words', () => {
    const base = { cron: '', timezone: 'UTC' }
    expect(describeSchedule({ ...base, trigger: 'interval', interval_seconds: 3600 })).toBe('Every hour')
    expect(describeSchedule({ ...base, trigger: 'interval', interval_seconds: 172800 })).toBe('Every 2 days')
    expect(describeSchedule({ ...base, trigger: 'interval', interval_seconds: 5 })).toBe('Every 5 seconds')
    expect(
      describeSchedule({ trigger: 'cron', interval_seconds: null, cron: '0 9 * * 1-5', timezone: 'Europe/Paris' }),
    ).toBe('0 9 * * 1-5 (Europe/Paris)')
  })
})

describe('scheduleErrors', () => {
  it('places server messages, nested under schedule or not, on the draft fields', () => {
    expect(scheduleErrors({ schedule: { cron: ['bad cron'], interval_seconds: ['too often'] } }).fields).toEqual({
      cron: 'bad cron',
      every: 'too often',
    })
    const flat = scheduleErrors({ end_at: ['The end has already passed'], detail: 'x' })
    expect(flat.fields).toEqual({ end: 'The end has already passed' })
    expect(flat.other).toEqual(['x'])
  })
})
