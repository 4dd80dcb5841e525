// A test double for the browser's WebSocket: tests open, feed, drop or refuse each socket
// the page creates. Install it with `installFakeWebSocket()` (undone by vi.unstubAllGlobals).

import { vi } from 'vitest'
import type { RunDetail, RunEvent } from '../api/types'

export class FakeWebSocket {
  static readonly CONNECTING = 0
  static readonly OPEN = 1
  static readonly CLOSING = 2
  static readonly CLOSED = 3
  /** Every socket made since the last install, oldest first. */
  static instances: FakeWebSocket[] = []

  readyState = FakeWebSocket.CONNECTING
  /** Messages the page sent, parsed. */
  sent: unknown[] = []
  /** Set when the page closed it itself. */
  closedByClient = false
  onopen: ((event: Event) => void) | null = null
  onmessage: ((event: MessageEvent) => void) | null = null
  onclose: ((event: CloseEvent) => void) | null = null
  onerror: ((event: Event) => void) | null = null

  constructor(readonly url: string) {
    FakeWebSocket.instances.push(this)
  }

  static get latest(): FakeWebSocket {
    const socket = FakeWebSocket.instances[FakeWebSocket.instances.length - 1]
    if (!socket) throw new Error('no WebSocket was opened')
    return socket
  }

  send(data: string) {
    if (this.readyState !== FakeWebSocket.OPEN) throw new Error('InvalidStateError: the socket is not open')
    this.sent.push(JSON.parse(data))
  }

  close() {
    if (this.readyState === FakeWebSocket.CLOSED) return
    this.closedByClient = true
    this.readyState = FakeWebSocket.CLOSED
    this.onclose?.({ code: 1000, wasClean: true } as CloseEvent)
  }

  // --- what the server does ---

  /** The handshake succeeds. */
  open() {
    this.readyState = FakeWebSocket.OPEN
    this.onopen?.(new Event('open'))
  }

  /** The server sends a message (an object is sent as JSON). */
  receive(message: unknown) {
    const data = typeof message === 'string' ? message : JSON.stringify(message)
    this.onmessage?.({ data } as MessageEvent)
  }

  snapshot(seq: number, run: RunDetail) {
    this.receive({ type: 'snapshot', seq, run })
  }

  events(...events: RunEvent[]) {
    this.receive({ type: 'events', events })
  }

  /** The connection is lost (or the server restarts): close code 1006. */
  drop(code = 1006) {
    if (this.readyState === FakeWebSocket.CLOSED) return
    this.readyState = FakeWebSocket.CLOSED
    this.onerror?.(new Event('error'))
    this.onclose?.({ code, wasClean: false } as CloseEvent)
  }

  /** The handshake is refused (not signed in, not a member, server down). */
  refuse() {
    this.drop(1006)
  }
}

export function installFakeWebSocket(): typeof FakeWebSocket {
  FakeWebSocket.instances = []
  vi.stubGlobal('WebSocket', FakeWebSocket)
  return FakeWebSocket
}

let clock = Date.parse('2025-03-01T10:00:00Z')

/** A run event as the server sends it. */
export function runEvent(
  seq: number,
  kind: string,
  node_id: string,
  payload: Record<string, unknown>,
  created_at?: string,
): RunEvent {
  clock += 1000
  return { seq, kind, node_id, payload, created_at: created_at ?? new Date(clock).toISOString() }
}
