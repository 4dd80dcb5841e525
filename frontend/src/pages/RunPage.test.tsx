import { act, cleanup, fireEvent, screen, waitFor, within } from '@testing-library/react'
import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest'
import type { NodeRun, Operation, PipelineVersionDetail, RunDetail, RunEvent } from '../api/types'
import { installFakeApi, paginated, type Routes } from '../test/fakeApi'
import { FakeWebSocket, installFakeWebSocket, runEvent } from '../test/fakeWebSocket'
import { nodeRun, project, runDetail } from '../test/fixtures'
import { installReactFlowStubs } from '../test/reactFlowJsdom'
import { LocationProbe, renderAt } from '../test/render'
import RunPage from './RunPage'

function operation(id: number, name: string, inputs: string[], outputs: string[]): Operation {
  const port = (portName: string) => ({ name: portName, type: 'file' as const, description: '', optional: false })
  return {
    id,
    project: null,
    name,
    slug: name,
    description: '',
    category: 'ml',
    builtin: true,
    latest_version: {
      id: id + 1,
      number: 1,
      content_hash: 'h',
      kind: 'python',
      inputs: inputs.map(port),
      outputs: outputs.map(port),
      parameters: [],
      resources: { cpu: 1, memory: '1Gi', gpus: 0, cpu_fallback: false },
      created_at: '2025-01-01T00:00:00Z',
    },
  }
}

const version: PipelineVersionDetail = {
  id: 11,
  pipeline: 1,
  number: 3,
  content_hash: 'sha256:abc',
  tags: [],
  created_by: 'ada',
  created_at: '2025-03-01T10:00:00Z',
  graph: {
    nodes: [
      { id: 'load', operation: 10, operation_version: 101, label: 'Load data', params: {}, position: { x: 0, y: 0 } },
      { id: 'train', operation: 20, operation_version: 201, label: 'Train', params: {}, position: { x: 300, y: 0 } },
      { id: 'report', operation: 30, operation_version: 301, label: 'Plot report', params: {}, position: { x: 600, y: 0 } },
      { id: 'stats', operation: 40, operation_version: 401, label: 'Describe', params: {}, position: { x: 300, y: 200 } },
    ],
    edges: [
      { id: 'e1', source: 'load', source_port: 'table', target: 'train', target_port: 'data' },
      { id: 'e2', source: 'train', source_port: 'history', target: 'report', target_port: 'history' },
      { id: 'e3', source: 'load', source_port: 'table', target: 'stats', target_port: 'data' },
    ],
    inputs: [],
  },
}

const operations = [
  operation(10, 'Load CSV', [], ['table']),
  operation(20, 'Train logistic regression', ['data'], ['model', 'history']),
  operation(30, 'Plot metrics', ['history'], ['chart']),
  operation(40, 'Describe dataset', ['data'], ['stats']),
]

function nodeRuns(train: Partial<NodeRun> = {}): NodeRun[] {
  return [
    nodeRun({
      id: 1,
      node_id: 'load',
      state: 'cached',
      outputs: { table: { artifact: 4, checksum: 'c4', type: 'file', size: 2048 } },
    }),
    nodeRun({
      id: 2,
      node_id: 'train',
      state: 'running',
      progress: 0.5,
      started_at: new Date(Date.now() - 4000).toISOString(),
      finished_at: null,
      exit_code: null,
      metrics: {
        loss: { last: 0.1234567, series: [[0, 0.9], [10, 0.4], [20, 0.1234567]] },
        accuracy: { last: 0.93, series: [[null, 0.93]] },
      },
      ...train,
    }),
    nodeRun({ id: 3, node_id: 'report', state: 'pending', started_at: null, finished_at: null, exit_code: null }),
    nodeRun({
      id: 4,
      node_id: 'stats',
      state: 'failed',
      attempt: 2,
      exit_code: 1,
      error: 'Traceback (most recent call last):\nValueError: empty table',
    }),
  ]
}

function run(overrides: Partial<RunDetail> = {}): RunDetail {
  return runDetail({
    id: 7,
    name: 'nightly',
    state: 'running',
    pipeline_version: 11,
    finished_at: null,
    node_runs: nodeRuns(),
    ...overrides,
  })
}

const okRoutes: Routes = {
  'GET /api/runs/7/': { body: run() },
  'GET /api/pipeline-versions/11/': { body: version },
  'GET /api/operations/': { body: paginated(operations) },
  'GET /api/projects/': { body: paginated([project({ id: 1, role: 'editor' })]) },
  'GET /api/runs/7/nodes/train/': { body: { ...nodeRuns()[1], log: 'epoch 0 loss 0.9\n[pipewright] assigned GPU(s) 0\n' } },
  'GET /api/runs/7/nodes/report/': { body: { ...nodeRuns()[2], log: '' } },
  'GET /api/runs/7/nodes/stats/': { body: { ...nodeRuns()[3], log: 'reading table\n' } },
  'GET /api/runs/7/events/': { body: [] },
}

function renderPage(routes: Routes = okRoutes, path = '/runs/7/') {
  const api = installFakeApi(routes)
  renderAt(path, [
    { path: '/runs/:id/', element: <RunPage /> },
    { path: '/elsewhere/runs/:id/', element: <LocationProbe /> },
  ])
  return api
}

function graphNode(label: string): HTMLElement {
  return screen.getByText(label, { selector: '.op-node-title' }).closest('.run-node') as HTMLElement
}

beforeAll(installReactFlowStubs)
afterEach(() => vi.unstubAllGlobals())

describe('RunPage', () => {
  it('draws the frozen graph with every node coloured by its state', async () => {
    const api = renderPage()
    expect(await screen.findByRole('heading', { level: 1, name: 'nightly' })).toBeTruthy()
    await screen.findByText('Load data', { selector: '.op-node-title' })

    expect(graphNode('Load data').dataset.state).toBe('cached')
    expect(graphNode('Load data').className).toContain('run-node-cached')
    expect(within(graphNode('Load data')).getByText('cached')).toBeTruthy()
    expect(graphNode('Train').className).toContain('run-node-running')
    // React Flow keeps nodes hidden from the accessibility tree until it has measured them (not in jsdom).
    const progress = graphNode('Train').querySelector('[role="progressbar"]')!
    expect(progress.getAttribute('aria-valuenow')).toBe('50')
    expect(within(graphNode('Train')).getByText('50%')).toBeTruthy()
    expect(graphNode('Plot report').dataset.state).toBe('pending')
    expect(graphNode('Describe').className).toContain('run-node-failed')
    expect(within(graphNode('Describe')).getByText('×2')).toBeTruthy()

    expect(screen.getByText(/nodes done/).textContent).toBe(
      '1 of 4 nodes done · 1 running · 1 failed · 1 cached',
    )
    const legend = screen.getByRole('list', { name: 'Node states' })
    expect(within(legend).getAllByRole('listitem').map((item) => item.textContent)).toEqual([
      'Pending',
      'Queued',
      'Running',
      'Succeeded',
      'Cached',
      'Failed',
      'Skipped',
      'Cancelled',
    ])
    const header = screen.getByRole('heading', { level: 1 }).closest('.page-header') as HTMLElement
    expect(within(header).getByText('Running')).toBeTruthy()
    expect(within(header).getByRole('link', { name: 'Train churn model' }).getAttribute('href')).toBe('/pipelines/1/')
    expect(within(header).getByText('v3')).toBeTruthy()
    expect(within(header).getByText('Running for')).toBeTruthy()
    expect(within(header).getByRole('button', { name: 'Cancel' })).toBeTruthy()
    expect(within(header).getByRole('button', { name: 'Re-run' })).toBeTruthy()
    expect(api.calls.find((call) => call.path === '/api/pipeline-versions/11/')).toBeTruthy()
  })

  it('shows the git commit the run came from, when it has one', async () => {
    renderPage({ ...okRoutes, 'GET /api/runs/7/': { body: run({ git_commit: '1a2b3c4d5e6f7a8b9c0d1e2f3a4b5c6d7e8f9a0b' }) } })
    const heading = await screen.findByRole('heading', { level: 1, name: 'nightly' })
    const header = heading.closest('.page-header') as HTMLElement
    expect(within(header).getByTitle('Git commit 1a2b3c4d5e6f7a8b9c0d1e2f3a4b5c6d7e8f9a0b').textContent).toBe('git 1a2b3c4d')
  })

  it('opens a node in a side panel with its log, outputs and metrics; Escape closes it', async () => {
    const artifactRoutes: Routes = {
      ...okRoutes,
      'GET /api/runs/7/': {
        body: run({
          node_runs: nodeRuns({
            state: 'succeeded',
            finished_at: new Date().toISOString(),
            exit_code: 0,
            outputs: {
              chart: { artifact: 5, checksum: 'c5', type: 'file', size: 32_768 },
              history: { artifact: 6, checksum: 'c6', type: 'json', size: 64, value: { loss: [0.9, 0.4] } },
            },
          }),
        }),
      },
      'GET /api/artifacts/5/': { body: { id: 5, name: 'train.chart.png' } },
      'GET /api/artifacts/6/': { body: { id: 6, name: 'train.history.json' } },
    }
    renderPage(artifactRoutes)
    fireEvent.click(await screen.findByText('Train', { selector: '.op-node-title' }))

    const panel = await screen.findByRole('region', { name: 'Node details' })
    expect(within(panel).getByRole('heading', { name: 'Train' })).toBeTruthy()
    expect(within(panel).getByText('Succeeded')).toBeTruthy()
    expect(within(panel).getByText('exit code 0')).toBeTruthy()

    const log = await within(panel).findByRole('log', { name: 'Log of Train' })
    expect(log.textContent).toContain('epoch 0 loss 0.9')
    expect(within(log).getByText('[pipewright] assigned GPU(s) 0').className).toContain('log-engine')

    const image = await within(panel).findByRole('img', { name: 'chart of Train' })
    expect(image.getAttribute('src')).toBe('/api/artifacts/5/download/')
    const downloads = within(panel).getAllByRole('link', { name: 'Download' })
    expect(downloads.map((link) => link.getAttribute('href'))).toEqual([
      '/api/artifacts/5/download/',
      '/api/artifacts/6/download/',
    ])
    await waitFor(() => expect(downloads[1]!.getAttribute('download')).toBe('train.history.json'))
    expect(within(panel).getByText('32 KB')).toBeTruthy()
    expect(within(panel).getByText(/"loss": \[/)).toBeTruthy()

    const loss = within(panel).getByRole('row', { name: /loss/ })
    expect(within(loss).getByText('0.1235')).toBeTruthy()
    expect(within(loss).getByRole('img', { name: 'loss: 3 points, from 0.9 to 0.1235' })).toBeTruthy()
    const accuracy = within(panel).getByRole('row', { name: /accuracy/ })
    expect(within(accuracy).queryByRole('img')).toBeNull()

    fireEvent.keyDown(document, { key: 'Escape' })
    expect(screen.queryByRole('region', { name: 'Node details' })).toBeNull()
    expect(screen.getByRole('region', { name: 'Run details' })).toBeTruthy()
  })

  it('refreshes the log of a running node every second without the live stream', async () => {
    let reads = 0
    const api = renderPage({
      ...okRoutes,
      'GET /api/runs/7/nodes/train/': () => {
        reads += 1
        return { body: { ...nodeRuns()[1], log: reads === 1 ? 'epoch 0\n' : 'epoch 0\nepoch 10\n' } }
      },
    })
    fireEvent.click(await screen.findByText('Train', { selector: '.op-node-title' }))
    const log = await screen.findByRole('log', { name: 'Log of Train' })
    expect(log.textContent).toBe('epoch 0\n')
    await waitFor(() => expect(log.textContent).toContain('epoch 10'), { timeout: 2500 })
    expect(api.calls.filter((call) => call.path === '/api/runs/7/nodes/train/').length).toBeGreaterThanOrEqual(2)
    expect(screen.getByText('live')).toBeTruthy()
  })

  it('shows a failed node’s error and an empty log plainly', async () => {
    renderPage()
    fireEvent.click(await screen.findByText('Describe', { selector: '.op-node-title' }))
    const panel = await screen.findByRole('region', { name: 'Node details' })
    expect(within(panel).getByText(/ValueError: empty table/).tagName).toBe('PRE')
    expect(within(panel).getByText('attempt 2')).toBeTruthy()
    expect(within(panel).getByText('exit code 1').className).toContain('exit-code-bad')

    fireEvent.click(screen.getByText('Plot report', { selector: '.op-node-title' }))
    const log = await screen.findByRole('log', { name: 'Log of Plot report' })
    expect(log.textContent).toBe('The node has not started yet.')
  })

  it('opens the node named in the address', async () => {
    renderPage(okRoutes, '/runs/7/?node=stats')
    const panel = await screen.findByRole('region', { name: 'Node details' })
    expect(await within(panel).findByRole('heading', { name: 'Describe' })).toBeTruthy()
    expect(graphNode('Describe').className).toContain('is-selected')
  })

  it('cancels after asking, and shows the cancelled run', async () => {
    const api = renderPage({
      ...okRoutes,
      'POST /api/runs/7/cancel/': { body: run({ state: 'cancelled', finished_at: new Date().toISOString() }) },
    })
    fireEvent.click(await screen.findByRole('button', { name: 'Cancel' }))
    const dialog = screen.getByRole('dialog', { name: 'Cancel this run?' })
    fireEvent.click(within(dialog).getByRole('button', { name: 'Keep running' }))
    expect(api.calls.some((call) => call.method === 'POST')).toBe(false)

    fireEvent.click(screen.getByRole('button', { name: 'Cancel' }))
    fireEvent.click(within(screen.getByRole('dialog')).getByRole('button', { name: 'Cancel run' }))
    await waitFor(() => expect(screen.queryByRole('dialog')).toBeNull())
    expect(api.calls.find((call) => call.method === 'POST')!.path).toBe('/api/runs/7/cancel/')
    const header = screen.getByRole('heading', { level: 1, name: 'nightly' }).closest('.page-header') as HTMLElement
    expect(within(header).getByText('Cancelled')).toBeTruthy()
    expect(within(header).queryByRole('button', { name: 'Cancel' })).toBeNull()
  })

  it('re-runs as a new run and goes there', async () => {
    const api = renderPage({
      ...okRoutes,
      'GET /api/runs/7/': { body: run({ state: 'failed', finished_at: new Date().toISOString() }) },
      'POST /api/runs/7/rerun/': { status: 201, body: run({ id: 8, name: 'nightly_2', state: 'pending' }) },
      'GET /api/runs/8/': { body: run({ id: 8, name: 'nightly_2', state: 'pending' }) },
    })
    fireEvent.click(await screen.findByRole('button', { name: 'Re-run' }))
    expect(await screen.findByRole('heading', { level: 1, name: 'nightly_2' })).toBeTruthy()
    expect(api.calls.find((call) => call.method === 'POST')!.body).toEqual({})
  })

  it('keeps viewers from cancelling or re-running', async () => {
    renderPage({ ...okRoutes, 'GET /api/projects/': { body: paginated([project({ id: 1, role: 'viewer' })]) } })
    const rerun = await screen.findByRole('button', { name: 'Re-run' })
    await waitFor(() => expect((rerun as HTMLButtonElement).disabled).toBe(true))
    expect((screen.getByRole('button', { name: 'Cancel' }) as HTMLButtonElement).disabled).toBe(true)
    expect(rerun.closest('[title]')!.getAttribute('title')).toMatch(/editor role/)
  })

  it('shows the worker and GPUs of a node, GPUs only when it has some', async () => {
    renderPage(
      {
        ...okRoutes,
        'GET /api/runs/7/': { body: run({ node_runs: nodeRuns({ worker: 'vm', gpus: ['0', '1'] }) }) },
        'GET /api/runs/7/nodes/stats/': { body: { ...nodeRuns()[3], worker: 'cpu-2', gpus: [], log: '' } },
      },
      '/runs/7/?node=train',
    )
    let panel = await screen.findByRole('region', { name: 'Node details' })
    const fact = (label: string) => within(panel).queryByText(label, { selector: 'dt' })?.nextElementSibling?.textContent
    await waitFor(() => expect(fact('Worker')).toBe('vm'))
    expect(fact('GPUs')).toBe('0, 1')

    fireEvent.click(screen.getByText('Describe', { selector: '.op-node-title' }))
    panel = await screen.findByRole('region', { name: 'Node details' })
    await within(panel).findByRole('heading', { name: 'Describe' })
    await waitFor(() => expect(fact('Worker')).toBe('cpu-2'))
    expect(fact('GPUs')).toBeUndefined()
  })

  it('previews small CSV and text file outputs, and says when one cannot be loaded', async () => {
    const csv = ['epoch,note', '0,"warm, up"', ...Array.from({ length: 24 }, (_, i) => `${i + 1},"say ""hi"""`)].join('\n')
    const notes = `${'x'.repeat(5000)}END`
    const outputs = {
      history: { artifact: 6, checksum: 'c6', type: 'file', size: csv.length },
      notes: { artifact: 7, checksum: 'c7', type: 'file', size: notes.length },
      broken: { artifact: 8, checksum: 'c8', type: 'file', size: 10 },
      big: { artifact: 9, checksum: 'c9', type: 'file', size: 300 * 1024 },
    }
    const api = renderPage(
      {
        ...okRoutes,
        'GET /api/runs/7/': { body: run({ node_runs: nodeRuns({ state: 'succeeded', outputs }) }) },
        'GET /api/runs/7/nodes/train/': { body: { ...nodeRuns({ state: 'succeeded', outputs })[1], log: '' } },
        'GET /api/artifacts/6/': { body: { id: 6, name: 'train.history.csv' } },
        'GET /api/artifacts/7/': { body: { id: 7, name: 'train.notes.txt' } },
        'GET /api/artifacts/8/': { body: { id: 8, name: 'train.broken.log' } },
        'GET /api/artifacts/9/': { body: { id: 9, name: 'train.big.csv' } },
        'GET /api/artifacts/6/download/': { text: csv },
        'GET /api/artifacts/7/download/': { text: notes },
        'GET /api/artifacts/8/download/': { status: 404, body: { detail: 'Not found.' } },
      },
      '/runs/7/?node=train',
    )
    const panel = await screen.findByRole('region', { name: 'Node details' })
    const table = await within(panel).findByRole('table', { name: 'history of Train' })
    expect(within(table).getAllByRole('columnheader').map((cell) => cell.textContent)).toEqual(['epoch', 'note'])
    const rows = within(table).getAllByRole('row')
    expect(rows).toHaveLength(21)
    expect(within(rows[1]!).getAllByRole('cell').map((cell) => cell.textContent)).toEqual(['0', 'warm, up'])
    expect(within(rows[2]!).getAllByRole('cell')[1]!.textContent).toBe('say "hi"')
    expect(within(panel).getByText('first 20 of 25 rows')).toBeTruthy()

    const text = await within(panel).findByLabelText('notes of Train')
    expect(text.textContent).not.toContain('END')
    fireEvent.click(within(panel).getByRole('button', { name: 'Show all' }))
    expect(within(panel).getByLabelText('notes of Train').textContent).toContain('END')

    expect(await within(panel).findByText(/Could not load the preview/)).toBeTruthy()
    expect(api.calls.some((call) => call.path === '/api/artifacts/9/download/')).toBe(false)
  })

  it('says when the graph of the run cannot be loaded, and retries', async () => {
    let fail = true
    renderPage({
      ...okRoutes,
      'GET /api/pipeline-versions/11/': () => (fail ? { status: 500, body: null } : { body: version }),
    })
    const message = await screen.findByText(/Could not load the graph of this run/)
    fail = false
    await act(async () => fireEvent.click(within(message).getByRole('button', { name: 'Retry' })))
    expect(await screen.findByText('Load data', { selector: '.op-node-title' })).toBeTruthy()
  })
})

describe('RunPage, live', () => {
  const SEQ = 20

  function liveRoutes(overrides: Routes = {}): Routes {
    return { ...okRoutes, 'GET /api/runs/7/': { body: run({ last_event_seq: SEQ }) }, ...overrides }
  }

  /** Renders the page with the fake WebSocket and opens the socket it makes. */
  async function openLive(routes: Routes = liveRoutes(), path = '/runs/7/') {
    installFakeWebSocket()
    const api = renderPage(routes, path)
    await screen.findByText('Load data', { selector: '.op-node-title' })
    await waitFor(() => expect(FakeWebSocket.instances).toHaveLength(1))
    const socket = FakeWebSocket.latest
    act(() => socket.open())
    return { api, socket }
  }

  const pause = (ms: number) => act(() => new Promise((resolve) => setTimeout(resolve, ms)))

  it('follows the run on the live stream instead of reading it every second', async () => {
    const { api, socket } = await openLive()
    expect(socket.url).toBe(`ws://${window.location.host}/ws/runs/7/?after=${SEQ}`)
    const header = screen.getByRole('heading', { level: 1 }).closest('.page-header') as HTMLElement
    expect(within(header).getByRole('status').textContent).toBe('Live')

    act(() =>
      socket.events(
        runEvent(21, 'node_state', 'train', { state: 'succeeded', outputs: {} }),
        runEvent(22, 'node_state', 'report', { state: 'running', attempt: 1 }),
        runEvent(23, 'node_progress', 'report', { progress: 0.25 }),
      ),
    )
    expect(graphNode('Train').dataset.state).toBe('succeeded')
    expect(graphNode('Plot report').dataset.state).toBe('running')
    expect(within(graphNode('Plot report')).getByText('25%')).toBeTruthy()
    expect(screen.getByText(/nodes done/).textContent).toBe('2 of 4 nodes done · 1 running · 1 failed · 1 cached')

    act(() => socket.events(runEvent(24, 'run_state', '', { state: 'failed', error: 'node(s) failed: stats' })))
    expect(within(header).getByText('Failed')).toBeTruthy()
    expect(screen.getByRole('region', { name: 'Run error' }).textContent).toContain('node(s) failed: stats')
    expect(within(header).queryByRole('button', { name: 'Cancel' })).toBeNull()

    await pause(1200)
    expect(api.calls.filter((call) => call.path === '/api/runs/7/')).toHaveLength(1)
  })

  it('says it is reconnecting while the stream is down, and catches up from the last event', async () => {
    const { socket } = await openLive()
    act(() => socket.events(runEvent(21, 'node_state', 'report', { state: 'queued' })))
    act(() => socket.drop())
    const status = screen.getByText('Reconnecting…')
    expect(status.closest('[role="status"]')).toBeTruthy()
    expect(status.closest('.page-header')).toBeTruthy()

    await waitFor(() => expect(FakeWebSocket.instances).toHaveLength(2))
    const again = FakeWebSocket.latest
    expect(again.url).toMatch(/\/ws\/runs\/7\/\?after=21$/)
    act(() => again.open())
    expect(screen.queryByText('Reconnecting…')).toBeNull()
    act(() => again.events(runEvent(22, 'node_state', 'report', { state: 'running', attempt: 1 })))
    expect(graphNode('Plot report').dataset.state).toBe('running')
  })

  it('asks the server to resume when an event is missing', async () => {
    const { socket } = await openLive()
    act(() =>
      socket.events(
        runEvent(21, 'node_state', 'report', { state: 'queued' }),
        runEvent(23, 'node_state', 'report', { state: 'running', attempt: 1 }),
      ),
    )
    expect(socket.sent).toEqual([{ type: 'resume', after: 21 }])
    expect(graphNode('Plot report').dataset.state).toBe('queued')
    act(() =>
      socket.events(
        runEvent(22, 'node_progress', 'train', { progress: 0.6 }),
        runEvent(23, 'node_state', 'report', { state: 'running', attempt: 1 }),
      ),
    )
    expect(graphNode('Plot report').dataset.state).toBe('running')
    expect(within(graphNode('Train')).getByText('60%')).toBeTruthy()
  })

  it('streams the lines of a running node’s log, and links to the whole log', async () => {
    const { api, socket } = await openLive(
      liveRoutes({
        'GET /api/runs/7/nodes/train/': { body: { ...nodeRuns()[1], log: 'epoch 0\n', log_seq: SEQ } },
      }),
    )
    fireEvent.click(screen.getByText('Train', { selector: '.op-node-title' }))
    const log = await screen.findByRole('log', { name: 'Log of Train' })
    expect(log.textContent).toBe('epoch 0\n')
    act(() =>
      socket.events(
        runEvent(21, 'node_log', 'train', { lines: ['epoch 10', 'epoch 20'] }),
        runEvent(22, 'node_log', 'stats', { lines: ['another node'] }),
      ),
    )
    expect(screen.getByRole('log', { name: 'Log of Train' }).textContent).toBe('epoch 0\nepoch 10\nepoch 20\n')
    const panel = screen.getByRole('region', { name: 'Node details' })
    const full = within(panel).getByRole('link', { name: 'Download log' })
    expect(full.getAttribute('href')).toBe('/api/runs/7/nodes/train/log/')
    expect(full.hasAttribute('download')).toBe(true)

    await pause(1200)
    const reads = () => api.calls.filter((call) => call.path === '/api/runs/7/nodes/train/').length
    expect(reads()).toBe(1)
    // when the node finishes it is read once more, for its exit code and last lines
    act(() => socket.events(runEvent(23, 'node_state', 'train', { state: 'succeeded', outputs: {} })))
    await waitFor(() => expect(reads()).toBe(2))
  })

  it('updates a running node’s metrics live from node_metrics events', async () => {
    const { socket } = await openLive()
    fireEvent.click(screen.getByText('Train', { selector: '.op-node-title' }))
    const panel = await screen.findByRole('region', { name: 'Node details' })
    await within(panel).findByRole('log', { name: 'Log of Train' })
    expect(within(within(panel).getByRole('row', { name: /loss/ })).getByText('0.1235')).toBeTruthy()

    act(() =>
      socket.events(
        runEvent(21, 'node_metrics', 'train', { points: [['loss', 30, 0.05], ['accuracy', 30, 0.95], ['f1', null, 0.8]] }),
      ),
    )
    const loss = within(panel).getByRole('row', { name: /loss/ })
    expect(within(loss).getByText('0.05')).toBeTruthy()
    expect(within(loss).getByRole('img', { name: 'loss: 4 points, from 0.9 to 0.05' })).toBeTruthy()
    const accuracy = within(panel).getByRole('row', { name: /accuracy/ })
    expect(within(accuracy).getByText('0.95')).toBeTruthy()
    expect(within(accuracy).getByRole('img')).toBeTruthy()
    expect(within(within(panel).getByRole('row', { name: /f1/ })).getByText('0.8')).toBeTruthy()
  })

  it('reads the node again when the stream left log lines out', async () => {
    let reads = 0
    const { socket } = await openLive(
      liveRoutes({
        'GET /api/runs/7/nodes/train/': () => {
          reads += 1
          return reads === 1
            ? { body: { ...nodeRuns()[1], log: 'epoch 0\n', log_seq: SEQ } }
            : { body: { ...nodeRuns()[1], log: 'epoch 0\nline 1\nline 2\nlast\n', log_seq: 21 } }
        },
      }),
    )
    fireEvent.click(screen.getByText('Train', { selector: '.op-node-title' }))
    await screen.findByRole('log', { name: 'Log of Train' })
    act(() => socket.events(runEvent(21, 'node_log', 'train', { lines: ['last'], dropped: 2 })))
    await waitFor(() =>
      expect(screen.getByRole('log', { name: 'Log of Train' }).textContent).toBe('epoch 0\nline 1\nline 2\nlast\n'),
    )
    expect(reads).toBe(2)
  })

  it('closes the socket when the page is left', async () => {
    const { socket } = await openLive()
    cleanup()
    expect(socket.closedByClient).toBe(true)
    await pause(700)
    expect(FakeWebSocket.instances).toHaveLength(1)
  })

  it('says why nodes are not running yet, on the graph and in the node details', async () => {
    const { socket } = await openLive()
    act(() => socket.events(runEvent(21, 'node_state', 'report', { state: 'queued' })))
    expect(within(graphNode('Plot report')).getByText('waiting for a free worker')).toBeTruthy()
    act(() => socket.events(runEvent(22, 'node_waiting', 'report', { reason: 'waiting for 1 free GPU(s)' })))
    expect(within(graphNode('Plot report')).getByText('waiting for 1 free GPU(s)')).toBeTruthy()

    fireEvent.click(screen.getByText('Plot report', { selector: '.op-node-title' }))
    const panel = await screen.findByRole('region', { name: 'Node details' })
    expect(within(panel).getByText('waiting for 1 free GPU(s)')).toBeTruthy()

    act(() => socket.events(runEvent(23, 'node_state', 'report', { state: 'running', attempt: 1 })))
    expect(within(graphNode('Plot report')).queryByText(/waiting for/)).toBeNull()
  })
})

describe('RunPage, timeline and big runs', () => {
  const history: RunEvent[] = [
    runEvent(1, 'run_state', '', { state: 'running' }, '2025-03-01T10:00:02Z'),
    runEvent(2, 'node_state', 'load', { state: 'cached', cached_from: 3 }, '2025-03-01T10:00:02.500Z'),
    runEvent(3, 'node_log', 'train', { lines: ['not on the timeline'] }, '2025-03-01T10:00:02.600Z'),
    runEvent(4, 'node_state', 'train', { state: 'running', attempt: 1 }, '2025-03-01T10:00:03Z'),
    runEvent(5, 'node_state', 'stats', { state: 'running', attempt: 1 }, '2025-03-01T10:00:03Z'),
    runEvent(6, 'node_state', 'stats', { state: 'failed', error: 'empty table' }, '2025-03-01T10:01:05Z'),
  ]

  it('replays the run on its timeline', async () => {
    renderPage({
      ...okRoutes,
      'GET /api/runs/7/': { body: run({ last_event_seq: 6 }) },
      'GET /api/runs/7/events/': ({ search }) => ({ body: search.get('after') === '0' ? history : [] }),
    })
    await screen.findByText('Load data', { selector: '.op-node-title' })
    const timeline = screen.getByRole('region', { name: 'Timeline' })
    const slider = await within(timeline).findByRole('slider', { name: 'Replay the run' })
    expect(slider.getAttribute('max')).toBe('5')
    const items = within(timeline).getAllByRole('listitem')
    expect(items.map((item) => item.textContent)).toEqual([
      '+0:00.0Runrunning',
      '+0:00.5Load datacached from run #3',
      '+0:01.0Trainrunning (attempt 1)',
      '+0:01.0Describerunning (attempt 1)',
      '+1:03.0Describefailed: empty table',
    ])

    fireEvent.change(slider, { target: { value: '3' } })
    expect(graphNode('Load data').dataset.state).toBe('cached')
    expect(graphNode('Train').dataset.state).toBe('running')
    expect(graphNode('Describe').dataset.state).toBe('pending')
    expect(graphNode('Plot report').dataset.state).toBe('pending')
    expect(screen.getByText(/nodes done/).textContent).toBe('1 of 4 nodes done · 1 running · 1 cached')
    expect(within(timeline).getByText(/Showing the run as it was at \+0:01\.0 \(change 3 of 5\)/)).toBeTruthy()
    expect(items[2]!.getAttribute('aria-current')).toBe('step')

    fireEvent.click(within(timeline).getByRole('button', { name: 'Show the run as it was at +0:00.0' }))
    expect(graphNode('Load data').dataset.state).toBe('pending')
    expect(graphNode('Train').dataset.state).toBe('pending')

    fireEvent.click(within(timeline).getByRole('button', { name: 'Back to now' }))
    expect(graphNode('Describe').dataset.state).toBe('failed')
    expect(graphNode('Train').dataset.state).toBe('running')
    expect(within(timeline).queryByRole('button', { name: 'Back to now' })).toBeNull()
  })

  it('reads a long history page by page', async () => {
    const many = Array.from({ length: 1000 }, (_, i) =>
      runEvent(i + 1, 'node_state', 'train', { state: i % 2 ? 'queued' : 'running' }),
    )
    const rest = [runEvent(1001, 'node_state', 'train', { state: 'running' }), runEvent(1002, 'node_log', 'train', { lines: ['x'] })]
    const api = renderPage({
      ...okRoutes,
      'GET /api/runs/7/events/': ({ search }) => ({
        body: search.get('after') === '0' ? many : search.get('after') === '1000' ? rest : [],
      }),
    })
    const timeline = await screen.findByRole('region', { name: 'Timeline' })
    expect(await within(timeline).findByText(/1001 changes/)).toBeTruthy()
    const afters = api.calls.filter((call) => call.path === '/api/runs/7/events/').map((call) => call.search.get('after'))
    expect(afters).toEqual(['0', '1000'])
  })

  it('shows only the failed nodes when asked, on the graph and in the table', async () => {
    renderPage()
    await screen.findByText('Load data', { selector: '.op-node-title' })
    expect(document.querySelectorAll('.run-node')).toHaveLength(4)
    fireEvent.click(screen.getByRole('checkbox', { name: 'Only failed' }))
    await waitFor(() => expect(document.querySelectorAll('.run-node')).toHaveLength(1))
    expect(graphNode('Describe').dataset.state).toBe('failed')

    fireEvent.click(screen.getByRole('button', { name: 'Table' }))
    const table = screen.getByRole('table', { name: 'Nodes of this run' })
    const rows = within(table).getAllByRole('row').slice(1)
    expect(rows.map((row) => row.querySelector('code')!.textContent)).toEqual(['stats'])

    fireEvent.click(screen.getByRole('checkbox', { name: 'Only failed' }))
    expect(within(table).getAllByRole('row')).toHaveLength(5)
  })

  it('lists every node in a table, sortable by duration and by state', async () => {
    const train = { state: 'succeeded' as const, started_at: '2025-03-01T10:00:12Z', finished_at: '2025-03-01T10:00:16Z' }
    renderPage({ ...okRoutes, 'GET /api/runs/7/': { body: run({ node_runs: nodeRuns(train) }) } })
    await screen.findByRole('heading', { level: 1, name: 'nightly' })
    const view = screen.getByRole('group', { name: 'View' })
    fireEvent.click(within(view).getByRole('button', { name: 'Table' }))
    expect(within(view).getByRole('button', { name: 'Table' }).getAttribute('aria-pressed')).toBe('true')
    // Read afresh each time: a poll of the run may render the table anew.
    const table = () => screen.getByRole('table', { name: 'Nodes of this run' })
    const order = () => within(table()).getAllByRole('row').slice(1).map((row) => row.querySelector('code')!.textContent)
    expect(order()).toEqual(['load', 'train', 'report', 'stats'])

    fireEvent.click(within(table()).getByRole('button', { name: 'Duration' }))
    // load and stats took 10 s, train 4 s, report has not started
    expect(order()).toEqual(['load', 'stats', 'train', 'report'])
    expect(within(table()).getByRole('columnheader', { name: 'Duration' }).getAttribute('aria-sort')).toBe('descending')
    fireEvent.click(within(table()).getByRole('button', { name: 'Duration' }))
    expect(order()).toEqual(['train', 'load', 'stats', 'report'])

    fireEvent.click(within(table()).getByRole('button', { name: 'State' }))
    expect(order()).toEqual(['stats', 'report', 'train', 'load'])
    expect(within(table()).getByRole('columnheader', { name: 'State' }).getAttribute('aria-sort')).toBe('ascending')

    // a name opens the node, as on the graph
    fireEvent.click(within(table()).getByRole('button', { name: 'Describe' }))
    expect(await screen.findByRole('region', { name: 'Node details' })).toBeTruthy()
  })
})
