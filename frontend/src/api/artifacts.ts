// Artifacts a run can be given as inputs: a project's list, and uploads (multipart).

import type { Artifact, Paginated } from './types'
import { ApiError, csrfToken, isAbortError, withQuery, api } from './client'

export function listArtifacts(project: number, signal?: AbortSignal) {
  return api.get<Paginated<Artifact> | Artifact[]>(withQuery('/api/artifacts/', { project, limit: 500 }), signal)
}

/** `POST /api/artifacts/` multipart (`project`, `file`): the file is streamed to storage. */
export async function uploadArtifact(project: number, file: File, signal?: AbortSignal): Promise<Artifact> {
  const body = new FormData()
  body.append('project', String(project))
  body.append('file', file, file.name)
  const headers: Record<string, string> = { Accept: 'application/json' }
  const token = csrfToken()
  if (token) headers['X-CSRFToken'] = token
  let response: Response
  try {
    response = await fetch('/api/artifacts/', { method: 'POST', body, headers, credentials: 'same-origin', signal })
  } catch (error) {
    if (isAbortError(error)) throw error
    throw new ApiError(0, null)
  }
  const text = await response.text()
  let parsed: unknown = text || null
  try {
    parsed = text ? (JSON.parse(text) as unknown) : null
  } catch {
    // not JSON: keep the text
  }
  if (!response.ok) throw new ApiError(response.status, parsed)
  return parsed as Artifact
}
