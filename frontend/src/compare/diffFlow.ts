// A graph diff drawn with the read-only operation nodes: every node of both versions, classed
// by what happened to it (pure).

import type { Edge } from '@xyflow/react'
import type { OperationFlowNode, PortView } from '../lib/graph'
import type { DiffStatus, GraphDiff } from './types'

export const STATUS_LABEL: Record<DiffStatus, string> = {
  added: 'Added',
  removed: 'Removed',
  changed: 'Changed',
  same: 'Unchanged',
}

function ports(names: readonly string[], used: Iterable<string>): PortView[] {
  const all = [...names, ...[...used].filter((name) => !names.includes(name))]
  return [...new Set(all)].map((name) => ({ name, type: '', description: '', optional: false, declared: true }))
}

export function diffFlow(diff: GraphDiff): { nodes: OperationFlowNode[]; edges: Edge[] } {
  const usedIn = new Map<string, string[]>()
  const usedOut = new Map<string, string[]>()
  for (const edge of diff.edges) {
    usedOut.set(edge.source, [...(usedOut.get(edge.source) ?? []), edge.source_port])
    usedIn.set(edge.target, [...(usedIn.get(edge.target) ?? []), edge.target_port])
  }
  const nodes: OperationFlowNode[] = diff.nodes.map((node) => ({
    id: node.id,
    type: 'operation',
    position: node.position,
    className: `diff-node diff-${node.status}`,
    ariaLabel: `${node.label}: ${STATUS_LABEL[node.status].toLowerCase()}`,
    data: {
      label: node.label,
      operationName: node.operation,
      category: node.status === 'same' ? '' : STATUS_LABEL[node.status],
      inputs: ports(node.inputs, usedIn.get(node.id) ?? []),
      outputs: ports(node.outputs, usedOut.get(node.id) ?? []),
    },
  }))
  const ids = new Set(diff.nodes.map((node) => node.id))
  const edges: Edge[] = diff.edges
    .filter((edge) => ids.has(edge.source) && ids.has(edge.target))
    .map((edge) => ({
      id: `${edge.source}.${edge.source_port}->${edge.target}.${edge.target_port}`,
      source: edge.source,
      sourceHandle: edge.source_port,
      target: edge.target,
      targetHandle: edge.target_port,
      className: `diff-edge diff-${edge.status}`,
    }))
  return { nodes, edges }
}

/** "2 nodes added, 1 removed, 3 parameters changed" — or "No differences". */
export function diffSummary(diff: GraphDiff): string {
  const { counts } = diff
  const parts = [
    [counts.nodes_added, 'node added', 'nodes added'],
    [counts.nodes_removed, 'node removed', 'nodes removed'],
    [counts.nodes_changed, 'node changed', 'nodes changed'],
    [counts.edges_added, 'edge added', 'edges added'],
    [counts.edges_removed, 'edge removed', 'edges removed'],
    [counts.params_changed, 'parameter changed', 'parameters changed'],
  ] as const
  const text = parts.filter(([n]) => n > 0).map(([n, one, many]) => `${n} ${n === 1 ? one : many}`)
  return text.length ? text.join(', ') : 'No differences in nodes, edges or parameters'
}
