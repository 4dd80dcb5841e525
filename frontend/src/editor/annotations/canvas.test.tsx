// Notes and groups on the canvas: text shown as text, edited in place, keys and the minimap.

import { act, fireEvent, render, screen, within } from '@testing-library/react'
import { ReactFlowProvider, type NodeChange } from '@xyflow/react'
import { beforeAll, describe, expect, it, vi } from 'vitest'
import type { Graph } from '../../api/types'
import { installReactFlowStubs } from '../../test/reactFlowJsdom'
import { EditorCanvas } from '../EditorCanvas'
import { createEditorStore } from '../store'
import { OPERATIONS } from '../testOperations'
import { minimapNodeColor, minimapNodeStroke, withMembersFollowing, type EditorFlowNode } from './flow'

beforeAll(installReactFlowStubs)

const graph: Graph = {
  nodes: [
    { id: 'load', operation: 1, label: '', params: {}, position: { x: 0, y: 0 } },
    { id: 'train', operation: 2, label: '', params: {}, position: { x: 300, y: 0 } },
  ],
  edges: [],
  inputs: [],
  notes: [
    {
      id: 'note',
      text: 'Careful: <script>alert("x")</script>\n<b>not bold</b>',
      position: { x: 0, y: -200 },
      width: 240,
      height: 140,
    },
  ],
  groups: [{ id: 'group', label: 'Prepare', position: { x: -40, y: -60 }, width: 400, height: 200, nodes: ['load'] }],
}

function renderCanvas() {
  const store = createEditorStore({ operations: OPERATIONS, document: graph })
  render(
    <ReactFlowProvider>
      <div style={{ width: 1000, height: 700 }}>
        <EditorCanvas store={store} onRefusal={vi.fn()} onDropOperation={vi.fn()} />
      </div>
    </ReactFlowProvider>,
  )
  return store
}

function canvasNode(id: string): HTMLElement {
  return document.querySelector<HTMLElement>(`.react-flow__node[data-id="${id}"]`)!
}

describe('notes and groups on the canvas', () => {
  it('shows a note as plain text, never as HTML', async () => {
    renderCanvas()
    const note = await screen.findByText(/Careful:/)
    expect(note.textContent).toBe('Careful: <script>alert("x")</script>\n<b>not bold</b>')
    expect(canvasNode('note').querySelector('script, b')).toBeNull()
  })

  it('edits a note in place on double-click and keeps the text on Escape', async () => {
    const store = renderCanvas()
    fireEvent.doubleClick(await screen.findByText(/Careful:/))
    const textarea = screen.getByRole('textbox', { name: 'Note text' })
    expect(document.activeElement).toBe(textarea)
    fireEvent.change(textarea, { target: { value: 'New <i>text</i>' } })
    fireEvent.keyDown(textarea, { key: 'Escape' })
    expect(store.getState().document.notes![0]!.text).toBe('New <i>text</i>')
    expect(store.getState().editing).toBeNull()
    expect(screen.queryByRole('textbox', { name: 'Note text' })).toBeNull()
    expect(await screen.findByText('New <i>text</i>')).toBeTruthy()
    // one undo step for the whole edit
    act(() => store.getState().undo())
    expect(store.getState().document.notes![0]!.text).toBe(graph.notes![0]!.text)
  })

  it('opens a focused note or group with Enter', async () => {
    const store = renderCanvas()
    await screen.findByText(/Careful:/)
    fireEvent.keyDown(canvasNode('group'), { key: 'Enter' })
    const input = screen.getByRole('textbox', { name: 'Group label' })
    expect((input as HTMLInputElement).value).toBe('Prepare')
    fireEvent.change(input, { target: { value: 'Load the data' } })
    fireEvent.keyDown(input, { key: 'Enter' })
    expect(store.getState().document.groups![0]!.label).toBe('Load the data')
    expect(within(canvasNode('group')).getByText('1 node')).toBeTruthy()
  })

  it('selects a note or group from the canvas into its own selection list', async () => {
    const store = renderCanvas()
    await screen.findByText(/Careful:/)
    fireEvent.click(canvasNode('note'))
    expect(store.getState().selection).toEqual({ nodes: [], edges: [], notes: ['note'], groups: [] })
    expect(screen.getByRole('group', { name: 'Note colour' })).toBeTruthy()
    fireEvent.click(screen.getByRole('button', { name: 'Blue' }))
    expect(store.getState().document.notes![0]!.color).toBe('blue')
  })
})

describe('flow helpers', () => {
  const nodes = [
    { id: 'group', type: 'nodeGroup', position: { x: 0, y: 0 }, data: { label: '', color: null, memberCount: 2 } },
    { id: 'load', type: 'operation', position: { x: 40, y: 60 }, data: {} },
    { id: 'train', type: 'operation', position: { x: 300, y: 60 }, data: {} },
  ] as unknown as EditorFlowNode[]

  it('moves the members of a dragged group with it, except those dragged themselves', () => {
    const changes: NodeChange<EditorFlowNode>[] = [
      { type: 'position', id: 'group', position: { x: 20, y: 10 }, dragging: true },
      { type: 'position', id: 'train', position: { x: 330, y: 70 }, dragging: true },
    ]
    expect(withMembersFollowing(changes, nodes, graphWith(['load', 'train']))).toEqual([
      ...changes,
      { type: 'position', id: 'load', position: { x: 60, y: 70 }, dragging: true },
    ])
    expect(withMembersFollowing(changes.slice(1), nodes, graphWith(['load', 'train']))).toEqual(changes.slice(1))
  })

  it('colours the minimap with theme variables, so that dark mode follows', () => {
    expect(minimapNodeColor(nodes[1]!)).toBe('var(--minimap-node)')
    expect(minimapNodeStroke(nodes[1]!)).toBe('var(--minimap-node-stroke)')
    expect(minimapNodeColor({ ...nodes[0]!, data: { color: 'green' } } as EditorFlowNode)).toBe('var(--annotation-green-head)')
    expect(minimapNodeColor({ id: 'n', type: 'note', position: { x: 0, y: 0 }, data: { text: '', color: null } })).toBe(
      'var(--annotation-yellow-bg)',
    )
  })
})

function graphWith(members: string[]): Graph {
  return { ...graph, groups: [{ ...graph.groups![0]!, nodes: members }] }
}
