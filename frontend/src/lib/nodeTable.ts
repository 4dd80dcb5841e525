// The run's nodes as a table (pure): filtered to the failed ones, sorted by state or duration.

import type { NodeRun } from '../api/types'
import { elapsed } from './time'

export type NodeSortKey = 'graph' | 'state' | 'duration'

export interface NodeSort {
  key: NodeSortKey
  descending: boolean
}

/** The graph's own order. */
export const DEFAULT_NODE_SORT: NodeSort = { key: 'graph', descending: false }

/** Sorting by state puts what needs attention first. */
const STATE_SORT_ORDER = ['failed', 'running', 'queued', 'pending', 'cancelled', 'skipped', 'succeeded', 'cached']

function stateRank(state: string): number {
  const rank = STATE_SORT_ORDER.indexOf(state)
  return rank === -1 ? STATE_SORT_ORDER.length : rank
}

/** How long a node ran (so far, while it runs); null when it never ran or was skipped. */
export function nodeDuration(nodeRun: NodeRun, now: number): number | null {
  if (nodeRun.state === 'skipped') return null
  return elapsed(nodeRun.started_at, nodeRun.finished_at, now)
}

/**
 * Node runs in the asked order; equal ones keep the graph's order. Nodes without a duration
 * come last whichever way durations are sorted.
 */
export function sortNodeRuns(nodeRuns: readonly NodeRun[], sort: NodeSort, now: number): NodeRun[] {
  const rows = nodeRuns.map((nodeRun, index) => ({ nodeRun, index }))
  const sign = sort.descending ? -1 : 1
  if (sort.key === 'graph') return sort.descending ? rows.reverse().map((row) => row.nodeRun) : [...nodeRuns]
  if (sort.key === 'state') {
    rows.sort((a, b) => sign * (stateRank(a.nodeRun.state) - stateRank(b.nodeRun.state)) || a.index - b.index)
  } else {
    const durations = new Map(rows.map((row) => [row.index, nodeDuration(row.nodeRun, now)]))
    rows.sort((a, b) => {
      const x = durations.get(a.index) ?? null
      const y = durations.get(b.index) ?? null
      if (x === null || y === null) return (x === null ? 1 : 0) - (y === null ? 1 : 0) || a.index - b.index
      return sign * (x - y) || a.index - b.index
    })
  }
  return rows.map((row) => row.nodeRun)
}

/** Clicking a column sorts by it; clicking it again turns the order round. */
export function nextSort(current: NodeSort, key: NodeSortKey): NodeSort {
  if (current.key === key) return { key, descending: !current.descending }
  // The longest first is what one looks for; states start with failed.
  return { key, descending: key === 'duration' }
}

export function isFailed(nodeRun: { state: string }): boolean {
  return nodeRun.state === 'failed'
}
