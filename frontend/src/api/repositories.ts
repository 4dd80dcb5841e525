// Git-backed pipeline repositories: a project's link to a branch and folder of a git
// repository (credentials write-only), synced on demand (every `<path>/*/main.yml` imported)
// and pushed to (a pipeline written back as a commit).

import { api, withQuery } from './client'
import type { Paginated } from './types'

/** A pipeline imported from (or pushed to) a repository, and its folder there. */
export interface RepositoryPipeline {
  id: number
  name: string
  folder: string
}

export interface Repository {
  id: number
  project: number
  url: string
  branch: string
  /** The folder inside the repository whose sub-folders are pipelines; "" is the root. */
  path: string
  has_secret: boolean
  last_commit: string
  last_synced_at: string | null
  last_error: string
  pipelines: RepositoryPipeline[]
  created_by: string | null
  created_at: string
  updated_at: string
}

/** HTTPS credentials, write-only; `{}` removes the stored ones. */
export type RepositorySecret = { token: string } | { username: string; password: string } | Record<string, never>

export interface RepositoryChanges {
  url?: string
  branch?: string
  path?: string
  /** Left out: the stored credentials stay as they are. */
  secret?: RepositorySecret
}

export interface NewRepository extends RepositoryChanges {
  project: number
  url: string
}

export interface SyncProblem {
  /** Relative to the repository's root, e.g. `pipelines/broken/main.yml`. */
  file: string
  line: number | null
  message: string
}

export interface SyncImported {
  folder: string
  pipeline: number
  name: string
  version: number | null
  git_commit: string | null
}

export interface SyncReport {
  commit: string
  imported: SyncImported[]
  problems: SyncProblem[]
}

export interface PushResult {
  commit: string
  pipeline: number
  version: number | null
  folder: string
}

export function listRepositories(project: number | null, signal?: AbortSignal) {
  return api.get<Paginated<Repository> | Repository[]>(withQuery('/api/repositories/', { project, limit: 500 }), signal)
}

export function createRepository(body: NewRepository, signal?: AbortSignal) {
  return api.post<Repository>('/api/repositories/', body, signal)
}

export function updateRepository(id: number, changes: RepositoryChanges, signal?: AbortSignal) {
  return api.patch<Repository>(`/api/repositories/${id}/`, changes, signal)
}

export function deleteRepository(id: number, signal?: AbortSignal) {
  return api.delete(`/api/repositories/${id}/`, signal)
}

/** Imports the branch's pipelines now; a 400 `{detail}` when the repository cannot be read. */
export function syncRepository(id: number, signal?: AbortSignal) {
  return api.post<SyncReport>(`/api/repositories/${id}/sync/`, {}, signal)
}

/** Freezes `pipeline` and pushes it to the branch as a commit (message optional). */
export function pushPipeline(id: number, body: { pipeline: number; message?: string }, signal?: AbortSignal) {
  return api.post<PushResult>(`/api/repositories/${id}/push/`, body, signal)
}

/** The first seven characters of a commit's sha. */
export function shortSha(sha: string): string {
  return sha.slice(0, 7)
}
