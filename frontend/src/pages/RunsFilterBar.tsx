// The Runs page's filters (kept in the URL by `useListQuery`) and its sortable column headers.
import { useEffect, useState } from 'react'
import { itemsOf, listAllExperiments, listMetricNames, listPipelines } from '../api/endpoints'
import type { RunState } from '../api/types'
import { SearchIcon } from '../components/Icons'
import { stateLabel } from '../components/StateBadge'
import { useResource } from '../hooks/useResource'

const RUN_STATES: RunState[] = ['pending', 'running', 'succeeded', 'failed', 'cancelled']

/** The query parameters of the runs list that the filter bar and the headers set. */
export const RUN_FILTERS = ['state', 'pipeline', 'experiment', 'q', 'created_after', 'created_before'] as const

type Get = (name: string) => string
type Set = (changes: Record<string, string | null>) => void

/** A text field that updates the URL once typing pauses, not on every key. */
function DeferredInput({
  value,
  onCommit,
  ...props
}: { value: string; onCommit: (value: string) => void } & Omit<
  React.InputHTMLAttributes<HTMLInputElement>,
  'value' | 'onChange'
>) {
  const [draft, setDraft] = useState(value)
  useEffect(() => setDraft(value), [value])
  useEffect(() => {
    if (draft === value) return
    const timer = window.setTimeout(() => onCommit(draft), 300)
    return () => window.clearTimeout(timer)
  }, [draft, value, onCommit])
  return <input {...props} value={draft} onChange={(event) => setDraft(event.target.value)} />
}

export function RunsFilterBar({ get, set }: { get: Get; set: Set }) {
  const pipelines = useResource((signal) => listPipelines({}, signal).then(itemsOf), [])
  const experiments = useResource((signal) => listAllExperiments(signal), [])
  // Suggestions only: the column takes any name, so a failed read just offers none.
  const metricNames = useResource((signal) => listMetricNames(signal).catch(() => [] as string[]), [])
  const filtered = RUN_FILTERS.some((name) => get(name) !== '')
  return (
    <div className="toolbar filter-bar" role="search" aria-label="Filter runs">
      <div className="search">
        <SearchIcon />
        <DeferredInput
          type="search"
          className="search-input"
          placeholder="Search runs"
          aria-label="Search runs by run or pipeline name"
          value={get('q')}
          onCommit={(q) => set({ q })}
        />
      </div>
      <select
        className="select"
        aria-label="Filter by state"
        value={get('state')}
        onChange={(event) => set({ state: event.target.value })}
      >
        <option value="">All states</option>
        {RUN_STATES.map((state) => (
          <option key={state} value={state}>
            {stateLabel(state)}
          </option>
        ))}
      </select>
      <select
        className="select"
        aria-label="Filter by pipeline"
        value={get('pipeline')}
        onChange={(event) => set({ pipeline: event.target.value })}
      >
        <option value="">All pipelines</option>
        {(pipelines.data ?? []).map((pipeline) => (
          <option key={pipeline.id} value={pipeline.id}>
            {pipeline.name}
          </option>
        ))}
      </select>
      {(experiments.data ?? []).length > 0 && (
        <select
          className="select"
          aria-label="Filter by experiment"
          value={get('experiment')}
          onChange={(event) => set({ experiment: event.target.value })}
        >
          <option value="">All experiments</option>
          {(experiments.data ?? []).map((experiment) => (
            <option key={experiment.id} value={experiment.id}>
              {experiment.name}
            </option>
          ))}
        </select>
      )}
      <input
        type="date"
        className="select"
        aria-label="Created from"
        value={get('created_after')}
        onChange={(event) => set({ created_after: event.target.value })}
      />
      <input
        type="date"
        className="select"
        aria-label="Created until"
        value={get('created_before')}
        onChange={(event) => set({ created_before: event.target.value })}
      />
      <DeferredInput
        className="select"
        placeholder="Metric column (e.g. loss)"
        aria-label="Metric column"
        list="run-metric-names"
        value={get('metric')}
        onCommit={(metric) => set({ metric, ordering: get('ordering').includes('metric:') ? null : get('ordering') })}
      />
      <datalist id="run-metric-names">
        {(metricNames.data ?? []).map((name) => (
          <option key={name} value={name} />
        ))}
      </datalist>
      {filtered && (
        <button
          type="button"
          className="link-button"
          onClick={() => set(Object.fromEntries(RUN_FILTERS.map((name) => [name, null])))}
        >
          Clear filters
        </button>
      )}
    </div>
  )
}

/** A column header that sorts the list by `field` (ascending first, then descending). */
export function SortHeader({
  field,
  label,
  ordering,
  onOrdering,
  className,
}: {
  field: string
  label: string
  ordering: string
  onOrdering: (ordering: string) => void
  className?: string
}) {
  const direction = ordering === field ? 'ascending' : ordering === `-${field}` ? 'descending' : 'none'
  return (
    <th scope="col" className={className} aria-sort={direction}>
      <button
        type="button"
        className="link-button sort-button"
        onClick={() => onOrdering(direction === 'ascending' ? `-${field}` : field)}
      >
        {label}
        <span aria-hidden="true">{direction === 'ascending' ? ' ▲' : direction === 'descending' ? ' ▼' : ''}</span>
      </button>
    </th>
  )
}
