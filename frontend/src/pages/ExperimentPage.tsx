// One experiment: its description and its runs, with live state while any is in progress.

import { Link, useParams } from 'react-router-dom'
import { getExperiment, listExperimentRuns } from '../api/runsManagement'
import { CompareBar, SelectAllHeader, SelectRunCell, useRunSelection } from '../compare/CompareSelection'
import { StateBadge } from '../components/StateBadge'
import { RelativeTime } from '../components/RelativeTime'
import { EmptyState, ErrorState, MissingPage, SkeletonTable, Spinner } from '../components/States'
import { useDocumentTitle } from '../hooks/useDocumentTitle'
import { useNow } from '../hooks/useNow'
import { usePolling } from '../hooks/usePolling'
import { useResource } from '../hooks/useResource'
import { isErrorLike } from '../lib/errors'
import { parseId } from '../lib/ids'
import { isActiveRun, newestFirst } from '../lib/runs'
import { ACTIVE_POLL_MS, IDLE_POLL_MS } from './RunsPage'

export function ExperimentPage() {
  const { id } = useParams()
  const experimentId = parseId(id)
  if (experimentId === null) return <ExperimentNotFound />
  return <ExperimentView key={experimentId} id={experimentId} />
}

function ExperimentNotFound() {
  return <MissingPage title="Experiment not found" backTo="/experiments/" backLabel="Back to experiments" />
}

function ExperimentView({ id }: { id: number }) {
  const experiment = useResource((signal) => getExperiment(id, signal), [id])
  const runs = useResource((signal) => listExperimentRuns(id, false, signal), [id])
  const results = newestFirst(runs.data?.results ?? [])
  const active = results.some((run) => isActiveRun(run.state))
  usePolling(runs.refresh, active ? ACTIVE_POLL_MS : IDLE_POLL_MS, runs.status === 'success')
  const now = useNow(active ? 1000 : 30_000)
  const selection = useRunSelection()
  useDocumentTitle(experiment.data?.name ?? 'Experiment')

  if (experiment.status === 'error') {
    if (isErrorLike(experiment.error) && experiment.error.status === 404) return <ExperimentNotFound />
    return (
      <div className="page">
        <ErrorState title="Could not load this experiment" error={experiment.error} onRetry={experiment.reload} />
      </div>
    )
  }
  if (!experiment.data) {
    return (
      <div className="page">
        <Spinner label="Loading experiment…" />
      </div>
    )
  }

  let content
  if (runs.status === 'error') {
    content = <ErrorState title="Could not load its runs" error={runs.error} onRetry={runs.reload} />
  } else if (!runs.data) {
    content = <SkeletonTable columns={5} label="Loading runs…" />
  } else if (results.length === 0) {
    content = (
      <EmptyState title="No runs in this experiment">
        <p>Choose this experiment when you start a run, or move a run here from its page.</p>
      </EmptyState>
    )
  } else {
    content = (
      <>
        <CompareBar selection={selection} />
        <div className="card table-card">
          <table className="table">
            <thead>
              <tr>
                <SelectAllHeader ids={results.map((run) => run.id)} selection={selection} />
                <th scope="col">Run</th>
                <th scope="col">Pipeline</th>
                <th scope="col">State</th>
                <th scope="col">Created</th>
              </tr>
            </thead>
            <tbody>
              {results.map((run) => (
                <tr key={run.id}>
                  <SelectRunCell id={run.id} name={run.name} selection={selection} />
                  <td className="cell-main">
                    <Link className="row-link" to={`/runs/${run.id}/`}>
                      {run.name}
                    </Link>
                  </td>
                  <td>{run.pipeline_name}</td>
                  <td>
                    <StateBadge state={run.state} />
                  </td>
                  <td className="nowrap">
                    <RelativeTime value={run.created_at} now={now} />
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      </>
    )
  }

  return (
    <div className="page">
      <div className="page-header">
        <div>
          <p className="page-subtitle">
            <Link to="/experiments/">Experiments</Link>
          </p>
          <h1>{experiment.data.name}</h1>
          {experiment.data.description && <p className="page-subtitle">{experiment.data.description}</p>}
        </div>
      </div>
      {content}
    </div>
  )
}
