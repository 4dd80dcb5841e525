import { act, fireEvent, screen, waitFor, within } from '@testing-library/react'
import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest'
import type { PipelineDetail } from '../api/types'
import { draftBackupKey, readDraftBackup } from '../editor/panels'
import { OPERATIONS } from '../editor/testOperations'
import { installFakeApi, paginated, type Routes } from '../test/fakeApi'
import { pipeline, project, runDetail } from '../test/fixtures'
import { executeRoutes } from '../execute/testRoutes'
import { exportRoutes } from '../export/testRoutes'
import { installReactFlowStubs } from '../test/reactFlowJsdom'
import { renderAt } from '../test/render'
import { useLocation } from 'react-router-dom'
import PipelineEditorPage from './PipelineEditorPage'

// Categories differ so grouping shows: load is "io", train and step "test".
const operations = OPERATIONS.map((operation) =>
  operation.slug === 'load' ? { ...operation, category: 'io', description: 'Reads a file' } : operation,
)

const detail: PipelineDetail = {
  ...pipeline({ id: 1, node_count: 2 }),
  revision: 7,
  graph: {
    nodes: [
      { id: 'load', operation: 1, label: 'Load data', params: {}, position: { x: 0, y: 0 } },
      { id: 'step', operation: 3, label: '', params: {}, position: { x: 300, y: 0 } },
      { id: 'train', operation: 2, label: '', params: { epochs: 3 }, position: { x: 300, y: 200 } },
    ],
    edges: [],
    inputs: [],
  },
}

const baseRoutes: Routes = {
  'GET /api/pipelines/1/': { body: detail },
  'GET /api/operations/': { body: paginated(operations) },
  'GET /api/projects/': { body: paginated([project({ id: detail.project, role: 'editor' })]) },
}

function renderEditor(routes: Routes = {}) {
  const api = installFakeApi({ ...baseRoutes, ...routes })
  renderAt('/pipelines/1/edit/', [{ path: '/pipelines/:id/edit/', element: <PipelineEditorPage /> }])
  return api
}

function canvasNode(id: string): HTMLElement {
  return document.querySelector<HTMLElement>(`.react-flow__node[data-id="${id}"]`)!
}

function handle(nodeId: string, port: string, kind: 'source' | 'target'): HTMLElement {
  return canvasNode(nodeId).querySelector<HTMLElement>(`.react-flow__handle.${kind}[data-handleid="${port}"]`)!
}

async function loaded() {
  await screen.findByRole('region', { name: 'Operations' })
  await waitFor(() => expect(canvasNode('train')).toBeTruthy())
}

/** Connects two handles the way React Flow's click-to-connect does (jsdom has no elementFromPoint). */
function connectByClick(from: HTMLElement, to: HTMLElement) {
  const doc = document as Document & { elementFromPoint: (x: number, y: number) => Element | null }
  const original = doc.elementFromPoint
  doc.elementFromPoint = () => to
  try {
    fireEvent.click(from)
    fireEvent.click(to)
  } finally {
    doc.elementFromPoint = original
  }
}

function selectNode(id: string) {
  fireEvent.click(within(canvasNode(id)).getAllByText(/./)[0]!)
}

beforeAll(installReactFlowStubs)
afterEach(() => {
  vi.useRealTimers()
  vi.unstubAllGlobals()
  vi.restoreAllMocks()
  window.localStorage.clear()
})

describe('PipelineEditorPage', () => {
  it('loads the pipeline: palette by category, nodes with typed handles, inspector hint', async () => {
    renderEditor()
    expect(screen.getByText('Loading editor…')).toBeTruthy()
    await loaded()
    expect(screen.getByRole('heading', { level: 1 }).textContent).toContain('Train churn model')

    const palette = screen.getByRole('region', { name: 'Operations' })
    expect(within(palette).getByRole('heading', { name: 'io' })).toBeTruthy()
    expect(within(palette).getByRole('heading', { name: 'test' })).toBeTruthy()
    expect(within(palette).getAllByRole('button').map((item) => item.getAttribute('aria-label') ?? item.textContent)).toEqual([
      '+ Pipeline input',
      'load',
      'step',
      'train',
    ])

    expect(within(canvasNode('load')).getByText('Load data')).toBeTruthy()
    const handles = [...document.querySelectorAll('.react-flow__handle')].map(
      (element) => `${element.getAttribute('data-nodeid')}.${element.getAttribute('data-handleid')}`,
    )
    expect(handles.sort()).toEqual(
      ['load.count', 'load.data', 'step.value', 'step.value', 'train.data', 'train.epochs', 'train.model', 'train.score'].sort(),
    )

    const inspector = screen.getByRole('region', { name: 'Node inspector' })
    expect(within(inspector).getByText(/Drag an operation from the palette/)).toBeTruthy()
    expect((screen.getByRole('button', { name: 'Save' }) as HTMLButtonElement).disabled).toBe(true)
    expect((screen.getByRole('button', { name: 'Undo' }) as HTMLButtonElement).disabled).toBe(true)
  })

  it('filters the palette with the search box', async () => {
    renderEditor()
    await loaded()
    const palette = screen.getByRole('region', { name: 'Operations' })
    fireEvent.change(within(palette).getByLabelText('Search operations'), { target: { value: 'TRA' } })
    expect(within(palette).getAllByRole('button').map((item) => item.getAttribute('aria-label'))).toEqual([null, 'train'])
    expect(within(palette).queryByRole('heading', { name: 'io' })).toBeNull()

    fireEvent.change(within(palette).getByLabelText('Search operations'), { target: { value: 'reads' } })
    expect(within(palette).getAllByRole('button').map((item) => item.getAttribute('aria-label'))).toEqual([null, 'load'])

    fireEvent.change(within(palette).getByLabelText('Search operations'), { target: { value: 'nothing like it' } })
    expect(within(palette).getByText(/No operation matches/)).toBeTruthy()
  })

  it('adds an operation from the palette with Enter or a double-click, then undoes and redoes', async () => {
    renderEditor()
    await loaded()
    const palette = screen.getByRole('region', { name: 'Operations' })
    fireEvent.keyDown(within(palette).getByRole('button', { name: 'step' }), { key: 'Enter' })
    await waitFor(() => expect(canvasNode('step_2')).toBeTruthy())
    fireEvent.doubleClick(within(palette).getByRole('button', { name: 'step' }))
    await waitFor(() => expect(canvasNode('step_3')).toBeTruthy())

    // The new node is selected: the inspector shows it.
    const inspector = screen.getByRole('region', { name: 'Node inspector' })
    expect(within(inspector).getByText('step_3')).toBeTruthy()
    expect(screen.getByText('Unsaved changes')).toBeTruthy()

    const undo = screen.getByRole('button', { name: 'Undo' }) as HTMLButtonElement
    const redo = screen.getByRole('button', { name: 'Redo' }) as HTMLButtonElement
    expect(redo.disabled).toBe(true)
    fireEvent.click(undo)
    await waitFor(() => expect(canvasNode('step_3')).toBeNull())
    expect(redo.disabled).toBe(false)
    fireEvent.click(redo)
    await waitFor(() => expect(canvasNode('step_3')).toBeTruthy())

    // Keyboard shortcuts act on the document, not while typing in a field.
    fireEvent.keyDown(document, { key: 'z', ctrlKey: true })
    await waitFor(() => expect(canvasNode('step_3')).toBeNull())
    fireEvent.keyDown(document, { key: 'y', ctrlKey: true })
    await waitFor(() => expect(canvasNode('step_3')).toBeTruthy())
    fireEvent.keyDown(within(palette).getByLabelText('Search operations'), { key: 'z', ctrlKey: true })
    expect(canvasNode('step_3')).toBeTruthy()
    selectNode('step_3')
    await waitFor(() => expect(within(inspector).getByText('step_3')).toBeTruthy())
    fireEvent.keyDown(document, { key: 'Delete' })
    await waitFor(() => expect(canvasNode('step_3')).toBeNull())
  })

  it('shows why a connection is refused, until the next edit', async () => {
    renderEditor()
    await loaded()
    // React Flow connects on click: a source handle, then a target handle.
    connectByClick(handle('load', 'data', 'source'), handle('step', 'value', 'target'))
    const alert = await screen.findByRole('alert')
    expect(alert.textContent).toBe('type mismatch: file output cannot feed a json input')

    connectByClick(handle('load', 'data', 'source'), handle('train', 'data', 'target'))
    await waitFor(() => expect(screen.queryByRole('alert')).toBeNull())
    await waitFor(() => expect(document.querySelectorAll('.react-flow__edge')).toHaveLength(1))
  })

  it('edits the label and parameters of the selected node, explaining bad values', async () => {
    renderEditor()
    await loaded()
    selectNode('train')
    const inspector = await screen.findByRole('region', { name: 'Node inspector' })
    const epochs = await within(inspector).findByLabelText(/epochs/)
    expect((epochs as HTMLInputElement).value).toBe('3')
    expect(epochs.getAttribute('step')).toBe('1')
    expect((within(inspector).getByLabelText(/^lr/) as HTMLInputElement).placeholder).toBe('0.1 (default)')
    expect((within(inspector).getByLabelText('Memory') as HTMLInputElement).placeholder).toBe('1Gi (operation)')

    fireEvent.change(epochs, { target: { value: '1.5' } })
    const message = within(inspector).getByRole('alert')
    expect(message.textContent).toBe('epochs must be a whole number')
    expect(epochs.getAttribute('aria-describedby')).toBe(message.id)
    expect(epochs.getAttribute('aria-invalid')).toBe('true')

    fireEvent.change(epochs, { target: { value: '12' } })
    expect(within(inspector).queryByRole('alert')).toBeNull()

    const extra = within(inspector).getByLabelText(/extra/)
    expect(extra.tagName).toBe('TEXTAREA')
    fireEvent.change(extra, { target: { value: '{"a": ' } })
    expect(within(inspector).getByRole('alert').textContent).toBe('extra must be valid JSON')

    fireEvent.change(within(inspector).getByLabelText('Label'), { target: { value: 'Fit' } })
    await waitFor(() => expect(within(canvasNode('train')).getByText('Fit')).toBeTruthy())
    expect((within(inspector).getByRole('checkbox') as HTMLInputElement).checked).toBe(true)
  })

  it('saves with the revision, freezes a version and says which', async () => {
    const api = renderEditor({
      'PATCH /api/pipelines/1/': (call) => ({
        body: { ...detail, graph: (call.body as { graph: unknown }).graph, revision: 8 },
      }),
      'POST /api/pipelines/1/freeze/': { status: 201, body: { id: 40, pipeline: 1, number: 4 } },
    })
    await loaded()
    fireEvent.doubleClick(screen.getByRole('button', { name: 'train' }))
    const save = screen.getByRole('button', { name: 'Save' }) as HTMLButtonElement
    await waitFor(() => expect(save.disabled).toBe(false))
    fireEvent.click(save)
    expect(await screen.findByText('Saved as version 4')).toBeTruthy()
    expect(screen.getByText('Saved as version 4').getAttribute('role')).toBe('status')

    const patch = api.calls.find((call) => call.method === 'PATCH')!
    const body = patch.body as { revision: number; graph: { nodes: { id: string }[] } }
    expect(body.revision).toBe(7)
    expect(body.graph.nodes.map((node) => node.id)).toEqual(['load', 'step', 'train', 'train_2'])
    const freeze = api.calls.find((call) => call.path === '/api/pipelines/1/freeze/')!
    expect(freeze.body).toEqual({ revision: 8 })
    expect(api.calls.indexOf(patch)).toBeLessThan(api.calls.indexOf(freeze))
    expect(save.disabled).toBe(true)
    expect(screen.queryByText('Unsaved changes')).toBeNull()
  })

  it('saves with Ctrl+S and lists the graph problems a 400 names, keeping the edits', async () => {
    renderEditor({
      'PATCH /api/pipelines/1/': {
        status: 400,
        body: { graph: ['node train: input "data" is not connected', 'node step: unknown'] },
      },
    })
    await loaded()
    fireEvent.doubleClick(screen.getByRole('button', { name: 'load' }))
    await waitFor(() => expect(canvasNode('load_2')).toBeTruthy())
    fireEvent.keyDown(document, { key: 's', ctrlKey: true })
    const alert = await screen.findByRole('alert')
    expect(within(alert).getByText('node train: input "data" is not connected')).toBeTruthy()
    expect(within(alert).getByText('node step: unknown')).toBeTruthy()
    expect(canvasNode('load_2')).toBeTruthy()
    expect(screen.getByText('Unsaved changes')).toBeTruthy()
  })

  it('shows a conflict and reloads the pipeline after a confirm', async () => {
    const api = renderEditor({
      'PATCH /api/pipelines/1/': {
        status: 409,
        body: { detail: 'The pipeline was changed by someone else (revision 9).' },
      },
    })
    await loaded()
    fireEvent.doubleClick(screen.getByRole('button', { name: 'load' }))
    await waitFor(() => expect(canvasNode('load_2')).toBeTruthy())
    fireEvent.click(screen.getByRole('button', { name: 'Save' }))
    const alert = await screen.findByRole('alert')
    expect(alert.textContent).toContain('The pipeline was changed by someone else (revision 9).')

    fireEvent.click(within(alert).getByRole('button', { name: 'Reload' }))
    const dialog = screen.getByRole('dialog', { name: 'Reload the pipeline?' })
    fireEvent.click(within(dialog).getByRole('button', { name: 'Discard changes and reload' }))
    await loaded()
    await waitFor(() => expect(canvasNode('load_2')).toBeNull())
    expect(api.calls.filter((call) => call.method === 'GET' && call.path === '/api/pipelines/1/')).toHaveLength(2)
    expect(screen.queryByText('Unsaved changes')).toBeNull()
  })

  it('shows an error with Retry when the pipeline cannot load', async () => {
    renderEditor({ 'GET /api/pipelines/1/': { status: 500, body: null } })
    expect(await screen.findByText('Could not load this pipeline')).toBeTruthy()
    expect(screen.getByRole('button', { name: /Retry/ })).toBeTruthy()
  })
})

describe('editor panels', () => {
  function version(number: number) {
    return {
      id: 100 + number,
      pipeline: 1,
      number,
      content_hash: `hash${number}abcdef0123`,
      tags: [],
      created_by: 'ada',
      created_at: new Date(Date.now() - number * 60_000).toISOString(),
    }
  }

  it('has a Document menu that exports the current graph', async () => {
    const blobs: Blob[] = []
    const original = { createObjectURL: URL.createObjectURL, revokeObjectURL: URL.revokeObjectURL }
    Object.assign(URL, {
      createObjectURL: vi.fn((blob: Blob) => {
        blobs.push(blob)
        return 'blob:export'
      }),
      revokeObjectURL: vi.fn(),
    })
    const clicked: HTMLAnchorElement[] = []
    vi.spyOn(HTMLAnchorElement.prototype, 'click').mockImplementation(function (this: HTMLAnchorElement) {
      clicked.push(this)
    })
    try {
      renderEditor()
      await loaded()
      fireEvent.click(screen.getByRole('button', { name: 'Document' }))
      fireEvent.click(screen.getByRole('menuitem', { name: 'Export JSON' }))
      expect(clicked).toHaveLength(1)
      expect(clicked[0]!.download).toBe('Train churn model.pipeline.json')
      const exported = JSON.parse(await blobs[0]!.text()) as { nodes: { id: string }[] }
      expect(exported.nodes.map((node) => node.id)).toEqual(['load', 'step', 'train'])
    } finally {
      Object.assign(URL, original)
    }
  })

  it('opens the version history in place of the inspector and restores a version into the editor', async () => {
    const restoredGraph = {
      nodes: [{ id: 'only', operation: 1, label: 'Restored load', params: {}, position: { x: 0, y: 0 } }],
      edges: [],
      inputs: [],
    }
    const api = renderEditor({
      'GET /api/pipelines/1/versions/': { body: paginated([version(1), version(2)]) },
      'POST /api/pipelines/1/versions/1/restore/': { body: { ...detail, graph: restoredGraph, revision: 8 } },
    })
    await loaded()
    const toggle = screen.getByRole('button', { name: 'History' })
    expect(toggle.getAttribute('aria-pressed')).toBe('false')
    fireEvent.click(toggle)
    expect(toggle.getAttribute('aria-pressed')).toBe('true')
    expect(screen.queryByRole('region', { name: 'Node inspector' })).toBeNull()
    const region = screen.getByRole('region', { name: 'Version history' })
    const items = await within(region).findAllByRole('listitem')
    expect(items.map((item) => item.getAttribute('aria-label'))).toEqual(['Version 2', 'Version 1'])

    fireEvent.click(within(region).getByRole('button', { name: 'Restore version 1' }))
    const dialog = screen.getByRole('dialog', { name: 'Restore version 1?' })
    fireEvent.click(within(dialog).getByRole('button', { name: 'Restore version 1' }))
    expect(await screen.findByText('Restored version 1')).toBeTruthy()
    await waitFor(() => expect(canvasNode('only')).toBeTruthy())
    expect(canvasNode('train')).toBeNull()
    expect(screen.queryByText('Unsaved changes')).toBeNull()
    const restore = api.calls.find((call) => call.path === '/api/pipelines/1/versions/1/restore/')!
    expect(restore.body).toEqual({ revision: 7 })

    // Toggling back shows the inspector again.
    fireEvent.click(toggle)
    expect(screen.getByRole('region', { name: 'Node inspector' })).toBeTruthy()
  })

  it('opens the keyboard shortcuts with "?" and lists only the keys the page binds', async () => {
    renderEditor()
    await loaded()
    fireEvent.keyDown(document.body, { key: '?' })
    const dialog = await screen.findByRole('dialog', { name: 'Keyboard shortcuts' })
    expect(dialog.textContent).toContain('Undo')
    expect(dialog.textContent).toContain('Save')
    expect(dialog.textContent).not.toContain('Fit view')
    fireEvent.keyDown(document, { key: 'Escape' })
    await waitFor(() => expect(screen.queryByRole('dialog')).toBeNull())
    fireEvent.click(screen.getByRole('button', { name: 'Keyboard shortcuts' }))
    expect(screen.getByRole('dialog', { name: 'Keyboard shortcuts' })).toBeTruthy()
  })

  it('offers a stored draft backup and restores it as unsaved, undoable changes', async () => {
    const backedUp = {
      ...detail.graph,
      nodes: [
        ...detail.graph.nodes,
        { id: 'extra', operation: 1, label: 'Backed up', params: {}, position: { x: 0, y: 300 } },
      ],
    }
    window.localStorage.setItem(
      draftBackupKey(1),
      JSON.stringify({ document: backedUp, revision: 6, savedAt: new Date().toISOString() }),
    )
    renderEditor()
    await loaded()
    const banner = screen.getByRole('region', { name: 'Unsaved changes' })
    expect(banner.textContent).toContain('has been saved since')
    expect(canvasNode('extra')).toBeNull()

    fireEvent.click(within(banner).getByRole('button', { name: 'Restore them' }))
    await waitFor(() => expect(canvasNode('extra')).toBeTruthy())
    expect(screen.queryByRole('region', { name: 'Unsaved changes' })).toBeNull()
    expect(screen.getByText('Unsaved changes')).toBeTruthy()
    expect((screen.getByRole('button', { name: 'Save' }) as HTMLButtonElement).disabled).toBe(false)
    const undo = screen.getByRole('button', { name: 'Undo' }) as HTMLButtonElement
    expect(undo.disabled).toBe(false)
    fireEvent.click(undo)
    await waitFor(() => expect(canvasNode('extra')).toBeNull())
  })

  it('discards a stored draft backup', async () => {
    window.localStorage.setItem(
      draftBackupKey(1),
      JSON.stringify({ document: detail.graph, revision: 7, savedAt: new Date().toISOString() }),
    )
    renderEditor()
    await loaded()
    const banner = screen.getByRole('region', { name: 'Unsaved changes' })
    expect(banner.textContent).not.toContain('has been saved since')
    fireEvent.click(within(banner).getByRole('button', { name: 'Discard' }))
    expect(screen.queryByRole('region', { name: 'Unsaved changes' })).toBeNull()
    expect(readDraftBackup(1)).toBeNull()
  })
})

describe('refusal timing', () => {
  it('hides a refusal after a few seconds', async () => {
    renderEditor()
    await loaded()
    vi.useFakeTimers()
    connectByClick(handle('load', 'data', 'source'), handle('step', 'value', 'target'))
    expect(screen.getByRole('alert')).toBeTruthy()
    await act(async () => {
      vi.advanceTimersByTime(6000)
    })
    expect(screen.queryByRole('alert')).toBeNull()
  })
})

describe('PipelineEditorPage: tidy up and the action button', () => {
  const chain: PipelineDetail = {
    ...detail,
    graph: {
      nodes: [
        { id: 'load', operation: 1, label: 'Load data', params: {}, position: { x: 500, y: 400 } },
        { id: 'step', operation: 3, label: '', params: {}, position: { x: 0, y: 0 } },
        { id: 'train', operation: 2, label: '', params: { epochs: 3 }, position: { x: 0, y: 0 } },
      ],
      edges: [
        { id: 'load.data->train.data', source: 'load', source_port: 'data', target: 'train', target_port: 'data' },
      ],
      inputs: [],
    },
  }

  function nodeX(id: string): number {
    const transform = canvasNode(id).style.transform
    return Number(transform.match(/translate\(([-\d.]+)px/)?.[1])
  }

  it('"Tidy up" lays the graph out left to right as one undo step', async () => {
    renderEditor({ 'GET /api/pipelines/1/': { body: chain } })
    await loaded()
    expect(nodeX('load')).toBe(500)
    fireEvent.click(screen.getByRole('button', { name: 'Tidy up' }))
    await waitFor(() => expect(nodeX('train')).toBeGreaterThan(nodeX('load')))
    await waitFor(() => expect(screen.getByRole('button', { name: 'Tidy up' })).toBeTruthy())
    expect(nodeX('load')).not.toBe(500)
    expect(screen.getByText('Unsaved changes')).toBeTruthy()

    fireEvent.click(screen.getByRole('button', { name: 'Undo' }))
    await waitFor(() => expect(nodeX('load')).toBe(500))
    expect((screen.getByRole('button', { name: 'Undo' }) as HTMLButtonElement).disabled).toBe(true)
    expect(screen.queryByText('Unsaved changes')).toBeNull()
  })

  it('Shift+L tidies up too, and the shortcut is listed', async () => {
    renderEditor({ 'GET /api/pipelines/1/': { body: chain } })
    await loaded()
    fireEvent.keyDown(document.body, { key: 'L', shiftKey: true })
    await waitFor(() => expect(nodeX('train')).toBeGreaterThan(nodeX('load')))
    fireEvent.keyDown(document.body, { key: '?' })
    const dialog = await screen.findByRole('dialog', { name: 'Keyboard shortcuts' })
    expect(dialog.textContent).toContain('Tidy up')
  })

  it('the "+" action menu opens, closes with Escape, and "Add node" focuses the palette search', async () => {
    renderEditor()
    await loaded()
    const actions = screen.getByRole('button', { name: 'Actions' })
    fireEvent.click(actions)
    const menu = screen.getByRole('menu', { name: 'Actions' })
    expect(within(menu).getAllByRole('menuitem').map((item) => item.textContent)).toEqual([
      'Add node',
      'Add pipeline input',
      'Add noteN',
      'Group selected nodesCtrl+G',
      'Run…',
      'Export…',
      'Tidy upShift+L',
    ])
    fireEvent.keyDown(menu, { key: 'Escape' })
    expect(screen.queryByRole('menu')).toBeNull()

    fireEvent.click(actions)
    fireEvent.click(screen.getByRole('menuitem', { name: 'Add node' }))
    expect(screen.queryByRole('menu')).toBeNull()
    expect(document.activeElement).toBe(screen.getByLabelText('Search operations'))
  })

  it('"Run…" opens the execute dialog, and a run goes to its page', async () => {
    installFakeApi({ ...baseRoutes, ...executeRoutes(1), 'POST /api/runs/': { status: 201, body: runDetail({ id: 8 }) } })
    renderAt('/pipelines/1/edit/', [
      { path: '/pipelines/:id/edit/', element: <PipelineEditorPage /> },
      { path: '/runs/:id/', element: <RunTarget /> },
    ])
    await loaded()
    fireEvent.click(screen.getByRole('button', { name: 'Actions' }))
    fireEvent.click(screen.getByRole('menuitem', { name: 'Run…' }))
    const dialog = await screen.findByRole('dialog', { name: 'Run pipeline' })
    await within(dialog).findByLabelText('Execution name')
    fireEvent.click(within(dialog).getByRole('button', { name: 'Run' }))
    expect((await screen.findByTestId('run-target')).textContent).toBe('/runs/8/')
  })
})

describe('PipelineEditorPage: export', () => {
  it('"Export…" opens the export dialog for the saved pipeline', async () => {
    const api = renderEditor(exportRoutes(1))
    await loaded()
    fireEvent.click(screen.getByRole('button', { name: 'Actions' }))
    fireEvent.click(screen.getByRole('menuitem', { name: 'Export…' }))
    const dialog = await screen.findByRole('dialog', { name: 'Export pipeline' })
    expect(await within(dialog).findByText('This pipeline takes no inputs: the zip runs as it is.')).toBeTruthy()
    expect(api.calls.some((call) => call.method === 'PATCH')).toBe(false)
    fireEvent.click(within(dialog).getByRole('button', { name: 'Cancel' }))
    expect(screen.queryByRole('dialog')).toBeNull()
  })

  it('saves unsaved changes first ("Save and export…"), then exports the saved draft', async () => {
    const api = renderEditor({
      ...exportRoutes(1),
      'PATCH /api/pipelines/1/': (call) => ({
        body: { ...detail, graph: (call.body as { graph: unknown }).graph, revision: 8 },
      }),
      'POST /api/pipelines/1/freeze/': { status: 201, body: { id: 40, pipeline: 1, number: 4 } },
    })
    await loaded()
    fireEvent.doubleClick(screen.getByRole('button', { name: 'train' }))
    await waitFor(() => expect(screen.getByText('Unsaved changes')).toBeTruthy())
    fireEvent.click(screen.getByRole('button', { name: 'Actions' }))
    fireEvent.click(screen.getByRole('menuitem', { name: 'Save and export…' }))
    const dialog = await screen.findByRole('dialog', { name: 'Export pipeline' })
    expect(dialog.textContent).toContain('The saved pipeline as a zip')
    const patch = api.calls.findIndex((call) => call.method === 'PATCH')
    const setup = api.calls.findIndex((call) => call.path === '/api/pipelines/1/run-setup/')
    expect(patch).toBeGreaterThanOrEqual(0)
    expect(patch).toBeLessThan(setup)
    expect(screen.queryByText('Unsaved changes')).toBeNull()
  })

  it('does not open the export dialog when the save is refused', async () => {
    renderEditor({
      ...exportRoutes(1),
      'PATCH /api/pipelines/1/': { status: 400, body: { graph: ['node step: unknown'] } },
    })
    await loaded()
    fireEvent.doubleClick(screen.getByRole('button', { name: 'load' }))
    await waitFor(() => expect(screen.getByText('Unsaved changes')).toBeTruthy())
    fireEvent.click(screen.getByRole('button', { name: 'Actions' }))
    fireEvent.click(screen.getByRole('menuitem', { name: 'Save and export…' }))
    expect(await screen.findByText('node step: unknown')).toBeTruthy()
    expect(screen.queryByRole('dialog')).toBeNull()
  })
})

function RunTarget() {
  const location = useLocation()
  return <p data-testid="run-target">{location.pathname + location.search}</p>
}

describe('PipelineEditorPage: notes and groups', () => {
  it('N on the canvas adds a note open for typing; N in a field does not', async () => {
    renderEditor()
    await loaded()
    fireEvent.keyDown(screen.getByLabelText('Search operations'), { key: 'n' })
    expect(document.querySelector('.react-flow__node-note')).toBeNull()

    fireEvent.keyDown(document.body, { key: 'n' })
    const text = await screen.findByRole('textbox', { name: 'Note text' })
    await waitFor(() => expect(document.activeElement).toBe(text))
    fireEvent.change(text, { target: { value: '<img src=x onerror=alert(1)>' } })
    fireEvent.keyDown(text, { key: 'Escape' })
    const note = await waitFor(() => {
      const found = document.querySelector<HTMLElement>('.react-flow__node-note .note-node-text')
      expect(found?.textContent).toBe('<img src=x onerror=alert(1)>')
      return found!
    })
    expect(note.querySelector('img')).toBeNull()
    expect(screen.getByText('Unsaved changes')).toBeTruthy()
  })

  it('Ctrl+G groups the selected nodes and Ctrl+Shift+G ungroups them', async () => {
    renderEditor()
    await loaded()
    fireEvent.keyDown(document.body, { key: 'g', ctrlKey: true })
    expect((await screen.findByRole('alert')).textContent).toBe('select the nodes to group first')

    fireEvent.keyDown(document.body, { key: 'a', ctrlKey: true })
    fireEvent.keyDown(document.body, { key: 'g', ctrlKey: true })
    const group = await waitFor(() => {
      const found = document.querySelector<HTMLElement>('.react-flow__node-nodeGroup')
      expect(found?.textContent).toContain('3 nodes')
      return found!
    })
    expect(group.style.zIndex).toBe('-1000') // behind the nodes, even selected

    fireEvent.keyDown(document.body, { key: 'G', ctrlKey: true, shiftKey: true })
    await waitFor(() => expect(document.querySelector('.react-flow__node-nodeGroup')).toBeNull())
    expect(canvasNode('load')).toBeTruthy()
  })

  it('"Add note" in the toolbar and the "+" menu adds a note', async () => {
    renderEditor()
    await loaded()
    fireEvent.click(screen.getByRole('button', { name: 'Add note' }))
    await screen.findByRole('textbox', { name: 'Note text' })
    fireEvent.blur(screen.getByRole('textbox', { name: 'Note text' }))
    fireEvent.click(screen.getByRole('button', { name: 'Actions' }))
    fireEvent.click(screen.getByRole('menuitem', { name: /Add note/ }))
    await waitFor(() => expect(document.querySelectorAll('.react-flow__node-note')).toHaveLength(2))
  })
})

describe('PipelineEditorPage: pipeline inputs', () => {
  it('adds an input from the palette, wires it, edits it in the inspector and saves it', async () => {
    const api = renderEditor({
      'PATCH /api/pipelines/1/': (call) => ({ body: { ...detail, ...(call.body as object), revision: 8 } }),
      'POST /api/pipelines/1/freeze/': { status: 201, body: { id: 3, number: 2 } },
    })
    await loaded()
    // when
    fireEvent.click(screen.getByRole('button', { name: '+ Pipeline input' }))
    // then an input node is drawn with its badge and type, and the inspector edits it
    await waitFor(() => expect(canvasNode('input')).toBeTruthy())
    expect(within(canvasNode('input')).getByText('Input')).toBeTruthy()
    expect(within(canvasNode('input')).getByText('file')).toBeTruthy()
    const inspector = screen.getByRole('region', { name: 'Node inspector' })
    fireEvent.change(within(inspector).getByLabelText('Name'), { target: { value: 'dataset' } })
    await waitFor(() => expect(canvasNode('dataset')).toBeTruthy())
    fireEvent.change(within(inspector).getByLabelText('Name'), { target: { value: 'load' } })
    expect(within(inspector).getByText('the name "load" is already used on the canvas')).toBeTruthy()
    fireEvent.change(within(inspector).getByLabelText('Name'), { target: { value: 'dataset' } })
    connectByClick(handle('dataset', 'value', 'source'), handle('train', 'data', 'target'))
    selectNode('dataset')
    await waitFor(() => expect(within(inspector).getByText(/feeding train\.data/)).toBeTruthy())
    fireEvent.change(within(inspector).getByLabelText('Type'), { target: { value: 'int' } })
    expect(within(inspector).getByText(/which a int input cannot feed: disconnect it first/)).toBeTruthy()
    fireEvent.click(screen.getByRole('button', { name: /^Save/ }))
    await waitFor(() => expect(api.calls.some((call) => call.method === 'PATCH')).toBe(true))
    const saved = api.calls.find((call) => call.method === 'PATCH')!.body as { graph: PipelineDetail['graph'] }
    expect(saved.graph.inputs).toEqual([
      { name: 'dataset', type: 'file', default: null, description: '', position: expect.any(Object) },
    ])
    expect(saved.graph.edges).toEqual([
      { id: 'dataset.value->train.data', source: 'dataset', source_port: 'value', target: 'train', target_port: 'data' },
    ])
  })
})
