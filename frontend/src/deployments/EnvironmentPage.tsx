// A project's environment variables: what deployments' `env` mappings read when a run starts.
// A secret one's value is encrypted and never shown again (write-only); changing a value takes
// effect at the next call or tick.

import { useEffect, useId, useState, type FormEvent } from 'react'
import { useSearchParams } from 'react-router-dom'
import { isApiError } from '../api/client'
import {
  createEnvironmentVariable,
  deleteEnvironmentVariable,
  listEnvironmentVariables,
  updateEnvironmentVariable,
  type EnvironmentVariable,
} from '../api/deployments'
import { itemsOf, listProjects } from '../api/endpoints'
import { ConfirmDialog } from '../components/ConfirmDialog'
import { RelativeTime } from '../components/RelativeTime'
import { EmptyState, ErrorState, SkeletonTable } from '../components/States'
import { useDocumentTitle } from '../hooks/useDocumentTitle'
import { useNow } from '../hooks/useNow'
import { useResource } from '../hooks/useResource'
import { errorMessages, fieldErrors, generalErrors } from '../lib/errors'
import { parseId } from '../lib/ids'
import { DeploymentTabs } from './DeploymentTabs'

export const VARIABLE_NAME = /^[A-Z_][A-Z0-9_]{0,127}$/

export function variableNameProblem(name: string): string | null {
  if (!name) return 'Enter a name, e.g. API_URL.'
  if (/[a-z]/.test(name)) return 'Use upper case letters (A-Z), digits and _.'
  if (!VARIABLE_NAME.test(name)) return 'Use A-Z, 0-9 and _, not starting with a digit.'
  return null
}

type Errors = { name?: string; value?: string; general: string[] }

function placed(error: unknown): Errors {
  if (isApiError(error) && error.status === 400) {
    const fields = fieldErrors(error.body)
    const result: Errors = { general: generalErrors(error.body) }
    for (const [key, messages] of Object.entries(fields)) {
      if (key === 'name' || key === 'value') result[key] = messages.join(' ')
      else result.general.push(...messages)
    }
    return result
  }
  return { general: errorMessages(error) }
}

export function EnvironmentPage() {
  useDocumentTitle('Environment variables')
  const [params, setParams] = useSearchParams()
  const projects = useResource((signal) => listProjects(signal).then(itemsOf), [])
  const wanted = parseId(params.get('project'))
  const project = projects.data?.find((item) => item.id === wanted) ?? projects.data?.[0] ?? null
  const variables = useResource(
    (signal) => (project ? listEnvironmentVariables(project.id, signal).then(itemsOf) : Promise.resolve([])),
    [project?.id],
  )
  const now = useNow(30_000)
  const canChange = project !== null && (project.role === 'editor' || project.role === 'owner')
  const [deleting, setDeleting] = useState<EnvironmentVariable | null>(null)

  let content
  if (projects.status === 'error' || variables.status === 'error') {
    content = (
      <ErrorState
        title="Could not load environment variables"
        error={projects.error ?? variables.error}
        onRetry={() => {
          projects.reload()
          variables.reload()
        }}
      />
    )
  } else if (!projects.data || !variables.data) {
    content = <SkeletonTable columns={4} label="Loading environment variables…" />
  } else if (!project) {
    content = (
      <EmptyState title="No project">
        <p>You are not a member of any project yet.</p>
      </EmptyState>
    )
  } else {
    content = (
      <>
        {canChange && <NewVariableForm projectId={project.id} onCreated={() => void variables.refresh()} />}
        {variables.data.length === 0 ? (
          <EmptyState title="No environment variables yet">
            <p>
              A deployment maps a step input to a variable by name; its value is read when each run starts. Mark API
              keys and passwords <strong>secret</strong>: they are stored encrypted and never shown again.
            </p>
          </EmptyState>
        ) : (
          <div className="card table-card">
            <table className="table" aria-label="Environment variables">
              <thead>
                <tr>
                  <th scope="col">Name</th>
                  <th scope="col">Value</th>
                  <th scope="col">Updated</th>
                  <th scope="col">
                    <span className="visually-hidden">Actions</span>
                  </th>
                </tr>
              </thead>
              <tbody>
                {variables.data.map((variable) => (
                  <VariableRow
                    key={variable.id}
                    variable={variable}
                    now={now}
                    canChange={canChange}
                    onChanged={() => void variables.refresh()}
                    onDelete={() => setDeleting(variable)}
                  />
                ))}
              </tbody>
            </table>
          </div>
        )}
      </>
    )
  }

  return (
    <div className="page">
      <div className="page-header">
        <div>
          <h1>Environment variables</h1>
          <p className="page-subtitle">
            Values deployments read when a run starts: API URLs, keys, thresholds. Per project.
          </p>
        </div>
        {projects.data && projects.data.length > 1 && (
          <div className="page-actions">
            <label className="inline-label" htmlFor="environment-project">
              Project
            </label>
            <select
              id="environment-project"
              value={project?.id ?? ''}
              onChange={(event) => setParams({ project: event.target.value }, { replace: true })}
            >
              {projects.data.map((item) => (
                <option key={item.id} value={item.id}>
                  {item.name}
                </option>
              ))}
            </select>
          </div>
        )}
      </div>
      <DeploymentTabs />
      {project && !canChange && projects.data && (
        <p className="inline-warning" role="status">
          Viewers can see the variables; changing them needs the editor role in this project.
        </p>
      )}
      {content}
      {deleting && (
        <ConfirmDialog
          title={`Delete ${deleting.name}?`}
          description="Deployments that read it can no longer start runs until it is created again."
          keepLabel="Keep it"
          actLabel="Delete variable"
          busyLabel="Deleting…"
          act={() => deleteEnvironmentVariable(deleting.id)}
          onDone={() => {
            setDeleting(null)
            void variables.refresh()
          }}
          onClose={() => setDeleting(null)}
        />
      )}
    </div>
  )
}

function NewVariableForm({ projectId, onCreated }: { projectId: number; onCreated: () => void }) {
  const id = useId()
  const [name, setName] = useState('')
  const [value, setValue] = useState('')
  const [secret, setSecret] = useState(false)
  const [touched, setTouched] = useState(false)
  const [errors, setErrors] = useState<Errors>({ general: [] })
  const [busy, setBusy] = useState(false)
  useEffect(() => setErrors({ general: [] }), [projectId])
  const liveName = touched && name ? variableNameProblem(name) : null
  const nameError = errors.name ?? liveName

  const submit = (event: FormEvent) => {
    event.preventDefault()
    if (busy) return
    const problem = variableNameProblem(name.trim())
    setTouched(true)
    if (problem) {
      setErrors({ name: problem, general: [] })
      return
    }
    setBusy(true)
    setErrors({ general: [] })
    createEnvironmentVariable({ project: projectId, name: name.trim(), value, secret }).then(
      () => {
        setBusy(false)
        setName('')
        setValue('')
        setSecret(false)
        setTouched(false)
        onCreated()
      },
      (error: unknown) => {
        setBusy(false)
        setErrors(placed(error))
      },
    )
  }

  return (
    <form className="card form env-form" onSubmit={submit} noValidate aria-label="New environment variable">
      {errors.general.length > 0 && (
        <div className="form-alert" role="alert">
          {errors.general.map((message) => (
            <span key={message}>{message}</span>
          ))}
        </div>
      )}
      <div className="env-form-row">
        <div className="field">
          <label htmlFor={`${id}-name`}>Name</label>
          <input
            id={`${id}-name`}
            className="mono"
            value={name}
            placeholder="API_URL"
            spellCheck={false}
            autoComplete="off"
            aria-invalid={nameError ? true : undefined}
            onChange={(event) => {
              setTouched(true)
              setName(event.target.value)
              setErrors((current) => ({ ...current, name: undefined }))
            }}
          />
          {nameError && <p className="field-error">{nameError}</p>}
        </div>
        <div className="field env-form-value">
          <label htmlFor={`${id}-value`}>Value</label>
          <input
            id={`${id}-value`}
            className="mono"
            type={secret ? 'password' : 'text'}
            value={value}
            spellCheck={false}
            autoComplete="off"
            aria-invalid={errors.value ? true : undefined}
            onChange={(event) => setValue(event.target.value)}
          />
          {errors.value && <p className="field-error">{errors.value}</p>}
        </div>
        <label className="checkbox env-form-secret">
          <input type="checkbox" checked={secret} onChange={(event) => setSecret(event.target.checked)} />
          Secret
        </label>
        <button type="submit" className="button button-primary" disabled={busy}>
          {busy ? 'Adding…' : 'Add variable'}
        </button>
      </div>
      <p className="field-hint">
        A secret value is encrypted and write-only: nobody sees it again, and runs get it at their start.
      </p>
    </form>
  )
}

function VariableRow({
  variable,
  now,
  canChange,
  onChanged,
  onDelete,
}: {
  variable: EnvironmentVariable
  now: number
  canChange: boolean
  onChanged: () => void
  onDelete: () => void
}) {
  const [editing, setEditing] = useState(false)
  const [value, setValue] = useState('')
  const [errors, setErrors] = useState<Errors>({ general: [] })
  const [busy, setBusy] = useState(false)
  const save = (event: FormEvent) => {
    event.preventDefault()
    setBusy(true)
    setErrors({ general: [] })
    updateEnvironmentVariable(variable.id, { value }).then(
      () => {
        setBusy(false)
        setEditing(false)
        onChanged()
      },
      (error: unknown) => {
        setBusy(false)
        setErrors(placed(error))
      },
    )
  }
  const start = () => {
    setValue(variable.secret ? '' : (variable.value ?? ''))
    setErrors({ general: [] })
    setEditing(true)
  }
  return (
    <tr>
      <td className="cell-main">
        <code className="env-name">{variable.name}</code>
        {variable.secret && <span className="secret-badge">secret</span>}
      </td>
      <td className="env-value-cell">
        {editing ? (
          <form className="env-edit" onSubmit={save} noValidate aria-label={`Edit ${variable.name}`}>
            <input
              className="mono"
              type={variable.secret ? 'password' : 'text'}
              aria-label={`New value of ${variable.name}`}
              placeholder={variable.secret ? 'New secret value' : undefined}
              value={value}
              autoComplete="off"
              autoFocus
              aria-invalid={errors.value ? true : undefined}
              onChange={(event) => setValue(event.target.value)}
            />
            <button type="submit" className="button button-small button-primary" disabled={busy}>
              {busy ? 'Saving…' : 'Save'}
            </button>
            <button type="button" className="button button-small" onClick={() => setEditing(false)}>
              Cancel
            </button>
            {(errors.value || errors.general.length > 0) && (
              <p className="field-error" role="alert">
                {[errors.value, ...errors.general].filter(Boolean).join(' ')}
              </p>
            )}
          </form>
        ) : variable.secret ? (
          <span className="muted" aria-label={variable.has_value ? 'Secret value set' : 'No value'}>
            {variable.has_value ? '•••••••• set' : 'not set'}
          </span>
        ) : variable.value ? (
          <code className="env-value">{variable.value}</code>
        ) : (
          <span className="muted">empty</span>
        )}
      </td>
      <td className="nowrap">
        <RelativeTime value={variable.updated_at} now={now} />
      </td>
      <td className="numeric nowrap">
        {canChange && !editing && (
          <>
            <button
              type="button"
              className="button button-small"
              aria-label={`Edit ${variable.name}`}
              onClick={start}
            >
              {variable.secret ? 'Replace value' : 'Edit'}
            </button>{' '}
            <button
              type="button"
              className="button button-small button-danger-quiet"
              aria-label={`Delete ${variable.name}`}
              onClick={onDelete}
            >
              Delete
            </button>
          </>
        )}
      </td>
    </tr>
  )
}
