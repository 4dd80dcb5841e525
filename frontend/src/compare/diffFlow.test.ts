import { describe, expect, it } from 'vitest'
import { diffFlow, diffSummary } from './diffFlow'
import type { GraphDiff } from './types'

function diff(overrides: Partial<GraphDiff> = {}): GraphDiff {
  return {
    base: { id: 1, number: 1, pipeline: 1 },
    version: { id: 2, number: 2, pipeline: 1 },
    runs: [8],
    nodes: [
      {
        id: 'data',
        label: 'Make data',
        operation: 'Make dataset v1',
        status: 'changed',
        changes: [{ field: 'label', old: 'data', new: 'Make data' }],
        position: { x: 0, y: 0 },
        inputs: [],
        outputs: ['dataset'],
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
      {
        id: 'old',
        label: 'Old',
        operation: null,
        status: 'removed',
        changes: [],
        position: { x: 300, y: 200 },
        inputs: [],
        outputs: [],
      },
    ],
    edges: [
      { source: 'data', source_port: 'dataset', target: 'stats', target_port: 'dataset', status: 'added' },
      { source: 'data', source_port: 'dataset', target: 'old', target_port: 'x', status: 'removed' },
    ],
    params: [{ node: 'data', name: 'n', old: 100, new: 300, status: 'changed' }],
    counts: {
      nodes_added: 1,
      nodes_removed: 1,
      nodes_changed: 1,
      edges_added: 1,
      edges_removed: 1,
      params_changed: 1,
    },
    ...overrides,
  }
}

describe('diffFlow', () => {
  it('classes every node and edge by what happened to it', () => {
    const flow = diffFlow(diff())
    expect(flow.nodes.map((node) => [node.id, node.className])).toEqual([
      ['data', 'diff-node diff-changed'],
      ['stats', 'diff-node diff-added'],
      ['old', 'diff-node diff-removed'],
    ])
    expect(flow.nodes[1]!.data.category).toBe('Added')
    expect(flow.edges.map((edge) => edge.className)).toEqual(['diff-edge diff-added', 'diff-edge diff-removed'])
  })

  it('gives a node the ports its edges use, even ones its operation does not list', () => {
    const old = diffFlow(diff()).nodes.find((node) => node.id === 'old')!
    expect(old.data.inputs.map((port) => port.name)).toEqual(['x'])
  })
})

describe('diffSummary', () => {
  it('counts what changed', () => {
    expect(diffSummary(diff())).toBe(
      '1 node added, 1 node removed, 1 node changed, 1 edge added, 1 edge removed, 1 parameter changed',
    )
    const none = { nodes_added: 0, nodes_removed: 0, nodes_changed: 0, edges_added: 0, edges_removed: 0, params_changed: 2 }
    expect(diffSummary(diff({ counts: none }))).toBe('2 parameters changed')
  })
})
