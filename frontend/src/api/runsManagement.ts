// Archive, restore, delete, clone runs and file them into experiments; the experiments pages.

import type { BackendChoice, Experiment, RunInput } from './backends'
import { api, withQuery } from './client'
import type { Paginated, Run, RunDetail } from './types'

export function archiveRun(id: number, signal?: AbortSignal) {
  return api.post<RunDetail>(`/api/runs/${id}/archive/`, {}, signal)
}

export function restoreRun(id: number, signal?: AbortSignal) {
  return api.post<RunDetail>(`/api/runs/${id}/restore/`, {}, signal)
}

/** What deleting a run removed. A pending or running run is a 409: cancel it first. */
export interface RunDeleted {
  node_runs: number
  events: number
  artifacts: number
}

export function deleteRun(id: number, signal?: AbortSignal) {
  return api.delete<RunDeleted>(`/api/runs/${id}/`, signal)
}

/** Files the run into an experiment of its project (`null`: out of any). */
export function moveRunToExperiment(id: number, experiment: number | null, signal?: AbortSignal) {
  return api.post<RunDetail>(`/api/runs/${id}/experiment/`, { experiment }, signal)
}

/** What the execute dialog opens with to clone a run; never the secrets typed in for it. */
export interface CloneSetup {
  cloned_from: number
  pipeline: number
  pipeline_version: number
  name: string
  run_name: string
  debug: boolean
  experiment: number | null
  params: Record<string, Record<string, unknown>>
  inputs: Record<string, { artifact: number } | { value: unknown }>
  run_inputs: RunInput[]
  compute: BackendChoice
  storage: BackendChoice
  /** Secrets were typed in for the original run: they are not copied. */
  secrets_dropped: boolean
}

export function getCloneSetup(id: number, signal?: AbortSignal) {
  return api.get<CloneSetup>(`/api/runs/${id}/clone-setup/`, signal)
}

export interface ExperimentDetail extends Experiment {
  description: string
  created_by: string | null
  created_at: string
  run_count: number
}

export function listProjectExperiments(signal?: AbortSignal) {
  return api.get<Paginated<ExperimentDetail>>(withQuery('/api/experiments/', { limit: 200 }), signal)
}

export function getExperiment(id: number, signal?: AbortSignal) {
  return api.get<ExperimentDetail>(`/api/experiments/${id}/`, signal)
}

export function createExperiment(body: { project: number; name: string; description: string }) {
  return api.post<ExperimentDetail>('/api/experiments/', body)
}

/** The runs filed into an experiment, archived or not. */
export function listExperimentRuns(experiment: number, archived: boolean, signal?: AbortSignal) {
  return api.get<Paginated<Run>>(
    withQuery('/api/runs/', { experiment, archived: archived || undefined, limit: 200 }),
    signal,
  )
}

/** The latest archived runs (`GET /api/runs/` leaves them out unless `archived=true`). */
export function listArchivedRuns(signal?: AbortSignal) {
  return api.get<Paginated<Run>>(withQuery('/api/runs/', { archived: true, limit: 50 }), signal)
}
