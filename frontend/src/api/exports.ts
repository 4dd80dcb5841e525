// Export: a pipeline as a zip that runs with `python main.py`. The zip is streamed: its bytes
// are read as they come (for a progress line), then handed over whole as a Blob.

import { ApiError, csrfToken, isAbortError } from './client'

export type StaticInputs = Record<string, { artifact: number } | { value: unknown }>
export type ExportCredentials = Record<string, { account: number } | { options: Record<string, unknown> }>

export interface ExportRequest {
  /** A version number; null: the saved draft (frozen into a version if it changed). */
  version: number | null
  /** Inputs shipped in the zip; the others are given on the command line. */
  static: StaticInputs
  /** Artifact id -> your credentials, for a static artifact kept in someone else's storage. */
  input_credentials: ExportCredentials
}

export interface ExportProgress {
  received: number
  /** From Content-Length; null while the server streams without one. */
  total: number | null
}

export interface ExportedZip {
  blob: Blob
  filename: string
}

export const FALLBACK_ZIP_NAME = 'pipeline.zip'

/** The file name of a `Content-Disposition: attachment; filename="..."` header (RFC 6266). */
export function filenameFromDisposition(header: string | null, fallback = FALLBACK_ZIP_NAME): string {
  if (!header) return fallback
  const extended = /filename\*\s*=\s*(?:UTF-8|utf-8)''([^;]+)/.exec(header)
  let name: string | undefined
  if (extended?.[1]) {
    try {
      name = decodeURIComponent(extended[1].trim())
    } catch {
      name = undefined
    }
  }
  if (!name) {
    const plain = /filename\s*=\s*(?:"((?:[^"\\]|\\.)*)"|([^;\s]+))/.exec(header)
    name = plain?.[1]?.replace(/\\(.)/g, '$1') ?? plain?.[2]
  }
  // Only a base name: a header cannot pick a folder.
  const base = name?.split(/[/\\]/).pop()?.trim()
  return base || fallback
}

async function errorBody(response: Response): Promise<unknown> {
  const text = await response.text().catch(() => '')
  if (!text) return null
  try {
    return JSON.parse(text) as unknown
  } catch {
    return text
  }
}

/**
 * `POST /api/pipelines/<id>/export/`: the zip, read chunk by chunk (`onProgress` after each).
 * A refusal throws an `ApiError` with the parsed body (400: `graph`, `static`,
 * `input_credentials`, `version`); nothing is returned then.
 */
export async function exportPipeline(
  pipelineId: number,
  body: ExportRequest,
  options: { signal?: AbortSignal; onProgress?: (progress: ExportProgress) => void } = {},
): Promise<ExportedZip> {
  const headers: Record<string, string> = {
    Accept: 'application/zip, application/json',
    'Content-Type': 'application/json',
  }
  const token = csrfToken()
  if (token) headers['X-CSRFToken'] = token
  let response: Response
  try {
    response = await fetch(`/api/pipelines/${pipelineId}/export/`, {
      method: 'POST',
      headers,
      body: JSON.stringify(body),
      credentials: 'same-origin',
      signal: options.signal,
    })
  } catch (error) {
    if (isAbortError(error)) throw error
    throw new ApiError(0, null)
  }
  if (!response.ok) throw new ApiError(response.status, await errorBody(response))

  const length = Number(response.headers.get('Content-Length'))
  const total = Number.isFinite(length) && length > 0 ? length : null
  const type = response.headers.get('Content-Type') || 'application/zip'
  const filename = filenameFromDisposition(response.headers.get('Content-Disposition'))
  const chunks: BlobPart[] = []
  let received = 0
  options.onProgress?.({ received, total })
  try {
    const reader = response.body?.getReader()
    if (!reader) {
      const blob = await response.blob()
      options.onProgress?.({ received: blob.size, total })
      return { blob: new Blob([blob], { type }), filename }
    }
    for (;;) {
      const { done, value } = await reader.read()
      if (done) break
      chunks.push(value as Uint8Array<ArrayBuffer>)
      received += value.byteLength
      options.onProgress?.({ received, total })
    }
  } catch (error) {
    if (isAbortError(error)) throw error
    // The connection broke while the zip was streaming.
    throw new ApiError(0, null, 'The download was interrupted. Try again.')
  }
  return { blob: new Blob(chunks, { type }), filename }
}
