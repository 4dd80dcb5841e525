// One function per API call the app makes. Pages call these, never `fetch` directly.

import type { Experiment } from './backends'
import { ApiError, api, isAbortError, withQuery } from './client'
import type {
  Artifact,
  DuplicateOperation,
  NewOperation,
  NewPipeline,
  NodeRunDetail,
  NodeRunListItem,
  Operation,
  OperationContent,
  OperationVersionDetail,
  Paginated,
  Pipeline,
  PipelineDetail,
  PipelineVersion,
  PipelineVersionDetail,
  Project,
  Run,
  RunDetail,
  RunEvent,
  SavePipeline,
  SubmitRun,
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
export const RECENT_RUNS_PAGE_SIZE = 20
/** The events endpoint answers at most this many events per call. */
export const RUN_EVENTS_PAGE_SIZE = 1000

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

/**
 * Saves the editor's graph. The server answers 409 (`detail`) when `revision` is not the
 * current one (someone else saved first) and 400 with the graph's problems.
 */
export function savePipeline(id: number, data: SavePipeline, signal?: AbortSignal) {
  return api.patch<PipelineDetail>(`/api/pipelines/${id}/`, data, signal)
}

/** Freezes the pipeline at `revision` into a version (201 new, 200 when nothing changed). */
export function freezePipeline(id: number, data: { revision: number }, signal?: AbortSignal) {
  return api.post<PipelineVersion>(`/api/pipelines/${id}/freeze/`, data, signal)
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

export function getOperation(id: number, signal?: AbortSignal) {
  return api.get<Operation>(`/api/operations/${id}/`, signal)
}

/** Creates an operation (no version yet); a 400 names the fields (`slug` when taken). */
export function createOperation(data: NewOperation, signal?: AbortSignal) {
  return api.post<Operation>('/api/operations/', data, signal)
}

export function updateOperation(
  id: number,
  data: Partial<Pick<Operation, 'name' | 'description' | 'category'>>,
  signal?: AbortSignal,
) {
  return api.patch<Operation>(`/api/operations/${id}/`, data, signal)
}

/** Every version of an operation with its full content, newest first. */
export function listOperationVersions(id: number, signal?: AbortSignal) {
  return api.get<Paginated<OperationVersionDetail> | OperationVersionDetail[]>(
    `/api/operations/${id}/versions/`,
    signal,
  )
}

/** Copies an operation (a built-in one too) into a project: its latest content is the copy's version 1. */
export function duplicateOperation(id: number, data: DuplicateOperation, signal?: AbortSignal) {
  return api.post<Operation>(`/api/operations/${id}/duplicate/`, data, signal)
}

/** Posts new content: a new version (201), or the existing one when nothing changed (200). */
export function createOperationVersion(id: number, content: OperationContent, signal?: AbortSignal) {
  return api.post<OperationVersionDetail>(`/api/operations/${id}/versions/`, content, signal)
}

export function listRuns(signal?: AbortSignal) {
  return api.get<Paginated<Run>>(withQuery('/api/runs/', { limit: RUNS_PAGE_SIZE }), signal)
}

/** Query parameters of the lists across runs, node runs and artifacts (empty ones are left out). */
export type ListQuery = Record<string, string | number | null | undefined>

/** A page of runs across pipelines, filtered and sorted by the server. */
export function listRunsPage(query: ListQuery, signal?: AbortSignal) {
  return api.get<Paginated<Run>>(withQuery('/api/runs/', query), signal)
}

/** Experiments of all your projects (for the runs filter). */
export function listAllExperiments(signal?: AbortSignal) {
  return api
    .get<Paginated<Experiment> | Experiment[]>(withQuery('/api/experiments/', { limit: 500 }), signal)
    .then(itemsOf)
}

/** A page of node runs across runs. */
export function listNodeRuns(query: ListQuery, signal?: AbortSignal) {
  return api.get<Paginated<NodeRunListItem>>(withQuery('/api/node-runs/', query), signal)
}

/** A page of artifacts of your projects (or of `project`). */
export function listArtifacts(query: ListQuery, signal?: AbortSignal) {
  return api.get<Paginated<Artifact>>(withQuery('/api/artifacts/', query), signal)
}

export function getRun(id: number, signal?: AbortSignal) {
  return api.get<RunDetail>(`/api/runs/${id}/`, signal)
}

/** The latest runs of one pipeline, newest first. */
export function listPipelineRuns(pipelineId: number, signal?: AbortSignal) {
  return api.get<Paginated<Run>>(
    withQuery('/api/runs/', { pipeline: pipelineId, limit: RECENT_RUNS_PAGE_SIZE }),
    signal,
  )
}

/** Submits a run; a 400 names the problems (`graph`, `compute`, `name`, `non_field_errors`). */
export function submitRun(config: SubmitRun, signal?: AbortSignal) {
  return api.post<RunDetail>('/api/runs/', config, signal)
}

export function cancelRun(id: number, signal?: AbortSignal) {
  return api.post<RunDetail>(`/api/runs/${id}/cancel/`, {}, signal)
}

/** Runs again as a new run (unchanged nodes come back cached). */
export function rerunRun(id: number, signal?: AbortSignal) {
  return api.post<RunDetail>(`/api/runs/${id}/rerun/`, {}, signal)
}

/** One node run with its log. */
export function getNodeRun(runId: number, nodeId: string, signal?: AbortSignal) {
  return api.get<NodeRunDetail>(`/api/runs/${runId}/nodes/${encodeURIComponent(nodeId)}/`, signal)
}

/** Where a node's whole log downloads from (`text/plain`, an attachment). */
export function nodeLogUrl(runId: number, nodeId: string): string {
  return `/api/runs/${runId}/nodes/${encodeURIComponent(nodeId)}/log/`
}

/** Up to `RUN_EVENTS_PAGE_SIZE` events of a run with a sequence number above `after`, in order. */
export function listRunEvents(runId: number, after: number, signal?: AbortSignal) {
  return api.get<RunEvent[] | Paginated<RunEvent>>(withQuery(`/api/runs/${runId}/events/`, { after }), signal).then(
    itemsOf,
  )
}

/** A frozen pipeline version with its graph. */
export function getPipelineVersion(id: number, signal?: AbortSignal) {
  return api.get<PipelineVersionDetail>(`/api/pipeline-versions/${id}/`, signal)
}

export function getArtifact(id: number, signal?: AbortSignal) {
  return api.get<Artifact>(`/api/artifacts/${id}/`, signal)
}

/** Where an artifact's bytes are streamed from (a plain link or image source). */
export function artifactDownloadUrl(id: number): string {
  return `/api/artifacts/${id}/download/`
}

/** An artifact's bytes as text, unparsed whatever their type (for previews of small files). */
export async function getArtifactText(id: number, signal?: AbortSignal): Promise<string> {
  let response: Response
  try {
    response = await fetch(artifactDownloadUrl(id), { credentials: 'same-origin', signal })
  } catch (error) {
    if (isAbortError(error)) throw error
    throw new ApiError(0, null)
  }
  const text = await response.text()
  if (!response.ok) throw new ApiError(response.status, errorBody(text))
  return text
}

function errorBody(text: string): unknown {
  try {
    return JSON.parse(text)
  } catch {
    return text || null
  }
}

/**
 * Copies version `number`'s graph into the pipeline's draft (editor role; a viewer gets 403).
 * With `revision`, a draft changed since answers 409 `{detail, current_revision}`.
 */
export function restorePipelineVersion(
  pipelineId: number,
  number: number,
  revision?: number | null,
  signal?: AbortSignal,
) {
  return api.post<import('./types').RestoredPipeline>(
    `/api/pipelines/${pipelineId}/versions/${number}/restore/`,
    revision === undefined || revision === null ? {} : { revision },
    signal,
  )
}

/** Metric names recent runs logged, for choosing the runs list's metric column. */
export function listMetricNames(signal?: AbortSignal) {
  return api.get<{ names: string[] }>('/api/runs/metric-names/', signal).then((answer) => answer.names)
}
