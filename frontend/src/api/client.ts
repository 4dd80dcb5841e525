// A small fetch wrapper for the Pipewright REST API.
//
// - same-origin credentials (Django session cookie), JSON in and out;
// - the CSRF token (from the boot data, else the `csrftoken` cookie) on unsafe methods;
// - every non-2xx answer becomes an `ApiError` carrying the status and the parsed body.

import { errorMessages, fieldErrors, type FieldErrors } from '../lib/errors'

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS', 'TRACE'])

let configuredCsrfToken = ''

/** Called once at start-up with the token from the boot data. */
export function configureClient(options: { csrfToken?: string }): void {
  configuredCsrfToken = options.csrfToken ?? ''
}

function readCookie(name: string): string {
  if (typeof document === 'undefined') return ''
  for (const part of document.cookie ? document.cookie.split(';') : []) {
    const [key, ...rest] = part.trim().split('=')
    if (key === name) return decodeURIComponent(rest.join('='))
  }
  return ''
}

export function csrfToken(): string {
  return configuredCsrfToken || readCookie('csrftoken')
}

export class ApiError extends Error {
  readonly status: number
  /** Parsed JSON body (DRF: `{"detail": ...}` or `{"field": ["message"]}`), else text or null. */
  readonly body: unknown

  constructor(status: number, body: unknown, message?: string) {
    super(message ?? errorMessages({ status, body }).join(' '))
    this.name = 'ApiError'
    this.status = status
    this.body = body
  }

  /** Human messages, general ones first. */
  messages(): string[] {
    return errorMessages(this)
  }

  /** Messages per field name, for showing next to form inputs. */
  fieldErrors(): FieldErrors {
    return fieldErrors(this.body)
  }

  get isNotFound(): boolean {
    return this.status === 404
  }
}

export function isApiError(error: unknown): error is ApiError {
  return error instanceof ApiError
}

export function isAbortError(error: unknown): boolean {
  return error instanceof DOMException
    ? error.name === 'AbortError'
    : error instanceof Error && error.name === 'AbortError'
}

export interface RequestOptions {
  method?: string
  /** Sent as JSON. */
  body?: unknown
  signal?: AbortSignal
}

async function readBody(response: Response): Promise<unknown> {
  const text = await response.text()
  if (!text) return null
  const type = response.headers.get('Content-Type') ?? ''
  if (type.includes('json')) {
    try {
      return JSON.parse(text)
    } catch {
      return text
    }
  }
  return text
}

export async function request<T>(path: string, options: RequestOptions = {}): Promise<T> {
  const method = (options.method ?? 'GET').toUpperCase()
  const headers: Record<string, string> = { Accept: 'application/json' }
  const init: RequestInit = { method, headers, credentials: 'same-origin', signal: options.signal }
  if (options.body !== undefined) {
    headers['Content-Type'] = 'application/json'
    init.body = JSON.stringify(options.body)
  }
  if (!SAFE_METHODS.has(method)) {
    const token = csrfToken()
    if (token) headers['X-CSRFToken'] = token
  }

  let response: Response
  try {
    response = await fetch(path, init)
  } catch (error) {
    if (isAbortError(error)) throw error
    throw new ApiError(0, null)
  }

  const body = response.status === 204 ? null : await readBody(response)
  if (!response.ok) throw new ApiError(response.status, body)
  return body as T
}

export const api = {
  get: <T>(path: string, signal?: AbortSignal) => request<T>(path, { signal }),
  post: <T>(path: string, body: unknown, signal?: AbortSignal) =>
    request<T>(path, { method: 'POST', body, signal }),
  patch: <T>(path: string, body: unknown, signal?: AbortSignal) =>
    request<T>(path, { method: 'PATCH', body, signal }),
  put: <T>(path: string, body: unknown, signal?: AbortSignal) =>
    request<T>(path, { method: 'PUT', body, signal }),
  delete: <T = null>(path: string, signal?: AbortSignal) =>
    request<T>(path, { method: 'DELETE', signal }),
}

/** Builds `path?key=value&...`, leaving out undefined, null and empty values. */
export function withQuery(
  path: string,
  query: Record<string, string | number | boolean | null | undefined>,
): string {
  const params = new URLSearchParams()
  for (const [key, value] of Object.entries(query)) {
    if (value === undefined || value === null || value === '') continue
    params.set(key, String(value))
  }
  const search = params.toString()
  return search ? `${path}?${search}` : path
}
