import type { DeploymentCall } from '../api/deployments'

/** A call's HTTP status, coloured by class (2xx, 4xx, 5xx), with its latency. */
export function CallStatus({ call, latency = true }: { call: DeploymentCall; latency?: boolean }) {
  const tone = call.status_code >= 500 ? 'error' : call.status_code >= 400 ? 'warn' : call.status_code >= 300 ? 'info' : 'ok'
  return (
    <span className="call-status">
      <span className={`status-code status-code-${tone}`}>{call.status_code}</span>
      {latency && call.latency_ms !== null && <span className="muted">{formatLatency(call.latency_ms)}</span>}
    </span>
  )
}

export function formatLatency(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)} ms`
  return `${(ms / 1000).toFixed(ms < 10_000 ? 2 : 1)} s`
}

export function describeRule(deployment: {
  rule: 'endpoint' | 'periodic'
  schedule: { cron: string; timezone: string } | null
}): string {
  if (deployment.rule === 'endpoint') return 'Endpoint'
  return deployment.schedule ? `Periodic: ${deployment.schedule.cron} (${deployment.schedule.timezone})` : 'Periodic'
}
