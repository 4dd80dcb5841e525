import { Fragment, useState } from 'react'
import { Link } from 'react-router-dom'
import { artifactDownloadUrl, itemsOf, listArtifacts, listProjects } from '../api/endpoints'
import type { Artifact } from '../api/types'
import { FilePreview, isImageName } from '../components/FilePreview'
import { DownloadIcon, SearchIcon } from '../components/Icons'
import { Pager } from '../components/Pager'
import { RelativeTime } from '../components/RelativeTime'
import { EmptyState, ErrorState, SkeletonTable } from '../components/States'
import { useDocumentTitle } from '../hooks/useDocumentTitle'
import { useListQuery } from '../hooks/useListQuery'
import { useNow } from '../hooks/useNow'
import { useResource } from '../hooks/useResource'
import { previewKind } from '../lib/filePreview'
import { formatBytes } from '../lib/format'
import { LIST_PAGE_SIZE } from '../lib/listPage'

/** Whether an artifact gets an inline preview: a PNG, or small text, CSV, TSV or JSON. */
function canPreview(artifact: Artifact): boolean {
  return isImageName(artifact.name) || previewKind(artifact.name, artifact.size) !== null
}

function ArtifactPreview({ artifact }: { artifact: Artifact }) {
  const url = artifactDownloadUrl(artifact.id)
  if (isImageName(artifact.name)) {
    return (
      <a className="output-image-link" href={url} target="_blank" rel="noreferrer">
        <img className="output-image" src={url} alt={`Preview of ${artifact.name}`} loading="lazy" />
      </a>
    )
  }
  const kind = previewKind(artifact.name, artifact.size)
  return kind ? <FilePreview artifactId={artifact.id} kind={kind} label={`Preview of ${artifact.name}`} /> : null
}

function MadeBy({ artifact }: { artifact: Artifact }) {
  if (!artifact.run) return <span className="muted">uploaded</span>
  return (
    <>
      <Link className="quiet-link" to={`/runs/${artifact.run}/`}>
        {artifact.run_name ?? `run ${artifact.run}`}
      </Link>
      {artifact.node_id && (
        <>
          {' · '}
          <Link className="quiet-link" to={`/runs/${artifact.run}/?node=${encodeURIComponent(artifact.node_id)}`}>
            {artifact.node_id}
          </Link>
        </>
      )}
    </>
  )
}

export function ArtifactsPage() {
  useDocumentTitle('Artifacts')
  const { get, set, offset } = useListQuery()
  const project = get('project')
  const text = get('q')
  const projects = useResource((signal) => listProjects(signal).then(itemsOf), [])
  const artifacts = useResource(
    (signal) => listArtifacts({ project, q: text, limit: LIST_PAGE_SIZE, offset }, signal),
    [project, text, offset],
  )
  const [open, setOpen] = useState<number | null>(null)
  const now = useNow(30_000)
  const filtered = Boolean(project || text)

  let content
  if (artifacts.status === 'error') {
    content = <ErrorState title="Could not load artifacts" error={artifacts.error} onRetry={artifacts.reload} />
  } else if (artifacts.status === 'loading' || !artifacts.data) {
    content = <SkeletonTable columns={5} label="Loading artifacts…" />
  } else if (artifacts.data.results.length === 0) {
    content = (
      <EmptyState icon={<DownloadIcon size={28} />} title={filtered ? 'No matching artifacts' : 'No artifacts yet'}>
        <p>
          {filtered
            ? 'No artifact matches these filters.'
            : 'Files that runs produce, and files you upload, appear here.'}
        </p>
      </EmptyState>
    )
  } else {
    const { results, count } = artifacts.data
    content = (
      <>
        <div className="card table-card">
          <table className="table">
            <thead>
              <tr>
                <th scope="col">Artifact</th>
                <th scope="col">Made by</th>
                <th scope="col" className="numeric">
                  Size
                </th>
                <th scope="col">Created</th>
                <th scope="col">
                  <span className="visually-hidden">Actions</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {results.map((artifact) => (
                <Fragment key={artifact.id}>
                  <tr>
                    <td className="cell-main">{artifact.name}</td>
                    <td>
                      <MadeBy artifact={artifact} />
                    </td>
                    <td className="nowrap numeric">{formatBytes(artifact.size)}</td>
                    <td className="nowrap">
                      <RelativeTime value={artifact.created_at} now={now} />
                    </td>
                    <td className="nowrap cell-actions">
                      {canPreview(artifact) && (
                        <button
                          type="button"
                          className="link-button"
                          aria-expanded={open === artifact.id}
                          aria-label={`${open === artifact.id ? 'Hide preview of' : 'Preview'} ${artifact.name}`}
                          onClick={() => setOpen((current) => (current === artifact.id ? null : artifact.id))}
                        >
                          {open === artifact.id ? 'Hide preview' : 'Preview'}
                        </button>
                      )}{' '}
                      <a
                        className="quiet-link"
                        href={artifactDownloadUrl(artifact.id)}
                        download={artifact.name}
                        aria-label={`Download ${artifact.name}`}
                      >
                        Download
                      </a>
                    </td>
                  </tr>
                  {open === artifact.id && (
                    <tr>
                      <td colSpan={5}>
                        <div className="artifact-preview">
                          <ArtifactPreview artifact={artifact} />
                        </div>
                      </td>
                    </tr>
                  )}
                </Fragment>
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
          noun="artifacts"
        />
      </>
    )
  }

  const projectList = projects.data ?? []
  return (
    <div className="page">
      <div className="page-header">
        <div>
          <h1>Artifacts</h1>
          <p className="page-subtitle">Files made by runs and uploaded to your projects.</p>
        </div>
      </div>
      <div className="toolbar filter-bar">
        <div className="search">
          <SearchIcon />
          <input
            type="search"
            className="search-input"
            placeholder="Search artifacts"
            aria-label="Search artifacts by name, run or node"
            value={text}
            onChange={(event) => set({ q: event.target.value })}
          />
        </div>
        {projectList.length > 1 && (
          <select
            className="select"
            aria-label="Filter by project"
            value={project}
            onChange={(event) => set({ project: event.target.value })}
          >
            <option value="">All projects</option>
            {projectList.map((item) => (
              <option key={item.id} value={item.id}>
                {item.name}
              </option>
            ))}
          </select>
        )}
      </div>
      {content}
    </div>
  )
}

export default ArtifactsPage
