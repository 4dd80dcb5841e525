// @vitest-environment node
import { describe, expect, it } from 'vitest'
import type { Graph, Operation, Port } from '../api/types'
import { flowGraphCache, toFlowGraph } from './graph'

function port(name: string, type: Port['type'] = 'file', optional = false): Port {
  return { name, type, description: '', optional }
}

function operation(id: number, name: string, inputs: Port[], outputs: Port[]): Operation {
  return {
    id,
    project: null,
    name,
    slug: name.toLowerCase(),
    description: '',
    category: 'data',
    builtin: true,
    latest_version: {
      id: id * 10,
      number: 1,
      content_hash: 'abc',
      kind: 'python',
      inputs,
      outputs,
      parameters: [],
      resources: { cpu: 1, memory: '1Gi', gpus: 0, cpu_fallback: false },
      created_at: '2025-01-01T00:00:00Z',
    },
  }
}

const operations = [
  operation(1, 'Load CSV', [], [port('table')]),
  operation(2, 'Train', [port('train'), port('config', 'json', true)], [port('model'), port('metrics', 'json')]),
]

const graph: Graph = {
  nodes: [
    { id: 'load', operation: 1, label: '', params: {}, position: { x: 0, y: 40 } },
    { id: 'train', operation: 2, label: 'Train model', params: { epochs: 3 }, position: { x: 320, y: 40 } },
  ],
  edges: [{ id: 'e1', source: 'load', source_port: 'table', target: 'train', target_port: 'train' }],
  inputs: [],
}

describe('toFlowGraph', () => {
  it('makes one operation node per graph node, at its position', () => {
    const { nodes } = toFlowGraph(graph, operations)
    expect(nodes.map((node) => [node.id, node.type, node.position])).toEqual([
      ['load', 'operation', { x: 0, y: 40 }],
      ['train', 'operation', { x: 320, y: 40 }],
    ])
  })

  it('labels nodes by their label, else by the operation name', () => {
    const { nodes } = toFlowGraph(graph, operations)
    expect(nodes.map((node) => node.data.label)).toEqual(['Load CSV', 'Train model'])
    expect(nodes[1]!.data.operationName).toBe('Train')
  })

  it('gives nodes the ports of their operation', () => {
    const train = toFlowGraph(graph, operations).nodes[1]!
    expect(train.data.inputs.map((p) => [p.name, p.optional, p.declared])).toEqual([
      ['train', false, true],
      ['config', true, true],
    ])
    expect(train.data.outputs.map((p) => p.name)).toEqual(['model', 'metrics'])
  })

  it('wires edges port to port through handles', () => {
    expect(toFlowGraph(graph, operations).edges).toEqual([
      { id: 'e1', source: 'load', sourceHandle: 'table', target: 'train', targetHandle: 'train' },
    ])
  })

  it('still draws edges when the operation is unknown, with undeclared ports', () => {
    const { nodes, edges } = toFlowGraph(graph, [])
    expect(edges).toHaveLength(1)
    expect(nodes[0]!.data).toMatchObject({ label: 'load', operationName: null })
    expect(nodes[0]!.data.outputs).toEqual([
      { name: 'table', type: '', description: '', optional: false, declared: false },
    ])
    expect(nodes[1]!.data.inputs.map((p) => p.name)).toEqual(['train'])
  })

  it('skips edges to missing nodes and says so', () => {
    const broken: Graph = {
      ...graph,
      edges: [...graph.edges, { id: 'e2', source: 'ghost', source_port: 'x', target: 'train', target_port: 'train' }],
    }
    const { edges, problems } = toFlowGraph(broken, operations)
    expect(edges.map((edge) => edge.id)).toEqual(['e1'])
    expect(problems).toEqual(['Edge e2 connects a missing node.'])
  })

  it('lays out nodes that have no position on a grid', () => {
    const noPositions = {
      ...graph,
      nodes: graph.nodes.map((node) => ({ ...node, position: undefined as never })),
    }
    const { nodes } = toFlowGraph(noPositions, operations)
    expect(nodes.map((node) => node.position)).toEqual([
      { x: 0, y: 0 },
      { x: 280, y: 0 },
    ])
  })

  it('copes with an empty graph', () => {
    expect(toFlowGraph({ nodes: [], edges: [], inputs: [] })).toEqual({ nodes: [], edges: [], inputEdges: [], problems: [] })
  })
})

/** `graph` with node `id` moved to `position`; the other nodes stay the same objects. */
function moved(graph: Graph, id: string, position: { x: number; y: number }): Graph {
  return { ...graph, nodes: graph.nodes.map((node) => (node.id === id ? { ...node, position } : node)) }
}

describe('flowGraphCache', () => {
  it('draws what toFlowGraph draws', () => {
    // given
    const flowGraphOf = flowGraphCache()
    const next = moved(graph, 'train', { x: 400, y: 80 })

    // then
    expect(flowGraphOf(graph, operations)).toEqual(toFlowGraph(graph, operations))
    expect(flowGraphOf(next, operations)).toEqual(toFlowGraph(next, operations))
  })

  it('gives the same graph back for the same graph', () => {
    const flowGraphOf = flowGraphCache()
    const first = flowGraphOf(graph, operations)
    expect(flowGraphOf(graph, operations)).toBe(first)
  })

  it('draws only the moved node again after a move', () => {
    // given
    const flowGraphOf = flowGraphCache()
    const before = flowGraphOf(graph, operations)

    // when
    const after = flowGraphOf(moved(graph, 'train', { x: 400, y: 80 }), operations)

    // then
    expect(after.nodes[0]).toBe(before.nodes[0])
    expect(after.nodes[1]).not.toBe(before.nodes[1])
    expect(after.nodes[1]!.position).toEqual({ x: 400, y: 80 })
    expect(after.edges).toBe(before.edges)
  })

  it('keeps a node whose change does not show (a parameter)', () => {
    const flowGraphOf = flowGraphCache()
    const before = flowGraphOf(graph, operations)
    const next = { ...graph, nodes: [graph.nodes[0]!, { ...graph.nodes[1]!, params: { epochs: 5 } }] }
    expect(flowGraphOf(next, operations)).toBe(before)
  })

  it('keeps the nodes and edges that an added edge leaves as they were', () => {
    // given
    const flowGraphOf = flowGraphCache()
    const three: Graph = {
      ...graph,
      nodes: [...graph.nodes, { id: 'load2', operation: 1, label: '', params: {}, position: { x: 0, y: 200 } }],
    }
    const before = flowGraphOf(three, operations)

    // when: an edge into a port that Train does not declare
    const edge = { id: 'e2', source: 'load2', source_port: 'table', target: 'train', target_port: 'extra' }
    const after = flowGraphOf({ ...three, edges: [...three.edges, edge] }, operations)

    // then: Train is drawn again (with the new port), the rest is kept
    expect(after.nodes[0]).toBe(before.nodes[0])
    expect(after.nodes[1]).not.toBe(before.nodes[1])
    expect(after.nodes[1]!.data.inputs.map((port) => port.name)).toEqual(['train', 'config', 'extra'])
    expect(after.nodes[2]).toBe(before.nodes[2])
    expect(after.edges[0]).toBe(before.edges[0])
    expect(after.edges.map((e) => e.id)).toEqual(['e1', 'e2'])
  })

  it('draws every node again when the operations change', () => {
    const flowGraphOf = flowGraphCache()
    flowGraphOf(graph, operations)
    const renamed = operations.map((operation) => ({ ...operation, name: `${operation.name}!` }))
    expect(flowGraphOf(graph, renamed).nodes.map((node) => node.data.label)).toEqual(['Load CSV!', 'Train model'])
  })
})
