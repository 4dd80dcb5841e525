// Push a pipeline to its repository: the pipeline is frozen as a version and written into its
// folder of the branch as one commit (with the message given). The answer names the commit and
// the version, shown until the dialog is closed.

import { useEffect, useId, useRef, useState, type FormEvent } from 'react'
import { Link } from 'react-router-dom'
import { isAbortError, isApiError } from '../api/client'
import { pushPipeline, type PushResult, type Repository } from '../api/repositories'
import { Dialog } from '../components/Dialog'
import { FieldError } from '../components/FieldError'
import { errorMessages, generalErrors, humanizeField, type FieldErrors } from '../lib/errors'

export interface PushChoice {
  id: number
  name: string
  /** Its folder in the repository; "" when it is not there yet. */
  folder: string
}

export function PushDialog({
  repository,
  pipeline,
  choices,
  onClose,
  onPushed,
}: {
  repository: Repository
  /** The pipeline to push; when absent, one of `choices` is picked in the dialog. */
  pipeline?: PushChoice
  choices?: readonly PushChoice[]
  onClose: () => void
  onPushed: (result: PushResult) => void
}) {
  const id = useId()
  const [picked, setPicked] = useState<number | null>(null)
  const [message, setMessage] = useState('')
  const [busy, setBusy] = useState(false)
  const [errors, setErrors] = useState<FieldErrors>({})
  const [general, setGeneral] = useState<string[]>([])
  const [result, setResult] = useState<PushResult | null>(null)
  const controllerRef = useRef<AbortController | null>(null)
  useEffect(() => () => controllerRef.current?.abort(), [])

  const chosen = pipeline ?? choices?.find((choice) => choice.id === picked) ?? choices?.[0] ?? null
  const folder = chosen?.folder || null
  const where = [repository.path, folder].filter(Boolean).join('/')

  async function submit(event: FormEvent) {
    event.preventDefault()
    if (busy) return
    if (!chosen) {
      setErrors({ pipeline: ['Choose a pipeline.'] })
      return
    }
    setErrors({})
    setGeneral([])
    const controller = new AbortController()
    controllerRef.current = controller
    setBusy(true)
    try {
      const answer = await pushPipeline(
        repository.id,
        { pipeline: chosen.id, message: message.trim() },
        controller.signal,
      )
      if (controller.signal.aborted) return
      setResult(answer)
      onPushed(answer)
    } catch (error) {
      if (controller.signal.aborted || isAbortError(error)) return
      if (isApiError(error) && error.status === 400) {
        const shown: FieldErrors = {}
        const other: string[] = []
        for (const [field, messages] of Object.entries(error.fieldErrors())) {
          if (field === 'pipeline' || field === 'message') shown[field] = messages
          else other.push(...messages.map((text) => `${humanizeField(field)}: ${text}`))
        }
        setErrors(shown)
        const messages = [...generalErrors(error.body), ...other]
        setGeneral(
          (messages.length || Object.keys(shown).length ? messages : errorMessages(error)).map((text) =>
            text.endsWith('.') ? `${text} Nothing was pushed.` : `${text}. Nothing was pushed.`,
          ),
        )
      } else {
        setGeneral(errorMessages(error))
      }
    } finally {
      if (!controller.signal.aborted) setBusy(false)
    }
  }

  const title = pipeline ? `Push ${pipeline.name}` : 'Push a pipeline'

  if (result) {
    return (
      <Dialog title={title} onClose={onClose}>
        <div className="form push-result" role="status" aria-label="Push result">
          <p className="push-result-line">
            <span className="active-badge">Pushed</span> {chosen?.name ?? 'The pipeline'}
            {result.version !== null && (
              <>
                {' '}
                as{' '}
                <Link to={`/pipelines/${result.pipeline}/`} data-testid="pushed-version">
                  version {result.version}
                </Link>
              </>
            )}{' '}
            to <code>{[repository.path, result.folder].filter(Boolean).join('/')}/</code> on{' '}
            <code>{repository.branch}</code>.
          </p>
          <div className="field">
            <span className="field-label" id={`${id}-commit-label`}>
              Commit
            </span>
            <code className="commit-sha commit-sha-full" aria-labelledby={`${id}-commit-label`} data-testid="pushed-commit">
              {result.commit}
            </code>
          </div>
          <div className="form-actions">
            <button type="button" className="button button-primary" onClick={onClose} data-autofocus>
              Done
            </button>
          </div>
        </div>
      </Dialog>
    )
  }

  return (
    <Dialog
      title={title}
      description={
        <>
          Freezes it as a version and commits it to <code>{repository.branch}</code> of{' '}
          <code className="repository-url-inline">{repository.url}</code>
          {where ? (
            <>
              , in <code>{where}/</code>
            </>
          ) : null}
          .
        </>
      }
      onClose={onClose}
    >
      <form className="form" onSubmit={submit} noValidate aria-label={title}>
        {general.length > 0 && (
          <div className="form-alert" role="alert">
            {general.map((text) => (
              <p key={text}>{text}</p>
            ))}
          </div>
        )}
        {!pipeline && (
          <div className="field">
            <label htmlFor={`${id}-pipeline`}>Pipeline</label>
            {choices && choices.length > 0 ? (
              <select
                id={`${id}-pipeline`}
                value={chosen?.id ?? ''}
                aria-invalid={errors.pipeline ? true : undefined}
                aria-describedby={errors.pipeline ? `${id}-pipeline-error` : `${id}-pipeline-hint`}
                onChange={(event) => setPicked(Number(event.target.value))}
              >
                {choices.map((choice) => (
                  <option key={choice.id} value={choice.id}>
                    {choice.name}
                    {choice.folder ? ` (in ${choice.folder}/)` : ''}
                  </option>
                ))}
              </select>
            ) : (
              <p className="field-hint">This project has no pipelines yet.</p>
            )}
            {errors.pipeline ? (
              <FieldError id={`${id}-pipeline-error`} messages={errors.pipeline} />
            ) : (
              chosen &&
              !chosen.folder && (
                <p id={`${id}-pipeline-hint`} className="field-hint">
                  Not in the repository yet: it gets a folder named after it.
                </p>
              )
            )}
          </div>
        )}
        <div className="field">
          <label htmlFor={`${id}-message`}>
            Commit message <span className="optional">optional</span>
          </label>
          <textarea
            id={`${id}-message`}
            rows={3}
            value={message}
            maxLength={2000}
            data-autofocus
            placeholder={chosen ? `Update ${chosen.name} from Pipewright` : 'What changed?'}
            aria-invalid={errors.message ? true : undefined}
            aria-describedby={errors.message ? `${id}-message-error` : undefined}
            onChange={(event) => setMessage(event.target.value)}
          />
          <FieldError id={`${id}-message-error`} messages={errors.message} />
        </div>
        <div className="form-actions">
          <button type="button" className="button" onClick={onClose}>
            Cancel
          </button>
          <button
            type="submit"
            className="button button-primary"
            disabled={busy || !chosen}
            aria-busy={busy || undefined}
          >
            {busy && <span className="spinner spinner-small" aria-hidden="true" />}
            {busy ? 'Pushing…' : 'Push'}
          </button>
        </div>
      </form>
    </Dialog>
  )
}
