import { fireEvent, render, screen, waitFor, within } from '@testing-library/react'
import { afterEach, describe, expect, it, vi } from 'vitest'
import type { Operation } from '../../api/types'
import { createEditorStore } from '../store'
import { DocumentMenu, documentFileName } from './DocumentMenu'

const operation: Operation = {
  id: 10,
  project: null,
  name: 'Load',
  slug: 'load',
  description: '',
  category: 'io',
  builtin: true,
  latest_version: {
    id: 11,
    number: 1,
    content_hash: 'h',
    kind: 'python',
    inputs: [],
    outputs: [{ name: 'table', type: 'file', description: '', optional: false }],
    parameters: [],
    resources: { cpu: 1, memory: '1Gi', gpus: 0, cpu_fallback: false },
  },
} as unknown as Operation

const documentWithTwo = {
  nodes: [
    { id: 'a', operation: 10, label: '', params: {}, position: { x: 0, y: 0 } },
    { id: 'b', operation: 10, label: '', params: {}, position: { x: 200, y: 0 } },
  ],
  edges: [],
  inputs: [],
}

function setup(name = 'Churn model') {
  const store = createEditorStore({ operations: [operation] })
  const { exportDocument, importDocument } = store.getState()
  render(<DocumentMenu pipelineName={name} exportDocument={exportDocument} importDocument={importDocument} />)
  return store
}

function chooseFile(text: string, name = 'upload.json') {
  const input = screen.getByTestId('document-import-input') as HTMLInputElement
  const file = new File([text], name, { type: 'application/json' })
  fireEvent.change(input, { target: { files: [file] } })
}

let restoreUrl = () => {}

afterEach(() => {
  restoreUrl()
  restoreUrl = () => {}
})

describe('documentFileName', () => {
  it('keeps a readable name and drops characters file systems refuse', () => {
    expect(documentFileName('Churn model')).toBe('Churn model.pipeline.json')
    expect(documentFileName('a/b\\c:d*?"<>|')).toBe('a_b_c_d_.pipeline.json')
    expect(documentFileName('  ..  ')).toBe('pipeline.pipeline.json')
  })
})

describe('DocumentMenu', () => {
  it('opens a menu and closes it with Escape', () => {
    setup()
    const button = screen.getByRole('button', { name: 'Document' })
    expect(button.getAttribute('aria-expanded')).toBe('false')
    fireEvent.click(button)
    const menu = screen.getByRole('menu', { name: 'Document' })
    expect(within(menu).getAllByRole('menuitem').map((item) => item.textContent)).toEqual([
      'Export JSON',
      'Import JSON…',
    ])
    fireEvent.keyDown(document, { key: 'Escape' })
    expect(screen.queryByRole('menu')).toBeNull()
  })

  it('offers "View as YAML" when the page can show it', () => {
    const store = createEditorStore({ operations: [operation] })
    const { exportDocument, importDocument } = store.getState()
    const onViewYaml = vi.fn()
    render(
      <DocumentMenu
        pipelineName="Churn"
        exportDocument={exportDocument}
        importDocument={importDocument}
        onViewYaml={onViewYaml}
      />,
    )
    fireEvent.click(screen.getByRole('button', { name: 'Document' }))
    fireEvent.click(screen.getByRole('menuitem', { name: 'View as YAML…' }))
    expect(onViewYaml).toHaveBeenCalledOnce()
    expect(screen.queryByRole('menu')).toBeNull()
  })

  it('exports the document as <name>.pipeline.json through a Blob URL', async () => {
    const blobs: Blob[] = []
    const createObjectURL = vi.fn((blob: Blob) => {
      blobs.push(blob)
      return 'blob:export'
    })
    const revokeObjectURL = vi.fn()
    const original = { createObjectURL: URL.createObjectURL, revokeObjectURL: URL.revokeObjectURL }
    Object.assign(URL, { createObjectURL, revokeObjectURL })
    restoreUrl = () => Object.assign(URL, original)
    const clicked: HTMLAnchorElement[] = []
    vi.spyOn(HTMLAnchorElement.prototype, 'click').mockImplementation(function (this: HTMLAnchorElement) {
      clicked.push(this)
    })
    const store = setup('Churn <model>')
    expect(store.getState().importDocument(documentWithTwo)).toEqual({ ok: true })

    fireEvent.click(screen.getByRole('button', { name: 'Document' }))
    fireEvent.click(screen.getByRole('menuitem', { name: 'Export JSON' }))

    expect(clicked).toHaveLength(1)
    expect(clicked[0]!.download).toBe('Churn _model_.pipeline.json')
    expect(clicked[0]!.getAttribute('href')).toBe('blob:export')
    expect(blobs[0]!.type).toBe('application/json')
    expect(JSON.parse(await blobs[0]!.text())).toEqual(store.getState().exportDocument())
    expect(screen.getByRole('status').textContent).toContain('Exported 2 nodes')
    await waitFor(() => expect(revokeObjectURL).toHaveBeenCalledWith('blob:export'))
    expect(document.querySelector('a[download]')).toBeNull()
  })

  it('imports a file and reports the node count', async () => {
    const store = setup()
    chooseFile(JSON.stringify(documentWithTwo))
    await waitFor(() => expect(screen.getByRole('status').textContent).toBe('Imported 2 nodes'))
    expect(store.getState().document.nodes.map((node) => node.id)).toEqual(['a', 'b'])
    expect(store.getState().dirty).toBe(true)
  })

  it('lists the problems of a refused import and leaves the document alone', async () => {
    const store = setup()
    chooseFile(JSON.stringify({ nodes: [{ id: 'a', operation: 999 }], edges: [], bogus: 1 }), 'bad.json')
    const dialog = await screen.findByRole('dialog', { name: "Couldn't import the document" })
    expect(dialog.textContent).toContain('bad.json was not imported')
    const problems = within(dialog).getAllByRole('listitem').map((item) => item.textContent)
    expect(problems.length).toBeGreaterThan(0)
    expect(problems.some((problem) => problem!.includes('bogus'))).toBe(true)
    expect(store.getState().document.nodes).toEqual([])
    fireEvent.click(within(dialog).getByRole('button', { name: 'OK' }))
    expect(screen.queryByRole('dialog')).toBeNull()
  })

  it('refuses a file that is not JSON', async () => {
    setup()
    chooseFile('not json {')
    const dialog = await screen.findByRole('dialog')
    expect(dialog.textContent).toContain('not valid JSON')
  })
})
