// @vitest-environment node
import { describe, expect, it } from 'vitest'
import type { NodeRun } from '../api/types'
import type { OperationFlowNode } from './graph'
import { nodeRunsById, toRunEdges, toRunNodes } from './runGraph'

function flowNode(id: string): OperationFlowNode {
  return {
    id,
    type: 'operation',
    position: { x: 0, y: 0 },
    data: { label: id, operationName: 'Op', category: '', inputs: [], outputs: [] },
  }
}

function nodeRun(node_id: string, overrides: Partial<NodeRun> = {}): NodeRun {
  return {
    id: 1,
    node_id,
    state: 'succeeded',
    attempt: 1,
    progress: 1,
    started_at: '2025-03-01T10:00:00Z',
    finished_at: '2025-03-01T10:00:02.500Z',
    error: '',
    ...overrides,
  }
}

const now = Date.parse('2025-03-01T10:00:10Z')

describe('toRunNodes', () => {
  it('gives each node its state, duration and attempt', () => {
    const runs = nodeRunsById([nodeRun('a', { attempt: 2 })])
    const [node] = toRunNodes([flowNode('a')], runs, now)
    expect(node!.type).toBe('run')
    expect(node!.data).toMatchObject({ label: 'a', state: 'succeeded', duration: '2.5 s', attempt: 2, progress: null })
  })

  it('shows live time and progress of a running node', () => {
    const runs = nodeRunsById([nodeRun('a', { state: 'running', progress: 0.4, finished_at: null })])
    const [node] = toRunNodes([flowNode('a')], runs, now)
    expect(node!.data).toMatchObject({ state: 'running', duration: '10 s', progress: 0.4, progressText: '40%' })
  })

  it('has no progress while a running node reports none', () => {
    const runs = nodeRunsById([nodeRun('a', { state: 'running', progress: 0, finished_at: null })])
    expect(toRunNodes([flowNode('a')], runs, now)[0]!.data).toMatchObject({ progress: null, progressText: null })
  })

  it('draws a node without a node run as pending, and skipped nodes without time', () => {
    const runs = nodeRunsById([nodeRun('b', { state: 'skipped' })])
    const [a, b] = toRunNodes([flowNode('a'), flowNode('b')], runs, now)
    expect(a!.data).toMatchObject({ state: 'pending', duration: null, attempt: 0 })
    expect(b!.data).toMatchObject({ state: 'skipped', duration: null })
  })
})

describe('waiting reasons and filters', () => {
  it('says why a queued node has not started, the server’s reason first', () => {
    const runs = nodeRunsById([
      nodeRun('a', { state: 'queued', started_at: null, finished_at: null }),
      nodeRun('b', { state: 'queued', started_at: null, finished_at: null }),
      nodeRun('c', { state: 'pending', started_at: null, finished_at: null }),
      nodeRun('d', { state: 'running', finished_at: null }),
    ])
    const waiting = { b: 'waiting for 1 free GPU(s)', d: 'stale reason' }
    const nodes = toRunNodes([flowNode('a'), flowNode('b'), flowNode('c'), flowNode('d')], runs, now, waiting)
    expect(nodes.map((node) => node.data.waiting)).toEqual([
      'waiting for a free worker',
      'waiting for 1 free GPU(s)',
      null,
      null,
    ])
  })

  it('hides the nodes a filter leaves out', () => {
    const nodes = toRunNodes([flowNode('a'), flowNode('b')], new Map(), now, {}, new Set(['b']))
    expect(nodes.map((node) => node.hidden)).toEqual([true, false])
    expect(toRunNodes([flowNode('a')], new Map(), now)[0]!.hidden).toBe(false)
  })
})

describe('toRunEdges', () => {
  const edge = { id: 'e', source: 'a', target: 'b', sourceHandle: 'out', targetHandle: 'in' }

  it('animates an edge whose data feeds a running node', () => {
    const runs = nodeRunsById([nodeRun('a'), nodeRun('b', { state: 'running' })])
    expect(toRunEdges([edge], runs)[0]).toMatchObject({ animated: true, className: 'run-edge-delivered' })
  })

  it('marks delivered edges and leaves the others alone', () => {
    const delivered = nodeRunsById([nodeRun('a', { state: 'cached' }), nodeRun('b')])
    expect(toRunEdges([edge], delivered)[0]).toMatchObject({ animated: false, className: 'run-edge-delivered' })
    const waiting = nodeRunsById([nodeRun('a', { state: 'running' })])
    expect(toRunEdges([edge], waiting)[0]).toBe(edge)
  })
})
