import { Link, useParams } from 'react-router-dom'
import { getRun } from '../api/endpoints'
import type { NodeRun, RunDetail } from '../api/types'
import { RelativeTime } from '../components/RelativeTime'
import { StateBadge, stateLabel } from '../components/StateBadge'
import { ErrorState, NotFoundState, Spinner } from '../components/States'
import { useDocumentTitle } from '../hooks/useDocumentTitle'
import { useNow } from '../hooks/useNow'
import { usePolling } from '../hooks/usePolling'
import { useResource } from '../hooks/useResource'
import { isErrorLike } from '../lib/errors'
import { countNodeStates, isActiveRun } from '../lib/runs'
import { elapsed, formatDateTime, formatDuration, formatTime, toDate } from '../lib/time'

const POLL_MS = 3000

function parseId(value: string | undefined): number | null {
  return value && /^\d+$/.test(value) ? Number(value) : null
}

function RunNotFound() {
  return (
    <div className="page">
      <NotFoundState title="Run not found" backTo="/runs/" backLabel="Back to runs">
        <p>It may have been deleted, or you may not be a member of its project.</p>
      </NotFoundState>
    </div>
  )
}

export function RunPage() {
  const { id } = useParams()
  const runId = parseId(id)
  if (runId === null) return <RunNotFound />
  return <RunView key={runId} id={runId} />
}

function RunView({ id }: { id: number }) {
  const run = useResource((signal) => getRun(id, signal), [id])
  const active = run.data ? isActiveRun(run.data.state) : false
  usePolling(run.refresh, POLL_MS, active)
  const now = useNow(active ? 1000 : 30_000)
  useDocumentTitle(run.data?.name ?? (run.status === 'error' ? 'Run' : null))

  if (run.status === 'loading') {
    return (
      <div className="page">
        <Spinner label="Loading run…" />
      </div>
    )
  }
  if (run.status === 'error' || !run.data) {
    if (isErrorLike(run.error) && run.error.status === 404) return <RunNotFound />
    return (
      <div className="page">
        <ErrorState title="Could not load this run" error={run.error} onRetry={run.reload} />
      </div>
    )
  }
  return <RunDetails run={run.data} now={now} active={active} />
}

function Timing({ label, value }: { label: string; value: string | null }) {
  return (
    <div className="stat">
      <dt>{label}</dt>
      <dd>{value ? <time dateTime={value}>{formatDateTime(value)}</time> : <span className="muted">—</span>}</dd>
    </div>
  )
}

function RunDetails({ run, now, active }: { run: RunDetail; now: number; active: boolean }) {
  const duration = elapsed(run.started_at, run.finished_at, now)
  const nodeRuns = run.node_runs ?? []
  const counts = countNodeStates(nodeRuns)
  return (
    <div className="page">
      <nav className="breadcrumbs" aria-label="Breadcrumb">
        <Link to="/runs/">Runs</Link>
        <span aria-hidden="true">/</span>
        <Link to={`/pipelines/${run.pipeline}/`}>{run.pipeline_name}</Link>
      </nav>

      <div className="page-header">
        <div className="page-header-main">
          <div className="title-row">
            <h1>{run.name}</h1>
            <StateBadge state={run.state} />
            {run.debug && <span className="tag tag-debug">debug</span>}
          </div>
          <ul className="meta-list">
            <li>
              <span className="meta-label">Pipeline</span>{' '}
              <Link to={`/pipelines/${run.pipeline}/`}>{run.pipeline_name}</Link>
              <span className="muted" title="Id of the frozen pipeline version this run executes">
                {' '}
                (version #{run.pipeline_version})
              </span>
            </li>
            <li>
              <span className="meta-label">Created</span> <RelativeTime value={run.created_at} now={now} />
              {run.created_by && <> by {run.created_by}</>}
            </li>
            {active && <li className="muted">Refreshing every few seconds</li>}
          </ul>
        </div>
      </div>

      <section className="card" aria-label="Timings">
        <dl className="stats">
          <Timing label="Created" value={run.created_at} />
          <Timing label="Started" value={run.started_at} />
          <Timing label="Finished" value={run.finished_at} />
          <div className="stat">
            <dt>{run.finished_at ? 'Duration' : 'Running for'}</dt>
            <dd>{duration === null ? <span className="muted">not started</span> : formatDuration(duration)}</dd>
          </div>
        </dl>
      </section>

      <section className="section" aria-label="Nodes">
        <div className="section-header">
          <h2>Nodes</h2>
          {counts.length > 0 && (
            <ul className="count-list">
              {counts.map(([state, count]) => (
                <li key={state} className={`count count-${state}`}>
                  {count} {stateLabel(state).toLowerCase()}
                </li>
              ))}
            </ul>
          )}
        </div>
        {nodeRuns.length ? (
          <div className="card table-card">
            <table className="table">
              <thead>
                <tr>
                  <th scope="col">Node</th>
                  <th scope="col">State</th>
                  <th scope="col">Started</th>
                  <th scope="col">Finished</th>
                  <th scope="col" className="numeric">
                    Duration
                  </th>
                </tr>
              </thead>
              <tbody>
                {nodeRuns.map((nodeRun) => (
                  <NodeRunRows key={nodeRun.id} nodeRun={nodeRun} now={now} />
                ))}
              </tbody>
            </table>
          </div>
        ) : (
          <p className="card panel-text empty-inline">This run has no node runs.</p>
        )}
      </section>
      <p className="subtle-note">The live run graph, logs and outputs arrive with the run view.</p>
    </div>
  )
}

function ClockTime({ value }: { value: string | null }) {
  const date = toDate(value)
  if (!date) return <span className="muted">—</span>
  return (
    <time className="clock" dateTime={date.toISOString()} title={formatDateTime(date)}>
      {formatTime(date)}
    </time>
  )
}

function NodeRunRows({ nodeRun, now }: { nodeRun: NodeRun; now: number }) {
  const duration = elapsed(nodeRun.started_at, nodeRun.finished_at, now)
  return (
    <>
      <tr className={nodeRun.error ? 'has-detail' : undefined}>
        <td className="cell-main">
          <code>{nodeRun.node_id}</code>
          {nodeRun.attempt > 1 && <span className="tag">attempt {nodeRun.attempt}</span>}
        </td>
        <td>
          <StateBadge state={nodeRun.state} />
        </td>
        <td className="nowrap">
          <ClockTime value={nodeRun.started_at} />
        </td>
        <td className="nowrap">
          <ClockTime value={nodeRun.finished_at} />
        </td>
        <td className="nowrap numeric">
          {duration === null ? <span className="muted">—</span> : formatDuration(duration)}
        </td>
      </tr>
      {nodeRun.error && (
        <tr className="detail-row">
          <td colSpan={5}>
            <pre className="error-text">{nodeRun.error}</pre>
          </td>
        </tr>
      )}
    </>
  )
}
