// YAML pipelines: import a main.yml (or a zip of its directory), read a pipeline back as YAML.

import { ApiError, csrfToken, isAbortError, withQuery } from './client'
import type { PipelineDetail } from './types'

/** One thing wrong with an uploaded (or exported) YAML pipeline, where it is. */
export interface YamlProblem {
  file: string
  line: number | null
  message: string
}

export interface ImportedPipeline {
  pipeline: PipelineDetail
  /** True when the import created the pipeline (201); false when it updated one (200). */
  created: boolean
}

async function send(path: string, init: RequestInit): Promise<Response> {
  try {
    return await fetch(path, { credentials: 'same-origin', ...init })
  } catch (error) {
    if (isAbortError(error)) throw error
    throw new ApiError(0, null)
  }
}

/** The body of an answer: JSON when it parses (the server's 400s are JSON whatever the type), else text. */
async function readBody(response: Response): Promise<unknown> {
  const text = await response.text()
  if (!text) return null
  try {
    return JSON.parse(text) as unknown
  } catch {
    return text
  }
}

/** `POST /api/pipelines/import/` multipart (`project`, `file`). A 400 carries `problems` or field errors. */
export async function importYaml(project: number, file: File, signal?: AbortSignal): Promise<ImportedPipeline> {
  const body = new FormData()
  body.append('project', String(project))
  body.append('file', file, file.name)
  const headers: Record<string, string> = { Accept: 'application/json' }
  const token = csrfToken()
  if (token) headers['X-CSRFToken'] = token
  const response = await send('/api/pipelines/import/', { method: 'POST', body, headers, signal })
  const parsed = await readBody(response)
  if (!response.ok) throw new ApiError(response.status, parsed)
  return { pipeline: parsed as PipelineDetail, created: response.status === 201 }
}

/** Where the pipeline's YAML is: main.yml, or (`zip`) a zip of main.yml and its files. */
export function pipelineYamlUrl(pipelineId: number, options: { version?: number | null; zip?: boolean } = {}): string {
  return withQuery(`/api/pipelines/${pipelineId}/yaml/`, {
    version: options.version ?? null,
    format: options.zip ? 'zip' : null,
  })
}

/** `GET /api/pipelines/<id>/yaml/`: the main.yml text (the draft, or `version`). */
export async function getPipelineYaml(
  pipelineId: number,
  version?: number | null,
  signal?: AbortSignal,
): Promise<string> {
  const response = await send(pipelineYamlUrl(pipelineId, { version }), {
    headers: { Accept: 'application/yaml, application/json;q=0.9' },
    signal,
  })
  if (!response.ok) throw new ApiError(response.status, await readBody(response))
  return response.text()
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}

/**
 * The `problems` of a 400 about a YAML pipeline, else an empty list. An import names each
 * problem's file and line (`{file, line, message}`); an export says why in plain strings.
 */
export function yamlProblems(error: unknown): YamlProblem[] {
  if (!(error instanceof ApiError) || error.status !== 400 || !isRecord(error.body)) return []
  const problems = error.body.problems
  if (!Array.isArray(problems)) return []
  return problems.flatMap((problem): YamlProblem[] => {
    if (typeof problem === 'string') return [{ file: '', line: null, message: problem }]
    if (!isRecord(problem)) return []
    return [
      {
        file: typeof problem.file === 'string' ? problem.file : '',
        line: typeof problem.line === 'number' ? problem.line : null,
        message: typeof problem.message === 'string' ? problem.message : String(problem.message ?? ''),
      },
    ]
  })
}

/** `main.yml:12`, `main.yml`, or '' where the problem names no file. */
export function problemPlace(problem: YamlProblem): string {
  if (!problem.file) return problem.line === null ? '' : `line ${problem.line}`
  return problem.line === null ? problem.file : `${problem.file}:${problem.line}`
}
