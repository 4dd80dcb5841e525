// A test double for `fetch` that answers API calls from a table of routes.

import { vi } from 'vitest'

export interface FakeResponse {
  status?: number
  body?: unknown
  /** A raw text body (sent as is, `text/plain`) instead of JSON. */
  text?: string
  /** A body the test writes chunk by chunk (`application/octet-stream` unless `headers` say). */
  stream?: ReadableStream<Uint8Array>
  /** Extra response headers (override the content type, add `Content-Disposition`...). */
  headers?: Record<string, string>
}

export interface RecordedCall {
  method: string
  url: string
  path: string
  search: URLSearchParams
  headers: Record<string, string>
  body: unknown
}

type Handler = FakeResponse | ((call: RecordedCall) => FakeResponse | Promise<FakeResponse>)

/** Routes are keyed `"METHOD /path/"` (query string ignored; read it from `call.search`). */
export type Routes = Record<string, Handler>

export function paginated<T>(results: T[], count = results.length) {
  return { count, next: null, previous: null, results }
}

export function installFakeApi(routes: Routes) {
  const calls: RecordedCall[] = []
  const fetchMock = vi.fn(async (input: RequestInfo | URL, init: RequestInit = {}) => {
    const url = typeof input === 'string' ? input : input instanceof URL ? input.href : input.url
    const parsed = new URL(url, 'http://testserver')
    const method = (init.method ?? 'GET').toUpperCase()
    const call: RecordedCall = {
      method,
      url,
      path: parsed.pathname,
      search: parsed.searchParams,
      headers: { ...(init.headers as Record<string, string> | undefined) },
      body: typeof init.body === 'string' ? JSON.parse(init.body) : null,
    }
    calls.push(call)
    const handler = routes[`${method} ${parsed.pathname}`]
    const answer: FakeResponse = !handler
      ? { status: 404, body: { detail: 'Not found.' } }
      : typeof handler === 'function'
        ? await handler(call)
        : handler
    const status = answer.status ?? 200
    if (answer.stream !== undefined) {
      return new Response(answer.stream, {
        status,
        headers: { 'Content-Type': 'application/octet-stream', ...answer.headers },
      })
    }
    if (answer.text !== undefined) {
      return new Response(answer.text, { status, headers: { 'Content-Type': 'text/plain', ...answer.headers } })
    }
    return new Response(status === 204 ? null : JSON.stringify(answer.body ?? null), {
      status,
      headers: { 'Content-Type': 'application/json', ...answer.headers },
    })
  })
  vi.stubGlobal('fetch', fetchMock)
  return { calls, fetchMock, routes }
}
