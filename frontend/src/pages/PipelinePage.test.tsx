import { act, fireEvent, screen, waitFor, within } from '@testing-library/react'
import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest'
import type { Operation, PipelineDetail, PipelineVersion } from '../api/types'
import { installFakeApi, paginated, type Routes } from '../test/fakeApi'
import { pipeline, project, run, runDetail } from '../test/fixtures'
import { executeRoutes } from '../execute/testRoutes'
import { exportRoutes } from '../export/testRoutes'
import { installReactFlowStubs } from '../test/reactFlowJsdom'
import { LocationProbe, renderAt } from '../test/render'
import PipelinePage from './PipelinePage'

const detail: PipelineDetail = {
  ...pipeline({ id: 1, node_count: 2 }),
  revision: 4,
  graph: {
    nodes: [
      { id: 'load', operation: 10, label: '', params: { path: 'data.csv' }, position: { x: 0, y: 0 } },
      { id: 'train', operation: 20, label: 'Train model', params: {}, position: { x: 300, y: 0 } },
    ],
    edges: [{ id: 'e1', source: 'load', source_port: 'table', target: 'train', target_port: 'data' }],
    inputs: [{ name: 'epochs', type: 'int', default: 5 }],
  },
}

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
      parameters: [{ name: 'path', type: 'str', default: '', description: 'CSV file' }],
      resources: { cpu: 1, memory: '1Gi', gpus: 0, cpu_fallback: false },
      created_at: '2025-01-01T00:00:00Z',
    },
  }
}

const versions: PipelineVersion[] = [2, 3, 1].map((number) => ({
  id: number,
  pipeline: 1,
  number,
  content_hash: `sha256:${number}abcdef0123456789`,
  tags: number === 3 ? ['prod'] : [],
  created_by: 'ada',
  created_at: '2025-03-01T10:00:00Z',
}))

function renderPage(routes: Routes, path = '/pipelines/1/') {
  const api = installFakeApi(routes)
  renderAt(path, [
    { path: '/pipelines/:id/', element: <PipelinePage /> },
    { path: '/runs/:id/', element: <LocationProbe /> },
  ])
  return api
}

const okRoutes: Routes = {
  'GET /api/pipelines/1/': { body: detail },
  'GET /api/pipelines/1/versions/': { body: paginated(versions) },
  'GET /api/operations/': {
    body: paginated([operation(10, 'Load CSV', [], ['table']), operation(20, 'Train', ['data'], ['model'])]),
  },
  'GET /api/projects/': { body: paginated([project({ id: 1, role: 'editor' })]) },
  'GET /api/runs/': { body: paginated([]) },
}

/** A promise the test settles when it wants to. */
function deferred<T>() {
  let resolve!: (value: T) => void
  const promise = new Promise<T>((done) => {
    resolve = done
  })
  return { promise, resolve }
}

beforeAll(installReactFlowStubs)
afterEach(() => vi.unstubAllGlobals())

describe('PipelinePage', () => {
  it('shows the pipeline, its versions and inputs, and a read-only graph with ports', async () => {
    const api = renderPage(okRoutes)
    expect(await screen.findByRole('heading', { level: 1, name: 'Train churn model' })).toBeTruthy()
    expect(screen.getByText('Gradient boosting on customer events')).toBeTruthy()
    expect(screen.getByText(/Read-only preview/)).toBeTruthy()
    // Editors get a way into the editor.
    const edit = await screen.findByRole('link', { name: 'Edit' })
    expect(edit.getAttribute('href')).toBe('/pipelines/1/edit/')

    const versionList = screen.getByRole('region', { name: 'Versions' })
    const items = within(versionList).getAllByRole('listitem')
    expect(items.map((item) => item.querySelector('.version-tag')?.textContent)).toEqual(['v3', 'v2', 'v1'])
    expect(within(items[0]!).getByText('prod')).toBeTruthy()

    const inputs = screen.getByRole('region', { name: 'Pipeline inputs' })
    expect(within(inputs).getByText('epochs')).toBeTruthy()
    expect(within(inputs).getByText('5')).toBeTruthy()

    // Nodes are labelled by label or operation name, with one handle per port.
    expect(await screen.findByText('Load CSV')).toBeTruthy()
    expect(screen.getByText('Train model')).toBeTruthy()
    const handles = [...document.querySelectorAll('.react-flow__handle')].map(
      (handle) => `${handle.getAttribute('data-nodeid')}.${handle.getAttribute('data-handleid')}`,
    )
    // the pipeline input is drawn too, with its one output handle
    expect(handles.sort()).toEqual(['epochs.value', 'load.table', 'train.data', 'train.model'])

    expect(api.calls.find((call) => call.path === '/api/operations/')!.search.get('limit')).toBe('500')
  })

  it('shows the git commit of versions imported from a repository', async () => {
    renderPage({
      ...okRoutes,
      'GET /api/pipelines/1/versions/': {
        body: paginated(versions.map((v) => (v.number === 3 ? { ...v, git_commit: '1a2b3c4d5e6f7a8b9c0d1e2f3a4b5c6d7e8f9a0b' } : v))),
      },
    })
    const versionList = await screen.findByRole('region', { name: 'Versions' })
    const items = await within(versionList).findAllByRole('listitem')
    expect(within(items[0]!).getByTitle('Git commit 1a2b3c4d5e6f7a8b9c0d1e2f3a4b5c6d7e8f9a0b').textContent).toBe('git 1a2b3c4d')
    expect(within(items[1]!).queryByTitle(/Git commit/)).toBeNull()
  })

  it('shows the pipeline as YAML, or why it cannot be', async () => {
    renderPage({
      ...okRoutes,
      'GET /api/pipelines/1/yaml/': {
        status: 400,
        body: { problems: ['node load: a Python operation; only container operations are YAML tasks'] },
      },
    })
    fireEvent.click(await screen.findByRole('button', { name: 'View as YAML' }))
    const dialog = screen.getByRole('dialog', { name: 'Pipeline as YAML' })
    const alert = await within(dialog).findByRole('alert')
    expect(alert.textContent).toContain('This pipeline cannot be written as YAML')
    expect(alert.textContent).toContain('only container operations are YAML tasks')
  })

  it('shows the parameters of a node when it is clicked', async () => {
    renderPage(okRoutes)
    // A plain click: d3-zoom's mousedown handler needs a real window on the event (jsdom has none).
    fireEvent.click(await screen.findByText('Load CSV'))
    const panel = screen.getByRole('region', { name: 'Selected node' })
    expect(within(panel).getByText('path')).toBeTruthy()
    expect(within(panel).getByText('data.csv')).toBeTruthy()
  })

  it('says so when the pipeline does not exist', async () => {
    renderPage({})
    expect(await screen.findByRole('heading', { name: 'Pipeline not found' })).toBeTruthy()
    expect(screen.getByRole('link', { name: 'Back to pipelines' }).getAttribute('href')).toBe('/pipelines/')
  })

  it('offers a retry on other errors', async () => {
    renderPage({ 'GET /api/pipelines/1/': { status: 500, body: null } })
    const alert = await screen.findByRole('alert')
    expect(within(alert).getByText('Could not load this pipeline')).toBeTruthy()
    expect(within(alert).getByRole('button', { name: 'Retry' })).toBeTruthy()
  })

  it('treats a non-numeric id as not found', () => {
    const api = renderPage({}, '/pipelines/new/')
    expect(screen.getByRole('heading', { name: 'Pipeline not found' })).toBeTruthy()
    expect(api.calls).toHaveLength(0)
  })
})

describe('running a pipeline', () => {
  const runRoutes: Routes = { ...okRoutes, ...executeRoutes(1) }

  it('opens the execute dialog, runs, and goes to the new run', async () => {
    const answer = deferred<{ status: number; body: unknown }>()
    const api = renderPage({ ...runRoutes, 'POST /api/runs/': () => answer.promise })
    const button = await screen.findByRole('button', { name: 'Run' })
    await waitFor(() => expect(api.calls.some((call) => call.path === '/api/projects/')).toBe(true))
    fireEvent.click(button)

    const dialog = await screen.findByRole('dialog', { name: 'Run pipeline' })
    await within(dialog).findByLabelText('Execution name')
    fireEvent.click(within(dialog).getByRole('button', { name: 'Run' }))
    const busy = await within(dialog).findByRole('button', { name: /Starting/ })
    expect((busy as HTMLButtonElement).disabled).toBe(true)
    const post = api.calls.find((call) => call.method === 'POST')!
    expect(post.path).toBe('/api/runs/')
    expect(post.body).toMatchObject({ pipeline: 1, name: 'run', compute: { backend: 'local' } })

    await act(async () => answer.resolve({ status: 201, body: runDetail({ id: 42 }) }))
    expect((await screen.findByTestId('location')).textContent).toBe('/runs/42/')
  })

  it('lists the graph problems of a refused run on the page and marks the nodes they name', async () => {
    renderPage({
      ...runRoutes,
      'POST /api/runs/': {
        status: 400,
        body: {
          graph: ['node train, port data: required input is not connected'],
          non_field_errors: ['the pipeline needs an input'],
        },
      },
    })
    await screen.findByText('Train model')
    fireEvent.click(screen.getByRole('button', { name: 'Run' }))
    const dialog = await screen.findByRole('dialog', { name: 'Run pipeline' })
    await within(dialog).findByLabelText('Execution name')
    fireEvent.click(within(dialog).getByRole('button', { name: 'Run' }))

    const alert = await screen.findByRole('alert')
    expect(screen.queryByRole('dialog')).toBeNull()
    expect(within(alert).getByText('The run could not start: 2 problems')).toBeTruthy()
    const lines = within(alert).getAllByRole('listitem').map((item) => item.querySelector('span')!.textContent)
    expect(lines).toEqual(['node train, port data: required input is not connected', 'the pipeline needs an input'])
    // the canvas redraws its nodes after the alert: look them up again each time
    const trainNode = () => document.querySelector('.op-node-title[title="Train model"]')!.closest('.op-node')!
    await waitFor(() => expect(trainNode().className).toContain('has-problem'))
    expect(screen.getByText('Load CSV').closest('.op-node')!.className).not.toContain('has-problem')
    fireEvent.click(within(alert).getByRole('button', { name: 'Show node' }))
    expect(within(screen.getByRole('region', { name: 'Selected node' })).getByText('Train model')).toBeTruthy()

    fireEvent.click(within(alert).getByRole('button', { name: 'Dismiss' }))
    expect(screen.queryByRole('alert')).toBeNull()
    await waitFor(() => expect(trainNode().className).not.toContain('has-problem'))
  })

  it('opens the dialog with Ctrl+Enter, and runs from it with Ctrl+Enter', async () => {
    const api = renderPage({ ...runRoutes, 'POST /api/runs/': { status: 201, body: runDetail({ id: 7 }) } })
    await screen.findByRole('heading', { level: 1, name: 'Train churn model' })
    await waitFor(() => expect(api.calls.some((call) => call.path === '/api/projects/')).toBe(true))
    fireEvent.keyDown(document, { key: 'Enter', ctrlKey: true })
    const dialog = await screen.findByRole('dialog', { name: 'Run pipeline' })
    const name = await within(dialog).findByLabelText('Execution name')
    fireEvent.keyDown(name, { key: 'Enter', ctrlKey: true })
    expect((await screen.findByTestId('location')).textContent).toBe('/runs/7/')
    expect(api.calls.filter((call) => call.method === 'POST')).toHaveLength(1)
  })

  it('does not let viewers run, and says why', async () => {
    const api = renderPage({
      ...runRoutes,
      'GET /api/projects/': { body: paginated([project({ id: 1, role: 'viewer' })]) },
    })
    const button = await screen.findByRole('button', { name: 'Run' })
    await waitFor(() => expect((button as HTMLButtonElement).disabled).toBe(true))
    expect(button.closest('[title]')!.getAttribute('title')).toMatch(/Viewers cannot run pipelines/)
    expect(screen.queryByRole('link', { name: 'Edit' })).toBeNull()
    fireEvent.keyDown(document, { key: 'Enter', ctrlKey: true })
    expect(screen.queryByRole('dialog')).toBeNull()
    expect(api.calls.some((call) => call.method === 'POST')).toBe(false)
  })
})

describe('exporting a pipeline', () => {
  it('opens the export dialog for the latest version from the Export button', async () => {
    const api = renderPage({ ...okRoutes, ...exportRoutes(1) })
    await screen.findByRole('heading', { level: 1, name: 'Train churn model' })
    fireEvent.click(screen.getByRole('button', { name: 'Export' }))
    const dialog = await screen.findByRole('dialog', { name: 'Export pipeline' })
    expect(dialog.textContent).toContain(`Version ${detail.latest_version!.number} as a zip`)
    await within(dialog).findByText('This pipeline takes no inputs: the zip runs as it is.')
    fireEvent.click(within(dialog).getByRole('button', { name: /Download zip/ }))
    await waitFor(() => expect(api.calls.some((call) => call.path === '/api/pipelines/1/export/')).toBe(true))
    const post = api.calls.find((call) => call.path === '/api/pipelines/1/export/')!
    expect((post.body as { version: unknown }).version).toBe(detail.latest_version!.number)
  })

  it('exports the saved draft when there is no version yet', async () => {
    renderPage({ ...okRoutes, ...exportRoutes(1), 'GET /api/pipelines/1/': { body: { ...detail, latest_version: null } } })
    fireEvent.click(await screen.findByRole('button', { name: 'Export' }))
    const dialog = await screen.findByRole('dialog', { name: 'Export pipeline' })
    expect(dialog.textContent).toContain('The saved pipeline as a zip')
  })

  it('lets viewers export: it needs only the viewer role', async () => {
    const api = renderPage({
      ...okRoutes,
      ...exportRoutes(1),
      'GET /api/projects/': { body: paginated([project({ id: 1, role: 'viewer' })]) },
    })
    const run = await screen.findByRole('button', { name: 'Run' })
    await waitFor(() => expect((run as HTMLButtonElement).disabled).toBe(true))
    const button = screen.getByRole('button', { name: 'Export' }) as HTMLButtonElement
    expect(button.disabled).toBe(false)
    fireEvent.click(button)
    expect(await screen.findByRole('dialog', { name: 'Export pipeline' })).toBeTruthy()
    expect(api.calls.some((call) => call.method === 'POST')).toBe(false)
  })
})

describe('recent runs', () => {
  it('lists the latest runs of this pipeline with their state', async () => {
    const api = renderPage({
      ...okRoutes,
      'GET /api/runs/': {
        body: paginated([
          run({ id: 9, name: 'run_2', state: 'failed', created_at: new Date(Date.now() - 3 * 60_000).toISOString() }),
          run({ id: 8, name: 'run', state: 'succeeded' }),
        ]),
      },
    })
    const panel = await screen.findByRole('region', { name: 'Recent runs' })
    const link = await within(panel).findByRole('link', { name: 'run_2' })
    expect(link.getAttribute('href')).toBe('/runs/9/')
    const first = within(link.closest('li')!)
    expect(first.getByText('Failed').closest('.badge')!.className).toContain('badge-failed')
    expect(first.getByText('3 minutes ago')).toBeTruthy()
    expect(within(panel).getByRole('link', { name: 'run' }).getAttribute('href')).toBe('/runs/8/')
    const query = api.calls.find((call) => call.path === '/api/runs/')!.search
    expect(query.get('pipeline')).toBe('1')
    expect(query.get('limit')).toBe('20')
  })

  it('says when the pipeline has never run', async () => {
    renderPage(okRoutes)
    const panel = await screen.findByRole('region', { name: 'Recent runs' })
    expect(await within(panel).findByText('No runs yet.')).toBeTruthy()
  })
})
