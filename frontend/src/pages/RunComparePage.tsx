// Runs side by side (/runs/compare/?ids=1,2,3): overview, parameters, metrics with charts,
// outputs, and the difference between the pipeline versions the runs used.

import { useMemo, useState, type ReactNode } from 'react'
import { Link, useSearchParams } from 'react-router-dom'
import { compareRuns } from '../api/compare'
import {
  bestColumns,
  byNode,
  chartedMetrics,
  differingCount,
  formatValue,
  MAX_COMPARE,
  metricGoal,
  MIN_COMPARE,
  onlyDifferences,
  parseRunIds,
  runColor,
} from '../compare/compare'
import '../compare/compare.css'
import { DiffGraph } from '../compare/DiffGraph'
import { diffSummary, STATUS_LABEL } from '../compare/diffFlow'
import { SeriesChart } from '../compare/SeriesChart'
import type { CompareRun, Comparison, GraphDiff, OutputCell } from '../compare/types'
import { isImageName } from '../components/FilePreview'
import { PlayIcon } from '../components/Icons'
import { RelativeTime } from '../components/RelativeTime'
import { StateBadge } from '../components/StateBadge'
import { EmptyState, ErrorState, SkeletonTable } from '../components/States'
import { useDocumentTitle } from '../hooks/useDocumentTitle'
import { useResource } from '../hooks/useResource'
import { formatBytes, formatNumber } from '../lib/format'
import { formatDuration } from '../lib/time'

export default function RunComparePage() {
  useDocumentTitle('Compare runs')
  const [searchParams] = useSearchParams()
  const ids = parseRunIds(searchParams.get('ids'))
  const key = ids.join(',')
  const enough = ids.length >= MIN_COMPARE && ids.length <= MAX_COMPARE
  return (
    <div className="page compare-page">
      <div className="page-header">
        <div>
          <p className="page-subtitle">
            <Link to="/runs/">Runs</Link>
          </p>
          <h1>Compare runs</h1>
        </div>
      </div>
      {enough ? (
        <ComparisonView key={key} ids={ids} />
      ) : (
        <EmptyState icon={<PlayIcon size={28} />} title={`Choose ${MIN_COMPARE} to ${MAX_COMPARE} runs`}>
          <p>
            {ids.length > MAX_COMPARE
              ? `${ids.length} runs are too many to read side by side.`
              : 'There is nothing to compare yet.'}{' '}
            Tick the runs in the runs list, then press Compare.
          </p>
          <p>
            <Link to="/runs/">Go to runs</Link>
          </p>
        </EmptyState>
      )}
    </div>
  )
}

function ComparisonView({ ids }: { ids: number[] }) {
  const comparison = useResource((signal) => compareRuns(ids, signal), [ids.join(',')])
  if (comparison.status === 'error') {
    return <ErrorState title="Could not compare these runs" error={comparison.error} onRetry={comparison.reload} />
  }
  if (!comparison.data) return <SkeletonTable columns={ids.length + 1} label="Loading the comparison…" />
  return <ComparisonSections data={comparison.data} />
}

const SECTIONS = [
  ['overview', 'Overview'],
  ['parameters', 'Parameters'],
  ['metrics', 'Metrics'],
  ['outputs', 'Outputs'],
  ['graph-diff', 'Graph diff'],
] as const

function ComparisonSections({ data }: { data: Comparison }) {
  const sections = SECTIONS.filter(([id]) => id !== 'graph-diff' || data.graph_diffs.length > 0)
  return (
    <>
      <nav className="compare-nav" aria-label="Sections">
        {sections.map(([id, label]) => (
          <a key={id} href={`#${id}`}>
            {label}
          </a>
        ))}
      </nav>
      <Overview data={data} />
      <Parameters data={data} />
      <Metrics data={data} />
      <Outputs data={data} />
      {data.graph_diffs.length > 0 && <GraphDiffs data={data} />}
    </>
  )
}

function Section({ id, title, aside, children }: { id: string; title: string; aside?: ReactNode; children: ReactNode }) {
  return (
    <section className="section compare-section" id={id} aria-labelledby={`${id}-title`}>
      <div className="section-header">
        <h2 id={`${id}-title`}>{title}</h2>
        {aside}
      </div>
      {children}
    </section>
  )
}

/** A table with one column per run, headed by the run's name in its chart colour. */
function RunsTable({
  runs,
  label,
  first = '',
  children,
}: {
  runs: CompareRun[]
  label: string
  first?: string
  children: ReactNode
}) {
  return (
    <div className="card table-card">
      <table className="table compare-table" aria-label={label}>
        <thead>
          <tr>
            <th scope="col">{first}</th>
            {runs.map((run, column) => (
              <th scope="col" key={run.id} className="compare-run-head">
                <span className="series-chart-swatch" style={{ background: runColor(column) }} aria-hidden="true" />
                {run.name}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>{children}</tbody>
      </table>
    </div>
  )
}

function NodeRow({ label, width }: { label: string; width: number }) {
  return (
    <tr className="compare-node-row">
      <th scope="rowgroup" colSpan={width + 1}>
        {label}
      </th>
    </tr>
  )
}

function DiffMark({ differs }: { differs: boolean }) {
  if (!differs) return null
  return (
    <span className="compare-diff-mark" title="The runs differ here">
      ≠<span className="visually-hidden"> differs</span>
    </span>
  )
}

function Missing() {
  return <span className="muted">—</span>
}

function Overview({ data }: { data: Comparison }) {
  const { runs } = data
  const versions = new Set(runs.map((run) => run.pipeline_version))
  const pipelines = new Set(runs.map((run) => run.pipeline))
  const row = (label: string, cell: (run: CompareRun) => ReactNode, differs = false) => (
    <tr className={differs ? 'is-different' : undefined}>
      <th scope="row">
        {label}
        <DiffMark differs={differs} />
      </th>
      {runs.map((run) => (
        <td key={run.id}>{cell(run)}</td>
      ))}
    </tr>
  )
  return (
    <Section
      id="overview"
      title="Overview"
      aside={
        <p className="subtle-note">
          {versions.size === 1
            ? `All ${runs.length} runs ran version ${runs[0]!.version_number} of ${runs[0]!.pipeline_name}.`
            : `The runs used ${versions.size} pipeline versions: see the graph diff below.`}
        </p>
      }
    >
      <RunsTable runs={runs} label="Overview">
        {row('Run', (run) => (
          <Link className="row-link" to={`/runs/${run.id}/`}>
            {run.name}
          </Link>
        ))}
        {row(
          'Pipeline',
          (run) => (
            <Link className="quiet-link" to={`/pipelines/${run.pipeline}/`}>
              {run.pipeline_name}
            </Link>
          ),
          pipelines.size > 1,
        )}
        {row('State', (run) => <StateBadge state={run.state} />)}
        {row('Version', (run) => `v${run.version_number}`, versions.size > 1)}
        {row('Created', (run) => <RelativeTime value={run.created_at} now={Date.now()} />)}
        {row('Duration', (run) =>
          run.duration_seconds === null ? <Missing /> : formatDuration(run.duration_seconds * 1000),
        )}
      </RunsTable>
    </Section>
  )
}

function Parameters({ data }: { data: Comparison }) {
  const [only, setOnly] = useState(false)
  const rows = onlyDifferences(data.params, only)
  const differing = differingCount(data.params)
  const width = data.runs.length
  return (
    <Section
      id="parameters"
      title="Parameters"
      aside={
        <label className="compare-toggle">
          <input type="checkbox" checked={only} onChange={(event) => setOnly(event.target.checked)} />
          Only differences ({differing})
        </label>
      }
    >
      {rows.length === 0 ? (
        <p className="card compare-empty muted">
          {data.params.length === 0 ? 'These runs have no parameters.' : 'Every parameter is the same in these runs.'}
        </p>
      ) : (
        <RunsTable runs={data.runs} label="Parameters" first="Parameter">
          {byNode(rows).map(([node, group]) => [
            <NodeRow key={`node-${node}`} label={data.nodes[node] ?? node} width={width} />,
            ...group.map((row) => (
              <tr key={`${node}.${row.name}`} className={row.differs ? 'is-different' : undefined}>
                <th scope="row" className="compare-row-name">
                  {row.name}
                  <DiffMark differs={row.differs} />
                </th>
                {row.values.map((value, column) => {
                  const text = formatValue(value)
                  return (
                    <td key={column} className="compare-value">
                      {text === null ? <Missing /> : <code>{text}</code>}
                    </td>
                  )
                })}
              </tr>
            )),
          ])}
        </RunsTable>
      )}
    </Section>
  )
}

function Metrics({ data }: { data: Comparison }) {
  const width = data.runs.length
  const charted = useMemo(() => chartedMetrics(data.metrics), [data.metrics])
  if (data.metrics.length === 0) {
    return (
      <Section id="metrics" title="Metrics">
        <p className="card compare-empty muted">None of these runs logged a metric.</p>
      </Section>
    )
  }
  return (
    <Section
      id="metrics"
      title="Metrics"
      aside={<p className="subtle-note">Last value of each metric; ★ marks the best (lowest loss or error, else highest).</p>}
    >
      <RunsTable runs={data.runs} label="Metrics" first="Metric">
        {byNode(data.metrics).map(([node, group]) => [
          <NodeRow key={`node-${node}`} label={data.nodes[node] ?? node} width={width} />,
          ...group.map((row) => {
            const best = bestColumns(row.last, metricGoal(row.name))
            return (
              <tr key={`${node}.${row.name}`} className={row.differs ? 'is-different' : undefined}>
                <th scope="row" className="compare-row-name">
                  {row.name}
                  <DiffMark differs={row.differs} />
                </th>
                {row.last.map((value, column) => (
                  <td key={column} className={`compare-value${best.has(column) ? ' is-best' : ''}`}>
                    {value === null ? <Missing /> : formatNumber(value)}
                    {best.has(column) && (
                      <span className="compare-best" title="Best of these runs">
                        {' '}★<span className="visually-hidden"> best</span>
                      </span>
                    )}
                  </td>
                ))}
              </tr>
            )
          }),
        ])}
      </RunsTable>
      {charted.length > 0 && (
        <div className="compare-charts">
          {charted.map((row) => (
            <SeriesChart
              key={`${row.node}.${row.name}`}
              title={`${data.nodes[row.node] ?? row.node} · ${row.name}`}
              lines={data.runs.map((run, column) => ({
                name: run.name,
                color: runColor(column),
                points: row.series[column] ?? null,
              }))}
            />
          ))}
        </div>
      )}
    </Section>
  )
}

function OutputView({ cell }: { cell: OutputCell | null }) {
  if (cell === null) return <Missing />
  if (cell.kind === 'value') {
    const text = formatValue(cell.value)
    return text === null ? <Missing /> : <code className="compare-output-value">{text}</code>
  }
  if (cell.missing || !cell.download_url) return <span className="muted">deleted artifact</span>
  const name = cell.name ?? `artifact ${cell.id}`
  return (
    <div className="compare-artifact">
      {isImageName(cell.name) && (
        <a className="output-image-link" href={cell.download_url} target="_blank" rel="noreferrer">
          <img className="output-image" src={cell.download_url} alt={`Preview of ${name}`} loading="lazy" />
        </a>
      )}
      <span>
        <a href={cell.download_url} className="quiet-link compare-artifact-name" download>
          {name}
        </a>
        <span className="compare-artifact-size"> · {formatBytes(cell.size)}</span>
      </span>
    </div>
  )
}

function Outputs({ data }: { data: Comparison }) {
  const width = data.runs.length
  if (data.outputs.length === 0) {
    return (
      <Section id="outputs" title="Outputs">
        <p className="card compare-empty muted">None of these runs has outputs yet.</p>
      </Section>
    )
  }
  return (
    <Section id="outputs" title="Outputs" aside={<p className="subtle-note">Artifacts and values per node output.</p>}>
      <RunsTable runs={data.runs} label="Outputs" first="Output">
        {byNode(data.outputs).map(([node, group]) => [
          <NodeRow key={`node-${node}`} label={data.nodes[node] ?? node} width={width} />,
          ...group.map((row) => (
            <tr key={`${node}.${row.port}`} className={row.differs ? 'is-different' : undefined}>
              <th scope="row" className="compare-row-name">
                {row.port}
                <DiffMark differs={row.differs} />
              </th>
              {row.values.map((cell, column) => (
                <td key={column} className="compare-value">
                  <OutputView cell={cell} />
                </td>
              ))}
            </tr>
          )),
        ])}
      </RunsTable>
    </Section>
  )
}

function show(value: unknown): string {
  return formatValue(value) ?? '—'
}

function DiffDetails({ diff }: { diff: GraphDiff }) {
  const nodes = diff.nodes.filter((node) => node.status !== 'same')
  const edges = diff.edges.filter((edge) => edge.status !== 'same')
  return (
    <ul className="diff-list">
      {nodes.map((node) => (
        <li key={`node-${node.id}`} className={`diff-item diff-${node.status}`}>
          <span className={`diff-chip diff-${node.status}`}>{STATUS_LABEL[node.status]}</span> node{' '}
          <strong>{node.label}</strong> <span className="muted">({node.id})</span>
          {node.changes.map((change) => (
            <span key={change.field} className="diff-change">
              {' '}
              · {change.field}: <code>{show(change.old)}</code> → <code>{show(change.new)}</code>
            </span>
          ))}
        </li>
      ))}
      {edges.map((edge) => (
        <li
          key={`edge-${edge.source}.${edge.source_port}-${edge.target}.${edge.target_port}`}
          className={`diff-item diff-${edge.status}`}
        >
          <span className={`diff-chip diff-${edge.status}`}>{STATUS_LABEL[edge.status]}</span> edge{' '}
          <code>
            {edge.source}.{edge.source_port} → {edge.target}.{edge.target_port}
          </code>
        </li>
      ))}
      {diff.params.map((param) => (
        <li key={`param-${param.node}.${param.name}`} className="diff-item diff-changed">
          <span className={`diff-chip diff-${param.status}`}>{STATUS_LABEL[param.status]}</span> parameter{' '}
          <code>
            {param.node}.{param.name}
          </code>
          : <code>{show(param.old)}</code> → <code>{show(param.new)}</code>
        </li>
      ))}
    </ul>
  )
}

function GraphDiffs({ data }: { data: Comparison }) {
  const names = new Map(data.runs.map((run) => [run.id, run.name]))
  return (
    <Section id="graph-diff" title="Graph diff">
      {data.graph_diffs.map((diff) => (
        <article key={diff.version.id} className="card compare-diff">
          <div className="card-header">
            <h3>
              Version {diff.version.number} against version {diff.base.number}
            </h3>
            <span className="subtle-note">
              used by {diff.runs.map((id) => names.get(id) ?? `run ${id}`).join(', ')}; compared with the
              version of {data.runs[0]!.name}
            </span>
          </div>
          <div className="compare-diff-body">
            <p className="compare-diff-summary">{diffSummary(diff)}.</p>
            <DiffDetails diff={diff} />
            <div className="diff-legend" aria-hidden="true">
              <span className="diff-chip diff-added">Added</span>
              <span className="diff-chip diff-removed">Removed</span>
              <span className="diff-chip diff-changed">Changed</span>
            </div>
          </div>
          <DiffGraph diff={diff} />
        </article>
      ))}
    </Section>
  )
}
