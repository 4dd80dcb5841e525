// Recurring runs: a pipeline version started on a schedule (interval or cron), with a cap on
// how many of its runs may go at once. The ticks say what each due time did.

import { api, withQuery } from './client'
import type { Paginated, Run, SubmitRun } from './types'

export type Trigger = 'interval' | 'cron'
export type TickOutcome = 'started' | 'skipped' | 'failed'

/** When it fires, as the server takes it (`PATCH` sends any of these). */
export interface ScheduleFields {
  name?: string
  trigger?: Trigger
  interval_seconds?: number | null
  cron?: string
  timezone?: string
  start_at?: string | null
  end_at?: string | null
  max_concurrent?: number
  enabled?: boolean
}

export interface Tick {
  id: number
  tick_at: string
  fired_at: string
  outcome: TickOutcome
  message: string
  run: number | null
  run_name: string | null
  run_state: string | null
}

export interface RecurringRun {
  id: number
  project: number
  pipeline: number
  pipeline_name: string
  pipeline_version: number
  version_number: number
  name: string
  trigger: Trigger
  interval_seconds: number | null
  cron: string
  timezone: string
  start_at: string | null
  end_at: string | null
  max_concurrent: number
  enabled: boolean
  next_fire_at: string | null
  next_fire_times: string[]
  run_count: number
  active_runs: number
  last_tick: Tick | null
  created_by: string | null
  created_at: string
  updated_at: string
}

export interface RecurringRunDetail extends RecurringRun {
  /** What every run starts with: public options only. */
  config: Record<string, unknown>
}

export function listRecurringRuns(query: { pipeline?: number } = {}, signal?: AbortSignal) {
  return api.get<Paginated<RecurringRun>>(withQuery('/api/recurring-runs/', { ...query, limit: 200 }), signal)
}

export function getRecurringRun(id: number, signal?: AbortSignal) {
  return api.get<RecurringRunDetail>(`/api/recurring-runs/${id}/`, signal)
}

/** The execute dialog's run body plus when it fires. */
export function createRecurringRun(body: SubmitRun & { schedule: ScheduleFields }, signal?: AbortSignal) {
  return api.post<RecurringRunDetail>('/api/recurring-runs/', body, signal)
}

export function updateRecurringRun(id: number, changes: ScheduleFields, signal?: AbortSignal) {
  return api.patch<RecurringRunDetail>(`/api/recurring-runs/${id}/`, changes, signal)
}

export function deleteRecurringRun(id: number, signal?: AbortSignal) {
  return api.delete(`/api/recurring-runs/${id}/`, signal)
}

/** The next five fire times of a schedule as typed; a 400 names the field that cannot work. */
export function previewSchedule(schedule: ScheduleFields, signal?: AbortSignal) {
  return api.post<{ next_fire_times: string[] }>('/api/recurring-runs/preview/', schedule, signal)
}

export function listTicks(id: number, signal?: AbortSignal) {
  return api.get<Paginated<Tick>>(withQuery(`/api/recurring-runs/${id}/ticks/`, { limit: 50 }), signal)
}

export function listScheduledRuns(id: number, signal?: AbortSignal) {
  return api.get<Paginated<Run>>(withQuery('/api/runs/', { recurring_run: id, limit: 50 }), signal)
}
