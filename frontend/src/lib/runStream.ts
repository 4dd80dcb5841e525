// The live run stream applied to a run (pure): snapshots and events in, the run as of the
// last event out. Events are numbered per run without gaps, so a missing number means
// something was lost (the caller asks the server to resume), and a number already seen
// is a duplicate (ignored). See "The live run stream" in docs/api.md.

import type {
  MetricValue,
  NodeOutput,
  NodeRun,
  NodeRunDetail,
  NodeRunState,
  RunDetail,
  RunEvent,
  RunState,
  RunStreamMessage,
} from '../api/types'

const FINISHED_NODE_STATES: ReadonlySet<string> = new Set(['succeeded', 'failed', 'cached', 'skipped', 'cancelled'])
const FINISHED_RUN_STATES: ReadonlySet<string> = new Set(['succeeded', 'failed', 'cancelled'])

/** The kinds of event the timeline lists and replays (log lines and progress would drown them). */
export const HISTORY_KINDS: ReadonlySet<string> = new Set(['run_state', 'node_state', 'node_waiting'])

/** A node's log keeps at most this many streamed lines (the log view shows the last 2,000). */
export const MAX_STREAMED_LOG_LINES = 5000

/** A metric's streamed series keeps at most this many points (the oldest are dropped). */
export const MAX_METRIC_POINTS = 2000

/** Why a queued node has not started when the server gives no reason of its own. */
export const DEFAULT_QUEUED_REASON = 'waiting for a free worker'

export interface LogChunk {
  seq: number
  lines: readonly string[]
  /** Lines of the batch the server left out (they are in the node's log). */
  dropped: number
}

export interface NodeLogBuffer {
  /** Every `node_log` event of the node after this sequence number is in `chunks`. */
  from: number
  chunks: readonly LogChunk[]
  lines: number
}

export interface LiveState {
  run: RunDetail
  /** The last event the run reflects; null when unknown (a run read without `last_event_seq`). */
  seq: number | null
  /** Why a claimed node has not started yet (`node_waiting`), by node id; cleared by its next state. */
  waiting: Readonly<Record<string, string>>
  /** Streamed log lines per node, complete after `base` (or the buffer's own `from`). */
  logs: Readonly<Record<string, NodeLogBuffer>>
  /** Run, node state and waiting events after `base`, in order (for the timeline). */
  history: readonly RunEvent[]
  /** The sequence number this state started from: `logs` and `history` hold every event after it. */
  base: number | null
}

export interface ApplyResult {
  state: LiveState
  /** An event was missing: ask the server to resume after `state.seq`. */
  gap: boolean
}

function waitingOf(run: RunDetail): Record<string, string> {
  const waiting: Record<string, string> = {}
  for (const nodeRun of run.node_runs ?? []) {
    if (nodeRun.waiting_reason) waiting[nodeRun.node_id] = nodeRun.waiting_reason
  }
  return waiting
}

/** A fresh state from a whole run (a snapshot, or a REST read) consistent with event `seq`. */
export function fromSnapshot(run: RunDetail, seq?: number | null): LiveState {
  const at = seq ?? (typeof run.last_event_seq === 'number' ? run.last_event_seq : null)
  return { run, seq: at, waiting: waitingOf(run), logs: {}, history: [], base: at }
}

/**
 * A whole run replacing the state: streamed logs and history are kept when it is consistent
 * with the same event (nothing was missed), and started again otherwise.
 */
export function rebase(state: LiveState | null, run: RunDetail, seq?: number | null): LiveState {
  const next = fromSnapshot(run, seq)
  if (!state || next.seq === null || next.seq !== state.seq) return next
  return { ...state, run, waiting: { ...state.waiting, ...next.waiting } }
}

function text(value: unknown): string | undefined {
  return typeof value === 'string' ? value : undefined
}

function finite(value: unknown): number | undefined {
  return typeof value === 'number' && Number.isFinite(value) ? value : undefined
}

/** The event's outputs, keeping values the page already has for the same artifacts. */
function mergeOutputs(
  next: Record<string, NodeOutput>,
  previous: Record<string, NodeOutput> | undefined,
): Record<string, NodeOutput> {
  const merged: Record<string, NodeOutput> = {}
  for (const [port, output] of Object.entries(next)) {
    const known = previous?.[port]
    merged[port] = known && known.artifact === output.artifact ? { ...known, ...output } : output
  }
  return merged
}

/** The valid `[name, step, value]` points of a `node_metrics` payload. */
function metricPoints(points: unknown): [string, number | null, number][] {
  if (!Array.isArray(points)) return []
  const valid: [string, number | null, number][] = []
  for (const point of points) {
    if (!Array.isArray(point) || point.length < 3) continue
    const [name, step, value] = point as unknown[]
    const v = finite(value)
    if (typeof name !== 'string' || !name || v === undefined) continue
    valid.push([name, finite(step) ?? null, v])
  }
  return valid
}

/** Metrics with points appended (copying only the metrics that change), each series capped. */
export function appendMetricPoints(
  metrics: Readonly<Record<string, MetricValue>> | undefined,
  points: readonly (readonly [string, number | null, number])[],
  cap = MAX_METRIC_POINTS,
): Record<string, MetricValue> {
  const next: Record<string, MetricValue> = { ...metrics }
  const grown = new Set<string>()
  for (const [name, step, value] of points) {
    if (!grown.has(name)) {
      next[name] = { last: value, series: [...(next[name]?.series ?? [])] }
      grown.add(name)
    }
    const metric = next[name]!
    metric.series.push([step, value])
    metric.last = value
  }
  for (const name of grown) {
    const series = next[name]!.series
    if (series.length > cap) series.splice(0, series.length - cap)
  }
  return next
}

/** Changes one state copy-on-write: the first change to the run or a node copies it once. */
class Draft {
  run: RunDetail
  private nodeRuns: NodeRun[] | null = null
  private index: Map<string, number> | null = null
  private copied = new Set<number>()
  private runCopied = false
  waiting: Record<string, string> | null = null
  logs: Record<string, NodeLogBuffer> | null = null
  history: RunEvent[] | null = null

  constructor(private readonly state: Pick<LiveState, 'run' | 'waiting' | 'logs' | 'history'>) {
    this.run = state.run
  }

  private mutableRun(): RunDetail {
    if (!this.runCopied) {
      this.run = { ...this.run }
      this.runCopied = true
    }
    return this.run
  }

  /** The node run of `nodeId`, copied for writing (a new pending one when the run has none). */
  private node(nodeId: string): NodeRun {
    if (!this.nodeRuns) {
      this.nodeRuns = [...(this.run.node_runs ?? [])]
      this.mutableRun().node_runs = this.nodeRuns
      this.index = new Map(this.nodeRuns.map((nodeRun, i) => [nodeRun.node_id, i]))
    }
    let i = this.index!.get(nodeId)
    if (i === undefined) {
      i = this.nodeRuns.length
      this.nodeRuns.push({
        id: -(i + 1),
        node_id: nodeId,
        state: 'pending',
        attempt: 0,
        progress: null,
        started_at: null,
        finished_at: null,
        error: '',
      })
      this.index!.set(nodeId, i)
      this.copied.add(i)
    }
    if (!this.copied.has(i)) {
      this.nodeRuns[i] = { ...this.nodeRuns[i]! }
      this.copied.add(i)
    }
    return this.nodeRuns[i]!
  }

  private setWaiting(nodeId: string, reason: string | null) {
    const current = this.waiting ?? this.state.waiting
    if ((current[nodeId] ?? null) === reason) return
    this.waiting ??= { ...this.state.waiting }
    if (reason) this.waiting[nodeId] = reason
    else delete this.waiting[nodeId]
  }

  private addLog(event: RunEvent, base: number | null) {
    const lines = Array.isArray(event.payload.lines) ? event.payload.lines.map(String) : []
    const dropped = finite(event.payload.dropped) ?? 0
    if (!lines.length && !dropped) return
    this.logs ??= { ...this.state.logs }
    const buffer = this.logs[event.node_id] ?? { from: base ?? 0, chunks: [], lines: 0 }
    const chunks = [...buffer.chunks, { seq: event.seq, lines, dropped }]
    let count = buffer.lines + lines.length
    let from = buffer.from
    while (count > MAX_STREAMED_LOG_LINES && chunks.length > 1) {
      const first = chunks.shift()!
      count -= first.lines.length
      from = first.seq
    }
    this.logs[event.node_id] = { from, chunks, lines: count }
  }

  apply(event: RunEvent, base: number | null) {
    const payload = event.payload ?? {}
    if (HISTORY_KINDS.has(event.kind)) {
      this.history ??= [...this.state.history]
      this.history.push(event)
    }
    switch (event.kind) {
      case 'run_state': {
        const state = text(payload.state)
        if (!state) return
        const run = this.mutableRun()
        run.state = state as RunState
        const error = text(payload.error)
        if (error) run.error = error
        if (state === 'running' && !run.started_at) run.started_at = event.created_at
        if (FINISHED_RUN_STATES.has(state)) run.finished_at = event.created_at
        return
      }
      case 'node_state': {
        const state = text(payload.state)
        if (!state || !event.node_id) return
        const node = this.node(event.node_id)
        const wasRunning = node.state === 'running'
        node.state = state as NodeRunState
        const attempt = finite(payload.attempt)
        if (attempt !== undefined) node.attempt = attempt
        if (state === 'running') {
          if (!wasRunning) {
            node.started_at = event.created_at
            node.progress = 0
          }
          node.finished_at = null
          node.exit_code = null
          node.error = ''
        }
        const error = text(payload.error)
        if (error) node.error = error
        if (state === 'succeeded') node.progress = 1
        if (FINISHED_NODE_STATES.has(state)) node.finished_at = event.created_at
        if (payload.outputs && typeof payload.outputs === 'object') {
          node.outputs = mergeOutputs(payload.outputs as Record<string, NodeOutput>, node.outputs)
        }
        const cachedFrom = finite(payload.cached_from)
        if (cachedFrom !== undefined) node.cached_from = cachedFrom
        this.setWaiting(event.node_id, waitingReason(event) ?? null)
        return
      }
      case 'node_progress': {
        const progress = finite(payload.progress)
        if (progress === undefined || !event.node_id) return
        this.node(event.node_id).progress = Math.min(1, Math.max(0, progress))
        return
      }
      case 'node_waiting': {
        if (event.node_id) this.setWaiting(event.node_id, waitingReason(event) ?? null)
        return
      }
      case 'node_log':
        if (event.node_id) this.addLog(event, base)
        return
      case 'node_metrics': {
        const points = metricPoints(payload.points)
        if (!points.length || !event.node_id) return
        const node = this.node(event.node_id)
        node.metrics = appendMetricPoints(node.metrics, points)
        return
      }
      default:
        // Kinds this page does not know (e.g. run_created) only move the sequence number.
        return
    }
  }

  finish(seq: number | null, base: number | null): LiveState {
    return {
      run: this.run,
      seq,
      waiting: this.waiting ?? this.state.waiting,
      logs: this.logs ?? this.state.logs,
      history: this.history ?? this.state.history,
      base,
    }
  }
}

/**
 * What an event says about why its node waits: a reason (`node_waiting`, or a retry's delay),
 * null when the node's state changed (the reason no longer holds), undefined when it says nothing.
 */
function waitingReason(event: RunEvent): string | null | undefined {
  const payload = event.payload ?? {}
  if (event.kind === 'node_waiting') return text(payload.reason) || null
  if (event.kind !== 'node_state') return undefined
  const retryIn = finite(payload.retry_in)
  return payload.state === 'queued' && retryIn !== undefined ? `retrying in ${formatSeconds(retryIn)}` : null
}

/** Why each node waits after `events` (a run's whole history, in order). */
export function waitingAfter(events: readonly RunEvent[]): Record<string, string> {
  const waiting: Record<string, string> = {}
  for (const event of events) {
    if (!event.node_id) continue
    const reason = waitingReason(event)
    if (reason) waiting[event.node_id] = reason
    else if (reason === null) delete waiting[event.node_id]
  }
  return waiting
}

function formatSeconds(seconds: number): string {
  return seconds < 10 ? `${Number(seconds.toFixed(1))} s` : `${Math.round(seconds)} s`
}

/**
 * Applies events in order. Events at or below the state's `seq` are duplicates and skipped;
 * an event that is not the next number stops the batch and reports a gap (the rest is
 * applied after the server resumes). Without a known `seq` nothing can be checked, so events
 * wait for a snapshot.
 */
export function applyEvents(state: LiveState, events: readonly RunEvent[]): ApplyResult {
  if (state.seq === null) return { state, gap: false }
  let seq = state.seq
  let gap = false
  let draft: Draft | null = null
  for (const event of events) {
    if (typeof event.seq !== 'number' || event.seq <= seq) continue
    if (event.seq !== seq + 1) {
      gap = true
      break
    }
    draft ??= new Draft(state)
    draft.apply(event, state.base)
    seq = event.seq
  }
  return { state: draft ? draft.finish(seq, state.base) : state, gap }
}

/** The run before anything happened: every node pending. */
export function initialRun(run: RunDetail): RunDetail {
  return {
    ...run,
    state: 'pending',
    error: '',
    started_at: null,
    finished_at: null,
    node_runs: (run.node_runs ?? []).map((nodeRun) => ({
      ...nodeRun,
      state: 'pending',
      attempt: 0,
      progress: null,
      started_at: null,
      finished_at: null,
      exit_code: null,
      error: '',
      outputs: {},
      metrics: {},
    })),
  }
}

export interface Replay {
  run: RunDetail
  waiting: Readonly<Record<string, string>>
  /** When the last applied event happened (null before the first). */
  at: string | null
}

/**
 * The run as of the first `count` events of `events` (the timeline's scrubber), starting
 * from every node pending. Lenient: gaps are applied over, not refused.
 */
export function replayRun(run: RunDetail, events: readonly RunEvent[], count: number): Replay {
  const draft = new Draft({ run: initialRun(run), waiting: {}, logs: {}, history: [] })
  let at: string | null = null
  for (const event of events.slice(0, Math.max(0, count))) {
    if (event.kind === 'node_log') continue
    draft.apply(event, null)
    at = event.created_at
  }
  const state = draft.finish(null, null)
  return { run: state.run, waiting: state.waiting, at }
}

export interface LiveLog {
  /** Streamed lines after the asked sequence number, in order. */
  lines: string[]
  /** False when lines after that number may be missing (read the node again). */
  complete: boolean
  /** Some of those batches left lines out: read the node again for them. */
  dropped: boolean
}

/** The streamed log lines of a node after event `after` (a node read's `log_seq`). */
export function liveLogAfter(state: LiveState | null, nodeId: string, after: number): LiveLog {
  if (!state || state.base === null) return { lines: [], complete: false, dropped: false }
  const buffer = state.logs[nodeId]
  const from = buffer?.from ?? state.base
  const lines: string[] = []
  let dropped = false
  for (const chunk of buffer?.chunks ?? []) {
    if (chunk.seq <= after) continue
    lines.push(...chunk.lines)
    if (chunk.dropped > 0) dropped = true
  }
  return { lines, complete: after >= from, dropped }
}

/** A log with lines appended (each line ends with a newline, as the server writes them). */
export function appendLines(log: string, lines: readonly string[]): string {
  if (!lines.length) return log
  const head = log && !log.endsWith('\n') ? `${log}\n` : log
  return `${head}${lines.join('\n')}\n`
}

/**
 * A node run for the node panel: live state and timings from the run, and what only a read
 * of the node carries (exit code, metrics, the full error, output values) while that read is
 * of the same state and attempt.
 */
export function mergeNodeDetail(
  nodeRun: NodeRun | undefined,
  detail: NodeRunDetail | undefined,
): NodeRun | undefined {
  if (!detail) return nodeRun
  const { log: _log, log_seq: _logSeq, ...read } = detail
  if (!nodeRun) return read
  // The live run may predate the node's claim: take the worker and GPUs from the read then.
  const placement = {
    worker: nodeRun.worker || read.worker,
    gpus: nodeRun.gpus?.length ? nodeRun.gpus : (read.gpus ?? nodeRun.gpus),
  }
  if (read.state !== nodeRun.state || read.attempt !== nodeRun.attempt) {
    return { ...nodeRun, ...placement, metrics: nodeRun.metrics ?? read.metrics }
  }
  // A running node's metrics grow with the stream (or the run's polling): the read is older.
  const liveMetrics = nodeRun.state === 'running' && nodeRun.metrics && Object.keys(nodeRun.metrics).length
  const streamed = nodeRun.outputs && Object.keys(nodeRun.outputs).length ? nodeRun.outputs : undefined
  return {
    ...nodeRun,
    ...placement,
    exit_code: read.exit_code ?? nodeRun.exit_code,
    metrics: liveMetrics ? nodeRun.metrics : (read.metrics ?? nodeRun.metrics),
    error: read.error || nodeRun.error,
    outputs: streamed ? mergeOutputs(streamed, read.outputs) : (read.outputs ?? nodeRun.outputs),
  }
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}

function isEvent(value: unknown): value is RunEvent {
  return (
    isObject(value) &&
    typeof value.seq === 'number' &&
    typeof value.kind === 'string' &&
    isObject(value.payload ?? {})
  )
}

/** A message of the stream, or null for anything else (errors, unknown types, bad JSON). */
export function parseStreamMessage(data: unknown): RunStreamMessage | null {
  let message: unknown = data
  if (typeof data === 'string') {
    try {
      message = JSON.parse(data)
    } catch {
      return null
    }
  }
  if (!isObject(message)) return null
  if (message.type === 'snapshot' && typeof message.seq === 'number' && isObject(message.run)) {
    return { type: 'snapshot', seq: message.seq, run: message.run as unknown as RunDetail }
  }
  if (message.type === 'events' && Array.isArray(message.events)) {
    const events = message.events
      .filter(isEvent)
      .map((event) => ({ ...event, node_id: event.node_id ?? '', payload: event.payload ?? {} }))
    return { type: 'events', events }
  }
  return null
}

/** `ws://host/ws/runs/7/?after=42`, `wss:` when the page itself is served over https. */
export function runStreamUrl(
  runId: number,
  after: number | null,
  where: { protocol: string; host: string },
): string {
  const scheme = where.protocol === 'https:' ? 'wss:' : 'ws:'
  return `${scheme}//${where.host}/ws/runs/${runId}/${after === null ? '' : `?after=${after}`}`
}

export interface EventText {
  /** The node id, or null for the run itself. */
  nodeId: string | null
  /** The state it moved to, for colouring (null for other events). */
  state: string | null
  text: string
}

/** What an event says, in a few words: "running (attempt 2)", "failed: exited with code 1"… */
export function describeEvent(event: RunEvent): EventText {
  const payload = event.payload ?? {}
  const nodeId = event.node_id || null
  const state = text(payload.state) ?? null
  switch (event.kind) {
    case 'run_state': {
      const error = text(payload.error)
      return { nodeId: null, state, text: `${state ?? 'changed'}${error ? `: ${error}` : ''}` }
    }
    case 'node_state': {
      const attempt = finite(payload.attempt)
      const retryIn = finite(payload.retry_in)
      const error = text(payload.error)
      const cachedFrom = finite(payload.cached_from)
      let words = state ?? 'changed'
      if (state === 'running' && attempt !== undefined) words += ` (attempt ${attempt})`
      if (state === 'queued' && retryIn !== undefined) words += `, retrying in ${formatSeconds(retryIn)}`
      if (state === 'cached' && cachedFrom !== undefined) words += ` from run #${cachedFrom}`
      if (error) words += state === 'queued' ? ` (${error})` : `: ${error}`
      return { nodeId, state, text: words }
    }
    case 'node_waiting':
      return { nodeId, state: null, text: text(payload.reason) || 'waiting' }
    case 'node_progress':
      return { nodeId, state: null, text: `progress ${Math.round((finite(payload.progress) ?? 0) * 100)}%` }
    case 'node_log':
      return { nodeId, state: null, text: 'log' }
    case 'node_metrics': {
      const names = [...new Set(metricPoints(payload.points).map(([name]) => name))]
      return { nodeId, state: null, text: names.length ? `metrics: ${names.join(', ')}` : 'metrics' }
    }
    default:
      return { nodeId, state: null, text: event.kind.replace(/_/g, ' ') }
  }
}
