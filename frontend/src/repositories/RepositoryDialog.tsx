// Link a git repository to a project, or change a linked one: URL, branch, folder and HTTPS
// credentials. Credentials are write-only: stored encrypted, never sent back; when editing,
// empty fields keep the stored ones and "Remove the stored credentials" deletes them.

import { useEffect, useId, useRef, useState, type FormEvent } from 'react'
import { isAbortError, isApiError } from '../api/client'
import {
  createRepository,
  updateRepository,
  type Repository,
  type RepositoryChanges,
  type RepositorySecret,
} from '../api/repositories'
import { Dialog } from '../components/Dialog'
import { FieldError } from '../components/FieldError'
import { errorMessages, generalErrors, humanizeField, type FieldErrors } from '../lib/errors'

type CredentialKind = 'token' | 'password'

const FORM_FIELDS = ['url', 'branch', 'path', 'secret']

/** What the credentials fields say to send: a secret, `{}` to remove, undefined to keep. */
export function secretToSend(
  kind: CredentialKind,
  values: { token: string; username: string; password: string },
  remove: boolean,
): RepositorySecret | undefined {
  if (remove) return {}
  if (kind === 'token') return values.token ? { token: values.token } : undefined
  if (values.username || values.password) return { username: values.username.trim(), password: values.password }
  return undefined
}

export function RepositoryDialog({
  projectId,
  repository,
  onClose,
  onSaved,
}: {
  projectId: number
  /** The repository to change; a new one is linked when absent. */
  repository?: Repository
  onClose: () => void
  onSaved: (repository: Repository) => void
}) {
  const id = useId()
  const editing = repository !== undefined
  const [url, setUrl] = useState(repository?.url ?? '')
  const [branch, setBranch] = useState(repository?.branch ?? 'main')
  const [path, setPath] = useState(repository?.path ?? '')
  const [kind, setKind] = useState<CredentialKind>('token')
  const [token, setToken] = useState('')
  const [username, setUsername] = useState('')
  const [password, setPassword] = useState('')
  const [remove, setRemove] = useState(false)
  const [errors, setErrors] = useState<FieldErrors>({})
  const [general, setGeneral] = useState<string[]>([])
  const [busy, setBusy] = useState(false)
  const controllerRef = useRef<AbortController | null>(null)

  useEffect(() => () => controllerRef.current?.abort(), [])

  async function submit(event: FormEvent) {
    event.preventDefault()
    if (busy) return
    const local: FieldErrors = {}
    if (!url.trim()) local.url = ["Enter the repository's URL, e.g. https://github.com/team/pipelines.git."]
    if (!branch.trim()) local.branch = ['Enter a branch, e.g. main.']
    if (kind === 'password' && !remove && username.trim() && !password) local.secret = ['Enter the password too.']
    setErrors(local)
    setGeneral([])
    if (Object.keys(local).length) return

    const changes: RepositoryChanges = { url: url.trim(), branch: branch.trim(), path: path.trim() }
    const secret = secretToSend(kind, { token, username, password }, remove)
    if (secret !== undefined) changes.secret = secret
    const controller = new AbortController()
    controllerRef.current = controller
    setBusy(true)
    try {
      const saved = editing
        ? await updateRepository(repository.id, changes, controller.signal)
        : await createRepository({ ...changes, url: url.trim(), project: projectId }, controller.signal)
      if (!controller.signal.aborted) onSaved(saved)
    } catch (error) {
      if (controller.signal.aborted || isAbortError(error)) return
      if (isApiError(error) && error.status === 400) {
        const shown: FieldErrors = {}
        const other: string[] = []
        for (const [field, messages] of Object.entries(error.fieldErrors())) {
          if (FORM_FIELDS.includes(field)) shown[field] = messages
          else other.push(...messages.map((message) => `${humanizeField(field)}: ${message}`))
        }
        setErrors(shown)
        const messages = [...generalErrors(error.body), ...other]
        setGeneral(messages.length || Object.keys(shown).length ? messages : errorMessages(error))
      } else {
        setGeneral(errorMessages(error))
      }
    } finally {
      if (!controller.signal.aborted) setBusy(false)
    }
  }

  const clear = (field: string) =>
    setErrors((current) => {
      if (!(field in current)) return current
      const rest = { ...current }
      delete rest[field]
      return rest
    })
  const described = (field: string, hint?: string) => (errors[field] ? `${id}-${field}-error` : hint)
  const credentialsOff = remove

  return (
    <Dialog
      title={editing ? 'Edit repository' : 'Link repository'}
      description={
        editing
          ? 'Changes take effect at the next sync or push.'
          : 'Each folder of the branch holding a main.yml becomes a pipeline of this project when you sync.'
      }
      onClose={onClose}
      className="repository-dialog-panel"
    >
      <form className="form" onSubmit={submit} noValidate aria-label={editing ? 'Edit repository' : 'Link repository'}>
        {general.length > 0 && (
          <div className="form-alert" role="alert">
            {general.map((message) => (
              <p key={message}>{message}</p>
            ))}
          </div>
        )}

        <div className="field">
          <label htmlFor={`${id}-url`}>Repository URL</label>
          <input
            id={`${id}-url`}
            className="mono"
            value={url}
            placeholder="https://github.com/team/pipelines.git"
            autoComplete="off"
            spellCheck={false}
            data-autofocus
            aria-invalid={errors.url ? true : undefined}
            aria-describedby={described('url')}
            onChange={(event) => {
              setUrl(event.target.value)
              clear('url')
            }}
          />
          <FieldError id={`${id}-url-error`} messages={errors.url} />
        </div>

        <div className="repository-dialog-row">
          <div className="field">
            <label htmlFor={`${id}-branch`}>Branch</label>
            <input
              id={`${id}-branch`}
              className="mono"
              value={branch}
              autoComplete="off"
              spellCheck={false}
              aria-invalid={errors.branch ? true : undefined}
              aria-describedby={described('branch')}
              onChange={(event) => {
                setBranch(event.target.value)
                clear('branch')
              }}
            />
            <FieldError id={`${id}-branch-error`} messages={errors.branch} />
          </div>
          <div className="field">
            <label htmlFor={`${id}-path`}>
              Folder <span className="optional">optional</span>
            </label>
            <input
              id={`${id}-path`}
              className="mono"
              value={path}
              placeholder="pipelines"
              autoComplete="off"
              spellCheck={false}
              aria-invalid={errors.path ? true : undefined}
              aria-describedby={described('path', `${id}-path-hint`)}
              onChange={(event) => {
                setPath(event.target.value)
                clear('path')
              }}
            />
            {errors.path?.length ? (
              <FieldError id={`${id}-path-error`} messages={errors.path} />
            ) : (
              <p id={`${id}-path-hint`} className="field-hint">
                Empty: the repository&apos;s root.
              </p>
            )}
          </div>
        </div>

        <fieldset className="field repository-credentials" aria-describedby={`${id}-secret-hint`}>
          <legend className="field-label">
            Credentials <span className="optional">optional, for HTTPS</span>
          </legend>
          <div className="segmented" role="radiogroup" aria-label="Kind of credentials">
            {(['token', 'password'] as CredentialKind[]).map((option) => (
              <label key={option} className={kind === option ? 'segmented-on' : undefined}>
                <input
                  type="radio"
                  name={`${id}-kind`}
                  value={option}
                  checked={kind === option}
                  disabled={credentialsOff}
                  onChange={() => setKind(option)}
                />
                {option === 'token' ? 'Token' : 'Username and password'}
              </label>
            ))}
          </div>
          {kind === 'token' ? (
            <div className="field">
              <label htmlFor={`${id}-token`}>Access token</label>
              <input
                id={`${id}-token`}
                className="mono"
                type="password"
                value={token}
                autoComplete="off"
                disabled={credentialsOff}
                placeholder={editing && repository.has_secret ? 'Unchanged' : undefined}
                aria-invalid={errors.secret ? true : undefined}
                aria-describedby={described('secret')}
                onChange={(event) => {
                  setToken(event.target.value)
                  clear('secret')
                }}
              />
            </div>
          ) : (
            <div className="repository-dialog-row">
              <div className="field">
                <label htmlFor={`${id}-username`}>Username</label>
                <input
                  id={`${id}-username`}
                  value={username}
                  autoComplete="off"
                  disabled={credentialsOff}
                  aria-invalid={errors.secret ? true : undefined}
                  onChange={(event) => {
                    setUsername(event.target.value)
                    clear('secret')
                  }}
                />
              </div>
              <div className="field">
                <label htmlFor={`${id}-password`}>Password</label>
                <input
                  id={`${id}-password`}
                  type="password"
                  value={password}
                  autoComplete="new-password"
                  disabled={credentialsOff}
                  placeholder={editing && repository.has_secret ? 'Unchanged' : undefined}
                  aria-invalid={errors.secret ? true : undefined}
                  aria-describedby={described('secret')}
                  onChange={(event) => {
                    setPassword(event.target.value)
                    clear('secret')
                  }}
                />
              </div>
            </div>
          )}
          <FieldError id={`${id}-secret-error`} messages={errors.secret} />
          <p id={`${id}-secret-hint`} className="field-hint">
            Stored encrypted; never shown again.
            {editing && repository.has_secret
              ? ' Leave empty to keep the stored credentials.'
              : ' Leave empty for a public repository.'}
          </p>
          {editing && repository.has_secret && (
            <label className="checkbox">
              <input type="checkbox" checked={remove} onChange={(event) => setRemove(event.target.checked)} />
              Remove the stored credentials
            </label>
          )}
        </fieldset>

        <div className="form-actions">
          <button type="button" className="button" onClick={onClose}>
            Cancel
          </button>
          <button type="submit" className="button button-primary" disabled={busy} aria-busy={busy || undefined}>
            {busy && <span className="spinner spinner-small" aria-hidden="true" />}
            {editing ? (busy ? 'Saving…' : 'Save changes') : busy ? 'Linking…' : 'Link repository'}
          </button>
        </div>
      </form>
    </Dialog>
  )
}
