// The run view's graph: the frozen pipeline graph with each node's run state (pure).

import type { Edge, Node } from '@xyflow/react'
import type { NodeRun, NodeRunState } from '../api/types'
import type { OperationFlowNode, OperationNodeData } from './graph'
import { formatProgress } from './format'
import { DEFAULT_QUEUED_REASON } from './runStream'
import { formatDuration, elapsed } from './time'

export type RunNodeData = OperationNodeData & {
  state: NodeRunState
  /** 0..1 while running and reporting progress, else null. */
  progress: number | null
  attempt: number
  /** "1.2 s" once started (live while running), else null. */
  duration: string | null
  /** "45%" while running with progress, else null. */
  progressText: string | null
  /** Why a node that was claimed or queued has not started ("waiting for 1 free GPU(s)"), else null. */
  waiting: string | null
}

export type RunFlowNode = Node<RunNodeData, 'run'>

/** Node runs by node id. */
export function nodeRunsById<T extends { node_id: string }>(nodeRuns: readonly T[]): Map<string, T> {
  return new Map(nodeRuns.map((nodeRun) => [nodeRun.node_id, nodeRun]))
}

/** Why a node is not running yet: the server's reason, or for a queued node the usual one. */
export function waitingText(state: string, reason: string | undefined): string | null {
  if (reason) return reason
  return state === 'queued' ? DEFAULT_QUEUED_REASON : null
}

/**
 * The operation nodes drawn as run nodes, coloured by their node run (pending without one).
 * `waiting` gives reasons by node id; nodes left out of `visible` are hidden (a filter).
 */
export function toRunNodes(
  nodes: readonly OperationFlowNode[],
  runs: ReadonlyMap<string, NodeRun>,
  now: number,
  waiting: Readonly<Record<string, string>> = {},
  visible: ReadonlySet<string> | null = null,
): RunFlowNode[] {
  return nodes.map((node): RunFlowNode => {
    const nodeRun = runs.get(node.id)
    const state = nodeRun?.state ?? 'pending'
    const running = state === 'running'
    const millis = nodeRun ? elapsed(nodeRun.started_at, nodeRun.finished_at, now) : null
    // No progress reported yet (0) draws an indeterminate bar rather than "0%".
    const reported = nodeRun?.progress
    const progress = running && typeof reported === 'number' && reported > 0 ? Math.min(1, reported) : null
    return {
      ...node,
      type: 'run',
      hidden: visible !== null && !visible.has(node.id),
      data: {
        ...node.data,
        state,
        progress,
        attempt: nodeRun?.attempt ?? 0,
        duration: millis === null || state === 'skipped' ? null : formatDuration(millis),
        progressText: progress === null ? null : formatProgress(progress),
        waiting: isFinishedOrRunning(state) ? null : waitingText(state, waiting[node.id]),
      },
    }
  })
}

function isFinishedOrRunning(state: string): boolean {
  return state !== 'pending' && state !== 'queued'
}

/** Edges into a node that is running carry a moving dash; edges out of finished nodes are solid colour. */
export function toRunEdges(edges: readonly Edge[], runs: ReadonlyMap<string, NodeRun>): Edge[] {
  return edges.map((edge) => {
    const source = runs.get(edge.source)?.state
    const target = runs.get(edge.target)?.state
    const delivered = source === 'succeeded' || source === 'cached'
    const animated = delivered && (target === 'running' || target === 'queued')
    const className = delivered ? 'run-edge-delivered' : undefined
    if (!animated && !className) return edge
    return { ...edge, animated, className }
  })
}
