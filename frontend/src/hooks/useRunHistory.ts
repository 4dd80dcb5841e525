import { useCallback, useEffect, useMemo, useState } from 'react'
import { isAbortError } from '../api/client'
import { listRunEvents, RUN_EVENTS_PAGE_SIZE } from '../api/endpoints'
import type { RunEvent } from '../api/types'
import { HISTORY_KINDS, type LiveState } from '../lib/runStream'

/** At most this many pages of events are read in one go (log lines make up most of a big run's events). */
export const MAX_EVENT_PAGES = 50

export interface RunHistory {
  status: 'loading' | 'success' | 'error'
  error: unknown
  /** The run's state changes (run state, node states, waiting reasons) in order. */
  events: readonly RunEvent[]
  /** True when no event is missing: read up to where the live stream's own history starts. */
  complete: boolean
  /** The run has more events than this page reads at once; later ones are left out. */
  truncated: boolean
  retry: () => void
}

interface Loaded {
  events: RunEvent[]
  /** Every event up to this sequence number has been read. */
  through: number
  truncated: boolean
}

const NOTHING: Loaded = { events: [], through: 0, truncated: false }

/**
 * The history of a run for its timeline: read from `GET /api/runs/<id>/events/?after=` page
 * by page (the whole log the first time, then whatever the live stream skipped, e.g. after a
 * snapshot), and extended by the events the live stream applies.
 */
export function useRunHistory(runId: number, live: LiveState | null): RunHistory {
  const [loaded, setLoaded] = useState<Loaded>(NOTHING)
  const [status, setStatus] = useState<RunHistory['status']>('loading')
  const [error, setError] = useState<unknown>(null)
  const [attempt, setAttempt] = useState(0)

  const base = live?.base ?? null
  // The stream's history starts after `base`: events between what was read and that are missing.
  const missing = base !== null && base > loaded.through && !loaded.truncated
  const wanted = status === 'loading' || (status === 'success' && missing)

  useEffect(() => {
    if (!wanted) return
    const controller = new AbortController()
    const from = loaded.through
    ;(async () => {
      const events: RunEvent[] = []
      let after = from
      let done = false
      for (let page = 0; page < MAX_EVENT_PAGES && !done; page += 1) {
        const batch = await listRunEvents(runId, after, controller.signal)
        for (const event of batch) if (HISTORY_KINDS.has(event.kind)) events.push(event)
        const last = batch[batch.length - 1]
        if (last) after = last.seq
        done = batch.length < RUN_EVENTS_PAGE_SIZE
      }
      if (controller.signal.aborted) return
      setLoaded((previous) => ({
        events: [...previous.events, ...events.filter((event) => event.seq > previous.through)],
        through: Math.max(previous.through, after),
        truncated: !done,
      }))
      setStatus('success')
    })().catch((reason: unknown) => {
      if (controller.signal.aborted || isAbortError(reason)) return
      setError(reason)
      setStatus('error')
    })
    return () => controller.abort()
    // `loaded.through` is read when a load starts; a finished load changes `missing`.
  }, [runId, wanted, attempt])

  const retry = useCallback(() => {
    setError(null)
    setStatus('loading')
    setAttempt((n) => n + 1)
  }, [])

  const liveHistory = live?.history
  const events = useMemo(() => {
    const later = (liveHistory ?? []).filter((event) => event.seq > loaded.through)
    return later.length ? [...loaded.events, ...later] : loaded.events
  }, [loaded, liveHistory])

  return {
    status,
    error,
    events,
    complete: status === 'success' && !loaded.truncated && !missing,
    truncated: loaded.truncated,
    retry,
  }
}
