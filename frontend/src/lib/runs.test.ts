// @vitest-environment node
import { describe, expect, it } from 'vitest'
import type { NodeRunState } from '../api/types'
import {
  NODE_STATES,
  countNodeStates,
  isActiveRun,
  isFinishedNodeState,
  isWorkingNodeState,
  nodeStateClass,
  newestFirst,
  nodeStateColor,
  runSummaryText,
  summarizeNodeRuns,
} from './runs'

describe('isActiveRun', () => {
  it('is true only for runs that can still change', () => {
    expect(isActiveRun('pending')).toBe(true)
    expect(isActiveRun('running')).toBe(true)
    expect(isActiveRun('succeeded')).toBe(false)
    expect(isActiveRun('failed')).toBe(false)
    expect(isActiveRun('cancelled')).toBe(false)
  })
})

describe('countNodeStates', () => {
  it('counts states in reading order, leaving out zeros', () => {
    expect(
      countNodeStates([
        { state: 'succeeded' },
        { state: 'failed' },
        { state: 'succeeded' },
        { state: 'running' },
      ]),
    ).toEqual([
      ['running', 1],
      ['failed', 1],
      ['succeeded', 2],
    ])
  })

  it('is empty for no node runs', () => {
    expect(countNodeStates([])).toEqual([])
  })
})

describe('node states', () => {
  it('tells finished from working states', () => {
    expect(['succeeded', 'cached', 'failed', 'skipped', 'cancelled'].every(isFinishedNodeState)).toBe(true)
    expect(['pending', 'queued', 'running'].some(isFinishedNodeState)).toBe(false)
    expect(isWorkingNodeState('running')).toBe(true)
    expect(isWorkingNodeState('queued')).toBe(true)
    expect(isWorkingNodeState('pending')).toBe(false)
    expect(isWorkingNodeState('succeeded')).toBe(false)
  })

  it('maps each state to its colour class, unknown states to pending', () => {
    expect(NODE_STATES.map(nodeStateClass)).toEqual([
      'run-node-pending',
      'run-node-queued',
      'run-node-running',
      'run-node-succeeded',
      'run-node-cached',
      'run-node-failed',
      'run-node-skipped',
      'run-node-cancelled',
    ])
    expect(nodeStateClass('exploded')).toBe('run-node-pending')
  })

  it('gives the minimap a colour per state', () => {
    expect(nodeStateColor('failed')).not.toBe(nodeStateColor('succeeded'))
    expect(nodeStateColor(undefined)).toBe(nodeStateColor('pending'))
    expect(nodeStateColor('exploded')).toBe(nodeStateColor('pending'))
  })
})

describe('run summary', () => {
  const states = (...list: NodeRunState[]) => list.map((state) => ({ state }))

  it('counts done (succeeded or cached) of all nodes and names what is going on', () => {
    const summary = summarizeNodeRuns(states('succeeded', 'succeeded', 'cached', 'succeeded', 'running', 'pending'))
    expect(summary.total).toBe(6)
    expect(summary.done).toBe(4)
    expect(summary.counts.running).toBe(1)
    expect(runSummaryText(summary)).toBe('4 of 6 nodes done · 1 running · 1 cached')
  })

  it('names failures, skips and queued nodes, and leaves pending ones out', () => {
    const summary = summarizeNodeRuns(states('succeeded', 'failed', 'skipped', 'skipped', 'queued', 'pending'))
    expect(runSummaryText(summary)).toBe('1 of 6 nodes done · 1 queued · 1 failed · 2 skipped')
  })

  it('speaks of one node in the singular and of no nodes plainly', () => {
    expect(runSummaryText(summarizeNodeRuns(states('pending')))).toBe('0 of 1 node done')
    expect(runSummaryText(summarizeNodeRuns([]))).toBe('No nodes')
  })

  it('counts an unknown state as pending', () => {
    const summary = summarizeNodeRuns([{ state: 'exploded' }])
    expect(summary.counts.pending).toBe(1)
  })
})

describe('newestFirst', () => {
  it('puts the latest runs first and keeps the order of runs created together', () => {
    const runs = [
      { id: 1, created_at: '2025-03-01T10:00:00Z' },
      { id: 2, created_at: '2025-03-02T10:00:00Z' },
      { id: 3, created_at: '2025-03-01T10:00:00Z' },
      { id: 4, created_at: 'garbage' },
    ]
    expect(newestFirst(runs).map((run) => run.id)).toEqual([2, 1, 3, 4])
    expect(runs[0]!.id).toBe(1)
  })
})
