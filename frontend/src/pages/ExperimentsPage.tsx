// Experiments: runs filed together to answer one question. A list with run counts and a
// form to create one (name + description); the server's 400s land next to the fields.

import { useId, useState, type FormEvent } from 'react'
import { Link } from 'react-router-dom'
import { itemsOf, listProjects } from '../api/endpoints'
import { createExperiment, listProjectExperiments } from '../api/runsManagement'
import { EmptyState, ErrorState, SkeletonTable } from '../components/States'
import { dialogErrors, type DialogErrors } from '../execute/executeErrors'
import { useDocumentTitle } from '../hooks/useDocumentTitle'
import { useResource } from '../hooks/useResource'

const NO_ERRORS: DialogErrors = { fields: {}, general: [] }

export function ExperimentsPage() {
  useDocumentTitle('Experiments')
  const experiments = useResource((signal) => listProjectExperiments(signal), [])
  const results = experiments.data?.results ?? []

  let content
  if (experiments.status === 'error') {
    content = <ErrorState title="Could not load experiments" error={experiments.error} onRetry={experiments.reload} />
  } else if (experiments.status === 'loading' || !experiments.data) {
    content = <SkeletonTable columns={3} label="Loading experiments…" />
  } else if (results.length === 0) {
    content = (
      <EmptyState title="No experiments yet">
        <p>File runs that answer one question into an experiment to compare them side by side.</p>
      </EmptyState>
    )
  } else {
    content = (
      <div className="card table-card">
        <table className="table">
          <thead>
            <tr>
              <th scope="col">Experiment</th>
              <th scope="col">Description</th>
              <th scope="col" className="numeric">
                Runs
              </th>
            </tr>
          </thead>
          <tbody>
            {results.map((item) => (
              <tr key={item.id}>
                <td className="cell-main">
                  <Link className="row-link" to={`/experiments/${item.id}/`}>
                    {item.name}
                  </Link>
                </td>
                <td>{item.description || <span className="muted">—</span>}</td>
                <td className="numeric">{item.run_count}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    )
  }

  return (
    <div className="page">
      <div className="page-header">
        <div>
          <h1>Experiments</h1>
          <p className="page-subtitle">Runs filed together, to compare.</p>
        </div>
      </div>
      <NewExperimentForm onCreated={experiments.refresh} />
      {content}
    </div>
  )
}

function NewExperimentForm({ onCreated }: { onCreated: () => void }) {
  const id = useId()
  const projects = useResource((signal) => listProjects(signal).then(itemsOf), [])
  const [project, setProject] = useState<number | null>(null)
  const [name, setName] = useState('')
  const [description, setDescription] = useState('')
  const [busy, setBusy] = useState(false)
  const [errors, setErrors] = useState<DialogErrors>(NO_ERRORS)
  const chosen = project ?? projects.data?.[0]?.id ?? null

  const submit = (event: FormEvent) => {
    event.preventDefault()
    if (busy || chosen === null) return
    setBusy(true)
    setErrors(NO_ERRORS)
    createExperiment({ project: chosen, name: name.trim(), description }).then(
      () => {
        setBusy(false)
        setName('')
        setDescription('')
        onCreated()
      },
      (error: unknown) => {
        setBusy(false)
        setErrors(dialogErrors(error))
      },
    )
  }

  return (
    <form className="card form experiment-form" onSubmit={submit} noValidate aria-label="New experiment">
      {errors.general.length > 0 && (
        <div className="form-alert" role="alert">
          {errors.general.map((message) => (
            <span key={message}>{message}</span>
          ))}
        </div>
      )}
      {(projects.data?.length ?? 0) > 1 && (
        <div className="field">
          <label htmlFor={`${id}-project`}>Project</label>
          <select
            id={`${id}-project`}
            value={chosen ?? ''}
            onChange={(event) => setProject(Number(event.target.value))}
          >
            {projects.data?.map((item) => (
              <option key={item.id} value={item.id}>
                {item.name}
              </option>
            ))}
          </select>
          {errors.fields.project && <p className="field-error">{errors.fields.project}</p>}
        </div>
      )}
      <div className="field">
        <label htmlFor={`${id}-name`}>Name</label>
        <input
          id={`${id}-name`}
          value={name}
          maxLength={120}
          aria-invalid={errors.fields.name ? true : undefined}
          onChange={(event) => setName(event.target.value)}
        />
        {errors.fields.name && <p className="field-error">{errors.fields.name}</p>}
      </div>
      <div className="field">
        <label htmlFor={`${id}-description`}>
          Description <span className="optional">optional</span>
        </label>
        <textarea
          id={`${id}-description`}
          value={description}
          rows={2}
          aria-invalid={errors.fields.description ? true : undefined}
          onChange={(event) => setDescription(event.target.value)}
        />
        {errors.fields.description && <p className="field-error">{errors.fields.description}</p>}
      </div>
      <div className="form-actions">
        <button type="submit" className="button button-primary" disabled={busy || chosen === null}>
          {busy ? 'Creating…' : 'Create experiment'}
        </button>
      </div>
    </form>
  )
}
