import { useCallback, useMemo, useState, type ReactNode } from 'react'
import { parseId } from '../lib/ids'
import { PipelineNotFound } from '../components/PipelineNotFound'
import { Link, useNavigate, useParams } from 'react-router-dom'
import {
  countOf,
  getPipeline,
  itemsOf,
  listOperations,
  listPipelineRuns,
  listPipelineVersions,
} from '../api/endpoints'
import type { GraphNode, Operation, PipelineDetail, PipelineVersion, ProjectRole, RunDetail } from '../api/types'
import { RelativeTime } from '../components/RelativeTime'
import { RunButton } from '../components/RunButton'
import { ExecuteDialog } from '../execute/ExecuteDialog'
import { ExportDialog } from '../export/ExportDialog'
import { DownloadIcon } from '../components/Icons'
import { StateBadge } from '../components/StateBadge'
import { ErrorState, Spinner } from '../components/States'
import { GraphPreview } from '../graph/GraphPreview'
import { useDocumentTitle } from '../hooks/useDocumentTitle'
import { isModalOpen, useKeydown } from '../hooks/useKeydown'
import { useNow } from '../hooks/useNow'
import { usePolling } from '../hooks/usePolling'
import { canEdit, canRun, useProjectRole } from '../hooks/useProjectRole'
import { useResource, type Resource } from '../hooks/useResource'
import { isErrorLike, errorMessage } from '../lib/errors'
import { nodeLabel } from '../lib/graph'
import { isModEnter, modEnterLabel } from '../lib/keys'
import { problemNodeIds, submitProblems, type Problem } from '../lib/problems'
import { isActiveRun } from '../lib/runs'
import { GitCommit } from '../yaml/GitCommit'
import { YamlDialog } from '../yaml/YamlDialog'

const VERSIONS_SHOWN = 5
const RECENT_RUNS_SHOWN = 8
const RECENT_RUNS_POLL_MS = 3000
const NO_PROBLEMS: Problem[] = []


function shortHash(hash: string): string {
  return hash.replace(/^sha256:/, '').slice(0, 10)
}

function formatValue(value: unknown): string {
  if (value === undefined) return '—'
  if (typeof value === 'string') return value === '' ? '""' : value
  return JSON.stringify(value)
}


export default function PipelinePage() {
  const { id } = useParams()
  const pipelineId = parseId(id)
  if (pipelineId === null) return <PipelineNotFound />
  return <PipelineView key={pipelineId} id={pipelineId} />
}

type VersionsAnswer = Awaited<ReturnType<typeof listPipelineVersions>>

function PipelineView({ id }: { id: number }) {
  const pipeline = useResource((signal) => getPipeline(id, signal), [id])
  const versions = useResource((signal) => listPipelineVersions(id, signal), [id])
  const operations = useResource((signal) => listOperations(signal).then(itemsOf), [])
  const [selectedNodeId, setSelectedNodeId] = useState<string | null>(null)
  const role = useProjectRole(pipeline.data?.project)
  const launcher = useRunLauncher(role)
  const [exporting, setExporting] = useState(false)
  const [viewingYaml, setViewingYaml] = useState(false)
  useDocumentTitle(pipeline.data?.name ?? (pipeline.status === 'error' ? 'Pipeline' : null))
  useKeydown((event) => {
    if (!isModEnter(event) || isModalOpen() || pipeline.status !== 'success') return
    event.preventDefault()
    launcher.open()
  })

  if (pipeline.status === 'loading') {
    return (
      <div className="page">
        <Spinner label="Loading pipeline…" />
      </div>
    )
  }
  if (pipeline.status === 'error' || !pipeline.data) {
    if (isErrorLike(pipeline.error) && pipeline.error.status === 404) return <PipelineNotFound />
    return (
      <div className="page">
        <ErrorState title="Could not load this pipeline" error={pipeline.error} onRetry={pipeline.reload} />
      </div>
    )
  }

  const data = pipeline.data
  const graph = data.graph ?? { nodes: [], edges: [], inputs: [] }
  const selectedNode = graph.nodes.find((node) => node.id === selectedNodeId) ?? null
  const operationList = operations.data ?? []

  return (
    <div className="page page-wide">
      <nav className="breadcrumbs" aria-label="Breadcrumb">
        <Link to="/pipelines/">Pipelines</Link>
        <span aria-hidden="true">/</span>
        <Link to={`/pipelines/?project=${data.project}`}>{data.project_name}</Link>
      </nav>

      <PipelineHeader
        pipeline={data}
        versions={versions}
        actions={
          <>
            {canEdit(role) && (
              <Link className="button" to={`/pipelines/${id}/edit/`}>
                Edit
              </Link>
            )}
            <button
              type="button"
              className="button"
              onClick={() => setExporting(true)}
              title="Download the pipeline as a zip that runs with python main.py"
            >
              <DownloadIcon size={16} />
              Export
            </button>
            <button
              type="button"
              className="button"
              onClick={() => setViewingYaml(true)}
              title="Read, copy or download the pipeline as a main.yml of container tasks"
            >
              View as YAML
            </button>
            {canEdit(role) && (
              <Link
                className="button"
                to={`/pipelines/${id}/deploy/`}
                title="Give a version of this pipeline an endpoint or a schedule"
              >
                Deploy
              </Link>
            )}
            <RunButton
              busy={false}
              disabledReason={launcher.disabledReason}
              shortcut={launcher.shortcut}
              onClick={launcher.open}
            />
          </>
        }
      />

      {launcher.dialogOpen && (
        <ExecuteDialog
          pipelineId={id}
          projectId={data.project}
          onClose={launcher.close}
          onStarted={launcher.started}
          onGraphRefused={launcher.refused}
        />
      )}

      {exporting && (
        <ExportDialog
          pipelineId={id}
          projectId={data.project}
          version={data.latest_version?.number ?? null}
          onClose={() => setExporting(false)}
        />
      )}

      {viewingYaml && (
        <YamlDialog pipelineId={id} pipelineName={data.name} onClose={() => setViewingYaml(false)} />
      )}

      {launcher.problems.length > 0 && (
        <RunProblems
          problems={launcher.problems}
          nodeIds={new Set(graph.nodes.map((node) => node.id))}
          onShowNode={setSelectedNodeId}
          onDismiss={launcher.dismiss}
        />
      )}

      <div className="pipeline-layout">
        <section className="card graph-card" aria-label="Graph">
          <div className="card-header">
            <h2>Graph</h2>
            <span className="subtle-note">
              Read-only preview
              {canEdit(role) && (
                <>
                  {' · '}
                  <Link to={`/pipelines/${id}/edit/`}>Open in the editor</Link>
                </>
              )}
            </span>
          </div>
          {operations.status === 'error' && (
            <div className="inline-warning" role="status">
              Operation details could not be loaded ({errorMessage(operations.error)}), so ports may be
              missing.{' '}
              <button type="button" className="link-button" onClick={operations.reload}>
                Retry
              </button>
            </div>
          )}
          {operations.status === 'loading' ? (
            <div className="graph-canvas graph-canvas-loading">
              <Spinner label="Loading graph…" />
            </div>
          ) : (
            <GraphPreview
              graph={graph}
              operations={operationList}
              selectedNodeId={selectedNodeId}
              onSelectNode={setSelectedNodeId}
              problemNodeIds={launcher.problemNodeIds}
            />
          )}
        </section>

        <aside className="pipeline-aside">
          {selectedNode && (
            <NodeDetails
              node={selectedNode}
              operation={operationList.find((operation) => operation.id === selectedNode.operation)}
              onClose={() => setSelectedNodeId(null)}
            />
          )}
          <RecentRunsPanel pipelineId={id} shortcut={launcher.shortcut} />
          <VersionsPanel versions={versions} />
          <InputsPanel inputs={graph.inputs ?? []} />
        </aside>
      </div>
    </div>
  )
}

function PipelineHeader({
  pipeline,
  versions,
  actions,
}: {
  pipeline: PipelineDetail
  versions: Resource<VersionsAnswer>
  actions: ReactNode
}) {
  const edgeCount = pipeline.graph?.edges?.length ?? 0
  const versionCount = versions.data ? countOf(versions.data) : null
  return (
    <div className="page-header">
      <div className="page-header-main">
        <h1>{pipeline.name}</h1>
        {pipeline.description ? (
          <p className="page-subtitle">{pipeline.description}</p>
        ) : (
          <p className="page-subtitle muted-italic">No description</p>
        )}
        <ul className="meta-list">
          <li>
            <span className="meta-label">Project</span> {pipeline.project_name}
          </li>
          <li>
            {pipeline.node_count} {pipeline.node_count === 1 ? 'node' : 'nodes'} · {edgeCount}{' '}
            {edgeCount === 1 ? 'edge' : 'edges'}
          </li>
          <li>
            <span className="meta-label">Latest</span>{' '}
            {pipeline.latest_version ? (
              <>
                <span className="version-tag">v{pipeline.latest_version.number}</span>
                {pipeline.latest_version.git_commit && (
                  <>
                    {' '}
                    <GitCommit sha={pipeline.latest_version.git_commit} />
                  </>
                )}
              </>
            ) : (
              'no version yet'
            )}
            {versionCount !== null && versionCount > 0 && (
              <span className="muted">
                {' '}
                of {versionCount} {versionCount === 1 ? 'version' : 'versions'}
              </span>
            )}
          </li>
          <li>
            <span className="meta-label">Updated</span> <RelativeTime value={pipeline.updated_at} />
          </li>
          {pipeline.created_by && (
            <li>
              <span className="meta-label">Created by</span> {pipeline.created_by}
            </li>
          )}
        </ul>
      </div>
      <div className="page-actions">{actions}</div>
    </div>
  )
}

interface RunLauncher {
  /** Why this user cannot run the pipeline, or null. */
  disabledReason: string | null
  shortcut: string
  dialogOpen: boolean
  problems: Problem[]
  problemNodeIds: string[]
  /** Opens the execute dialog. */
  open: () => void
  close: () => void
  started: (run: RunDetail) => void
  /** The graph stops the run from starting: shown on the page, next to the graph. */
  refused: (error: unknown) => void
  dismiss: () => void
}

/** Starting a run: the execute dialog, refusals about the graph as problems, navigation on success. */
function useRunLauncher(role: ProjectRole | null): RunLauncher {
  const navigate = useNavigate()
  const [dialogOpen, setDialogOpen] = useState(false)
  const [problems, setProblems] = useState<Problem[]>(NO_PROBLEMS)
  const allowed = canRun(role)
  const open = useCallback(() => {
    if (!allowed) return
    setProblems(NO_PROBLEMS)
    setDialogOpen(true)
  }, [allowed])
  const ids = useMemo(() => problemNodeIds(problems), [problems])
  return {
    disabledReason: allowed ? null : 'Viewers cannot run pipelines: running needs the editor role in this project.',
    shortcut: modEnterLabel(typeof navigator === 'undefined' ? '' : navigator.platform),
    dialogOpen,
    problems,
    problemNodeIds: ids,
    open,
    close: () => setDialogOpen(false),
    started: (run) => navigate(`/runs/${run.id}/`),
    refused: (error) => {
      setDialogOpen(false)
      setProblems(submitProblems(error))
    },
    dismiss: () => setProblems(NO_PROBLEMS),
  }
}

function RunProblems({
  problems,
  nodeIds,
  onShowNode,
  onDismiss,
}: {
  problems: Problem[]
  nodeIds: ReadonlySet<string>
  onShowNode: (nodeId: string) => void
  onDismiss: () => void
}) {
  return (
    <section className="run-problems" role="alert" aria-label="Run problems">
      <div className="run-problems-icon" aria-hidden="true">
        !
      </div>
      <div className="run-problems-body">
        <h2>
          {problems.length === 1
            ? 'The run could not start'
            : `The run could not start: ${problems.length} problems`}
        </h2>
        <ul className="run-problems-list">
          {problems.map((problem, index) => (
            <li key={`${index}-${problem.message}`}>
              <span>{problem.message}</span>
              {problem.nodeId && nodeIds.has(problem.nodeId) && (
                <button
                  type="button"
                  className="link-button run-problems-show"
                  onClick={() => onShowNode(problem.nodeId!)}
                >
                  Show node
                </button>
              )}
            </li>
          ))}
        </ul>
      </div>
      <button type="button" className="icon-button" aria-label="Dismiss" onClick={onDismiss}>
        <svg width="14" height="14" viewBox="0 0 16 16" aria-hidden="true">
          <path d="M4 4l8 8M12 4l-8 8" stroke="currentColor" strokeWidth="1.6" strokeLinecap="round" />
        </svg>
      </button>
    </section>
  )
}

function RecentRunsPanel({ pipelineId, shortcut }: { pipelineId: number; shortcut: string }) {
  const runs = useResource((signal) => listPipelineRuns(pipelineId, signal), [pipelineId])
  const active = runs.data?.results.some((run) => isActiveRun(run.state)) ?? false
  usePolling(runs.refresh, RECENT_RUNS_POLL_MS, active)
  const now = useNow(30_000)

  let body
  if (runs.status === 'loading') body = <Spinner label="Loading runs…" />
  else if (runs.status === 'error' || !runs.data) {
    body = (
      <p className="panel-text">
        Could not load runs.{' '}
        <button type="button" className="link-button" onClick={runs.reload}>
          Retry
        </button>
      </p>
    )
  } else if (runs.data.results.length === 0) {
    body = (
      <div className="panel-empty">
        <p className="panel-text">No runs yet.</p>
        <p className="panel-text muted">
          Press <strong>Run</strong> (<kbd>{shortcut}</kbd>) to execute this pipeline and follow it live.
        </p>
      </div>
    )
  } else {
    const shown = runs.data.results.slice(0, RECENT_RUNS_SHOWN)
    body = (
      <ol className="recent-runs">
        {shown.map((run) => (
          <li key={run.id}>
            <div className="recent-run-line">
              <Link className="recent-run-name" to={`/runs/${run.id}/`} title={run.name}>
                {run.name}
              </Link>
              <StateBadge state={run.state} />
            </div>
            <div className="version-meta">
              <RelativeTime value={run.created_at} now={now} />
              {run.created_by && <> · {run.created_by}</>}
            </div>
          </li>
        ))}
      </ol>
    )
  }
  const total = runs.data?.count ?? 0
  return (
    <section className="card panel" aria-label="Recent runs">
      <div className="panel-title-row">
        <h2 className="panel-title">Recent runs</h2>
        {total > 0 && (
          <Link className="panel-link" to="/runs/">
            All runs
          </Link>
        )}
      </div>
      {body}
    </section>
  )
}

function VersionsPanel({ versions }: { versions: Resource<VersionsAnswer> }) {
  let body
  if (versions.status === 'loading') body = <Spinner label="Loading versions…" />
  else if (versions.status === 'error' || !versions.data) {
    body = (
      <p className="panel-text">
        Could not load versions.{' '}
        <button type="button" className="link-button" onClick={versions.reload}>
          Retry
        </button>
      </p>
    )
  } else {
    const list: PipelineVersion[] = [...itemsOf(versions.data)].sort((a, b) => b.number - a.number)
    const total = countOf(versions.data)
    body = list.length ? (
      <>
        <ol className="version-list">
          {list.slice(0, VERSIONS_SHOWN).map((version) => (
            <li key={version.id}>
              <div className="version-line">
                <span className="version-tag">v{version.number}</span>
                <code className="hash" title={version.content_hash}>
                  {shortHash(version.content_hash)}
                </code>
                {version.tags.map((tag) => (
                  <span className="tag" key={tag}>
                    {tag}
                  </span>
                ))}
                <GitCommit sha={version.git_commit} />
              </div>
              <div className="version-meta">
                <RelativeTime value={version.created_at} />
                {version.created_by && <> · {version.created_by}</>}
              </div>
            </li>
          ))}
        </ol>
        {total > VERSIONS_SHOWN && (
          <p className="panel-text muted">
            and {total - VERSIONS_SHOWN} older {total - VERSIONS_SHOWN === 1 ? 'version' : 'versions'}
          </p>
        )}
      </>
    ) : (
      <p className="panel-text muted">
        No versions yet. A version is frozen, content-hashed, each time the pipeline is saved or run.
      </p>
    )
  }
  return (
    <section className="card panel" aria-label="Versions">
      <h2 className="panel-title">Versions</h2>
      {body}
    </section>
  )
}

function InputsPanel({ inputs }: { inputs: PipelineDetail['graph']['inputs'] }) {
  return (
    <section className="card panel" aria-label="Pipeline inputs">
      <h2 className="panel-title">Pipeline inputs</h2>
      {inputs.length ? (
        <dl className="kv-list">
          {inputs.map((input) => (
            <div key={input.name} className="kv-row">
              <dt>
                {input.name} {input.type && <span className="type-tag">{input.type}</span>}
              </dt>
              <dd title="Default value">{formatValue(input.default)}</dd>
            </div>
          ))}
        </dl>
      ) : (
        <p className="panel-text muted">This pipeline takes no inputs.</p>
      )}
    </section>
  )
}

function NodeDetails({
  node,
  operation,
  onClose,
}: {
  node: GraphNode
  operation: Operation | undefined
  onClose: () => void
}) {
  const params = Object.entries(node.params ?? {})
  const declared = operation?.latest_version?.parameters ?? []
  return (
    <section className="card panel panel-accent" aria-label="Selected node">
      <div className="panel-title-row">
        <h2 className="panel-title">{nodeLabel(node, operation)}</h2>
        <button type="button" className="link-button" onClick={onClose}>
          Close
        </button>
      </div>
      <p className="panel-text muted">
        {operation ? (
          <>
            {operation.name}
            {operation.latest_version && ` · v${operation.latest_version.number}`}
            {operation.builtin && ' · built-in'}
          </>
        ) : (
          `Operation #${node.operation}`
        )}
        {' · '}
        <code>{node.id}</code>
      </p>
      {operation?.description && <p className="panel-text">{operation.description}</p>}
      <h3 className="panel-subtitle">Parameters</h3>
      {params.length || declared.length ? (
        <dl className="kv-list">
          {declared.map((param) => (
            <div key={param.name} className="kv-row" title={param.description}>
              <dt>
                {param.name} <span className="type-tag">{param.type}</span>
              </dt>
              <dd>
                {param.name in (node.params ?? {}) ? (
                  formatValue(node.params[param.name])
                ) : (
                  <span className="muted">{formatValue(param.default)} (default)</span>
                )}
              </dd>
            </div>
          ))}
          {params
            .filter(([name]) => !declared.some((param) => param.name === name))
            .map(([name, value]) => (
              <div key={name} className="kv-row">
                <dt>{name}</dt>
                <dd>{formatValue(value)}</dd>
              </div>
            ))}
        </dl>
      ) : (
        <p className="panel-text muted">No parameters.</p>
      )}
    </section>
  )
}
