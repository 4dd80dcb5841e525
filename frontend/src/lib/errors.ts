// Turning API errors (DRF bodies) into messages a person can read.
//
// DRF reports problems as `{"detail": "..."}`, as `{"field": ["message", ...]}`, as
// `{"non_field_errors": [...]}`, or nested (`{"graph": {"nodes": ["..."]}}`, lists of
// objects for list fields). These helpers flatten all of them.

/** What an API error looks like to these helpers (see `ApiError` in api/client.ts). */
export interface ErrorLike {
  status: number
  body: unknown
}

export type FieldErrors = Record<string, string[]>

const GENERAL_KEYS = new Set(['detail', 'non_field_errors', '__all__'])

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}

/** Every string found in a DRF error value, depth first. */
export function flattenMessages(value: unknown): string[] {
  if (value === null || value === undefined) return []
  if (typeof value === 'string') return value.trim() ? [value.trim()] : []
  if (typeof value === 'number' || typeof value === 'boolean') return [String(value)]
  if (Array.isArray(value)) return value.flatMap(flattenMessages)
  if (isRecord(value)) {
    return Object.entries(value).flatMap(([key, inner]) => {
      const messages = flattenMessages(inner)
      // Nested field errors keep their path so "name" inside "inputs[0]" stays findable.
      return GENERAL_KEYS.has(key) || /^\d+$/.test(key)
        ? messages
        : messages.map((message) => `${humanizeField(key)}: ${message}`)
    })
  }
  return []
}

/** `"source_port"` -> `"Source port"`. */
export function humanizeField(field: string): string {
  const words = field.replace(/[_-]+/g, ' ').trim()
  return words ? words.charAt(0).toUpperCase() + words.slice(1) : field
}

/** Messages per field of a DRF validation body; general messages are left out. */
export function fieldErrors(body: unknown): FieldErrors {
  const result: FieldErrors = {}
  if (!isRecord(body)) return result
  for (const [key, value] of Object.entries(body)) {
    if (GENERAL_KEYS.has(key)) continue
    const messages = flattenMessages(value)
    if (messages.length) result[key] = messages
  }
  return result
}

/** Messages of a DRF body that belong to no field (`detail`, `non_field_errors`). */
export function generalErrors(body: unknown): string[] {
  if (typeof body === 'string') return flattenMessages(body)
  if (Array.isArray(body)) return flattenMessages(body)
  if (!isRecord(body)) return []
  return [...GENERAL_KEYS].flatMap((key) => flattenMessages(body[key]))
}

function statusMessage(status: number): string {
  if (status === 0) return 'Could not reach the server. Check your connection and try again.'
  if (status === 401) return 'Your session has ended. Log in again to continue.'
  if (status === 403) return 'You do not have permission to do this.'
  if (status === 404) return 'Not found.'
  if (status === 429) return 'Too many requests. Wait a moment and try again.'
  if (status >= 500) return `The server ran into a problem (${status}). Try again in a moment.`
  return `The request failed (${status}).`
}

export function isErrorLike(error: unknown): error is ErrorLike {
  return (
    typeof error === 'object' &&
    error !== null &&
    typeof (error as { status?: unknown }).status === 'number' &&
    'body' in error
  )
}

/**
 * Human messages for any error: DRF general messages first, then field messages
 * ("Name: This field is required."), falling back to a sentence about the HTTP status.
 */
export function errorMessages(error: unknown): string[] {
  if (isErrorLike(error)) {
    const { status, body } = error
    // A server error page (HTML) or an empty body says nothing useful to a person.
    const usefulBody = status >= 500 ? null : body
    const general = generalErrors(usefulBody)
    const fields = Object.entries(fieldErrors(usefulBody)).flatMap(([field, messages]) =>
      messages.map((message) => `${humanizeField(field)}: ${message}`),
    )
    const messages = [...general, ...fields]
    return messages.length ? messages : [statusMessage(status)]
  }
  if (error instanceof Error && error.message) return [error.message]
  if (typeof error === 'string' && error) return [error]
  return ['Something went wrong.']
}

/** All messages of `errorMessages` in one string. */
export function errorMessage(error: unknown): string {
  return errorMessages(error).join(' ')
}

/** True when the error means "you are not logged in (any more)". */
export function isAuthError(error: unknown): boolean {
  if (!isErrorLike(error)) return false
  if (error.status === 401) return true
  if (error.status !== 403) return false
  const detail = generalErrors(error.body).join(' ').toLowerCase()
  return detail.includes('credentials were not provided') || detail.includes('not authenticated')
}
