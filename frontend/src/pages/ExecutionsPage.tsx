import { Link } from 'react-router-dom'
import { itemsOf, listNodeRuns, listOperations, listPipelines } from '../api/endpoints'
import type { NodeRunListItem } from '../api/types'
import { PlayIcon } from '../components/Icons'
import { Pager } from '../components/Pager'
import { RelativeTime } from '../components/RelativeTime'
import { StateBadge, stateLabel } from '../components/StateBadge'
import { EmptyState, ErrorState, SkeletonTable } from '../components/States'
import { useDocumentTitle } from '../hooks/useDocumentTitle'
import { useListQuery } from '../hooks/useListQuery'
import { useNow } from '../hooks/useNow'
import { usePolling } from '../hooks/usePolling'
import { useResource } from '../hooks/useResource'
import { LIST_PAGE_SIZE } from '../lib/listPage'
import { isWorkingNodeState, NODE_STATES } from '../lib/runs'
import { elapsed, formatDuration } from '../lib/time'

/** The list is read again this often while a listed node is queued or running. */
export const EXECUTIONS_POLL_MS = 3000


const ORDERINGS: [string, string][] = [
  ['', 'Newest started'],
  ['started_at', 'Oldest started'],
  ['-duration', 'Longest'],
  ['duration', 'Shortest'],
]

function ExecutionRow({ item, now }: { item: NodeRunListItem; now: number }) {
  const duration = elapsed(item.started_at, item.finished_at, now)
  return (
    <tr>
      <td className="cell-main">
        <Link className="row-link" to={`/runs/${item.run}/?node=${encodeURIComponent(item.node_id)}`}>
          {item.node_id}
        </Link>
      </td>
      <td>{item.operation_name}</td>
      <td>
        <Link className="quiet-link" to={`/runs/${item.run}/`}>
          {item.run_name}
        </Link>
        <span className="muted"> · {item.pipeline_name}</span>
      </td>
      <td>
        <StateBadge state={item.state} />
      </td>
      <td className="nowrap">
        {item.started_at ? <RelativeTime value={item.started_at} now={now} /> : <span className="muted">—</span>}
      </td>
      <td className="nowrap numeric">
        {duration === null ? <span className="muted">—</span> : formatDuration(duration)}
      </td>
    </tr>
  )
}

export function ExecutionsPage() {
  useDocumentTitle('Executions')
  const { get, set, offset } = useListQuery()
  const state = get('state')
  const pipeline = get('pipeline')
  const operation = get('operation')
  const ordering = get('ordering')
  const pipelines = useResource((signal) => listPipelines({}, signal).then(itemsOf), [])
  const operations = useResource((signal) => listOperations(signal).then(itemsOf), [])
  const executions = useResource(
    (signal) => listNodeRuns({ state, pipeline, operation, ordering, limit: LIST_PAGE_SIZE, offset }, signal),
    [state, pipeline, operation, ordering, offset],
  )
  const results = executions.data?.results ?? []
  const active = results.some((item) => isWorkingNodeState(item.state))
  usePolling(executions.refresh, EXECUTIONS_POLL_MS, active && executions.status === 'success')
  const now = useNow(active ? 1000 : 30_000)

  let content
  if (executions.status === 'error') {
    content = <ErrorState title="Could not load executions" error={executions.error} onRetry={executions.reload} />
  } else if (executions.status === 'loading' || !executions.data) {
    content = <SkeletonTable columns={6} label="Loading executions…" />
  } else if (results.length === 0) {
    content = (
      <EmptyState icon={<PlayIcon size={28} />} title={state || pipeline || operation ? 'No matching executions' : 'No executions yet'}>
        <p>Each node of each run is an execution: it appears here once a run is started.</p>
      </EmptyState>
    )
  } else {
    content = (
      <>
        <div className="card table-card">
          <table className="table">
            <thead>
              <tr>
                <th scope="col">Node</th>
                <th scope="col">Operation</th>
                <th scope="col">Run</th>
                <th scope="col">State</th>
                <th scope="col">Started</th>
                <th scope="col" className="numeric">
                  Duration
                </th>
              </tr>
            </thead>
            <tbody>
              {results.map((item) => (
                <ExecutionRow key={item.id} item={item} now={now} />
              ))}
            </tbody>
          </table>
        </div>
        <Pager
          offset={offset}
          shown={results.length}
          count={executions.data.count}
          pageSize={LIST_PAGE_SIZE}
          onOffset={(next) => set({ offset: next })}
          noun="executions"
        />
      </>
    )
  }

  return (
    <div className="page">
      <div className="page-header">
        <div>
          <h1>Executions</h1>
          <p className="page-subtitle">Every node run across your runs.</p>
        </div>
      </div>
      <div className="toolbar filter-bar">
        <select
          className="select"
          aria-label="Filter by state"
          value={state}
          onChange={(event) => set({ state: event.target.value })}
        >
          <option value="">All states</option>
          {NODE_STATES.map((value) => (
            <option key={value} value={value}>
              {stateLabel(value)}
            </option>
          ))}
        </select>
        <select
          className="select"
          aria-label="Filter by pipeline"
          value={pipeline}
          onChange={(event) => set({ pipeline: event.target.value })}
        >
          <option value="">All pipelines</option>
          {(pipelines.data ?? []).map((item) => (
            <option key={item.id} value={item.id}>
              {item.name}
            </option>
          ))}
        </select>
        <select
          className="select"
          aria-label="Filter by operation"
          value={operation}
          onChange={(event) => set({ operation: event.target.value })}
        >
          <option value="">All operations</option>
          {(operations.data ?? []).map((item) => (
            <option key={item.id} value={item.id}>
              {item.name}
              {item.builtin ? '' : ' (project)'}
            </option>
          ))}
        </select>
        <select
          className="select"
          aria-label="Sort executions"
          value={ordering}
          onChange={(event) => set({ ordering: event.target.value })}
        >
          {ORDERINGS.map(([value, label]) => (
            <option key={value} value={value}>
              {label}
            </option>
          ))}
        </select>
      </div>
      {content}
    </div>
  )
}

export default ExecutionsPage
