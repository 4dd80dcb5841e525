// @vitest-environment node
import { describe, expect, it } from 'vitest'
import type { NodeRun, NodeRunDetail, RunDetail, RunEvent } from '../api/types'
import {
  MAX_METRIC_POINTS,
  MAX_STREAMED_LOG_LINES,
  appendLines,
  appendMetricPoints,
  applyEvents,
  describeEvent,
  fromSnapshot,
  liveLogAfter,
  mergeNodeDetail,
  parseStreamMessage,
  rebase,
  replayRun,
  runStreamUrl,
  waitingAfter,
} from './runStream'

function nodeRun(node_id: string, overrides: Partial<NodeRun> = {}): NodeRun {
  return {
    id: node_id.length,
    node_id,
    state: 'pending',
    attempt: 0,
    progress: null,
    started_at: null,
    finished_at: null,
    error: '',
    ...overrides,
  }
}

function run(overrides: Partial<RunDetail> = {}): RunDetail {
  return {
    id: 7,
    project: 1,
    pipeline: 1,
    pipeline_name: 'Train',
    pipeline_version: 11,
    name: 'nightly',
    state: 'pending',
    debug: false,
    error: '',
    created_by: 'ada',
    created_at: '2025-03-01T10:00:00Z',
    started_at: null,
    finished_at: null,
    last_event_seq: 1,
    node_runs: [nodeRun('load'), nodeRun('train')],
    ...overrides,
  }
}

let clock = 0
function event(seq: number, kind: string, node_id: string, payload: Record<string, unknown>): RunEvent {
  clock += 1
  return { seq, kind, node_id, payload, created_at: `2025-03-01T10:00:${String(clock % 60).padStart(2, '0')}Z` }
}

const node = (state: { run: RunDetail }, id: string) => state.run.node_runs.find((n) => n.node_id === id)!

describe('applyEvents', () => {
  it('moves the run and its nodes through their states, with times from the events', () => {
    const start = fromSnapshot(run())
    const running = event(2, 'run_state', '', { state: 'running' })
    const loadRunning = event(3, 'node_state', 'load', { state: 'running', attempt: 1 })
    const progress = event(4, 'node_progress', 'load', { progress: 0.25 })
    const { state, gap } = applyEvents(start, [running, loadRunning, progress])
    expect(gap).toBe(false)
    expect(state.seq).toBe(4)
    expect(state.run.state).toBe('running')
    expect(state.run.started_at).toBe(running.created_at)
    expect(node(state, 'load')).toMatchObject({
      state: 'running',
      attempt: 1,
      progress: 0.25,
      started_at: loadRunning.created_at,
      finished_at: null,
    })
    // the input is left alone
    expect(start.run.state).toBe('pending')
    expect(node(start, 'load').state).toBe('pending')
    expect(state.run.node_runs[1]).toBe(start.run.node_runs[1])

    const outputs = { table: { artifact: 4, checksum: 'c', size: 10, name: 'load.table', content_type: 'text/csv', type: 'file' } }
    const done = event(5, 'node_state', 'load', { state: 'succeeded', outputs })
    const failed = event(6, 'node_state', 'train', { state: 'failed', error: 'exited with code 1' })
    const runFailed = event(7, 'run_state', '', { state: 'failed', error: 'node(s) failed: train' })
    const after = applyEvents(state, [done, failed, runFailed]).state
    expect(node(after, 'load')).toMatchObject({ state: 'succeeded', progress: 1, finished_at: done.created_at, outputs })
    expect(node(after, 'train')).toMatchObject({ state: 'failed', error: 'exited with code 1', finished_at: failed.created_at })
    expect(after.run).toMatchObject({ state: 'failed', error: 'node(s) failed: train', finished_at: runFailed.created_at })
  })

  it('starts a new attempt afresh and marks cached and skipped nodes finished', () => {
    const start = fromSnapshot(
      run({ node_runs: [nodeRun('load', { state: 'running', attempt: 1, progress: 0.6, started_at: 'x' }), nodeRun('train')] }),
    )
    const retry = event(2, 'node_state', 'load', { state: 'queued', error: 'exited with code 1', retry_in: 4, attempt: 1 })
    let { state } = applyEvents(start, [retry])
    expect(node(state, 'load')).toMatchObject({ state: 'queued', error: 'exited with code 1' })
    expect(state.waiting).toEqual({ load: 'retrying in 4 s' })

    const again = event(3, 'node_state', 'load', { state: 'running', attempt: 2 })
    const cached = event(4, 'node_state', 'train', { state: 'cached', cached_from: 3 })
    state = applyEvents(state, [again, cached]).state
    expect(node(state, 'load')).toMatchObject({ state: 'running', attempt: 2, progress: 0, error: '', started_at: again.created_at })
    expect(state.waiting).toEqual({})
    expect(node(state, 'train')).toMatchObject({ state: 'cached', cached_from: 3, finished_at: cached.created_at })
  })

  it('keeps why a node waits until its state changes', () => {
    const start = fromSnapshot(run({ node_runs: [nodeRun('train', { state: 'queued' })] }))
    let { state } = applyEvents(start, [event(2, 'node_waiting', 'train', { reason: 'waiting for 1 free GPU(s)' })])
    expect(state.waiting).toEqual({ train: 'waiting for 1 free GPU(s)' })
    state = applyEvents(state, [event(3, 'node_progress', 'train', { progress: 0.1 })]).state
    expect(state.waiting).toEqual({ train: 'waiting for 1 free GPU(s)' })
    state = applyEvents(state, [event(4, 'node_state', 'train', { state: 'running', attempt: 1 })]).state
    expect(state.waiting).toEqual({})
  })

  it('skips duplicates and stops at a gap, keeping what came before it', () => {
    const start = fromSnapshot(run({ last_event_seq: 5 }))
    const duplicate = event(5, 'run_state', '', { state: 'failed' })
    const next = event(6, 'run_state', '', { state: 'running' })
    const early = event(8, 'node_state', 'load', { state: 'running', attempt: 1 })
    const result = applyEvents(start, [duplicate, next, early])
    expect(result.gap).toBe(true)
    expect(result.state.seq).toBe(6)
    expect(result.state.run.state).toBe('running')
    expect(node(result.state, 'load').state).toBe('pending')

    const again = applyEvents(result.state, [next])
    expect(again).toEqual({ state: result.state, gap: false })
  })

  it('waits for a snapshot when the run came without a sequence number', () => {
    const start = fromSnapshot(run({ last_event_seq: undefined }))
    expect(start.seq).toBeNull()
    const result = applyEvents(start, [event(1, 'run_state', '', { state: 'running' })])
    expect(result).toEqual({ state: start, gap: false })
  })

  it('adds a node run for a node the run did not list, and ignores unknown kinds', () => {
    const start = fromSnapshot(run({ node_runs: [] }))
    const { state } = applyEvents(start, [
      event(2, 'run_created', '', { name: 'x' }),
      event(3, 'node_state', 'extra', { state: 'queued' }),
    ])
    expect(state.seq).toBe(3)
    expect(state.run.node_runs).toHaveLength(1)
    expect(node(state, 'extra')).toMatchObject({ state: 'queued', attempt: 0, started_at: null })
  })

  it('records the run and node state changes as history, but not logs or progress', () => {
    const { state } = applyEvents(fromSnapshot(run()), [
      event(2, 'run_state', '', { state: 'running' }),
      event(3, 'node_log', 'load', { lines: ['hello'] }),
      event(4, 'node_progress', 'load', { progress: 0.5 }),
      event(5, 'node_waiting', 'load', { reason: 'waiting for 1 free GPU(s)' }),
    ])
    expect(state.history.map((e) => e.seq)).toEqual([2, 5])
    expect(state.base).toBe(1)
  })
})

describe('node_metrics', () => {
  it('appends points to the node\'s metrics, copy-on-write, skipping bad points', () => {
    const start = fromSnapshot(
      run({ node_runs: [nodeRun('load'), nodeRun('train', { state: 'running', metrics: { loss: { last: 0.9, series: [[1, 0.9]] } } })] }),
    )
    const points = event(2, 'node_metrics', 'train', {
      points: [['loss', 3, 0.41], ['accuracy', null, 0.9], ['bad', 1, 'x'], [1, 2, 3], 'junk', ['loss', 4, 0.3]],
    })
    const { state, gap } = applyEvents(start, [points])
    expect(gap).toBe(false)
    expect(state.seq).toBe(2)
    expect(node(state, 'train').metrics).toEqual({
      loss: { last: 0.3, series: [[1, 0.9], [3, 0.41], [4, 0.3]] },
      accuracy: { last: 0.9, series: [[null, 0.9]] },
    })
    expect(node(start, 'train').metrics).toEqual({ loss: { last: 0.9, series: [[1, 0.9]] } })
    expect(state.run.node_runs[0]).toBe(start.run.node_runs[0])
    expect(state.history).toEqual([])

    const empty = applyEvents(state, [event(3, 'node_metrics', 'train', { points: [] })]).state
    expect(empty.seq).toBe(3)
    expect(empty.run).toBe(state.run)
  })

  it('caps each series, dropping the oldest points', () => {
    const many = Array.from({ length: MAX_METRIC_POINTS + 5 }, (_, i) => ['loss', i, i] as const)
    const metrics = appendMetricPoints({ acc: { last: 1, series: [[0, 1]] } }, many)
    expect(metrics.loss!.series).toHaveLength(MAX_METRIC_POINTS)
    expect(metrics.loss!.series[0]).toEqual([5, 5])
    expect(metrics.loss!.last).toBe(MAX_METRIC_POINTS + 4)
    expect(metrics.acc).toEqual({ last: 1, series: [[0, 1]] })
    expect(appendMetricPoints(undefined, [['a', null, 1], ['a', null, 2], ['a', null, 3]], 2).a).toEqual({
      last: 3,
      series: [[null, 2], [null, 3]],
    })
  })

  it('keeps a running node\'s live metrics over an older read, and describes the event', () => {
    const live = nodeRun('train', { state: 'running', attempt: 1, metrics: { loss: { last: 0.3, series: [[1, 0.5], [2, 0.3]] } } })
    const read: NodeRunDetail = { ...nodeRun('train', { state: 'running', attempt: 1 }), metrics: { loss: { last: 0.5, series: [[1, 0.5]] } }, log: '' }
    expect(mergeNodeDetail(live, read)!.metrics).toEqual(live.metrics)
    expect(describeEvent(event(9, 'node_metrics', 'train', { points: [['loss', 1, 0.1], ['acc', 1, 0.9], ['loss', 2, 0.05]] })).text).toBe(
      'metrics: loss, acc',
    )
  })
})

describe('waitingAfter', () => {
  it('gives the reasons still standing after a history', () => {
    expect(
      waitingAfter([
        event(1, 'node_waiting', 'a', { reason: 'waiting for 1 free GPU(s)' }),
        event(2, 'node_waiting', 'b', { reason: 'waiting for 2 free GPU(s)' }),
        event(3, 'node_state', 'a', { state: 'running', attempt: 1 }),
        event(4, 'node_state', 'c', { state: 'queued', retry_in: 12.4 }),
        event(5, 'node_log', 'b', { lines: [] }),
      ]),
    ).toEqual({ b: 'waiting for 2 free GPU(s)', c: 'retrying in 12 s' })
  })
})

describe('streamed logs', () => {
  it('gives the lines after a node read, and says when some may be missing', () => {
    const start = fromSnapshot(run({ last_event_seq: 10 }))
    const { state } = applyEvents(start, [
      event(11, 'node_log', 'train', { lines: ['epoch 1'] }),
      event(12, 'node_log', 'load', { lines: ['other node'] }),
      event(13, 'node_log', 'train', { lines: ['epoch 2', 'epoch 3'] }),
    ])
    expect(liveLogAfter(state, 'train', 10)).toEqual({ lines: ['epoch 1', 'epoch 2', 'epoch 3'], complete: true, dropped: false })
    expect(liveLogAfter(state, 'train', 11)).toEqual({ lines: ['epoch 2', 'epoch 3'], complete: true, dropped: false })
    // a read ahead of the stream: nothing yet, later lines will come
    expect(liveLogAfter(state, 'train', 20)).toEqual({ lines: [], complete: true, dropped: false })
    // a read older than the stream's start: lines in between are unknown
    expect(liveLogAfter(state, 'train', 9).complete).toBe(false)
    expect(liveLogAfter(null, 'train', 9).complete).toBe(false)
  })

  it('reports batches that left lines out', () => {
    const { state } = applyEvents(fromSnapshot(run()), [event(2, 'node_log', 'train', { lines: ['last'], dropped: 300 })])
    expect(liveLogAfter(state, 'train', 1)).toEqual({ lines: ['last'], complete: true, dropped: true })
  })

  it('keeps a bounded number of lines per node', () => {
    let state = fromSnapshot(run())
    const batch = Array.from({ length: 200 }, (_, i) => `line ${i}`)
    const count = Math.ceil(MAX_STREAMED_LOG_LINES / 200) + 2
    for (let i = 0; i < count; i += 1) {
      state = applyEvents(state, [event(state.seq! + 1, 'node_log', 'train', { lines: batch })]).state
    }
    const buffer = state.logs.train!
    expect(buffer.lines).toBeLessThanOrEqual(MAX_STREAMED_LOG_LINES)
    expect(buffer.from).toBeGreaterThan(1)
    expect(liveLogAfter(state, 'train', 1).complete).toBe(false)
    expect(liveLogAfter(state, 'train', buffer.from).complete).toBe(true)
  })

  it('appends lines to a log that may or may not end with a newline', () => {
    expect(appendLines('a\n', ['b', 'c'])).toBe('a\nb\nc\n')
    expect(appendLines('a', ['b'])).toBe('a\nb\n')
    expect(appendLines('', ['b'])).toBe('b\n')
    expect(appendLines('a\n', [])).toBe('a\n')
  })
})

describe('rebase', () => {
  it('keeps streamed logs when the new run is of the same event, and starts again otherwise', () => {
    const { state } = applyEvents(fromSnapshot(run()), [event(2, 'node_log', 'train', { lines: ['x'] })])
    const same = rebase(state, run({ last_event_seq: 2, state: 'running' }))
    expect(same.run.state).toBe('running')
    expect(same.logs).toBe(state.logs)
    const newer = rebase(state, run({ last_event_seq: 9 }))
    expect(newer).toMatchObject({ seq: 9, base: 9, logs: {}, history: [] })
    expect(rebase(null, run(), 4).seq).toBe(4)
  })

  it('reads waiting reasons a run carries', () => {
    const state = fromSnapshot(run({ node_runs: [nodeRun('train', { state: 'queued', waiting_reason: 'waiting for 2 free GPU(s)' })] }))
    expect(state.waiting).toEqual({ train: 'waiting for 2 free GPU(s)' })
  })
})

describe('replayRun', () => {
  const events = [
    event(1, 'run_state', '', { state: 'running' }),
    event(2, 'node_state', 'load', { state: 'running', attempt: 1 }),
    event(3, 'node_log', 'load', { lines: ['x'] }),
    event(4, 'node_state', 'load', { state: 'succeeded' }),
    event(5, 'node_state', 'train', { state: 'queued' }),
    event(6, 'node_waiting', 'train', { reason: 'waiting for 1 free GPU(s)' }),
  ]
  const finished = run({
    state: 'succeeded',
    started_at: 'a',
    finished_at: 'b',
    node_runs: [nodeRun('load', { state: 'succeeded', attempt: 1 }), nodeRun('train', { state: 'succeeded', attempt: 1 })],
  })

  it('starts with everything pending', () => {
    const replay = replayRun(finished, events, 0)
    expect(replay.run.state).toBe('pending')
    expect(replay.run.node_runs.map((n) => n.state)).toEqual(['pending', 'pending'])
    expect(replay.at).toBeNull()
  })

  it('shows the states as of an event', () => {
    const second = replayRun(finished, events, 2)
    expect(second.run.node_runs.map((n) => n.state)).toEqual(['running', 'pending'])
    expect(second.at).toBe(events[1]!.created_at)
    const all = replayRun(finished, events, events.length)
    expect(all.run.state).toBe('running')
    expect(all.run.node_runs.map((n) => n.state)).toEqual(['succeeded', 'queued'])
    expect(all.waiting).toEqual({ train: 'waiting for 1 free GPU(s)' })
    expect(finished.node_runs[0]!.state).toBe('succeeded')
  })
})

describe('mergeNodeDetail', () => {
  const live = nodeRun('train', {
    state: 'succeeded',
    attempt: 1,
    error: '',
    outputs: { model: { artifact: 5, checksum: 'c', size: 3, type: 'json', name: 'train.model' } },
  })
  const read: NodeRunDetail = {
    ...nodeRun('train', { state: 'succeeded', attempt: 1 }),
    exit_code: 0,
    metrics: { loss: { last: 0.1, series: [] } },
    outputs: { model: { artifact: 5, checksum: 'c', size: 3, type: 'json', value: { a: 1 } } },
    log: 'x',
    log_seq: 3,
  }

  it('takes exit code, metrics and output values from a read of the same state', () => {
    const merged = mergeNodeDetail(live, read)!
    expect(merged.exit_code).toBe(0)
    expect(merged.metrics).toEqual(read.metrics)
    expect(merged.outputs!.model).toMatchObject({ value: { a: 1 }, name: 'train.model' })
    expect('log' in merged).toBe(false)
  })

  it('trusts the live state over an older read', () => {
    const running = nodeRun('train', { state: 'running', attempt: 2 })
    const merged = mergeNodeDetail(running, read)!
    expect(merged).toMatchObject({ state: 'running', attempt: 2 })
    expect(merged.exit_code).toBeUndefined()
    expect(mergeNodeDetail(running, undefined)).toBe(running)
    expect(mergeNodeDetail(undefined, read)).toMatchObject({ state: 'succeeded', exit_code: 0 })
  })

  it('takes the worker and GPUs from the read when the live run has none yet', () => {
    const placed = { ...read, worker: 'vm', gpus: ['0', '1'] }
    expect(mergeNodeDetail({ ...live, worker: '', gpus: [] }, placed)).toMatchObject({ worker: 'vm', gpus: ['0', '1'] })
    expect(mergeNodeDetail({ ...live, worker: 'gpu-2', gpus: ['3'] }, placed)).toMatchObject({ worker: 'gpu-2', gpus: ['3'] })
  })
})

describe('parseStreamMessage', () => {
  it('reads snapshots and events, and nothing else', () => {
    const snapshot = { type: 'snapshot', seq: 3, run: run() }
    expect(parseStreamMessage(JSON.stringify(snapshot))).toEqual(snapshot)
    const events = { type: 'events', events: [{ seq: 4, kind: 'run_state', node_id: '', payload: { state: 'running' }, created_at: 'x' }, { bad: 1 }] }
    expect(parseStreamMessage(JSON.stringify(events))).toEqual({ type: 'events', events: [events.events[0]] })
    expect(parseStreamMessage('{"type":"error","message":"no"}')).toBeNull()
    expect(parseStreamMessage('not json')).toBeNull()
    expect(parseStreamMessage(42)).toBeNull()
  })
})

describe('runStreamUrl', () => {
  it('uses the page host, wss on https, and the last sequence number', () => {
    expect(runStreamUrl(7, null, { protocol: 'http:', host: 'localhost:8000' })).toBe('ws://localhost:8000/ws/runs/7/')
    expect(runStreamUrl(7, 42, { protocol: 'https:', host: 'pipewright.example' })).toBe(
      'wss://pipewright.example/ws/runs/7/?after=42',
    )
  })
})

describe('describeEvent', () => {
  it('says what happened in a few words', () => {
    expect(describeEvent(event(1, 'node_state', 'a', { state: 'running', attempt: 2 }))).toEqual({
      nodeId: 'a',
      state: 'running',
      text: 'running (attempt 2)',
    })
    expect(describeEvent(event(1, 'node_state', 'a', { state: 'queued', retry_in: 2, error: 'boom' })).text).toBe(
      'queued, retrying in 2 s (boom)',
    )
    expect(describeEvent(event(1, 'node_state', 'a', { state: 'failed', error: 'boom' })).text).toBe('failed: boom')
    expect(describeEvent(event(1, 'node_state', 'a', { state: 'cached', cached_from: 3 })).text).toBe('cached from run #3')
    expect(describeEvent(event(1, 'run_state', '', { state: 'succeeded', error: '' }))).toEqual({
      nodeId: null,
      state: 'succeeded',
      text: 'succeeded',
    })
    expect(describeEvent(event(1, 'node_waiting', 'a', { reason: 'waiting for 1 free GPU(s)' })).text).toBe(
      'waiting for 1 free GPU(s)',
    )
  })
})
