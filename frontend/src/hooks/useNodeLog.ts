import { useEffect, useRef } from 'react'
import { getNodeRun } from '../api/endpoints'
import type { NodeRunDetail } from '../api/types'
import { isWorkingNodeState } from '../lib/runs'
import { usePolling } from './usePolling'
import { useResource, type Resource } from './useResource'

export const LOG_POLL_MS = 1000

/**
 * One node run with its log: read when the node is opened, every second while the node is
 * working, and once more whenever its state changes (so the final lines arrive).
 */
export function useNodeLog(runId: number, nodeId: string, state: string | undefined): Resource<NodeRunDetail> {
  const resource = useResource((signal) => getNodeRun(runId, nodeId, signal), [runId, nodeId])
  const working = state !== undefined && isWorkingNodeState(state)
  usePolling(resource.refresh, LOG_POLL_MS, working && resource.status === 'success')

  const lastState = useRef(state)
  const { refresh } = resource
  useEffect(() => {
    if (lastState.current === state) return
    lastState.current = state
    void refresh()
  }, [state, refresh])
  return resource
}
