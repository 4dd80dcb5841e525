import { useMemo, useState } from 'react'
import { Link, useSearchParams } from 'react-router-dom'
import { listRunsPage } from '../api/endpoints'
import { archiveRun, restoreRun } from '../api/runsManagement'
import type { Run } from '../api/types'
import { CompareBar, SelectAllHeader, SelectRunCell, useRunSelection, type RunSelection } from '../compare/CompareSelection'
import { PlayIcon } from '../components/Icons'
import { Pager } from '../components/Pager'
import { RelativeTime } from '../components/RelativeTime'
import { StateBadge } from '../components/StateBadge'
import { EmptyState, ErrorState, SkeletonTable } from '../components/States'
import { useDocumentTitle } from '../hooks/useDocumentTitle'
import { useListQuery } from '../hooks/useListQuery'
import { useNow } from '../hooks/useNow'
import { usePolling } from '../hooks/usePolling'
import { useResource } from '../hooks/useResource'
import { formatNumber } from '../lib/format'
import { LIST_PAGE_SIZE } from '../lib/listPage'
import { isActiveRun, newestFirst } from '../lib/runs'
import { elapsed, formatDuration } from '../lib/time'
import { RUN_FILTERS, RunsFilterBar, SortHeader } from './RunsFilterBar'

/** The list is read again this often while a listed run is pending or running, and otherwise. */
export const ACTIVE_POLL_MS = 2000
export const IDLE_POLL_MS = 10_000

function RunRow({
  run,
  now,
  metric,
  onArchive,
  selection,
}: {
  run: Run
  now: number
  metric: string
  onArchive: (run: Run) => void
  selection: RunSelection
}) {
  const duration = elapsed(run.started_at, run.finished_at, now)
  return (
    <tr>
      <SelectRunCell id={run.id} name={run.name} selection={selection} />
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
      {metric && (
        <td className="nowrap numeric">
          {run.metric === null || run.metric === undefined ? <span className="muted">—</span> : formatNumber(run.metric)}
        </td>
      )}
      <td className="cell-actions">
        <button type="button" className="link-button" onClick={() => onArchive(run)}>
          {run.archived_at ? 'Restore' : 'Archive'}
          <span className="visually-hidden"> {run.name}</span>
        </button>
      </td>
    </tr>
  )
}

export function RunsPage() {
  useDocumentTitle('Runs')
  const [searchParams, setSearchParams] = useSearchParams()
  const archived = searchParams.get('view') === 'archived'
  const { get, set, offset } = useListQuery()
  const ordering = get('ordering')
  const metric = get('metric')
  const query = searchParams.toString()
  const runs = useResource(
    (signal) =>
      listRunsPage(
        {
          ...Object.fromEntries(RUN_FILTERS.map((name) => [name, get(name)])),
          metric,
          ordering,
          archived: archived ? 'true' : null,
          limit: LIST_PAGE_SIZE,
          offset,
        },
        signal,
      ),
    // The URL query holds every input of the request.
    [query],
  )
  const filtered = RUN_FILTERS.some((name) => get(name) !== '')
  const setOrdering = (next: string) => set({ ordering: next })
  const [archiveError, setArchiveError] = useState<unknown>(null)
  const toggleArchive = (run: Run) => {
    setArchiveError(null)
    ;(run.archived_at ? restoreRun(run.id) : archiveRun(run.id)).then(runs.refresh, setArchiveError)
  }
  // The server sorts; without an ordering it answers newest first, as this keeps it.
  const results = useMemo(
    () => (ordering ? (runs.data?.results ?? []) : newestFirst(runs.data?.results ?? [])),
    [runs.data, ordering],
  )
  const active = results.some((run) => isActiveRun(run.state))
  usePolling(runs.refresh, active ? ACTIVE_POLL_MS : IDLE_POLL_MS, runs.status === 'success')
  const now = useNow(active ? 1000 : 30_000)
  const selection = useRunSelection()

  let content
  if (runs.status === 'error') {
    content = <ErrorState title="Could not load runs" error={runs.error} onRetry={runs.reload} />
  } else if (runs.status === 'loading' || !runs.data) {
    content = <SkeletonTable columns={metric ? 8 : 7} label="Loading runs…" />
  } else if (results.length === 0) {
    content = (
      filtered ? (
        <EmptyState icon={<PlayIcon size={28} />} title="No matching runs">
          <p>No run matches these filters.</p>
        </EmptyState>
      ) : archived ? (
        <EmptyState icon={<PlayIcon size={28} />} title="No archived runs">
          <p>Archive a finished run to keep it out of the list; it stays here, ready to be restored.</p>
        </EmptyState>
      ) : (
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
    )
  } else {
    const { count } = runs.data
    content = (
      <>
        <div className="card table-card">
          <table className="table">
            <thead>
              <tr>
                <SelectAllHeader ids={results.map((run) => run.id)} selection={selection} />
                <SortHeader field="name" label="Run" ordering={ordering} onOrdering={setOrdering} />
                <th scope="col">Pipeline</th>
                <th scope="col">State</th>
                <SortHeader field="created_at" label="Created" ordering={ordering} onOrdering={setOrdering} />
                <SortHeader
                  field="duration"
                  label="Duration"
                  className="numeric"
                  ordering={ordering}
                  onOrdering={setOrdering}
                />
                {metric && (
                  <SortHeader
                    field={`metric:${metric}`}
                    label={metric}
                    className="numeric"
                    ordering={ordering}
                    onOrdering={setOrdering}
                  />
                )}
                <th scope="col">
                  <span className="visually-hidden">Actions</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {results.map((run) => (
                <RunRow
                  key={run.id}
                  run={run}
                  now={now}
                  metric={metric}
                  onArchive={toggleArchive}
                  selection={selection}
                />
              ))}
            </tbody>
          </table>
        </div>
        <Pager
          offset={offset}
          shown={results.length}
          count={count}
          pageSize={LIST_PAGE_SIZE}
          onOffset={(next) => set({ offset: next })}
          noun="runs"
        />
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
        <div className="segmented" role="group" aria-label="Runs shown">
          <button type="button" aria-pressed={!archived} onClick={() => setSearchParams({})}>
            Runs
          </button>
          <button type="button" aria-pressed={archived} onClick={() => setSearchParams({ view: 'archived' })}>
            Archived
          </button>
        </div>
      </div>
      <RunsFilterBar get={get} set={set} />
      <CompareBar selection={selection} />
      {archiveError !== null && <ErrorState title="Could not archive or restore the run" error={archiveError} />}
      {content}
    </div>
  )
}
