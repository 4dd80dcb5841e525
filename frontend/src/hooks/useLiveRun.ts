import { useCallback, useEffect, useMemo, useSyncExternalStore } from 'react'
import { getRun } from '../api/endpoints'
import { LiveRunConnection, type Connection } from '../api/liveRun'
import type { RunDetail } from '../api/types'
import type { LiveState } from '../lib/runStream'
import { isActiveRun } from '../lib/runs'
import { usePolling } from './usePolling'
import { useResource, type ResourceStatus } from './useResource'

export type { Connection } from '../api/liveRun'

/** How often the run is read over REST when the live stream is not there (while active, and after). */
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
  /** Shows an answer the page already has (the run returned by cancel). */
  replace: (run: RunDetail) => void
  /** How the page is kept up to date: `reconnecting` and `offline` mean it may be stale. */
  connection: Connection
  /** True while the stream carries the run (node logs come with it); false while the page polls. */
  streaming: boolean
  /** The stream's state: waiting reasons, streamed log lines, the run's recent history. */
  live: LiveState | null
}

/**
 * The one place the run view gets its data from: the run is read over REST first (the page
 * shows it at once), then followed on the live run stream (`/ws/runs/<id>/`), which reconnects
 * by itself. Without WebSocket, or while it keeps failing, the run is read every second while
 * active (every 10 s otherwise) instead.
 */
export function useLiveRun(id: number): LiveRun {
  const resource = useResource((signal) => getRun(id, signal), [id])
  const connection = useMemo(() => new LiveRunConnection(id), [id])
  const snapshot = useSyncExternalStore(connection.subscribe, connection.getSnapshot, connection.getSnapshot)

  useEffect(() => {
    if (resource.data) connection.seed(resource.data)
  }, [resource.data, connection])

  const loaded = resource.status === 'success'
  useEffect(() => {
    if (!loaded) return
    connection.start()
    return () => connection.stop()
  }, [loaded, connection])

  const run = snapshot.state?.run ?? resource.data
  const active = run ? isActiveRun(run.state) : false

  const poll = useCallback(async () => {
    try {
      connection.seed(await getRun(id))
    } catch {
      connection.restFailed()
    }
  }, [id, connection])
  usePolling(poll, active ? ACTIVE_POLL_MS : IDLE_POLL_MS, loaded && snapshot.polling)

  const replace = useCallback((next: RunDetail) => connection.seed(next, 'action'), [connection])
  return {
    status: resource.status,
    run,
    error: resource.error,
    active,
    reload: resource.reload,
    replace,
    connection: snapshot.connection,
    streaming: !snapshot.polling,
    live: snapshot.state,
  }
}
