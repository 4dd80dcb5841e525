import { useEffect, useMemo, useRef, useState, type ReactNode } from 'react'
import { parseId } from '../lib/ids'
import { Link, useNavigate, useSearchParams } from 'react-router-dom'
import { itemsOf, listPipelines, listProjects } from '../api/endpoints'
import type { Pipeline } from '../api/types'
import { GraphIcon, PlusIcon, SearchIcon, UploadIcon } from '../components/Icons'
import { RelativeTime } from '../components/RelativeTime'
import { EmptyState, ErrorState, SkeletonTable } from '../components/States'
import { useDocumentTitle } from '../hooks/useDocumentTitle'
import { useNow } from '../hooks/useNow'
import { useResource } from '../hooks/useResource'
import { filterPipelines } from '../lib/filter'
import { ImportYamlDialog } from '../yaml/ImportYamlDialog'
import { NewPipelineDialog } from './NewPipelineDialog'

function isTypingTarget(target: EventTarget | null): boolean {
  if (!(target instanceof HTMLElement)) return false
  return (
    target.isContentEditable ||
    target instanceof HTMLInputElement ||
    target instanceof HTMLTextAreaElement ||
    target instanceof HTMLSelectElement
  )
}


function pluralize(count: number, one: string, many = `${one}s`): string {
  return `${count} ${count === 1 ? one : many}`
}

function PipelineRow({ pipeline, now }: { pipeline: Pipeline; now: number }) {
  return (
    <tr>
      <td className="cell-main">
        <Link className="row-link" to={`/pipelines/${pipeline.id}/`}>
          {pipeline.name}
        </Link>
        {pipeline.description ? (
          <p className="row-description" title={pipeline.description}>
            {pipeline.description}
          </p>
        ) : (
          <p className="row-description muted-italic">No description</p>
        )}
      </td>
      <td>{pipeline.project_name}</td>
      <td className="numeric">{pipeline.node_count}</td>
      <td>
        {pipeline.latest_version ? (
          <span className="version-tag" title={`Content hash ${pipeline.latest_version.content_hash}`}>
            v{pipeline.latest_version.number}
          </span>
        ) : (
          <span className="muted" title="Versions are frozen when the pipeline is saved or run">
            Draft
          </span>
        )}
      </td>
      <td className="nowrap">
        <RelativeTime value={pipeline.updated_at} now={now} />
      </td>
    </tr>
  )
}

export function PipelinesPage() {
  useDocumentTitle('Pipelines')
  const navigate = useNavigate()
  const now = useNow(60_000)
  const [searchParams, setSearchParams] = useSearchParams()
  const projectFilter = parseId(searchParams.get('project'))
  const [query, setQuery] = useState('')
  const [creating, setCreating] = useState(false)
  const [importing, setImporting] = useState(false)
  const searchRef = useRef<HTMLInputElement>(null)

  const projects = useResource((signal) => listProjects(signal).then(itemsOf), [])
  const pipelines = useResource(
    (signal) => listPipelines({ project: projectFilter }, signal),
    [projectFilter],
  )

  // "/" jumps to the search box, as on GitHub and friends.
  useEffect(() => {
    const onKeyDown = (event: KeyboardEvent) => {
      if (event.key !== '/' || event.ctrlKey || event.metaKey || event.altKey) return
      if (creating || importing || isTypingTarget(event.target)) return
      const input = searchRef.current
      if (!input) return
      event.preventDefault()
      input.focus()
      input.select()
    }
    document.addEventListener('keydown', onKeyDown)
    return () => document.removeEventListener('keydown', onKeyDown)
  }, [creating, importing])

  const allPipelines = pipelines.data?.results
  const visible = useMemo(() => filterPipelines(allPipelines ?? [], query), [allPipelines, query])
  const projectList = projects.data ?? []
  const selectedProject = projectList.find((project) => project.id === projectFilter)

  function setProjectFilter(value: string) {
    const next = new URLSearchParams(searchParams)
    if (value) next.set('project', value)
    else next.delete('project')
    setSearchParams(next, { replace: true })
  }

  function retry() {
    if (projects.status === 'error') projects.reload()
    if (pipelines.status === 'error') pipelines.reload()
  }

  const newButton = (
    <button
      type="button"
      className="button button-primary"
      onClick={() => setCreating(true)}
      disabled={projects.status !== 'success'}
    >
      <PlusIcon />
      New pipeline
    </button>
  )

  const importButton = (
    <button
      type="button"
      className="button"
      onClick={() => setImporting(true)}
      disabled={projects.status !== 'success'}
      title="Create or update a pipeline from a main.yml of container tasks, or a zip of its directory"
    >
      <UploadIcon />
      Import YAML
    </button>
  )

  let content: ReactNode
  const error = pipelines.status === 'error' ? pipelines.error : projects.error
  if (pipelines.status === 'error' || projects.status === 'error') {
    content = <ErrorState title="Could not load pipelines" error={error} onRetry={retry} />
  } else if (pipelines.status === 'loading' || projects.status === 'loading' || !pipelines.data) {
    content = <SkeletonTable columns={5} label="Loading pipelines…" />
  } else if (pipelines.data.results.length === 0) {
    content = selectedProject ? (
      <EmptyState icon={<GraphIcon size={28} />} title={`No pipelines in ${selectedProject.name} yet`} action={newButton}>
        <p>Create the first one, or look at the pipelines of all projects.</p>
        <p>
          <button type="button" className="link-button" onClick={() => setProjectFilter('')}>
            Show all projects
          </button>
        </p>
      </EmptyState>
    ) : (
      <EmptyState icon={<GraphIcon size={28} />} title="No pipelines yet" action={newButton}>
        <p>
          A pipeline is a graph of operations — load data, transform it, train, evaluate — wired
          output to input. Build one on the canvas, run it on this machine or a cluster, and
          export it as a zip that runs anywhere.
        </p>
      </EmptyState>
    )
  } else if (visible.length === 0) {
    content = (
      <EmptyState icon={<SearchIcon size={28} />} title="No matching pipelines">
        <p>
          No pipeline name or description contains “{query.trim()}”.
        </p>
        <p>
          <button type="button" className="link-button" onClick={() => setQuery('')}>
            Clear search
          </button>
        </p>
      </EmptyState>
    )
  } else {
    const { count, results } = pipelines.data
    content = (
      <>
        <div className="card table-card">
          <table className="table">
            <thead>
              <tr>
                <th scope="col">Name</th>
                <th scope="col">Project</th>
                <th scope="col" className="numeric">
                  Nodes
                </th>
                <th scope="col">Version</th>
                <th scope="col">Updated</th>
              </tr>
            </thead>
            <tbody>
              {visible.map((pipeline) => (
                <PipelineRow key={pipeline.id} pipeline={pipeline} now={now} />
              ))}
            </tbody>
          </table>
        </div>
        {count > results.length && (
          <p className="table-note">
            Showing the first {results.length} of {count} pipelines
            {projectList.length > 1 ? '; choose a project to narrow the list.' : '.'}
          </p>
        )}
      </>
    )
  }

  const showToolbar =
    pipelines.status === 'success' && ((allPipelines?.length ?? 0) > 0 || projectFilter !== null)

  return (
    <div className="page">
      <div className="page-header">
        <div>
          <h1>Pipelines</h1>
          <p className="page-subtitle">Graphs of operations you can run, version and export.</p>
        </div>
        <div className="page-actions">
          {importButton}
          {newButton}
        </div>
      </div>

      {showToolbar && (
        <div className="toolbar">
          <div className="search">
            <SearchIcon />
            <input
              ref={searchRef}
              type="search"
              className="search-input"
              placeholder="Search pipelines"
              aria-label="Search pipelines by name or description"
              aria-keyshortcuts="/"
              value={query}
              onChange={(event) => setQuery(event.target.value)}
              onKeyDown={(event) => {
                if (event.key === 'Escape' && query) {
                  event.preventDefault()
                  setQuery('')
                }
              }}
            />
            {!query && (
              <kbd className="search-kbd" aria-hidden="true">
                /
              </kbd>
            )}
          </div>
          {projectList.length > 1 && (
            <select
              className="select"
              aria-label="Filter by project"
              value={projectFilter ?? ''}
              onChange={(event) => setProjectFilter(event.target.value)}
            >
              <option value="">All projects</option>
              {projectList.map((project) => (
                <option key={project.id} value={project.id}>
                  {project.name}
                </option>
              ))}
            </select>
          )}
          <span className="toolbar-count" aria-live="polite">
            {query.trim()
              ? `${visible.length} of ${pluralize(allPipelines?.length ?? 0, 'pipeline')}`
              : pluralize(allPipelines?.length ?? 0, 'pipeline')}
          </span>
        </div>
      )}

      {content}

      {creating && projects.data && (
        <NewPipelineDialog
          projects={projects.data}
          preferredProject={projectFilter}
          onClose={() => setCreating(false)}
          onCreated={(pipeline) => navigate(`/pipelines/${pipeline.id}/`)}
        />
      )}

      {importing && projects.data && (
        <ImportYamlDialog
          projects={projects.data}
          preferredProject={projectFilter}
          onClose={() => setImporting(false)}
          onImported={({ pipeline }) => navigate(`/pipelines/${pipeline.id}/`)}
        />
      )}
    </div>
  )
}
