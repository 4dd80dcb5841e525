import { useMemo, useState } from 'react'
import type { NodeRun } from '../api/types'
import { StateBadge } from '../components/StateBadge'
import { DEFAULT_NODE_SORT, nextSort, nodeDuration, sortNodeRuns, type NodeSort, type NodeSortKey } from '../lib/nodeTable'
import { waitingText } from '../lib/runGraph'
import { formatDateTime, formatDuration, formatTime, toDate } from '../lib/time'

/** Big runs show this many rows until asked for all. */
export const TABLE_ROWS = 200

function ClockTime({ value }: { value: string | null }) {
  const date = toDate(value)
  if (!date) return <span className="muted">—</span>
  return (
    <time className="clock" dateTime={date.toISOString()} title={formatDateTime(date)}>
      {formatTime(date)}
    </time>
  )
}

function SortableHeader({
  label,
  sortKey,
  sort,
  onSort,
  numeric = false,
}: {
  label: string
  sortKey: NodeSortKey
  sort: NodeSort
  onSort: (key: NodeSortKey) => void
  numeric?: boolean
}) {
  const active = sort.key === sortKey
  const direction = sort.descending ? 'descending' : 'ascending'
  return (
    <th scope="col" className={numeric ? 'numeric' : undefined} aria-sort={active ? direction : 'none'}>
      <button type="button" className="sort-button" onClick={() => onSort(sortKey)}>
        {label}
        <span className="sort-arrow" aria-hidden="true">
          {active ? (sort.descending ? '↓' : '↑') : '↕'}
        </span>
      </button>
    </th>
  )
}

/** Every node of the run in a table, sortable by state or duration; a name opens the node. */
export function RunNodeTable({
  nodeRuns,
  labelOf,
  now,
  waiting,
  selectedNodeId,
  onSelect,
  emptyText,
}: {
  nodeRuns: readonly NodeRun[]
  labelOf: (nodeId: string) => string
  now: number
  waiting: Readonly<Record<string, string>>
  selectedNodeId: string | null
  onSelect: (nodeId: string) => void
  emptyText: string
}) {
  const [sort, setSort] = useState<NodeSort>(DEFAULT_NODE_SORT)
  const [showAll, setShowAll] = useState(false)
  const sorted = useMemo(() => sortNodeRuns(nodeRuns, sort, now), [nodeRuns, sort, now])
  const rows = showAll ? sorted : sorted.slice(0, TABLE_ROWS)

  if (nodeRuns.length === 0) {
    return (
      <div className="run-table-view">
        <p className="panel-text empty-inline">{emptyText}</p>
      </div>
    )
  }
  return (
    <div className="run-table-view">
      <table className="table run-node-table" aria-label="Nodes of this run">
        <thead>
          <tr>
            <th scope="col">Node</th>
            <SortableHeader label="State" sortKey="state" sort={sort} onSort={(key) => setSort(nextSort(sort, key))} />
            <th scope="col" className="numeric">
              Attempt
            </th>
            <th scope="col">Started</th>
            <SortableHeader
              label="Duration"
              sortKey="duration"
              sort={sort}
              onSort={(key) => setSort(nextSort(sort, key))}
              numeric
            />
          </tr>
        </thead>
        <tbody>
          {rows.map((nodeRun) => {
            const duration = nodeDuration(nodeRun, now)
            const reason = waitingText(nodeRun.state, waiting[nodeRun.node_id])
            return (
              <tr key={nodeRun.node_id} className={nodeRun.node_id === selectedNodeId ? 'is-selected' : undefined}>
                <td className="cell-main">
                  <button type="button" className="link-button row-link" onClick={() => onSelect(nodeRun.node_id)}>
                    {labelOf(nodeRun.node_id)}
                  </button>{' '}
                  <code className="muted">{nodeRun.node_id}</code>
                </td>
                <td>
                  <StateBadge state={nodeRun.state} />
                  {reason && (nodeRun.state === 'queued' || nodeRun.state === 'pending') && (
                    <span className="table-waiting">{reason}</span>
                  )}
                </td>
                <td className="numeric">{nodeRun.attempt > 0 ? nodeRun.attempt : <span className="muted">—</span>}</td>
                <td className="nowrap">
                  <ClockTime value={nodeRun.started_at} />
                </td>
                <td className="nowrap numeric">
                  {duration === null ? <span className="muted">—</span> : formatDuration(duration)}
                </td>
              </tr>
            )
          })}
        </tbody>
      </table>
      {sorted.length > rows.length && (
        <p className="table-note">
          Showing {rows.length} of {sorted.length} nodes.{' '}
          <button type="button" className="link-button" onClick={() => setShowAll(true)}>
            Show all
          </button>
        </p>
      )}
    </div>
  )
}
