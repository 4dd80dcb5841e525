import { useCallback, useMemo, useState } from 'react'
import { parseId } from '../lib/ids'
import { Link, useNavigate, useParams, useSearchParams } from 'react-router-dom'
import { cancelRun, getPipelineVersion, itemsOf, listOperations, rerunRun } from '../api/endpoints'
import type { Connection } from '../api/liveRun'
import type { GraphNode, RunDetail } from '../api/types'
import { ConnectionStatus } from '../components/ConnectionStatus'
import { RelativeTime } from '../components/RelativeTime'
import { StateBadge, stateLabel } from '../components/StateBadge'
import { ErrorState, MissingPage, Spinner } from '../components/States'
import { RunGraph } from '../graph/RunGraph'
import { useDocumentTitle } from '../hooks/useDocumentTitle'
import { isModalOpen, useKeydown } from '../hooks/useKeydown'
import { useLiveRun, type LiveRun } from '../hooks/useLiveRun'
import { useNow } from '../hooks/useNow'
import { canRun, useProjectRole } from '../hooks/useProjectRole'
import { useResource } from '../hooks/useResource'
import { useRunHistory } from '../hooks/useRunHistory'
import { errorMessage, isErrorLike } from '../lib/errors'
import { nodeLabel } from '../lib/graph'
import { isFailed } from '../lib/nodeTable'
import { submitProblems, type Problem } from '../lib/problems'
import { NODE_STATES, nodeStateClass, runSummaryText, summarizeNodeRuns } from '../lib/runs'
import { replayRun, waitingAfter } from '../lib/runStream'
import { elapsed, formatDateTime, formatDuration, formatOffset, toDate } from '../lib/time'
import { ArchivedBadge, ClonedFrom, RunManageActions, StartedBySchedule } from './RunManageActions'
import { RunNodePanel } from './RunNodePanel'
import { RunNodeTable } from './RunNodeTable'
import { RunTimeline } from './RunTimeline'
import { ConfirmDialog } from '../components/ConfirmDialog'
import { GitCommit } from '../yaml/GitCommit'

const EMPTY_GRAPH = { nodes: [], edges: [], inputs: [] }
const VIEWER_REASON = 'Viewers cannot cancel or re-run: it needs the editor role in this project.'


function RunNotFound() {
  return <MissingPage title="Run not found" backTo="/runs/" backLabel="Back to runs" />
}

export default function RunPage() {
  const { id } = useParams()
  const runId = parseId(id)
  if (runId === null) return <RunNotFound />
  return <RunView key={runId} id={runId} />
}

function RunView({ id }: { id: number }) {
  const live = useLiveRun(id)
  useDocumentTitle(live.run?.name ?? (live.status === 'error' ? 'Run' : null))

  if (live.status === 'loading' && !live.run) {
    return (
      <div className="page">
        <Spinner label="Loading run…" />
      </div>
    )
  }
  if (!live.run) {
    if (isErrorLike(live.error) && live.error.status === 404) return <RunNotFound />
    return (
      <div className="page">
        <ErrorState title="Could not load this run" error={live.error} onRetry={live.reload} />
      </div>
    )
  }
  return <RunDetails run={live.run} live={live} />
}

type View = 'graph' | 'table'

const NO_WAITING: Readonly<Record<string, string>> = {}

function RunDetails({ run, live }: { run: RunDetail; live: LiveRun }) {
  const { active } = live
  const now = useNow(active ? 1000 : 30_000)
  const version = useResource((signal) => getPipelineVersion(run.pipeline_version, signal), [run.pipeline_version])
  const operations = useResource((signal) => listOperations(signal).then(itemsOf), [])
  const role = useProjectRole(run.project)
  const history = useRunHistory(run.id, live.live)
  const [searchParams, setSearchParams] = useSearchParams()
  const selectedNodeId = searchParams.get('node')
  const [view, setView] = useState<View>('graph')
  const [onlyFailed, setOnlyFailed] = useState(false)
  // How many of the history's events the graph shows applied; null: the run as it is now.
  const [position, setPosition] = useState<number | null>(null)
  const replaying = position !== null && position < history.events.length

  const selectNode = useCallback(
    (nodeId: string | null) =>
      setSearchParams(
        (params) => {
          const next = new URLSearchParams(params)
          if (nodeId) next.set('node', nodeId)
          else next.delete('node')
          return next
        },
        { replace: true },
      ),
    [setSearchParams],
  )

  useKeydown(
    (event) => {
      if (event.key !== 'Escape' || isModalOpen()) return
      selectNode(null)
    },
    selectedNodeId !== null,
  )

  // Why nodes wait: the whole history knows reasons given before the page was opened.
  const streamWaiting = live.live?.waiting ?? NO_WAITING
  const historyWaiting = useMemo(
    () => (history.complete ? waitingAfter(history.events) : null),
    [history.complete, history.events],
  )
  const waiting = historyWaiting ?? streamWaiting
  const replay = useMemo(
    () => (replaying ? replayRun(run, history.events, position) : null),
    [replaying, run, history.events, position],
  )
  const shownRun = replay?.run ?? run
  const shownNow = replay ? (toDate(replay.at ?? run.created_at)?.getTime() ?? now) : now

  const liveNodeRuns = run.node_runs ?? []
  const nodeRuns = shownRun.node_runs ?? []
  const graph = version.data?.graph ?? EMPTY_GRAPH
  const operationList = operations.data ?? []
  const operationsById = useMemo(() => new Map(operationList.map((op) => [op.id, op])), [operationList])
  const graphNodes = useMemo(() => new Map(graph.nodes.map((node) => [node.id, node])), [graph])
  const summary = useMemo(() => summarizeNodeRuns(nodeRuns), [nodeRuns])
  const failedIds = useMemo(
    () => new Set(nodeRuns.filter(isFailed).map((nodeRun) => nodeRun.node_id)),
    [nodeRuns],
  )
  const tableRuns = useMemo(
    () => (onlyFailed ? nodeRuns.filter(isFailed) : nodeRuns),
    [onlyFailed, nodeRuns],
  )
  const labelOf = useCallback(
    (nodeId: string) => {
      const node = graphNodes.get(nodeId)
      return node ? nodeLabel(node, operationsById.get(node.operation)) : nodeId
    },
    [graphNodes, operationsById],
  )
  const selectedNode: GraphNode | undefined = selectedNodeId ? graphNodes.get(selectedNodeId) : undefined
  const selectedRun = liveNodeRuns.find((nodeRun) => nodeRun.node_id === selectedNodeId)
  const panelOpen = selectedNodeId !== null && (selectedNode !== undefined || selectedRun !== undefined)
  const start = run.started_at ?? history.events[0]?.created_at ?? run.created_at

  return (
    <div className="page page-wide run-page">
      <nav className="breadcrumbs" aria-label="Breadcrumb">
        <Link to="/runs/">Runs</Link>
        <span aria-hidden="true">/</span>
        <Link to={`/pipelines/${run.pipeline}/`}>{run.pipeline_name}</Link>
      </nav>

      <RunHeader
        run={run}
        active={active}
        now={now}
        connection={live.connection}
        versionNumber={version.data?.number ?? null}
        disabledReason={canRun(role) ? null : VIEWER_REASON}
        onChanged={live.replace}
      />

      {run.error && (run.state === 'failed' || run.state === 'cancelled') && (
        <section className={`run-error run-error-${run.state}`} aria-label="Run error">
          <strong>{run.state === 'failed' ? 'The run failed' : 'The run was cancelled'}</strong>
          <pre>{run.error}</pre>
        </section>
      )}

      <div className={`pipeline-layout run-layout${panelOpen ? ' has-panel' : ''}`}>
        <section className={`card graph-card${replay ? ' is-replay' : ''}`} aria-label="Run graph">
          <div className="card-header run-graph-header">
            <div className="run-summary">
              <h2>{view === 'graph' ? 'Graph' : 'Nodes'}</h2>
              <span className="run-summary-text" role="status" aria-live="polite">
                {runSummaryText(summary)}
              </span>
              <div className="run-view-tools">
                <label className="filter-check" title="Show only the nodes that failed">
                  <input type="checkbox" checked={onlyFailed} onChange={(event) => setOnlyFailed(event.currentTarget.checked)} />
                  Only failed
                  <span className="filter-count" aria-hidden="true">
                    {failedIds.size}
                  </span>
                </label>
                <div className="segmented" role="group" aria-label="View">
                  <button type="button" aria-pressed={view === 'graph'} onClick={() => setView('graph')}>
                    Graph
                  </button>
                  <button type="button" aria-pressed={view === 'table'} onClick={() => setView('table')}>
                    Table
                  </button>
                </div>
              </div>
            </div>
            <SummaryBar counts={summary.counts} total={summary.total} />
          </div>
          {replay && (
            <div className="replay-note">
              <span>
                Showing the run as it was at{' '}
                <strong className="clock">{replay.at ? formatOffset(replay.at, start) : 'the start'}</strong>
                {replay.at && <span className="muted"> ({formatDateTime(replay.at)})</span>}
              </span>
              <button type="button" className="link-button" onClick={() => setPosition(null)}>
                Back to now
              </button>
            </div>
          )}
          {view === 'table' ? (
            <RunNodeTable
              nodeRuns={tableRuns}
              labelOf={labelOf}
              now={shownNow}
              waiting={replay ? replay.waiting : waiting}
              selectedNodeId={selectedNodeId}
              onSelect={selectNode}
              emptyText={onlyFailed ? 'No node failed.' : 'This run has no node runs.'}
            />
          ) : version.status === 'error' ? (
            <div className="graph-canvas graph-canvas-loading">
              <p className="panel-text">
                Could not load the graph of this run ({errorMessage(version.error)}).{' '}
                <button type="button" className="link-button" onClick={version.reload}>
                  Retry
                </button>
              </p>
            </div>
          ) : version.status === 'loading' || operations.status === 'loading' ? (
            <div className="graph-canvas graph-canvas-loading">
              <Spinner label="Loading graph…" />
            </div>
          ) : (
            <RunGraph
              graph={graph}
              operations={operationList}
              nodeRuns={nodeRuns}
              now={shownNow}
              selectedNodeId={selectedNodeId}
              onSelectNode={selectNode}
              waiting={replay ? replay.waiting : waiting}
              visibleNodeIds={onlyFailed ? failedIds : null}
              emptyFilterText="No node failed."
              inputsGiven={runInputs(run)}
            />
          )}
          {view === 'graph' && <Legend />}
        </section>

        <aside className="pipeline-aside run-aside">
          {panelOpen ? (
            <RunNodePanel
              key={selectedNodeId}
              runId={run.id}
              nodeId={selectedNodeId}
              label={labelOf(selectedNodeId)}
              operation={selectedNode ? operationsById.get(selectedNode.operation) : undefined}
              nodeRun={selectedRun}
              now={now}
              onClose={() => selectNode(null)}
              stream={{ streaming: live.streaming, live: live.live }}
              waiting={waiting[selectedNodeId]}
            />
          ) : (
            <RunInfoPanel run={run} now={now} />
          )}
        </aside>
      </div>

      <RunTimeline
        run={run}
        history={history}
        position={replaying ? position : null}
        onPosition={setPosition}
        labelOf={labelOf}
      />
    </div>
  )
}

function RunHeader({
  run,
  active,
  now,
  connection,
  versionNumber,
  disabledReason,
  onChanged,
}: {
  run: RunDetail
  active: boolean
  now: number
  connection: Connection
  versionNumber: number | null
  disabledReason: string | null
  onChanged: (run: RunDetail) => void
}) {
  const navigate = useNavigate()
  const [confirming, setConfirming] = useState(false)
  const [rerunning, setRerunning] = useState(false)
  const [problems, setProblems] = useState<Problem[]>([])
  const duration = elapsed(run.started_at, run.finished_at, now)

  const rerun = () => {
    if (rerunning) return
    setRerunning(true)
    setProblems([])
    rerunRun(run.id).then(
      (next) => navigate(`/runs/${next.id}/`),
      (error: unknown) => {
        setRerunning(false)
        setProblems(submitProblems(error))
      },
    )
  }

  return (
    <>
      <div className="page-header">
        <div className="page-header-main">
          <div className="title-row">
            <h1>{run.name}</h1>
            <StateBadge state={run.state} />
            <ArchivedBadge run={run} />
            {run.debug && (
              <span className="tag tag-debug" title="Debug run: may be re-run after editing operations">
                debug
              </span>
            )}
            <ConnectionStatus connection={connection} active={active} />
          </div>
          <ul className="meta-list">
            <li>
              <span className="meta-label">Pipeline</span>{' '}
              <Link to={`/pipelines/${run.pipeline}/`}>{run.pipeline_name}</Link>{' '}
              {versionNumber !== null ? (
                <span className="version-tag" title="The frozen pipeline version this run executes">
                  v{versionNumber}
                </span>
              ) : (
                <span className="muted">(version #{run.pipeline_version})</span>
              )}
              {run.git_commit && (
                <>
                  {' '}
                  <GitCommit sha={run.git_commit} />
                </>
              )}
            </li>
            <li>
              <span className="meta-label">Started</span>{' '}
              {run.started_at ? <RelativeTime value={run.started_at} now={now} /> : <span className="muted">not yet</span>}
            </li>
            <li>
              <span className="meta-label">{run.finished_at || !run.started_at ? 'Duration' : 'Running for'}</span>{' '}
              <span className="clock">{duration === null ? '—' : formatDuration(duration)}</span>
            </li>
            {run.created_by && (
              <li>
                <span className="meta-label">By</span> {run.created_by}
              </li>
            )}
            <ClonedFrom run={run} />
            <StartedBySchedule run={run} />
          </ul>
        </div>
        <div className="page-actions">
          {active && (
            <span className="button-tooltip" title={disabledReason ?? 'Stop this run'}>
              <button
                type="button"
                className="button button-danger-outline"
                onClick={() => setConfirming(true)}
                disabled={disabledReason !== null}
              >
                <StopIcon />
                Cancel
              </button>
            </span>
          )}
          <span
            className="button-tooltip"
            title={disabledReason ?? 'Run again as a new run; unchanged nodes come back from the cache'}
          >
            <button
              type="button"
              className="button"
              onClick={rerun}
              disabled={rerunning || disabledReason !== null}
              aria-busy={rerunning || undefined}
            >
              {rerunning ? <span className="spinner spinner-small" aria-hidden="true" /> : <RerunIcon />}
              {rerunning ? 'Starting…' : 'Re-run'}
            </button>
          </span>
          <RunManageActions run={run} active={active} disabledReason={disabledReason} onChanged={onChanged} />
        </div>
      </div>
      {problems.length > 0 && (
        <div className="form-alert" role="alert">
          <strong>The run could not be started again</strong>
          {problems.map((problem, index) => (
            <span key={`${index}-${problem.message}`}>{problem.message}</span>
          ))}
        </div>
      )}
      {confirming && (
        <CancelDialog
          run={run}
          onClose={() => setConfirming(false)}
          onCancelled={(next) => {
            setConfirming(false)
            onChanged(next)
          }}
        />
      )}
    </>
  )
}

function CancelDialog({
  run,
  onClose,
  onCancelled,
}: {
  run: RunDetail
  onClose: () => void
  onCancelled: (run: RunDetail) => void
}) {
  return (
    <ConfirmDialog
      title="Cancel this run?"
      description={
        <>
          Running nodes of <strong>{run.name}</strong> are stopped and nodes that have not started
          will not run. Finished nodes keep their outputs.
        </>
      }
      keepLabel="Keep running"
      actLabel="Cancel run"
      busyLabel="Cancelling…"
      act={() => cancelRun(run.id)}
      onDone={onCancelled}
      onClose={onClose}
    />
  )
}

function SummaryBar({ counts, total }: { counts: Record<string, number>; total: number }) {
  if (total === 0) return null
  return (
    <div className="summary-bar" aria-hidden="true">
      {NODE_STATES.filter((state) => counts[state]).map((state) => (
        <span
          key={state}
          className={`summary-bar-part ${nodeStateClass(state)}`}
          style={{ flexGrow: counts[state] }}
          title={`${counts[state]} ${stateLabel(state).toLowerCase()}`}
        />
      ))}
    </div>
  )
}

function Legend() {
  return (
    <ul className="run-legend" aria-label="Node states">
      {NODE_STATES.map((state) => (
        <li key={state} className={nodeStateClass(state)}>
          <span className="run-legend-swatch" aria-hidden="true" />
          {stateLabel(state)}
        </li>
      ))}
    </ul>
  )
}

function InfoTime({ label, value }: { label: string; value: string | null }) {
  return (
    <div className="kv-row">
      <dt>{label}</dt>
      <dd>{value ? <time dateTime={value}>{formatDateTime(value)}</time> : <span className="muted">—</span>}</dd>
    </div>
  )
}

function RunInfoPanel({ run, now }: { run: RunDetail; now: number }) {
  const duration = elapsed(run.started_at, run.finished_at, now)
  const cache = run.config?.cache
  return (
    <>
      <section className="card panel" aria-label="Run details">
        <h2 className="panel-title">Run</h2>
        <dl className="kv-list">
          <InfoTime label="Created" value={run.created_at} />
          <InfoTime label="Started" value={run.started_at} />
          <InfoTime label="Finished" value={run.finished_at} />
          <div className="kv-row">
            <dt>{run.finished_at || !run.started_at ? 'Duration' : 'Running for'}</dt>
            <dd>{duration === null ? <span className="muted">not started</span> : formatDuration(duration)}</dd>
          </div>
          <div className="kv-row">
            <dt>Cache</dt>
            <dd>{cache === false ? 'off' : 'on'}</dd>
          </div>
          <div className="kv-row">
            <dt>Run id</dt>
            <dd>#{run.id}</dd>
          </div>
        </dl>
      </section>
      <section className="card panel panel-hint">
        <p className="panel-text">
          <strong>Select a node</strong> on the graph to see its log, outputs, metrics and timings.
        </p>
        <p className="panel-text muted">Esc closes the node details.</p>
      </section>
    </>
  )
}

function StopIcon() {
  return (
    <svg width="14" height="14" viewBox="0 0 16 16" aria-hidden="true">
      <rect x="3.5" y="3.5" width="9" height="9" rx="1.5" fill="currentColor" />
    </svg>
  )
}

function RerunIcon() {
  return (
    <svg width="15" height="15" viewBox="0 0 24 24" fill="none" stroke="currentColor" strokeWidth="1.9" strokeLinecap="round" strokeLinejoin="round" aria-hidden="true">
      <path d="M20 11a8 8 0 1 0-2.3 5.7" />
      <path d="M20 4v7h-7" />
    </svg>
  )
}

/** What the run gave its pipeline inputs (names without a dot; `node.port` keys are not inputs). */
function runInputs(run: { config?: Record<string, unknown> } | null | undefined): Record<string, unknown> {
  const inputs = run?.config?.inputs
  if (typeof inputs !== 'object' || inputs === null) return {}
  return Object.fromEntries(Object.entries(inputs).filter(([key]) => !key.includes('.')))
}
