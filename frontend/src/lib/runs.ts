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
