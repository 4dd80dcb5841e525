// @vitest-environment node
import { describe, expect, it } from 'vitest'
import type { NodeRun } from '../api/types'
import { DEFAULT_NODE_SORT, nextSort, nodeDuration, sortNodeRuns } from './nodeTable'

const now = Date.parse('2025-03-01T10:10:00Z')

function nodeRun(node_id: string, state: NodeRun['state'], seconds: number | null): NodeRun {
  return {
    id: node_id.charCodeAt(0),
    node_id,
    state,
    attempt: 1,
    started_at: seconds === null ? null : '2025-03-01T10:00:00Z',
    finished_at: seconds === null ? null : new Date(Date.parse('2025-03-01T10:00:00Z') + seconds * 1000).toISOString(),
    error: '',
  }
}

const rows = [
  nodeRun('a', 'succeeded', 5),
  nodeRun('b', 'failed', 20),
  nodeRun('c', 'pending', null),
  nodeRun('d', 'running', 1),
  nodeRun('e', 'failed', 2),
]
const ids = (list: NodeRun[]) => list.map((row) => row.node_id).join('')

describe('sortNodeRuns', () => {
  it('keeps the graph order by default', () => {
    expect(ids(sortNodeRuns(rows, DEFAULT_NODE_SORT, now))).toBe('abcde')
  })

  it('sorts by state, failed first, keeping the graph order among equals', () => {
    expect(ids(sortNodeRuns(rows, { key: 'state', descending: false }, now))).toBe('bedca')
    expect(ids(sortNodeRuns(rows, { key: 'state', descending: true }, now))).toBe('acdbe')
  })

  it('sorts by duration, nodes that never ran last either way', () => {
    const running = { ...rows[3]!, finished_at: null }
    const list = [...rows.slice(0, 3), running, rows[4]!]
    // d is still running: 10 minutes so far
    expect(ids(sortNodeRuns(list, { key: 'duration', descending: true }, now))).toBe('dbaec')
    expect(ids(sortNodeRuns(list, { key: 'duration', descending: false }, now))).toBe('eabdc')
  })
})

describe('nodeDuration', () => {
  it('has no duration for skipped nodes', () => {
    expect(nodeDuration(nodeRun('a', 'skipped', 3), now)).toBeNull()
    expect(nodeDuration(nodeRun('a', 'succeeded', 3), now)).toBe(3000)
  })
})

describe('nextSort', () => {
  it('starts durations longest first and turns the order round on a second click', () => {
    expect(nextSort(DEFAULT_NODE_SORT, 'duration')).toEqual({ key: 'duration', descending: true })
    expect(nextSort({ key: 'duration', descending: true }, 'duration')).toEqual({ key: 'duration', descending: false })
    expect(nextSort({ key: 'duration', descending: true }, 'state')).toEqual({ key: 'state', descending: false })
  })
})
