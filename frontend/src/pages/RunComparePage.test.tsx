import { fireEvent, screen, within } from '@testing-library/react'
import { beforeAll, describe, expect, it } from 'vitest'
import type { Comparison, CompareRun, GraphDiff } from '../compare/types'
import { installFakeApi } from '../test/fakeApi'
import { installReactFlowStubs } from '../test/reactFlowJsdom'
import { renderAt } from '../test/render'
import RunComparePage from './RunComparePage'

beforeAll(installReactFlowStubs)

function compareRun(id: number, name: string, overrides: Partial<CompareRun> = {}): CompareRun {
  return {
    id,
    name,
    state: 'succeeded',
    pipeline: 1,
    pipeline_name: 'Classify synthetic blobs',
    pipeline_version: 5,
    version_number: 2,
    created_at: '2025-03-01T10:00:00Z',
    started_at: '2025-03-01T10:00:02Z',
    finished_at: '2025-03-01T10:00:14Z',
    duration_seconds: 12,
    ...overrides,
  }
}

function comparison(overrides: Partial<Comparison> = {}): Comparison {
  return {
    runs: [compareRun(1, 'short'), compareRun(2, 'medium'), compareRun(3, 'long')],
    nodes: { data: 'Make dataset', train: 'Train' },
    params: [
      { node: 'data', name: 'n_samples', values: [600, 600, 600], differs: false },
      { node: 'train', name: 'epochs', values: [2, 15, 25], differs: true },
    ],
    metrics: [
      {
        node: 'train',
        name: 'loss',
        last: [0.61, 0.42, 0.33],
        series: [
          [[0, 0.69], [1, 0.61]],
          [[0, 0.69], [10, 0.5], [14, 0.42]],
          [[0, 0.69], [10, 0.5], [20, 0.38], [24, 0.33]],
        ],
        differs: true,
      },
    ],
    outputs: [
      {
        node: 'report',
        port: 'chart',
        values: [1, 2, 3].map((id) => ({
          kind: 'artifact' as const,
          id,
          name: 'report.chart.png',
          size: 2048,
          content_type: 'image/png',
          download_url: `/api/artifacts/${id}/download/`,
        })),
        differs: true,
      },
    ],
    graph_diffs: [],
    ...overrides,
  }
}

function route(body: Comparison) {
  return installFakeApi({ 'GET /api/runs/compare/': { body } })
}

function renderPage(ids = '1,2,3') {
  return renderAt(`/runs/compare/?ids=${ids}`, [{ path: '/runs/compare/', element: <RunComparePage /> }])
}

describe('RunComparePage', () => {
  it('asks the API for the runs in the URL and shows one column per run', async () => {
    const api = route(comparison())
    renderPage()
    const overview = await screen.findByRole('table', { name: 'Overview' })
    expect(api.calls[0]!.search.get('ids')).toBe('1,2,3')
    const headers = within(overview).getAllByRole('columnheader').map((cell) => cell.textContent)
    expect(headers).toEqual(['', 'short', 'medium', 'long'])
    expect(within(overview).getByRole('link', { name: 'long' }).getAttribute('href')).toBe('/runs/3/')
    expect(screen.getByText('All 3 runs ran version 2 of Classify synthetic blobs.')).toBeTruthy()
  })

  it('highlights differing parameters and can hide the rest', async () => {
    route(comparison())
    renderPage()
    const table = await screen.findByRole('table', { name: 'Parameters' })
    const epochs = within(table).getByRole('rowheader', { name: /epochs/ }).closest('tr')!
    expect(epochs.className).toBe('is-different')
    expect(within(epochs).getByText('differs')).toBeTruthy()
    expect(within(table).getByRole('rowheader', { name: 'n_samples' })).toBeTruthy()
    fireEvent.click(screen.getByRole('checkbox', { name: 'Only differences (1)' }))
    expect(within(table).queryByRole('rowheader', { name: 'n_samples' })).toBeNull()
    expect(within(table).getByRole('rowheader', { name: /epochs/ })).toBeTruthy()
  })

  it('marks the lowest loss as best and draws one line per run with a legend', async () => {
    route(comparison())
    renderPage()
    const table = await screen.findByRole('table', { name: 'Metrics' })
    const loss = within(table).getByRole('rowheader', { name: /loss/ }).closest('tr')!
    const cells = within(loss).getAllByRole('cell')
    expect(cells.map((cell) => cell.textContent)).toEqual(['0.61', '0.42', '0.33 ★ best'])
    const chart = screen.getByRole('img', { name: 'Train · loss by step, one line per run' })
    expect(chart.querySelectorAll('.series-chart-line path')).toHaveLength(3)
    const legend = screen.getByRole('list', { name: 'Legend of Train · loss' })
    expect(within(legend).getAllByRole('listitem').map((item) => item.textContent)).toEqual([
      'short',
      'medium',
      'long',
    ])
  })

  it('shows image outputs side by side', async () => {
    route(comparison())
    renderPage()
    const images = await screen.findAllByRole('img', { name: 'Preview of report.chart.png' })
    expect(images.map((image) => image.getAttribute('src'))).toEqual([
      '/api/artifacts/1/download/',
      '/api/artifacts/2/download/',
      '/api/artifacts/3/download/',
    ])
  })

  it('lists what changed between versions and draws the diff graph', async () => {
    const diff: GraphDiff = {
      base: { id: 5, number: 2, pipeline: 1 },
      version: { id: 6, number: 3, pipeline: 1 },
      runs: [3],
      nodes: [
        {
          id: 'train',
          label: 'Train',
          operation: 'Train v1',
          status: 'same',
          changes: [],
          position: { x: 0, y: 0 },
          inputs: [],
          outputs: [],
        },
        {
          id: 'stats',
          label: 'Stats',
          operation: 'Describe dataset v1',
          status: 'added',
          changes: [],
          position: { x: 300, y: 0 },
          inputs: ['dataset'],
          outputs: [],
        },
      ],
      edges: [],
      params: [{ node: 'train', name: 'epochs', old: 10, new: 25, status: 'changed' }],
      counts: { nodes_added: 1, nodes_removed: 0, nodes_changed: 0, edges_added: 0, edges_removed: 0, params_changed: 1 },
    }
    route(
      comparison({
        runs: [compareRun(1, 'short'), compareRun(2, 'medium'), compareRun(3, 'long', { version_number: 3, pipeline_version: 6 })],
        graph_diffs: [diff],
      }),
    )
    renderPage()
    const section = await screen.findByRole('region', { name: 'Graph diff' })
    expect(within(section).getByRole('heading', { name: 'Version 3 against version 2' })).toBeTruthy()
    expect(within(section).getByText('1 node added, 1 parameter changed.')).toBeTruthy()
    expect(section.textContent).toContain('train.epochs: 10 → 25')
    expect(screen.getByText('The runs used 2 pipeline versions: see the graph diff below.')).toBeTruthy()
  })

  it('explains a link with too few runs without asking the API', async () => {
    const api = route(comparison())
    renderPage('4')
    expect(await screen.findByRole('heading', { name: 'Choose 2 to 10 runs' })).toBeTruthy()
    expect(api.calls).toHaveLength(0)
  })

  it('shows what the API refused', async () => {
    installFakeApi({
      'GET /api/runs/compare/': {
        status: 400,
        body: { ids: ['No run 99 among the runs you can see: check the ids, or ask to join its project.'] },
      },
    })
    renderPage('1,99')
    const alert = await screen.findByRole('alert')
    expect(within(alert).getByText('Could not compare these runs')).toBeTruthy()
    expect(alert.textContent).toContain('No run 99 among the runs you can see')
  })
})
