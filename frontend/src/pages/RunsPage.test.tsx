import { screen, waitFor, within } from '@testing-library/react'
import { afterEach, describe, expect, it, vi } from 'vitest'
import type { Run } from '../api/types'
import { installFakeApi, paginated } from '../test/fakeApi'
import { run } from '../test/fixtures'
import { renderAt } from '../test/render'
import { RunsPage } from './RunsPage'

afterEach(() => {
  vi.useRealTimers()
  vi.unstubAllGlobals()
})

function names(): string[] {
  return screen
    .getAllByRole('row')
    .slice(1)
    .map((row) => within(row).getAllByRole('link')[0]!.textContent ?? '')
}

describe('RunsPage', () => {
  it('lists the newest runs first', async () => {
    installFakeApi({
      'GET /api/runs/': {
        body: paginated([
          run({ id: 1, name: 'older', created_at: '2025-03-01T10:00:00Z' }),
          run({ id: 3, name: 'newest', created_at: '2025-03-03T10:00:00Z' }),
          run({ id: 2, name: 'middle', created_at: '2025-03-02T10:00:00Z' }),
        ]),
      },
    })
    renderAt('/runs/', [{ path: '/runs/', element: <RunsPage /> }])
    await screen.findByRole('link', { name: 'newest' })
    expect(names()).toEqual(['newest', 'middle', 'older'])
  })

  it('reads the list every 2 seconds while a run is in progress, and updates its state', async () => {
    let reads = 0
    const api = installFakeApi({
      'GET /api/runs/': () => {
        reads += 1
        const now: Partial<Run> = reads < 2 ? { state: 'running', finished_at: null } : { state: 'succeeded' }
        return { body: paginated([run({ id: 4, name: 'nightly', ...now })]) }
      },
    })
    renderAt('/runs/', [{ path: '/runs/', element: <RunsPage /> }])
    const row = (await screen.findByRole('link', { name: 'nightly' })).closest('tr')!
    expect(within(row).getByText('Running').closest('.badge')).toBeTruthy()
    expect(screen.getByText(/refreshing while runs are in progress/)).toBeTruthy()
    await waitFor(() => expect(within(row).getByText('Succeeded')).toBeTruthy(), { timeout: 3000 })
    expect(api.calls.length).toBe(2)
  })

  it('reads the list every 10 seconds once nothing is in progress', async () => {
    vi.useFakeTimers({ shouldAdvanceTime: true })
    const api = installFakeApi({ 'GET /api/runs/': { body: paginated([run({ id: 4, name: 'nightly' })]) } })
    renderAt('/runs/', [{ path: '/runs/', element: <RunsPage /> }])
    await screen.findByRole('link', { name: 'nightly' })
    await vi.advanceTimersByTimeAsync(9000)
    expect(api.calls.length).toBe(1)
    await vi.advanceTimersByTimeAsync(1500)
    expect(api.calls.length).toBe(2)
  })
})
