import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { runDetail } from '../test/fixtures'
import { FakeWebSocket, installFakeWebSocket, runEvent } from '../test/fakeWebSocket'
import { FALLBACK_AFTER_FAILURES, LiveRunConnection, RESUME_TIMEOUT_MS, STABLE_AFTER_MS } from './liveRun'
import type { RunDetail } from './types'

const where = { protocol: 'http:', host: 'testserver' }

function running(overrides: Partial<RunDetail> = {}): RunDetail {
  return runDetail({ id: 7, state: 'running', finished_at: null, last_event_seq: 10, ...overrides })
}

const connections: LiveRunConnection[] = []

function connect(run: RunDetail = running()) {
  const connection = new LiveRunConnection(7, { location: where, random: () => 1 })
  connections.push(connection)
  connection.seed(run)
  connection.start()
  return connection
}

beforeEach(() => {
  vi.useFakeTimers()
  installFakeWebSocket()
})

afterEach(() => {
  for (const connection of connections.splice(0)) connection.stop()
  vi.useRealTimers()
  vi.unstubAllGlobals()
})

describe('LiveRunConnection', () => {
  it('opens the stream after the run it was given and applies the events that follow', () => {
    const connection = connect()
    expect(FakeWebSocket.latest.url).toBe('ws://testserver/ws/runs/7/?after=10')
    expect(connection.getSnapshot().connection).toBe('connecting')

    const listener = vi.fn()
    connection.subscribe(listener)
    FakeWebSocket.latest.open()
    expect(connection.getSnapshot()).toMatchObject({ connection: 'live', polling: false })
    FakeWebSocket.latest.events(
      runEvent(11, 'node_state', 'load', { state: 'running', attempt: 1 }),
      runEvent(12, 'node_progress', 'load', { progress: 0.5 }),
    )
    const { state } = connection.getSnapshot()
    expect(state!.seq).toBe(12)
    expect(state!.run.node_runs.find((n) => n.node_id === 'load')).toMatchObject({ state: 'running', progress: 0.5 })
    expect(listener).toHaveBeenCalled()
    connection.stop()
  })

  it('asks for a snapshot when the run has no sequence number, and replaces its state with it', () => {
    const connection = connect(running({ last_event_seq: undefined }))
    expect(FakeWebSocket.latest.url).toBe('ws://testserver/ws/runs/7/')
    FakeWebSocket.latest.open()
    FakeWebSocket.latest.snapshot(40, running({ state: 'succeeded', last_event_seq: 40 }))
    expect(connection.getSnapshot().state).toMatchObject({ seq: 40, run: { state: 'succeeded' } })
    connection.stop()
  })

  it('asks the server to resume after a gap, once, and reconnects when the resume never comes', () => {
    const connection = connect()
    const socket = FakeWebSocket.latest
    socket.open()
    socket.events(runEvent(11, 'run_state', '', { state: 'running' }), runEvent(13, 'run_state', '', { state: 'failed' }))
    expect(connection.getSnapshot().state!.seq).toBe(11)
    expect(socket.sent).toEqual([{ type: 'resume', after: 11 }])
    socket.events(runEvent(14, 'run_state', '', { state: 'failed' }))
    expect(socket.sent).toHaveLength(1)

    vi.advanceTimersByTime(RESUME_TIMEOUT_MS)
    expect(socket.closedByClient).toBe(true)
    expect(FakeWebSocket.instances).toHaveLength(2)
    expect(FakeWebSocket.latest.url).toBe('ws://testserver/ws/runs/7/?after=11')
    connection.stop()
  })

  it('is content once the resumed events arrive', () => {
    const connection = connect()
    const socket = FakeWebSocket.latest
    socket.open()
    socket.events(runEvent(12, 'run_state', '', { state: 'running' }))
    expect(socket.sent).toEqual([{ type: 'resume', after: 10 }])
    socket.events(runEvent(11, 'node_state', 'load', { state: 'running' }), runEvent(12, 'run_state', '', { state: 'running' }))
    expect(connection.getSnapshot().state!.seq).toBe(12)
    vi.advanceTimersByTime(RESUME_TIMEOUT_MS * 2)
    expect(FakeWebSocket.instances).toHaveLength(1)
    connection.stop()
  })

  it('reconnects after a drop with backoff, passing the last sequence number', () => {
    const connection = connect()
    FakeWebSocket.latest.open()
    FakeWebSocket.latest.events(runEvent(11, 'run_state', '', { state: 'running' }))
    vi.advanceTimersByTime(STABLE_AFTER_MS)
    FakeWebSocket.latest.drop()
    expect(connection.getSnapshot().connection).toBe('reconnecting')

    vi.advanceTimersByTime(499)
    expect(FakeWebSocket.instances).toHaveLength(1)
    vi.advanceTimersByTime(1)
    expect(FakeWebSocket.instances).toHaveLength(2)
    expect(FakeWebSocket.latest.url).toBe('ws://testserver/ws/runs/7/?after=11')

    // refused again: the wait doubles
    FakeWebSocket.latest.refuse()
    vi.advanceTimersByTime(999)
    expect(FakeWebSocket.instances).toHaveLength(2)
    vi.advanceTimersByTime(1)
    expect(FakeWebSocket.instances).toHaveLength(3)

    FakeWebSocket.latest.open()
    expect(connection.getSnapshot().connection).toBe('live')
    connection.stop()
  })

  it('waits at most ten seconds between tries', () => {
    const connection = connect()
    for (let i = 0; i < 8; i += 1) {
      FakeWebSocket.latest.refuse()
      vi.advanceTimersByTime(10_000)
    }
    expect(FakeWebSocket.instances).toHaveLength(9)
    connection.stop()
  })

  it('falls back to polling after failing a few times, and stops once the socket works', () => {
    const connection = connect()
    for (let i = 0; i < FALLBACK_AFTER_FAILURES; i += 1) {
      expect(connection.getSnapshot().polling).toBe(false)
      FakeWebSocket.latest.refuse()
      vi.advanceTimersByTime(10_000)
    }
    FakeWebSocket.latest.refuse()
    expect(connection.getSnapshot()).toMatchObject({ polling: true, connection: 'reconnecting' })
    // a REST read keeps the page fresh
    connection.seed(running({ last_event_seq: 20, state: 'succeeded' }))
    expect(connection.getSnapshot()).toMatchObject({ polling: true, connection: 'polling' })
    expect(connection.getSnapshot().state).toMatchObject({ seq: 20, run: { state: 'succeeded' } })
    connection.restFailed()
    expect(connection.getSnapshot().connection).toBe('reconnecting')

    vi.advanceTimersByTime(10_000)
    expect(FakeWebSocket.latest.url).toBe('ws://testserver/ws/runs/7/?after=20')
    FakeWebSocket.latest.open()
    expect(connection.getSnapshot()).toMatchObject({ polling: false, connection: 'live' })
    connection.stop()
  })

  it('polls from the start without WebSocket', () => {
    vi.stubGlobal('WebSocket', undefined)
    const connection = connect()
    expect(connection.getSnapshot()).toMatchObject({ polling: true, connection: 'polling' })
    expect(FakeWebSocket.instances).toHaveLength(0)
    connection.stop()
  })

  it('tries again at once when the tab is shown or the network comes back', () => {
    const connection = connect()
    FakeWebSocket.latest.refuse()
    expect(FakeWebSocket.instances).toHaveLength(1)
    document.dispatchEvent(new Event('visibilitychange'))
    expect(FakeWebSocket.instances).toHaveLength(2)
    // one socket at a time
    window.dispatchEvent(new Event('online'))
    expect(FakeWebSocket.instances).toHaveLength(2)
    FakeWebSocket.latest.refuse()
    window.dispatchEvent(new Event('online'))
    expect(FakeWebSocket.instances).toHaveLength(3)
    connection.stop()
  })

  it('says so while the browser is offline, and waits for it to come back', () => {
    const connection = connect()
    FakeWebSocket.latest.open()
    const onLine = vi.spyOn(navigator, 'onLine', 'get').mockReturnValue(false)
    window.dispatchEvent(new Event('offline'))
    expect(connection.getSnapshot().connection).toBe('offline')
    FakeWebSocket.latest.drop()
    vi.advanceTimersByTime(60_000)
    expect(FakeWebSocket.instances).toHaveLength(1)
    onLine.mockReturnValue(true)
    window.dispatchEvent(new Event('online'))
    expect(FakeWebSocket.instances).toHaveLength(2)
    expect(connection.getSnapshot().connection).toBe('reconnecting')
    connection.stop()
  })

  it('closes the socket when stopped and does not come back', () => {
    const connection = connect()
    const socket = FakeWebSocket.latest
    socket.open()
    connection.stop()
    expect(socket.closedByClient).toBe(true)
    vi.advanceTimersByTime(60_000)
    expect(FakeWebSocket.instances).toHaveLength(1)
  })

  it('ignores an older REST read while streaming, and takes an action’s answer', () => {
    const connection = connect()
    FakeWebSocket.latest.open()
    FakeWebSocket.latest.events(runEvent(11, 'run_state', '', { state: 'running' }))
    connection.seed(running({ last_event_seq: 5, state: 'pending' }))
    connection.seed(running({ last_event_seq: undefined, state: 'pending' }))
    expect(connection.getSnapshot().state).toMatchObject({ seq: 11, run: { state: 'running' } })
    connection.seed(running({ last_event_seq: undefined, state: 'cancelled' }), 'action')
    expect(connection.getSnapshot().state).toMatchObject({ seq: 11, run: { state: 'cancelled' } })
    connection.stop()
  })
})
