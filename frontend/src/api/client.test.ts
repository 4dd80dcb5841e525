import { afterEach, describe, expect, it, vi } from 'vitest'
import { ApiError, api, configureClient, withQuery } from './client'

function jsonResponse(body: unknown, status = 200) {
  return new Response(JSON.stringify(body), {
    status,
    headers: { 'Content-Type': 'application/json' },
  })
}

function stubFetch(response: Response | (() => Promise<Response>)) {
  const fetchMock = vi.fn(typeof response === 'function' ? response : async () => response)
  vi.stubGlobal('fetch', fetchMock)
  return fetchMock
}

afterEach(() => vi.unstubAllGlobals())

describe('api client', () => {
  it('GETs JSON with the session cookie and no CSRF header', async () => {
    configureClient({ csrfToken: 'secret' })
    const fetchMock = stubFetch(jsonResponse({ ok: 1 }))
    await expect(api.get('/api/projects/')).resolves.toEqual({ ok: 1 })
    const [url, init] = fetchMock.mock.calls[0] as unknown as [string, RequestInit]
    expect(url).toBe('/api/projects/')
    expect(init.credentials).toBe('same-origin')
    expect(init.headers).toMatchObject({ Accept: 'application/json' })
    expect(init.headers).not.toHaveProperty('X-CSRFToken')
  })

  it('POSTs JSON with the CSRF token of the boot data', async () => {
    configureClient({ csrfToken: 'secret' })
    const fetchMock = stubFetch(jsonResponse({ id: 3 }, 201))
    await api.post('/api/pipelines/', { name: 'x' })
    const [, init] = fetchMock.mock.calls[0] as unknown as [string, RequestInit]
    expect(init.method).toBe('POST')
    expect(init.body).toBe('{"name":"x"}')
    expect(init.headers).toMatchObject({ 'Content-Type': 'application/json', 'X-CSRFToken': 'secret' })
  })

  it('falls back to the csrftoken cookie', async () => {
    document.cookie = 'csrftoken=from-cookie; path=/'
    const fetchMock = stubFetch(new Response(null, { status: 204 }))
    await expect(api.delete('/api/pipelines/1/')).resolves.toBeNull()
    const [, init] = fetchMock.mock.calls[0] as unknown as [string, RequestInit]
    expect(init.headers).toMatchObject({ 'X-CSRFToken': 'from-cookie' })
  })

  it('turns a DRF 400 into an ApiError with field errors', async () => {
    stubFetch(jsonResponse({ name: ['This field may not be blank.'] }, 400))
    const error = await api.post('/api/pipelines/', {}).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(ApiError)
    const apiError = error as ApiError
    expect(apiError.status).toBe(400)
    expect(apiError.body).toEqual({ name: ['This field may not be blank.'] })
    expect(apiError.fieldErrors()).toEqual({ name: ['This field may not be blank.'] })
    expect(apiError.messages()).toEqual(['Name: This field may not be blank.'])
    expect(apiError.message).toBe('Name: This field may not be blank.')
  })

  it('keeps a non-JSON error body as text', async () => {
    stubFetch(new Response('<h1>Server Error (500)</h1>', { status: 500, headers: { 'Content-Type': 'text/html' } }))
    const error = (await api.get('/api/runs/').catch((e: unknown) => e)) as ApiError
    expect(error.status).toBe(500)
    expect(error.body).toBe('<h1>Server Error (500)</h1>')
    expect(error.messages()[0]).toMatch(/server ran into a problem/)
  })

  it('reports a network failure as status 0', async () => {
    stubFetch(() => Promise.reject(new TypeError('Failed to fetch')))
    const error = (await api.get('/api/runs/').catch((e: unknown) => e)) as ApiError
    expect(error).toBeInstanceOf(ApiError)
    expect(error.status).toBe(0)
  })

  it('lets an abort through untouched', async () => {
    stubFetch(() => Promise.reject(new DOMException('aborted', 'AbortError')))
    const error = await api.get('/api/runs/').catch((e: unknown) => e)
    expect(error).toBeInstanceOf(DOMException)
  })
})

describe('withQuery', () => {
  it('adds present values only', () => {
    expect(withQuery('/api/pipelines/', { limit: 200, project: 3 })).toBe('/api/pipelines/?limit=200&project=3')
    expect(withQuery('/api/pipelines/', { limit: 200, project: null })).toBe('/api/pipelines/?limit=200')
    expect(withQuery('/api/x/', {})).toBe('/api/x/')
  })
})
