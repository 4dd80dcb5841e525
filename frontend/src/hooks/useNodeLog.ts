import { useEffect, useMemo, useRef } from 'react'
import { getNodeRun } from '../api/endpoints'
import type { NodeRunDetail } from '../api/types'
import { appendLines, liveLogAfter, type LiveState } from '../lib/runStream'
import { isWorkingNodeState } from '../lib/runs'
import { usePolling } from './usePolling'
import { useResource, type Resource } from './useResource'

export const LOG_POLL_MS = 1000

/** Where streamed log lines come from: the run's live stream (see useLiveRun). */
export interface LogStream {
  /** The stream carries the run now (else the log is read every second while the node works). */
  streaming: boolean
  live: LiveState | null
}

const NO_STREAM: LogStream = { streaming: false, live: null }

export interface NodeLog extends Resource<NodeRunDetail> {
  /** The log as read, with the lines streamed since appended. */
  log: string
  /** True when new lines arrive from the stream rather than by reading the node again. */
  streamed: boolean
}

/**
 * One node run with its log: read when the node is opened and once more whenever its state
 * changes (so the final lines arrive). In between, new lines come from the run's stream
 * (`node_log` events after the read's `log_seq`); without the stream, or from a server that
 * gives no `log_seq`, the node is read every second while it works.
 */
export function useNodeLog(
  runId: number,
  nodeId: string,
  state: string | undefined,
  stream: LogStream = NO_STREAM,
): NodeLog {
  const resource = useResource((signal) => getNodeRun(runId, nodeId, signal), [runId, nodeId])
  const { refresh } = resource
  const logSeq = resource.data?.log_seq
  const streamed = stream.streaming && typeof logSeq === 'number'
  const working = state !== undefined && isWorkingNodeState(state)
  usePolling(refresh, LOG_POLL_MS, working && resource.status === 'success' && !streamed)

  const lastState = useRef(state)
  useEffect(() => {
    if (lastState.current === state) return
    lastState.current = state
    void refresh()
  }, [state, refresh])

  const live = useMemo(
    () => (streamed ? liveLogAfter(stream.live, nodeId, logSeq!) : null),
    [streamed, stream.live, nodeId, logSeq],
  )
  // Lines the stream cannot give (the read is older than what the stream kept, or a batch
  // left lines out): read the node again, which moves `log_seq` past them.
  const readAgain = live !== null && (!live.complete || live.dropped)
  useEffect(() => {
    if (readAgain) void refresh()
  }, [readAgain, refresh])

  const read = resource.data?.log ?? ''
  const log = useMemo(() => (live?.complete ? appendLines(read, live.lines) : read), [read, live])
  return { ...resource, log, streamed }
}
