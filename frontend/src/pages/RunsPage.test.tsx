import { fireEvent, screen, waitFor, within } from '@testing-library/react'
import { afterEach, describe, expect, it, vi } from 'vitest'
import type { Run } from '../api/types'
import { installFakeApi, paginated, type RecordedCall } from '../test/fakeApi'
import { run } from '../test/fixtures'
import { LocationProbe, renderAt } from '../test/render'
import { RunsPage } from './RunsPage'

afterEach(() => {
  vi.useRealTimers()
  vi.unstubAllGlobals()
})

/** How many times the runs list was read (the filter bar reads pipelines and experiments too). */
function runReads(calls: RecordedCall[]): number {
  return calls.filter((call) => call.path === '/api/runs/').length
}

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
    expect(runReads(api.calls)).toBe(2)
  })

  it('reads the list every 10 seconds once nothing is in progress', async () => {
    vi.useFakeTimers({ shouldAdvanceTime: true })
    const api = installFakeApi({ 'GET /api/runs/': { body: paginated([run({ id: 4, name: 'nightly' })]) } })
    renderAt('/runs/', [{ path: '/runs/', element: <RunsPage /> }])
    await screen.findByRole('link', { name: 'nightly' })
    await vi.advanceTimersByTimeAsync(9000)
    expect(runReads(api.calls)).toBe(1)
    await vi.advanceTimersByTimeAsync(1500)
    expect(runReads(api.calls)).toBe(2)
  })

  describe('filters, sorting and pages', () => {
    const routes = [
      {
        path: '/runs/',
        element: (
          <>
            <RunsPage />
            <LocationProbe />
          </>
        ),
      },
    ]

    it('sends the filters kept in the URL to the server and changes them there', async () => {
      const api = installFakeApi({
        'GET /api/runs/': { body: paginated([run({ id: 4, name: 'nightly' })]) },
        'GET /api/pipelines/': { body: paginated([{ id: 7, name: 'Blobs' }]) },
        'GET /api/experiments/': { body: paginated([]) },
      })
      renderAt('/runs/?state=failed&q=night&created_after=2025-01-01', routes)
      await screen.findByRole('link', { name: 'nightly' })
      const first = api.calls.find((call) => call.path === '/api/runs/')!.search
      expect(first.get('state')).toBe('failed')
      expect(first.get('q')).toBe('night')
      expect(first.get('created_after')).toBe('2025-01-01')
      expect((screen.getByRole('combobox', { name: 'Filter by state' }) as HTMLSelectElement).value).toBe('failed')
      await screen.findByRole('option', { name: 'Blobs' })
      fireEvent.change(screen.getByRole('combobox', { name: 'Filter by pipeline' }), { target: { value: '7' } })
      await waitFor(() => expect(api.calls.at(-1)!.search.get('pipeline')).toBe('7'))
      expect(screen.getByTestId('location').textContent).toBe(
        '/runs/?state=failed&q=night&created_after=2025-01-01&pipeline=7',
      )
    })

    it('sorts by a column and by a metric the user picks, on the server', async () => {
      const api = installFakeApi({
        'GET /api/runs/': (call) => ({
          body: paginated([run({ id: 4, name: 'nightly', metric: call.search.get('metric') ? 0.25 : null })]),
        }),
        'GET /api/pipelines/': { body: paginated([]) },
        'GET /api/experiments/': { body: paginated([]) },
        'GET /api/runs/metric-names/': { body: { names: ['accuracy', 'loss'] } },
      })
      renderAt('/runs/', routes)
      // the metric box suggests the names recent runs logged
      await waitFor(() =>
        expect([...document.querySelectorAll('#run-metric-names option')].map((o) => o.getAttribute('value'))).toEqual([
          'accuracy',
          'loss',
        ]),
      )
      await screen.findByRole('link', { name: 'nightly' })
      fireEvent.click(screen.getByRole('button', { name: 'Duration' }))
      await waitFor(() => expect(api.calls.at(-1)!.search.get('ordering')).toBe('duration'))
      await waitFor(() =>
        expect(screen.getByRole('columnheader', { name: /Duration/ }).getAttribute('aria-sort')).toBe('ascending'),
      )
      fireEvent.click(screen.getByRole('button', { name: /Duration/ }))
      await waitFor(() => expect(api.calls.at(-1)!.search.get('ordering')).toBe('-duration'))
      fireEvent.change(screen.getByRole('combobox', { name: 'Metric column' }), { target: { value: 'loss' } })
      await waitFor(() => expect(api.calls.at(-1)!.search.get('metric')).toBe('loss'))
      await screen.findByText('0.25')
      fireEvent.click(screen.getByRole('button', { name: 'loss' }))
      await waitFor(() => expect(api.calls.at(-1)!.search.get('ordering')).toBe('metric:loss'))
      expect(screen.getByTestId('location').textContent).toBe('/runs/?ordering=metric%3Aloss&metric=loss')
    })

    it('pages on the server with Prev and Next', async () => {
      const api = installFakeApi({
        'GET /api/runs/': (call) => ({
          body: paginated([run({ id: 4, name: `from-${call.search.get('offset') ?? '0'}` })], 213),
        }),
        'GET /api/pipelines/': { body: paginated([]) },
        'GET /api/experiments/': { body: paginated([]) },
      })
      renderAt('/runs/?state=succeeded', routes)
      await screen.findByRole('link', { name: 'from-0' })
      expect(screen.getByText('1–1 of 213')).toBeTruthy()
      fireEvent.click(screen.getByRole('button', { name: 'Next' }))
      await screen.findByRole('link', { name: 'from-50' })
      expect(api.calls.at(-1)!.search.get('state')).toBe('succeeded')
      expect(screen.getByTestId('location').textContent).toBe('/runs/?state=succeeded&offset=50')
      fireEvent.click(screen.getByRole('button', { name: 'Prev' }))
      await screen.findByRole('link', { name: 'from-0' })
    })

    it('says so when no run matches the filters', async () => {
      installFakeApi({
        'GET /api/runs/': { body: paginated([]) },
        'GET /api/pipelines/': { body: paginated([]) },
        'GET /api/experiments/': { body: paginated([]) },
      })
      renderAt('/runs/?q=zzz', routes)
      expect(await screen.findByText('No matching runs')).toBeTruthy()
    })
  })
})
