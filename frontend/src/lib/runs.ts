import type { NodeRunState, RunState } from '../api/types'

const ACTIVE_RUN_STATES: ReadonlySet<RunState> = new Set(['pending', 'running'])

/** True while a run can still change (so the page keeps refreshing it). */
export function isActiveRun(state: RunState): boolean {
  return ACTIVE_RUN_STATES.has(state)
}

const NODE_STATE_ORDER: NodeRunState[] = [
  'running',
  'queued',
  'pending',
  'failed',
  'succeeded',
  'cached',
  'skipped',
  'cancelled',
]

/** How many node runs are in each state, in a stable reading order, zeros left out. */
export function countNodeStates(nodeRuns: readonly { state: NodeRunState }[]): [NodeRunState, number][] {
  const counts = new Map<NodeRunState, number>()
  for (const { state } of nodeRuns) counts.set(state, (counts.get(state) ?? 0) + 1)
  const known = NODE_STATE_ORDER.filter((state) => counts.has(state)).map(
    (state): [NodeRunState, number] => [state, counts.get(state)!],
  )
  const unknown = [...counts].filter(([state]) => !NODE_STATE_ORDER.includes(state))
  return [...known, ...unknown]
}

/** Node states in the order the legend shows them (the order a node moves through). */
export const NODE_STATES: readonly NodeRunState[] = [
  'pending',
  'queued',
  'running',
  'succeeded',
  'cached',
  'failed',
  'skipped',
  'cancelled',
]

const KNOWN_NODE_STATES: ReadonlySet<string> = new Set(NODE_STATES)
const FINISHED_NODE_STATES: ReadonlySet<string> = new Set(['succeeded', 'cached', 'failed', 'skipped', 'cancelled'])

/** True once a node run cannot change any more. */
export function isFinishedNodeState(state: string): boolean {
  return FINISHED_NODE_STATES.has(state)
}

/** True while a node run is doing work (its log may still grow). */
export function isWorkingNodeState(state: string): boolean {
  return state === 'running' || state === 'queued'
}

/** The CSS class that colours a node of the run graph (unknown states look pending). */
export function nodeStateClass(state: string): string {
  return `run-node-${KNOWN_NODE_STATES.has(state) ? state : 'pending'}`
}

/** Fill colours of the minimap, one per state (match the node borders in index.css). */
const STATE_COLORS: Record<NodeRunState, string> = {
  pending: '#c5cbd5',
  queued: '#93b8f5',
  running: '#2f6fe4',
  succeeded: '#1f9d5b',
  cached: '#139488',
  failed: '#d0392f',
  skipped: '#e3e6eb',
  cancelled: '#e3e6eb',
}

export function nodeStateColor(state: string | undefined): string {
  return STATE_COLORS[(state ?? 'pending') as NodeRunState] ?? STATE_COLORS.pending
}

export interface RunSummary {
  total: number
  /** Finished with outputs: succeeded or cached. */
  done: number
  counts: Record<NodeRunState, number>
}

export function summarizeNodeRuns(nodeRuns: readonly { state: NodeRunState | string }[]): RunSummary {
  const counts = Object.fromEntries(NODE_STATES.map((state) => [state, 0])) as Record<NodeRunState, number>
  for (const { state } of nodeRuns) {
    const key = (KNOWN_NODE_STATES.has(state) ? state : 'pending') as NodeRunState
    counts[key] += 1
  }
  return { total: nodeRuns.length, done: counts.succeeded + counts.cached, counts }
}

const SUMMARY_PARTS: readonly NodeRunState[] = ['running', 'queued', 'failed', 'skipped', 'cancelled', 'cached']

/** "4 of 6 nodes done · 1 running · 1 queued" (cached nodes count as done and are named). */
export function runSummaryText(summary: RunSummary): string {
  if (summary.total === 0) return 'No nodes'
  const head = `${summary.done} of ${summary.total} ${summary.total === 1 ? 'node' : 'nodes'} done`
  const parts = SUMMARY_PARTS.filter((state) => summary.counts[state] > 0).map(
    (state) => `${summary.counts[state]} ${state}`,
  )
  return [head, ...parts].join(' · ')
}

/** Runs newest first (by creation time; runs created at the same moment keep the server's order). */
export function newestFirst<T extends { created_at: string }>(runs: readonly T[]): T[] {
  const time = (run: T) => {
    const value = Date.parse(run.created_at)
    return Number.isNaN(value) ? -Infinity : value
  }
  return runs
    .map((run, index) => ({ run, index, time: time(run) }))
    .sort((a, b) => b.time - a.time || a.index - b.index)
    .map(({ run }) => run)
}
