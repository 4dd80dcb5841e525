import { useMemo } from 'react'
import { Link } from 'react-router-dom'
import { listRuns } from '../api/endpoints'
import type { Run } from '../api/types'
import { PlayIcon } from '../components/Icons'
import { RelativeTime } from '../components/RelativeTime'
import { StateBadge } from '../components/StateBadge'
import { EmptyState, ErrorState, SkeletonTable } from '../components/States'
import { useDocumentTitle } from '../hooks/useDocumentTitle'
import { useNow } from '../hooks/useNow'
import { usePolling } from '../hooks/usePolling'
import { useResource } from '../hooks/useResource'
import { isActiveRun, newestFirst } from '../lib/runs'
import { elapsed, formatDuration } from '../lib/time'

/** The list is read again this often while a listed run is pending or running, and otherwise. */
export const ACTIVE_POLL_MS = 2000
export const IDLE_POLL_MS = 10_000

function RunRow({ run, now }: { run: Run; now: number }) {
  const duration = elapsed(run.started_at, run.finished_at, now)
  return (
    <tr>
      <td className="cell-main">
        <Link className="row-link" to={`/runs/${run.id}/`}>
          {run.name}
        </Link>
        {run.debug && (
          <span className="tag tag-debug" title="Debug run: may be re-run after editing operations">
            debug
          </span>
        )}
      </td>
      <td>
        <Link className="quiet-link" to={`/pipelines/${run.pipeline}/`}>
          {run.pipeline_name}
        </Link>
      </td>
      <td>
        <StateBadge state={run.state} />
      </td>
      <td className="nowrap">
        <RelativeTime value={run.created_at} now={now} />
      </td>
      <td className="nowrap numeric">
        {duration === null ? <span className="muted">—</span> : formatDuration(duration)}
      </td>
    </tr>
  )
}

export function RunsPage() {
  useDocumentTitle('Runs')
  const runs = useResource((signal) => listRuns(signal), [])
  const results = useMemo(() => newestFirst(runs.data?.results ?? []), [runs.data])
  const active = results.some((run) => isActiveRun(run.state))
  usePolling(runs.refresh, active ? ACTIVE_POLL_MS : IDLE_POLL_MS, runs.status === 'success')
  const now = useNow(active ? 1000 : 30_000)

  let content
  if (runs.status === 'error') {
    content = <ErrorState title="Could not load runs" error={runs.error} onRetry={runs.reload} />
  } else if (runs.status === 'loading' || !runs.data) {
    content = <SkeletonTable columns={5} label="Loading runs…" />
  } else if (results.length === 0) {
    content = (
      <EmptyState icon={<PlayIcon size={28} />} title="No runs yet">
        <p>
          A run appears here each time a pipeline is executed: its graph is frozen into a
          version, every node runs on the chosen compute backend, and you can follow its
          progress, logs and outputs.
        </p>
        <p>
          <Link to="/pipelines/">Go to pipelines</Link>
        </p>
      </EmptyState>
    )
  } else {
    const { count } = runs.data
    content = (
      <>
        <div className="card table-card">
          <table className="table">
            <thead>
              <tr>
                <th scope="col">Run</th>
                <th scope="col">Pipeline</th>
                <th scope="col">State</th>
                <th scope="col">Created</th>
                <th scope="col" className="numeric">
                  Duration
                </th>
              </tr>
            </thead>
            <tbody>
              {results.map((run) => (
                <RunRow key={run.id} run={run} now={now} />
              ))}
            </tbody>
          </table>
        </div>
        {count > results.length && (
          <p className="table-note">
            Showing the latest {results.length} of {count} runs.
          </p>
        )}
      </>
    )
  }

  return (
    <div className="page">
      <div className="page-header">
        <div>
          <h1>Runs</h1>
          <p className="page-subtitle">
            Executions of your pipelines{active ? ' · refreshing while runs are in progress' : ''}.
          </p>
        </div>
      </div>
      {content}
    </div>
  )
}
