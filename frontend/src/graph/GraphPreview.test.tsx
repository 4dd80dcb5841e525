// The read-only graph view draws the pipeline's notes and groups, and nothing in them is editable.

import { fireEvent, render, screen } from '@testing-library/react'
import { ReactFlowProvider } from '@xyflow/react'
import { beforeAll, describe, expect, it, vi } from 'vitest'
import type { Graph } from '../api/types'
import { OPERATIONS } from '../editor/testOperations'
import { installReactFlowStubs } from '../test/reactFlowJsdom'
import { GraphPreview } from './GraphPreview'
import { givenText, RunGraph } from './RunGraph'

beforeAll(installReactFlowStubs)

const graph: Graph = {
  nodes: [
    { id: 'load', operation: 1, label: '', params: {}, position: { x: 0, y: 0 } },
    { id: 'train', operation: 2, label: '', params: {}, position: { x: 300, y: 0 } },
  ],
  edges: [],
  inputs: [],
  notes: [
    { id: 'note', text: 'Check <b>this</b>\nfirst', position: { x: 0, y: -200 }, width: 240, height: 140, color: 'blue' },
  ],
  groups: [
    { id: 'prep', label: 'Prepare', position: { x: -40, y: -60 }, width: 400, height: 200, nodes: ['load'], color: 'green' },
    { id: 'empty', label: '', position: { x: 600, y: -60 }, width: 300, height: 200, nodes: ['train', 'load'] },
  ],
}

function renderPreview(onSelectNode = vi.fn()) {
  const view = render(
    <ReactFlowProvider>
      <div style={{ width: 1000, height: 700 }}>
        <GraphPreview graph={graph} operations={OPERATIONS} selectedNodeId={null} onSelectNode={onSelectNode} />
      </div>
    </ReactFlowProvider>,
  )
  return { ...view, onSelectNode }
}

describe('GraphPreview', () => {
  it('draws notes as plain text and groups with their label and size, behind the nodes', () => {
    const { container } = renderPreview()
    const note = container.querySelector('.note-node')!
    expect(note.getAttribute('data-color')).toBe('blue')
    expect(note.textContent).toBe('Check <b>this</b>\nfirst')
    expect(note.querySelector('b')).toBeNull()

    const groups = [...container.querySelectorAll('.group-node')]
    expect(groups.map((group) => group.getAttribute('data-color'))).toEqual(['green', 'gray'])
    expect(groups.map((group) => group.querySelector('.group-node-header')?.textContent)).toEqual([
      'Prepare1 node',
      'Group2 nodes',
    ])
    const wrapper = groups[0]!.closest('.react-flow__node') as HTMLElement
    expect(wrapper.style.zIndex).toBe('-2000')
    // nothing to edit, resize or recolour
    expect(container.querySelector('textarea, input, .react-flow__resize-control')).toBeNull()
    expect(screen.queryByRole('toolbar')).toBeNull()
  })

  it('selects operation nodes on click, not notes or groups', () => {
    const { container, onSelectNode } = renderPreview()
    fireEvent.click(container.querySelector('.note-node')!)
    fireEvent.click(container.querySelector('.group-node-header')!)
    expect(onSelectNode).not.toHaveBeenCalledWith('note')
    expect(onSelectNode).not.toHaveBeenCalledWith('prep')
    fireEvent.click(container.querySelector('[data-id="train"]')!)
    expect(onSelectNode).toHaveBeenCalledWith('train')
  })
})

describe('pipeline inputs in the read-only views', () => {
  const withInput: Graph = {
    ...graph,
    inputs: [{ name: 'table', type: 'file', default: null, description: '', position: { x: -300, y: 0 } }],
    edges: [{ id: 'in', source: 'table', source_port: 'value', target: 'load', target_port: 'path' }],
  }

  it('the preview draws an input node and its wire', () => {
    const { container } = render(
      <ReactFlowProvider>
        <div style={{ width: 1000, height: 700 }}>
          <GraphPreview graph={withInput} operations={OPERATIONS} selectedNodeId={null} onSelectNode={vi.fn()} />
        </div>
      </ReactFlowProvider>,
    )
    const input = container.querySelector('.input-node')!
    expect(input.querySelector('.input-node-name')?.textContent).toBe('table')
    expect(input.textContent).toContain('artifact chosen at run')
    expect(container.querySelector('.react-flow__edge[data-id="in"], [data-testid="rf__edge-in"]')).not.toBeNull()
  })

  it('the run graph says what the run gave each input', () => {
    expect(givenText({ artifact: 12 })).toBe('artifact 12')
    expect(givenText({ value: 3 })).toBe('3')
    expect(givenText({ value: 'x'.repeat(40) })).toMatch(/…$/)
    expect(givenText(undefined)).toBeUndefined()
    const { container } = render(
      <ReactFlowProvider>
        <div style={{ width: 1000, height: 700 }}>
          <RunGraph
            graph={withInput}
            operations={OPERATIONS}
            nodeRuns={[]}
            now={Date.now()}
            selectedNodeId={null}
            onSelectNode={vi.fn()}
            inputsGiven={{ table: { artifact: 7 } }}
          />
        </div>
      </ReactFlowProvider>,
    )
    expect(container.querySelector('.input-node')?.textContent).toContain('artifact 7')
    expect(container.querySelector('.note-node')?.textContent).toContain('Check')
  })
})
