// One function per API call the app makes. Pages call these, never `fetch` directly.

import { api, withQuery } from './client'
import type {
  NewPipeline,
  Operation,
  Paginated,
  Pipeline,
  PipelineDetail,
  PipelineVersion,
  Project,
  Run,
  RunDetail,
} from './types'

/** A list endpoint's items, whether it answers paginated (`{results}`) or with a bare array. */
export function itemsOf<T>(answer: Paginated<T> | T[]): T[] {
  return Array.isArray(answer) ? answer : answer.results
}

/** The total number of items a list endpoint knows about. */
export function countOf<T>(answer: Paginated<T> | T[]): number {
  return Array.isArray(answer) ? answer.length : answer.count
}

export const PIPELINES_PAGE_SIZE = 200
export const RUNS_PAGE_SIZE = 100
export const OPERATIONS_PAGE_SIZE = 500

export function listProjects(signal?: AbortSignal) {
  return api.get<Paginated<Project> | Project[]>('/api/projects/', signal)
}

export function listPipelines(options: { project?: number | null } = {}, signal?: AbortSignal) {
  return api.get<Paginated<Pipeline>>(
    withQuery('/api/pipelines/', { limit: PIPELINES_PAGE_SIZE, project: options.project }),
    signal,
  )
}

export function getPipeline(id: number, signal?: AbortSignal) {
  return api.get<PipelineDetail>(`/api/pipelines/${id}/`, signal)
}

export function listPipelineVersions(pipelineId: number, signal?: AbortSignal) {
  return api.get<Paginated<PipelineVersion> | PipelineVersion[]>(
    `/api/pipelines/${pipelineId}/versions/`,
    signal,
  )
}

export function createPipeline(data: NewPipeline, signal?: AbortSignal) {
  return api.post<PipelineDetail>('/api/pipelines/', data, signal)
}

export function listOperations(signal?: AbortSignal) {
  return api.get<Paginated<Operation> | Operation[]>(
    withQuery('/api/operations/', { limit: OPERATIONS_PAGE_SIZE }),
    signal,
  )
}

export function listRuns(signal?: AbortSignal) {
  return api.get<Paginated<Run>>(withQuery('/api/runs/', { limit: RUNS_PAGE_SIZE }), signal)
}

export function getRun(id: number, signal?: AbortSignal) {
  return api.get<RunDetail>(`/api/runs/${id}/`, signal)
}
