// Git repositories of a project: each a branch and folder whose `*/main.yml` files are imported
// as pipelines by "Sync now", and into which a pipeline is pushed back as a commit. Editors and
// owners link, change, sync, push and unlink; viewers see the list.

import { useId, useState } from 'react'
import { Link, useSearchParams } from 'react-router-dom'
import { isApiError } from '../api/client'
import { itemsOf, listPipelines, listProjects } from '../api/endpoints'
import {
  deleteRepository,
  listRepositories,
  shortSha,
  syncRepository,
  type Repository,
  type SyncReport,
} from '../api/repositories'
import { ConfirmDialog } from '../components/ConfirmDialog'
import { RelativeTime } from '../components/RelativeTime'
import { EmptyState, ErrorState, SkeletonTable } from '../components/States'
import { useDocumentTitle } from '../hooks/useDocumentTitle'
import { useNow } from '../hooks/useNow'
import { useResource } from '../hooks/useResource'
import { errorMessages, generalErrors } from '../lib/errors'
import { parseId } from '../lib/ids'
import { PushDialog, type PushChoice } from './PushDialog'
import { RepositoryDialog } from './RepositoryDialog'

type Pushing = { repository: Repository; pipeline?: PushChoice }

export function RepositoriesPage() {
  useDocumentTitle('Repositories')
  const [params, setParams] = useSearchParams()
  const projects = useResource((signal) => listProjects(signal).then(itemsOf), [])
  const wanted = parseId(params.get('project'))
  const project = projects.data?.find((item) => item.id === wanted) ?? projects.data?.[0] ?? null
  const canChange = project !== null && (project.role === 'editor' || project.role === 'owner')
  const listed = useResource(
    (signal) =>
      project
        ? listRepositories(project.id, signal).then((answer) => ({ project: project.id, items: itemsOf(answer) }))
        : Promise.resolve(null),
    [project?.id],
  )
  // The list of the project shown, not one left from before the projects loaded (no flash of
  // "No repositories" while the project's own list is on its way).
  const repositories = {
    ...listed,
    data: listed.data && listed.data.project === project?.id ? listed.data.items : undefined,
  }
  // What "Push a pipeline…" offers: the project's pipelines (editors only).
  const pipelines = useResource(
    (signal) =>
      project && canChange
        ? listPipelines({ project: project.id }, signal).then((page) => page.results)
        : Promise.resolve([]),
    [project?.id, canChange],
  )
  const now = useNow(30_000)
  const [linking, setLinking] = useState(false)
  const [editing, setEditing] = useState<Repository | null>(null)
  const [deleting, setDeleting] = useState<Repository | null>(null)
  const [pushing, setPushing] = useState<Pushing | null>(null)

  const changed = () => {
    void repositories.refresh()
    void pipelines.refresh()
  }

  const choicesFor = (repository: Repository): PushChoice[] =>
    (pipelines.data ?? []).map((pipeline) => ({
      id: pipeline.id,
      name: pipeline.name,
      folder: repository.pipelines.find((item) => item.id === pipeline.id)?.folder ?? '',
    }))

  let content
  if (projects.status === 'error' || repositories.status === 'error') {
    content = (
      <ErrorState
        title="Could not load repositories"
        error={projects.error ?? repositories.error}
        onRetry={() => {
          projects.reload()
          repositories.reload()
        }}
      />
    )
  } else if (projects.data && !project) {
    content = (
      <EmptyState title="No project">
        <p>You are not a member of any project yet.</p>
      </EmptyState>
    )
  } else if (!project || !repositories.data) {
    content = <SkeletonTable rows={3} columns={5} label="Loading repositories…" />
  } else if (repositories.data.length === 0) {
    content = (
      <EmptyState
        title="No repositories linked yet"
        action={
          canChange && (
            <button type="button" className="button button-primary" onClick={() => setLinking(true)}>
              Link repository
            </button>
          )
        }
      >
        <p>
          Link a git repository to keep this project&apos;s pipelines as YAML next to your code: every folder of the
          branch holding a <code>main.yml</code> becomes a pipeline when you sync, and a pipeline changed here is
          pushed back as a commit.
        </p>
      </EmptyState>
    )
  } else {
    content = (
      <div className="repository-list">
        {repositories.data.map((repository) => (
          <RepositoryCard
            key={repository.id}
            repository={repository}
            now={now}
            canChange={canChange}
            onChanged={changed}
            onEdit={() => setEditing(repository)}
            onDelete={() => setDeleting(repository)}
            onPush={(pipeline) => setPushing({ repository, pipeline })}
          />
        ))}
      </div>
    )
  }

  return (
    <div className="page">
      <div className="page-header">
        <div>
          <h1>Repositories</h1>
          <p className="page-subtitle">Git branches whose YAML pipelines this project imports, and pushes back to.</p>
        </div>
        <div className="page-actions">
          {projects.data && projects.data.length > 1 && (
            <>
              <label className="inline-label" htmlFor="repositories-project">
                Project
              </label>
              <select
                id="repositories-project"
                value={project?.id ?? ''}
                onChange={(event) => setParams({ project: event.target.value }, { replace: true })}
              >
                {projects.data.map((item) => (
                  <option key={item.id} value={item.id}>
                    {item.name}
                  </option>
                ))}
              </select>
            </>
          )}
          {canChange && repositories.data && repositories.data.length > 0 && (
            <button type="button" className="button button-primary" onClick={() => setLinking(true)}>
              Link repository
            </button>
          )}
        </div>
      </div>
      {project && !canChange && projects.data && (
        <p className="inline-warning" role="status">
          Viewers can see the repositories; linking, syncing and pushing need the editor role in this project.
        </p>
      )}
      {content}
      {project && (linking || editing) && (
        <RepositoryDialog
          projectId={project.id}
          repository={editing ?? undefined}
          onClose={() => {
            setLinking(false)
            setEditing(null)
          }}
          onSaved={() => {
            setLinking(false)
            setEditing(null)
            changed()
          }}
        />
      )}
      {deleting && (
        <ConfirmDialog
          title="Unlink this repository?"
          description={
            <>
              <code className="repository-url-inline">{deleting.url}</code> is no longer synced or pushed to. Its
              pipelines stay in the project, and the repository itself is not touched.
            </>
          }
          keepLabel="Keep it"
          actLabel="Unlink repository"
          busyLabel="Unlinking…"
          act={() => deleteRepository(deleting.id)}
          onDone={() => {
            setDeleting(null)
            changed()
          }}
          onClose={() => setDeleting(null)}
        />
      )}
      {pushing && (
        <PushDialog
          repository={pushing.repository}
          pipeline={pushing.pipeline}
          choices={pushing.pipeline ? undefined : choicesFor(pushing.repository)}
          onClose={() => setPushing(null)}
          onPushed={changed}
        />
      )}
    </div>
  )
}

/** A commit's short sha in monospace, the whole sha in its tooltip. */
export function CommitSha({ sha }: { sha: string }) {
  return (
    <code className="commit-sha" title={sha}>
      {shortSha(sha)}
    </code>
  )
}

type SyncState =
  | { status: 'idle' }
  | { status: 'busy' }
  | { status: 'done'; report: SyncReport }
  | { status: 'failed'; message: string }

function syncFailure(error: unknown): string {
  const messages = isApiError(error) && error.status === 400 ? generalErrors(error.body) : []
  return (messages.length ? messages : errorMessages(error)).join(' ')
}

function RepositoryCard({
  repository,
  now,
  canChange,
  onChanged,
  onEdit,
  onDelete,
  onPush,
}: {
  repository: Repository
  now: number
  canChange: boolean
  onChanged: () => void
  onEdit: () => void
  onDelete: () => void
  /** Opens the push dialog for one pipeline, or for a pipeline to pick when undefined. */
  onPush: (pipeline?: PushChoice) => void
}) {
  const id = useId()
  const [sync, setSync] = useState<SyncState>({ status: 'idle' })
  const busy = sync.status === 'busy'

  const syncNow = () => {
    setSync({ status: 'busy' })
    syncRepository(repository.id).then(
      (report) => {
        setSync({ status: 'done', report })
        onChanged()
      },
      (error: unknown) => {
        setSync({ status: 'failed', message: syncFailure(error) })
        onChanged()
      },
    )
  }

  return (
    <article className="card repository-card" aria-labelledby={`${id}-url`}>
      <header className="repository-head">
        <div className="repository-title">
          <h2 id={`${id}-url`} className="repository-url" title={repository.url}>
            {repository.url}
          </h2>
          <dl className="repository-facts">
            <div>
              <dt>Branch</dt>
              <dd>
                <code>{repository.branch}</code>
              </dd>
            </div>
            <div>
              <dt>Folder</dt>
              <dd>{repository.path ? <code>{repository.path}/</code> : <span className="muted">root</span>}</dd>
            </div>
            <div>
              <dt>Last synced</dt>
              <dd>
                {repository.last_synced_at ? (
                  <RelativeTime value={repository.last_synced_at} now={now} />
                ) : (
                  <span className="muted">never</span>
                )}
              </dd>
            </div>
            <div>
              <dt>Last commit</dt>
              <dd>{repository.last_commit ? <CommitSha sha={repository.last_commit} /> : <span className="muted">—</span>}</dd>
            </div>
            <div>
              <dt>Credentials</dt>
              <dd>
                {repository.has_secret ? (
                  <span className="secret-badge repository-secret">set</span>
                ) : (
                  <span className="muted">none</span>
                )}
              </dd>
            </div>
          </dl>
        </div>
        {canChange && (
          <div className="repository-actions">
            <button
              type="button"
              className="button button-primary button-small"
              onClick={syncNow}
              disabled={busy}
              aria-busy={busy || undefined}
            >
              {busy && <span className="spinner spinner-small" aria-hidden="true" />}
              {busy ? 'Syncing…' : 'Sync now'}
            </button>
            <button type="button" className="button button-small" onClick={onEdit}>
              Edit
            </button>
            <button type="button" className="button button-small button-danger-quiet" onClick={onDelete}>
              Unlink
            </button>
          </div>
        )}
      </header>

      {sync.status === 'failed' ? (
        <div className="form-alert repository-alert" role="alert">
          <p>
            <strong>Could not sync.</strong> {sync.message}
          </p>
          <p>Nothing was changed: the pipelines stay as they were.</p>
        </div>
      ) : (
        repository.last_error && (
          <div className="repository-error">
            <strong>Last sync failed:</strong> {repository.last_error}
          </div>
        )
      )}

      {sync.status === 'done' && <SyncReportView report={sync.report} onDismiss={() => setSync({ status: 'idle' })} />}

      <section className="repository-pipelines" aria-label={`Pipelines of ${repository.url}`}>
        <div className="repository-pipelines-head">
          <h3>Pipelines</h3>
          {canChange && (
            <button type="button" className="button button-small" onClick={() => onPush(undefined)}>
              Push a pipeline…
            </button>
          )}
        </div>
        {repository.pipelines.length === 0 ? (
          <p className="muted repository-none">
            None imported yet.{' '}
            {canChange && 'Sync now to import every folder holding a main.yml, or push a pipeline of the project.'}
          </p>
        ) : (
          <table className="table repository-pipelines-table">
            <thead>
              <tr>
                <th scope="col">Pipeline</th>
                <th scope="col">Folder</th>
                <th scope="col">
                  <span className="visually-hidden">Actions</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {repository.pipelines.map((pipeline) => (
                <tr key={pipeline.id}>
                  <td className="cell-main">
                    <Link to={`/pipelines/${pipeline.id}/`}>{pipeline.name}</Link>
                  </td>
                  <td>
                    <code>{[repository.path, pipeline.folder].filter(Boolean).join('/')}/</code>
                  </td>
                  <td className="numeric nowrap">
                    {canChange && (
                      <button
                        type="button"
                        className="button button-small"
                        aria-label={`Push ${pipeline.name}`}
                        onClick={() => onPush(pipeline)}
                      >
                        Push
                      </button>
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </section>
    </article>
  )
}

function SyncReportView({ report, onDismiss }: { report: SyncReport; onDismiss: () => void }) {
  const count = report.imported.length
  return (
    <section className={report.problems.length ? 'sync-report has-problems' : 'sync-report'} aria-label="Sync report">
      <div className="sync-report-head">
        <p role="status">
          <strong>Synced</strong> commit <CommitSha sha={report.commit} />: {count} pipeline{count === 1 ? '' : 's'}{' '}
          imported
          {report.problems.length > 0 &&
            `, ${report.problems.length} problem${report.problems.length === 1 ? '' : 's'}`}
          .
        </p>
        <button type="button" className="button button-ghost button-small" onClick={onDismiss}>
          Dismiss
        </button>
      </div>
      {count > 0 && (
        <ul className="sync-imported" aria-label="Imported pipelines">
          {report.imported.map((item) => (
            <li key={item.pipeline}>
              <Link to={`/pipelines/${item.pipeline}/`}>{item.name}</Link>{' '}
              <span className="muted">
                from <code>{item.folder}/</code>
                {item.version !== null && <> · version {item.version}</>}
              </span>
            </li>
          ))}
        </ul>
      )}
      {report.problems.length > 0 && (
        <ul className="sync-problems" aria-label="Problems">
          {report.problems.map((problem, index) => (
            <li key={`${problem.file}:${problem.line}:${index}`}>
              <code className="sync-problem-where">
                {problem.file}
                {problem.line !== null && `:${problem.line}`}
              </code>{' '}
              — {problem.message}
            </li>
          ))}
        </ul>
      )}
    </section>
  )
}
