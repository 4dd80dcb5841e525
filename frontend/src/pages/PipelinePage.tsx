import { useState } from 'react'
import { Link, useParams } from 'react-router-dom'
import { countOf, getPipeline, itemsOf, listOperations, listPipelineVersions } from '../api/endpoints'
import type { GraphNode, Operation, PipelineDetail, PipelineVersion } from '../api/types'
import { RelativeTime } from '../components/RelativeTime'
import { ErrorState, NotFoundState, Spinner } from '../components/States'
import { GraphPreview } from '../graph/GraphPreview'
import { useDocumentTitle } from '../hooks/useDocumentTitle'
import { useResource, type Resource } from '../hooks/useResource'
import { isErrorLike, errorMessage } from '../lib/errors'
import { nodeLabel } from '../lib/graph'

const VERSIONS_SHOWN = 5

function parseId(value: string | undefined): number | null {
  return value && /^\d+$/.test(value) ? Number(value) : null
}

function shortHash(hash: string): string {
  return hash.replace(/^sha256:/, '').slice(0, 10)
}

function formatValue(value: unknown): string {
  if (value === undefined) return '—'
  if (typeof value === 'string') return value === '' ? '""' : value
  return JSON.stringify(value)
}

function PipelineNotFound() {
  return (
    <div className="page">
      <NotFoundState title="Pipeline not found" backTo="/pipelines/" backLabel="Back to pipelines">
        <p>It may have been deleted, or you may not be a member of its project.</p>
      </NotFoundState>
    </div>
  )
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
  useDocumentTitle(pipeline.data?.name ?? (pipeline.status === 'error' ? 'Pipeline' : null))

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

      <PipelineHeader pipeline={data} versions={versions} />

      <div className="pipeline-layout">
        <section className="card graph-card" aria-label="Graph">
          <div className="card-header">
            <h2>Graph</h2>
            <span className="subtle-note">Read-only preview · Editing arrives with the graph editor</span>
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
}: {
  pipeline: PipelineDetail
  versions: Resource<VersionsAnswer>
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
              <span className="version-tag">v{pipeline.latest_version.number}</span>
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
    </div>
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
