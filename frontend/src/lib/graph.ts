// Turning a stored pipeline graph into React Flow nodes and edges (pure; tested alone).

import type { Edge, Node } from '@xyflow/react'
import type { Graph, GraphNode, Operation, Port } from '../api/types'

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

/**
 * React Flow nodes (type "operation", one handle per port) and edges (handles are port
 * names). Ports that edges use but the operation does not declare still get a handle so
 * that every stored edge can be drawn.
 */
export function toFlowGraph(graph: Graph, operations: readonly Operation[] = []): FlowGraph {
  const operationsById = new Map(operations.map((operation) => [operation.id, operation]))
  const graphNodes = graph.nodes ?? []
  const graphEdges = graph.edges ?? []
  const nodeIds = new Set(graphNodes.map((node) => node.id))
  const inputNames = new Set((graph.inputs ?? []).map((input) => input.name))
  const problems: string[] = []
  const inputEdges: Edge[] = []

  const usedInputs = new Map<string, string[]>()
  const usedOutputs = new Map<string, string[]>()
  const edges: Edge[] = []
  for (const edge of graphEdges) {
    if (inputNames.has(edge.source) && nodeIds.has(edge.target)) {
      usedInputs.set(edge.target, [...(usedInputs.get(edge.target) ?? []), edge.target_port])
      inputEdges.push({
        id: edge.id || `${edge.source}.${edge.source_port}->${edge.target}.${edge.target_port}`,
        source: edge.source,
        sourceHandle: edge.source_port,
        target: edge.target,
        targetHandle: edge.target_port,
      })
      continue
    }
    if (!nodeIds.has(edge.source) || !nodeIds.has(edge.target)) {
      problems.push(`Edge ${edge.id || `${edge.source} → ${edge.target}`} connects a missing node.`)
      continue
    }
    usedOutputs.set(edge.source, [...(usedOutputs.get(edge.source) ?? []), edge.source_port])
    usedInputs.set(edge.target, [...(usedInputs.get(edge.target) ?? []), edge.target_port])
    edges.push({
      id: edge.id || `${edge.source}.${edge.source_port}->${edge.target}.${edge.target_port}`,
      source: edge.source,
      sourceHandle: edge.source_port,
      target: edge.target,
      targetHandle: edge.target_port,
    })
  }

  const nodes = graphNodes.map((node, index): OperationFlowNode => {
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
        inputs: withExtraPorts((version?.inputs ?? []).map(portView), usedInputs.get(node.id) ?? []),
        outputs: withExtraPorts(
          (version?.outputs ?? []).map(portView),
          usedOutputs.get(node.id) ?? [],
        ),
      },
    }
  })

  return { nodes, edges, inputEdges, problems }
}
