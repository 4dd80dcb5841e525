import { Link } from 'react-router-dom'
import type { Tick } from '../api/recurring'

const LABELS = { started: 'Started', skipped: 'Skipped', failed: 'Failed to start' } as const

/** What a tick did: "Started" (linking its run), "Skipped" or "Failed to start", why on hover. */
export function TickOutcomeLabel({ tick }: { tick: Tick }) {
  const label = <span className={`outcome outcome-${tick.outcome}`}>{LABELS[tick.outcome]}</span>
  if (tick.outcome === 'started' && tick.run !== null) {
    return (
      <Link to={`/runs/${tick.run}/`} title={tick.run_name ?? undefined}>
        {label}
      </Link>
    )
  }
  return <span title={tick.message || undefined}>{label}</span>
}
