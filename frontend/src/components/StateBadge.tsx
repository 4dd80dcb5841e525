import type { NodeRunState, RunState } from '../api/types'

const LABELS: Record<RunState | NodeRunState, string> = {
  pending: 'Pending',
  queued: 'Queued',
  running: 'Running',
  succeeded: 'Succeeded',
  failed: 'Failed',
  skipped: 'Skipped',
  cancelled: 'Cancelled',
  cached: 'Cached',
}

export function stateLabel(state: string): string {
  return LABELS[state as RunState] ?? state
}

/** A coloured pill for a run or node run state. */
export function StateBadge({ state }: { state: RunState | NodeRunState | string }) {
  return (
    <span className={`badge badge-${state}`} data-state={state}>
      <span className="badge-dot" aria-hidden="true" />
      {stateLabel(state)}
    </span>
  )
}
