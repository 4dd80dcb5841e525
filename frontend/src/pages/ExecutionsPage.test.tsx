import { fireEvent, screen, waitFor, within } from '@testing-library/react'
import { afterEach, describe, expect, it, vi } from 'vitest'
import type { NodeRunListItem } from '../api/types'
import { installFakeApi, paginated } from '../test/fakeApi'
import { pipeline } from '../test/fixtures'
import { LocationProbe, renderAt } from '../test/render'
import { ExecutionsPage } from './ExecutionsPage'

afterEach(() => {
  vi.unstubAllGlobals()
})

function execution(overrides: Partial<NodeRunListItem> = {}): NodeRunListItem {
  return {
    id: 1,
    run: 3,
    run_name: 'nightly',
    pipeline: 1,
    pipeline_name: 'Train churn model',
    node_id: 'train',
    operation: 9,
    operation_name: 'Train logistic regression',
    operation_version: 12,
    state: 'succeeded',
    attempt: 1,
    started_at: '2025-03-01T10:00:00Z',
    finished_at: '2025-03-01T10:01:30Z',
    exit_code: 0,
    worker: 'w1',
    ...overrides,
  }
}

const routes = [
  {
    path: '/executions/',
    element: (
      <>
        <ExecutionsPage />
        <LocationProbe />
      </>
    ),
  },
]

describe('ExecutionsPage', () => {
  it('lists node runs with links to the run page showing that node', async () => {
    installFakeApi({
      'GET /api/pipelines/': { body: paginated([pipeline()]) },
      'GET /api/node-runs/': { body: paginated([execution()], 120) },
    })
    renderAt('/executions/', routes)
    const link = await screen.findByRole('link', { name: 'train' })
    expect(link.getAttribute('href')).toBe('/runs/3/?node=train')
    const row = link.closest('tr')!
    expect(within(row).getByRole('link', { name: 'nightly' }).getAttribute('href')).toBe('/runs/3/')
    expect(within(row).getByText('Train logistic regression')).toBeTruthy()
    expect(within(row).getByText('1 m 30 s')).toBeTruthy()
    expect(screen.getByText('1–1 of 120')).toBeTruthy()
  })

  it('keeps the state filter and the ordering in the URL and sends them to the server', async () => {
    const api = installFakeApi({
      'GET /api/pipelines/': { body: paginated([pipeline()]) },
      'GET /api/node-runs/': { body: paginated([execution()]) },
    })
    renderAt('/executions/?ordering=-duration', routes)
    await screen.findByRole('link', { name: 'train' })
    expect(api.calls.find((call) => call.path === '/api/node-runs/')!.search.get('ordering')).toBe('-duration')
    fireEvent.change(screen.getByRole('combobox', { name: 'Filter by state' }), { target: { value: 'failed' } })
    await waitFor(() =>
      expect(screen.getByTestId('location').textContent).toBe('/executions/?ordering=-duration&state=failed'),
    )
    await waitFor(() => expect(api.calls.at(-1)!.search.get('state')).toBe('failed'))
  })

  it('shows an empty state', async () => {
    installFakeApi({
      'GET /api/pipelines/': { body: paginated([]) },
      'GET /api/node-runs/': { body: paginated([]) },
    })
    renderAt('/executions/', routes)
    expect(await screen.findByText('No executions yet')).toBeTruthy()
  })

  it('filters by operation, in the URL and on the server', async () => {
    const api = installFakeApi({
      'GET /api/pipelines/': { body: paginated([pipeline()]) },
      'GET /api/operations/': {
        body: paginated([
          { id: 9, project: null, name: 'Train logistic regression', slug: 'train', description: '', category: 'Train', builtin: true, latest_version: null },
        ]),
      },
      'GET /api/node-runs/': { body: paginated([execution()]) },
    })
    renderAt('/executions/', routes)
    await screen.findByRole('option', { name: 'Train logistic regression' })
    fireEvent.change(screen.getByRole('combobox', { name: 'Filter by operation' }), { target: { value: '9' } })
    await waitFor(() => expect(screen.getByTestId('location').textContent).toBe('/executions/?operation=9'))
    await waitFor(() =>
      expect(api.calls.filter((call) => call.path === '/api/node-runs/').at(-1)!.search.get('operation')).toBe('9'),
    )
  })
})
