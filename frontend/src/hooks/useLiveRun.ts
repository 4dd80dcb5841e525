import { useCallback, useEffect, useState } from 'react'
import { getRun } from '../api/endpoints'
import type { RunDetail } from '../api/types'
import { isActiveRun } from '../lib/runs'
import { usePolling } from './usePolling'
import { useResource, type ResourceStatus } from './useResource'

/** How often the run is read while it can change, and afterwards (someone may re-run or cancel). */
export const ACTIVE_POLL_MS = 1000
export const IDLE_POLL_MS = 10_000

export interface LiveRun {
  status: ResourceStatus
  run: RunDetail | undefined
  error: unknown
  /** True while the run is pending or running. */
  active: boolean
  /** Loads again from scratch (for Retry). */
  reload: () => void
  /** Shows an answer the page already has (the run returned by cancel), until the next update. */
  replace: (run: RunDetail) => void
}

/**
 * The one place the run view gets its data from: today it polls `GET /api/runs/<id>/` (every
 * second while the run is active, every 10 s otherwise); the live websocket stream can take
 * its place behind the same interface.
 */
export function useLiveRun(id: number): LiveRun {
  const resource = useResource((signal) => getRun(id, signal), [id])
  const [override, setOverride] = useState<RunDetail | null>(null)
  // A newer answer from the server supersedes the one the page put in.
  useEffect(() => setOverride(null), [resource.data])
  const run = override ?? resource.data
  const active = run ? isActiveRun(run.state) : false
  usePolling(resource.refresh, active ? ACTIVE_POLL_MS : IDLE_POLL_MS, resource.status === 'success')
  const replace = useCallback((next: RunDetail) => setOverride(next), [])
  return { status: resource.status, run, error: resource.error, active, reload: resource.reload, replace }
}
