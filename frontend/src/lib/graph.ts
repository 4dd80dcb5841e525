// Turning a stored pipeline graph into React Flow nodes and edges (pure; tested alone).

import type { Edge, Node } from '@xyflow/react'
import type { Graph, GraphEdge, GraphNode, Operation, Port } from '../api/types'

export interface PortView {
  name: string
  type: string
  description: string
  optional: boolean
  /** False when an edge names a port the operation does not declare (or is unknown). */
  declared: boolean
}

export type OperationNodeData = {
  label: string
  /** Name of the operation, or null when it could not be found. */
  operationName: string | null
  category: string
  inputs: PortView[]
  outputs: PortView[]
  /** Drawn in red: a submitted run named this node in a problem. */
  problem?: boolean
}

export type OperationFlowNode = Node<OperationNodeData, 'operation'>

export interface FlowGraph {
  nodes: OperationFlowNode[]
  edges: Edge[]
  /** Edges from pipeline inputs (their source is an input's name): drawn where inputs are. */
  inputEdges: Edge[]
  /** Things in the stored graph that could not be drawn (edges to missing nodes...). */
  problems: string[]
}

const GRID_X = 280
const GRID_Y = 160

function portView(port: Port): PortView {
  return {
    name: port.name,
    type: port.type,
    description: port.description ?? '',
    optional: Boolean(port.optional),
    declared: true,
  }
}

function withExtraPorts(declared: PortView[], used: Iterable<string>): PortView[] {
  const names = new Set(declared.map((port) => port.name))
  const extra: PortView[] = []
  for (const name of used) {
    if (names.has(name)) continue
    names.add(name)
    extra.push({ name, type: '', description: '', optional: false, declared: false })
  }
  return [...declared, ...extra]
}

function position(node: GraphNode, index: number): { x: number; y: number } {
  const { x, y } = node.position ?? { x: NaN, y: NaN }
  if (Number.isFinite(x) && Number.isFinite(y)) return { x, y }
  return { x: (index % 4) * GRID_X, y: Math.floor(index / 4) * GRID_Y }
}

export function nodeLabel(node: GraphNode, operation: Operation | undefined): string {
  return node.label?.trim() || operation?.name || node.id
}

/** What the edges of a graph draw, and the ports each node's edges use. */
interface FlowEdges {
  edges: Edge[]
  inputEdges: Edge[]
  problems: string[]
  usedInputs: Map<string, string[]>
  usedOutputs: Map<string, string[]>
}

function use(used: Map<string, string[]>, nodeId: string, port: string): void {
  const ports = used.get(nodeId)
  if (ports) ports.push(port)
  else used.set(nodeId, [port])
}

function flowEdge(edge: GraphEdge): Edge {
  return {
    id: edge.id || `${edge.source}.${edge.source_port}->${edge.target}.${edge.target_port}`,
    source: edge.source,
    sourceHandle: edge.source_port,
    target: edge.target,
    targetHandle: edge.target_port,
  }
}

function flowEdges(graph: Graph): FlowEdges {
  const nodeIds = new Set((graph.nodes ?? []).map((node) => node.id))
  const inputNames = new Set((graph.inputs ?? []).map((input) => input.name))
  const result: FlowEdges = { edges: [], inputEdges: [], problems: [], usedInputs: new Map(), usedOutputs: new Map() }
  for (const edge of graph.edges ?? []) {
    if (inputNames.has(edge.source) && nodeIds.has(edge.target)) {
      use(result.usedInputs, edge.target, edge.target_port)
      result.inputEdges.push(flowEdge(edge))
      continue
    }
    if (!nodeIds.has(edge.source) || !nodeIds.has(edge.target)) {
      result.problems.push(`Edge ${edge.id || `${edge.source} → ${edge.target}`} connects a missing node.`)
      continue
    }
    use(result.usedOutputs, edge.source, edge.source_port)
    use(result.usedInputs, edge.target, edge.target_port)
    result.edges.push(flowEdge(edge))
  }
  return result
}

function flowNode(
  node: GraphNode,
  index: number,
  operationsById: ReadonlyMap<number, Operation>,
  used: FlowEdges,
): OperationFlowNode {
  const operation = operationsById.get(node.operation)
  const version = operation?.latest_version ?? null
  return {
    id: node.id,
    type: 'operation',
    position: position(node, index),
    data: {
      label: nodeLabel(node, operation),
      operationName: operation?.name ?? null,
      category: operation?.category ?? '',
      inputs: withExtraPorts((version?.inputs ?? []).map(portView), used.usedInputs.get(node.id) ?? []),
      outputs: withExtraPorts((version?.outputs ?? []).map(portView), used.usedOutputs.get(node.id) ?? []),
    },
  }
}

function byId(operations: readonly Operation[]): Map<number, Operation> {
  return new Map(operations.map((operation) => [operation.id, operation]))
}

/**
 * React Flow nodes (type "operation", one handle per port) and edges (handles are port
 * names). Ports that edges use but the operation does not declare still get a handle so
 * that every stored edge can be drawn.
 */
export function toFlowGraph(graph: Graph, operations: readonly Operation[] = []): FlowGraph {
  const operationsById = byId(operations)
  const used = flowEdges(graph)
  const nodes = (graph.nodes ?? []).map((node, index) => flowNode(node, index, operationsById, used))
  return { nodes, edges: used.edges, inputEdges: used.inputEdges, problems: used.problems }
}

function samePorts(a: readonly PortView[], b: readonly PortView[]): boolean {
  if (a.length !== b.length) return false
  return a.every((port, index) => {
    const other = b[index]!
    return (
      port.name === other.name &&
      port.type === other.type &&
      port.description === other.description &&
      port.optional === other.optional &&
      port.declared === other.declared
    )
  })
}

/** True when two operation nodes draw the same (same place, label, operation and ports). */
export function sameOperationNode(a: OperationFlowNode, b: OperationFlowNode): boolean {
  return (
    a.id === b.id &&
    a.type === b.type &&
    a.position.x === b.position.x &&
    a.position.y === b.position.y &&
    a.data.label === b.data.label &&
    a.data.operationName === b.data.operationName &&
    a.data.category === b.data.category &&
    a.data.problem === b.data.problem &&
    samePorts(a.data.inputs, b.data.inputs) &&
    samePorts(a.data.outputs, b.data.outputs)
  )
}

/** True when two edges join the same ports. */
export function sameEdge(a: Edge, b: Edge): boolean {
  return (
    a.id === b.id &&
    a.source === b.source &&
    a.sourceHandle === b.sourceHandle &&
    a.target === b.target &&
    a.targetHandle === b.targetHandle
  )
}

/**
 * `next` with each item that `same` finds unchanged taken from `previous` (the same object),
 * and `previous` itself when nothing changed at all.
 */
export function reuseItems<T extends { id: string }>(
  next: readonly T[],
  previous: readonly T[],
  same: (a: T, b: T) => boolean,
): T[] {
  const before = new Map(previous.map((item) => [item.id, item]))
  let changed = next.length !== previous.length
  const result = next.map((item, index) => {
    const old = before.get(item.id)
    if (old && same(old, item)) {
      if (previous[index] !== old) changed = true
      return old
    }
    changed = true
    return item
  })
  return changed ? result : (previous as T[])
}

/**
 * `next`, keeping from `previous` the nodes and edges that did not change (and whole lists
 * that did not): React Flow then skips what it already has, so moving one node of a
 * thousand redraws one node and its edges.
 */
export function reuseUnchanged(next: FlowGraph, previous: FlowGraph | null): FlowGraph {
  if (!previous) return next
  return {
    nodes: reuseItems(next.nodes, previous.nodes, sameOperationNode),
    edges: reuseItems(next.edges, previous.edges, sameEdge),
    inputEdges: reuseItems(next.inputEdges, previous.inputEdges, sameEdge),
    problems: next.problems,
  }
}

/**
 * `toFlowGraph` for a graph edited one step at a time (the editor's canvas). When only nodes
 * changed since the last call (the same edges, inputs, operations and node ids: a move, a
 * relabel), only the changed nodes are drawn again, without a pass over the edges; otherwise
 * the whole graph is, and what came out the same keeps its object (`reuseUnchanged`). Either
 * way an unchanged node or edge is the object it was, so React Flow skips it, and the result
 * is what `toFlowGraph` gives.
 */
export function flowGraphCache(): (graph: Graph, operations?: readonly Operation[]) => FlowGraph {
  let last: {
    graph: Graph
    operations: readonly Operation[]
    operationsById: Map<number, Operation>
    used: FlowEdges
    flow: FlowGraph
  } | null = null
  return (graph, operations = []) => {
    if (last && last.graph === graph && last.operations === operations) return last.flow
    const nodes = graph.nodes ?? []
    const before = last?.graph.nodes ?? []
    const onlyNodes =
      last !== null &&
      last.operations === operations &&
      last.graph.edges === graph.edges &&
      last.graph.inputs === graph.inputs &&
      nodes.length === before.length &&
      nodes.every((node, index) => node.id === before[index]!.id)
    if (last && onlyNodes) {
      const { operationsById, used, flow } = last
      let changed = false
      const next = nodes.map((node, index) => {
        const old = flow.nodes[index]!
        if (node === before[index]) return old
        const drawn = flowNode(node, index, operationsById, used)
        if (sameOperationNode(old, drawn)) return old
        changed = true
        return drawn
      })
      last = { ...last, graph, flow: changed ? { ...flow, nodes: next } : flow }
      return last.flow
    }
    const operationsById = byId(operations)
    const used = flowEdges(graph)
    const fresh: FlowGraph = {
      nodes: nodes.map((node, index) => flowNode(node, index, operationsById, used)),
      edges: used.edges,
      inputEdges: used.inputEdges,
      problems: used.problems,
    }
    last = { graph, operations, operationsById, used, flow: reuseUnchanged(fresh, last?.flow ?? null) }
    return last.flow
  }
}
