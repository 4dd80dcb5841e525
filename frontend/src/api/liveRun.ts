// One run, kept up to date from the live run stream (`/ws/runs/<id>/`, docs/api.md).
//
// - the run read over REST comes first (the page shows it at once); the socket then opens with
//   `?after=<its last_event_seq>` and applies the events that follow;
// - a missing event number sends `{"type": "resume", "after": N}`; a resume that does not
//   arrive in time opens the socket again;
// - a dropped socket is opened again by itself, 0.5 s doubling to 10 s with jitter, with
//   `?after=<last seq>`, at once when the browser comes back online or the tab is shown again;
// - without WebSocket, or after a few failed tries in a row, the page reads the run over REST
//   as well (`polling`), until the socket works again.

import { reconnectDelay } from '../lib/backoff'
import { applyEvents, parseStreamMessage, rebase, runStreamUrl, type LiveState } from '../lib/runStream'
import type { RunDetail } from './types'

export type Connection =
  /** The first connection is being made. */
  | 'connecting'
  /** The socket is open: the page follows the run as it happens. */
  | 'live'
  /** The socket dropped and is being opened again: what the page shows may be stale. */
  | 'reconnecting'
  /** No socket (unsupported, or it keeps failing), but the page reads the run over REST. */
  | 'polling'
  /** The browser has no network. */
  | 'offline'

/** Failed tries in a row after which the page also reads the run over REST. */
export const FALLBACK_AFTER_FAILURES = 3
/** A socket that stayed open this long has worked: the backoff starts over when it drops. */
export const STABLE_AFTER_MS = 5000
/** How long an asked-for resume may take before the socket is opened again. */
export const RESUME_TIMEOUT_MS = 5000

const OPEN = 1

interface SocketLike {
  readonly readyState: number
  send(data: string): void
  close(code?: number, reason?: string): void
  onopen: ((event: Event) => void) | null
  onmessage: ((event: MessageEvent) => void) | null
  onclose: ((event: CloseEvent) => void) | null
  onerror: ((event: Event) => void) | null
}

type SocketConstructor = new (url: string) => SocketLike

export interface LiveRunOptions {
  /** Where the page is, for the socket's address (default: `window.location`). */
  location?: { protocol: string; host: string }
  /** For the backoff's jitter (default: `Math.random`). */
  random?: () => number
}

export interface LiveRunSnapshot {
  state: LiveState | null
  connection: Connection
  /** The page should read the run over REST (no socket, or it keeps failing). */
  polling: boolean
}

function currentSocketConstructor(): SocketConstructor | null {
  const candidate = (globalThis as { WebSocket?: unknown }).WebSocket
  return typeof candidate === 'function' ? (candidate as SocketConstructor) : null
}

function browserOffline(): boolean {
  return typeof navigator !== 'undefined' && navigator.onLine === false
}

export class LiveRunConnection {
  private state: LiveState | null = null
  private socket: SocketLike | null = null
  private retryTimer: ReturnType<typeof setTimeout> | null = null
  private resumeTimer: ReturnType<typeof setTimeout> | null = null
  /** Closes in a row without a socket that stayed up. */
  private failures = 0
  private openedAt: number | null = null
  private everOpened = false
  private running = false
  /** A REST read succeeded since the socket was last open (polling keeps the page fresh). */
  private restFresh = false
  /** The sequence number a resume was asked after (null: none pending). */
  private resumeAfter: number | null = null
  private listeners = new Set<() => void>()
  private snapshot: LiveRunSnapshot = { state: null, connection: 'connecting', polling: false }

  constructor(
    readonly runId: number,
    private readonly options: LiveRunOptions = {},
  ) {
    this.snapshot = this.compute()
  }

  // --- for useSyncExternalStore ---

  subscribe = (listener: () => void): (() => void) => {
    this.listeners.add(listener)
    return () => this.listeners.delete(listener)
  }

  getSnapshot = (): LiveRunSnapshot => this.snapshot

  /** True when this browser can open the socket at all. */
  get supported(): boolean {
    return currentSocketConstructor() !== null
  }

  /**
   * A whole run from REST (`rest`), or answered by an action such as cancel (`action`). It
   * replaces the stream's state unless that is newer; a REST read without `last_event_seq`
   * counts only while the socket is not feeding the page.
   */
  seed(run: RunDetail, source: 'rest' | 'action' = 'rest') {
    const seq = typeof run.last_event_seq === 'number' ? run.last_event_seq : null
    const current = this.state
    if (!current) {
      this.state = rebase(null, run, seq)
    } else if (source === 'action') {
      if (seq === null || current.seq === null || seq >= current.seq) {
        this.state = rebase(current, run, seq ?? current.seq)
      }
    } else if (seq === null ? !this.isOpen() : current.seq === null || seq >= current.seq) {
      this.state = rebase(current, run, seq)
    }
    if (source === 'rest' && !this.isOpen()) this.restFresh = true
    this.emit()
  }

  /** A REST read failed: while the socket is down too, the page is stale. */
  restFailed() {
    if (this.isOpen()) return
    this.restFresh = false
    this.emit()
  }

  start() {
    if (this.running) return
    this.running = true
    if (typeof window !== 'undefined') {
      window.addEventListener('online', this.onOnline)
      window.addEventListener('offline', this.onOffline)
    }
    if (typeof document !== 'undefined') document.addEventListener('visibilitychange', this.onVisibility)
    this.open()
  }

  stop() {
    if (!this.running) return
    this.running = false
    if (typeof window !== 'undefined') {
      window.removeEventListener('online', this.onOnline)
      window.removeEventListener('offline', this.onOffline)
    }
    if (typeof document !== 'undefined') document.removeEventListener('visibilitychange', this.onVisibility)
    this.clearTimers()
    this.discardSocket()
    this.emit()
  }

  // --- the socket ---

  private isOpen(): boolean {
    return this.socket !== null && this.socket.readyState === OPEN
  }

  private clearTimers() {
    if (this.retryTimer !== null) clearTimeout(this.retryTimer)
    if (this.resumeTimer !== null) clearTimeout(this.resumeTimer)
    this.retryTimer = null
    this.resumeTimer = null
    this.resumeAfter = null
  }

  /** Closes the socket without hearing about it: a new one takes its place, or none. */
  private discardSocket() {
    const socket = this.socket
    this.socket = null
    if (!socket) return
    socket.onopen = socket.onmessage = socket.onerror = socket.onclose = null
    try {
      socket.close(1000)
    } catch {
      // already closed
    }
  }

  private open() {
    this.clearTimers()
    if (!this.running) return
    const Socket = currentSocketConstructor()
    if (!Socket) {
      this.emit()
      return
    }
    this.discardSocket()
    const where = this.options.location ?? window.location
    let socket: SocketLike
    try {
      socket = new Socket(runStreamUrl(this.runId, this.state?.seq ?? null, where))
    } catch {
      this.closed()
      return
    }
    this.socket = socket
    this.openedAt = null
    socket.onopen = () => {
      if (this.socket !== socket) return
      this.openedAt = Date.now()
      this.everOpened = true
      this.restFresh = false
      this.emit()
    }
    socket.onmessage = (event) => {
      if (this.socket === socket) this.receive(event.data)
    }
    socket.onerror = () => {
      // a close event follows
    }
    socket.onclose = () => {
      if (this.socket !== socket) return
      this.socket = null
      this.closed()
    }
    this.emit()
  }

  private closed() {
    const stable = this.openedAt !== null && Date.now() - this.openedAt >= STABLE_AFTER_MS
    const wasOpen = this.openedAt !== null
    this.failures = stable ? 1 : this.failures + 1
    this.openedAt = null
    // From now on only a REST read says whether the page is up to date.
    if (wasOpen || this.failures === FALLBACK_AFTER_FAILURES) this.restFresh = false
    this.clearTimers()
    this.scheduleRetry()
    this.emit()
  }

  private scheduleRetry() {
    if (!this.running || browserOffline()) return // `online` opens it again
    const delay = reconnectDelay(this.failures - 1, this.options.random)
    this.retryTimer = setTimeout(() => {
      this.retryTimer = null
      this.open()
    }, delay)
  }

  /** Try now (the network or the tab is back), unless a socket is open or opening. */
  private retryNow() {
    if (!this.running || this.socket !== null || !this.supported) return
    this.open()
  }

  private onOnline = () => {
    this.retryNow()
    this.emit()
  }

  private onOffline = () => this.emit()

  private onVisibility = () => {
    if (document.visibilityState === 'visible') this.retryNow()
  }

  private receive(data: unknown) {
    const message = parseStreamMessage(data)
    if (!message) return
    if (message.type === 'snapshot') {
      this.state = rebase(this.state, message.run, message.seq)
      this.settleResume(true)
      this.emit()
      return
    }
    if (!this.state) return
    const { state, gap } = applyEvents(this.state, message.events)
    const changed = state !== this.state
    this.state = state
    if (gap) this.askResume()
    else this.settleResume()
    if (changed) this.emit()
  }

  /** A resume is answered once the run moved past it (or a snapshot replaced it). */
  private settleResume(replaced = false) {
    if (this.resumeAfter === null) return
    const seq = this.state?.seq ?? null
    if (!replaced && seq !== null && seq <= this.resumeAfter) return
    this.resumeAfter = null
    if (this.resumeTimer !== null) clearTimeout(this.resumeTimer)
    this.resumeTimer = null
  }

  private askResume() {
    const after = this.state?.seq ?? null
    const socket = this.socket
    if (after === null || !socket || this.resumeAfter === after) return
    this.resumeAfter = after
    try {
      socket.send(JSON.stringify({ type: 'resume', after }))
    } catch {
      // the close event reconnects with ?after=
    }
    if (this.resumeTimer !== null) clearTimeout(this.resumeTimer)
    this.resumeTimer = setTimeout(() => {
      this.resumeTimer = null
      if (this.resumeAfter === after && this.state?.seq === after) this.open()
    }, RESUME_TIMEOUT_MS)
  }

  // --- what the page sees ---

  private compute(): LiveRunSnapshot {
    const supported = this.supported
    const open = this.isOpen()
    const polling = !supported || (!open && this.failures >= FALLBACK_AFTER_FAILURES)
    let connection: Connection
    if (browserOffline()) connection = 'offline'
    else if (!supported) connection = 'polling'
    else if (open) connection = 'live'
    else if (!this.everOpened && this.failures === 0) connection = 'connecting'
    else if (polling && this.restFresh) connection = 'polling'
    else connection = 'reconnecting'
    return { state: this.state, connection, polling }
  }

  private emit() {
    const next = this.compute()
    const previous = this.snapshot
    if (
      next.state === previous.state &&
      next.connection === previous.connection &&
      next.polling === previous.polling
    ) {
      return
    }
    this.snapshot = next
    for (const listener of [...this.listeners]) listener()
  }
}
