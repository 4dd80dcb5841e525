import { useEffect, useId, useRef, useState, type FormEvent } from 'react'
import { isAbortError, isApiError } from '../api/client'
import { duplicateOperation, itemsOf, listProjects } from '../api/endpoints'
import type { Operation, Project } from '../api/types'
import { Dialog } from '../components/Dialog'
import { Spinner } from '../components/States'
import { errorMessages, generalErrors, humanizeField, type FieldErrors } from '../lib/errors'
import { canEdit, defaultProjectId } from './NewPipelineDialog'

const FORM_FIELDS = ['project', 'name']

/** What the authoring page says when it opens a fresh copy. */
export function duplicatedMessage(copy: Operation): string {
  return copy.latest_version
    ? `Duplicated as “${copy.name}”, version ${copy.latest_version.number}`
    : `Duplicated as “${copy.name}”`
}

/**
 * Copies an operation (a built-in one, usually) into a project the person edits: the copy's
 * version 1 has the latest content, and it opens in the authoring page (`onDuplicated`).
 */
export function DuplicateOperationDialog({
  operation,
  preferredProject,
  onClose,
  onDuplicated,
}: {
  operation: Pick<Operation, 'id' | 'name'>
  /** The project to offer first (the pipeline's, or `?project=`). */
  preferredProject?: number | null
  onClose: () => void
  onDuplicated: (copy: Operation) => void
}) {
  const id = useId()
  const [projects, setProjects] = useState<Project[] | null>(null)
  const [project, setProject] = useState<number | null>(null)
  const [name, setName] = useState('')
  const [submitting, setSubmitting] = useState(false)
  const [errors, setErrors] = useState<FieldErrors>({})
  const [general, setGeneral] = useState<string[]>([])
  const controllerRef = useRef<AbortController | null>(null)

  useEffect(() => {
    const controller = new AbortController()
    listProjects(controller.signal).then(
      (answer) => {
        const writable = itemsOf(answer).filter(canEdit)
        setProjects(writable)
        setProject(defaultProjectId(writable, preferredProject))
      },
      (error: unknown) => {
        if (isAbortError(error)) return
        setProjects([])
        setGeneral(errorMessages(error))
      },
    )
    return () => {
      controller.abort()
      controllerRef.current?.abort()
    }
  }, [preferredProject])

  async function submit(event?: FormEvent) {
    event?.preventDefault()
    if (submitting) return
    if (project === null) {
      setErrors({ project: ['Choose a project.'] })
      return
    }
    const controller = new AbortController()
    controllerRef.current = controller
    setSubmitting(true)
    setErrors({})
    setGeneral([])
    try {
      const copy = await duplicateOperation(
        operation.id,
        { project, ...(name.trim() ? { name: name.trim() } : {}) },
        controller.signal,
      )
      if (!controller.signal.aborted) onDuplicated(copy)
    } catch (error) {
      if (controller.signal.aborted || isAbortError(error)) return
      if (isApiError(error) && error.status === 400) {
        const shown: FieldErrors = {}
        const other = generalErrors(error.body)
        for (const [field, messages] of Object.entries(error.fieldErrors())) {
          if (FORM_FIELDS.includes(field)) shown[field] = messages
          else other.push(...messages.map((message) => `${humanizeField(field)}: ${message}`))
        }
        setErrors(shown)
        setGeneral(other)
      } else {
        setGeneral(errorMessages(error))
      }
    } finally {
      if (!controller.signal.aborted) setSubmitting(false)
    }
  }

  const projectErrorId = `${id}-project-error`
  const nameHintId = `${id}-name-hint`
  const nameErrorId = `${id}-name-error`
  return (
    <Dialog
      title="Duplicate into project"
      description={
        <>
          A copy of <strong>{operation.name}</strong> that you can edit: its latest version becomes the copy's
          version 1.
        </>
      }
      onClose={onClose}
    >
      <form className="form" onSubmit={submit} noValidate>
        {general.length > 0 && (
          <div className="form-alert" role="alert">
            {general.map((message) => (
              <p key={message}>{message}</p>
            ))}
          </div>
        )}
        <div className="field">
          <label htmlFor={`${id}-project`}>Project</label>
          {projects === null ? (
            <Spinner label="Loading projects…" />
          ) : projects.length ? (
            <select
              id={`${id}-project`}
              value={project ?? ''}
              data-autofocus
              aria-invalid={errors.project ? true : undefined}
              aria-describedby={errors.project ? projectErrorId : undefined}
              onChange={(event) => setProject(Number(event.target.value))}
            >
              {projects.map((option) => (
                <option key={option.id} value={option.id}>
                  {option.name}
                </option>
              ))}
            </select>
          ) : (
            <p className="field-hint">
              You are not an editor of any project. Ask a project owner for editor rights to copy operations into it.
            </p>
          )}
          {errors.project && (
            <p id={projectErrorId} className="field-error">
              {errors.project.join(' ')}
            </p>
          )}
        </div>
        <div className="field">
          <label htmlFor={`${id}-name`}>
            Name <span className="optional">optional</span>
          </label>
          <input
            id={`${id}-name`}
            type="text"
            value={name}
            maxLength={120}
            autoComplete="off"
            placeholder={`${operation.name} (copy)`}
            aria-invalid={errors.name ? true : undefined}
            aria-describedby={errors.name ? nameErrorId : nameHintId}
            onChange={(event) => setName(event.target.value)}
          />
          {errors.name ? (
            <p id={nameErrorId} className="field-error">
              {errors.name.join(' ')}
            </p>
          ) : (
            <p id={nameHintId} className="field-hint">
              Empty: “{operation.name} (copy)”.
            </p>
          )}
        </div>
        <div className="form-actions">
          <button type="button" className="button" onClick={onClose}>
            Cancel
          </button>
          <button
            type="submit"
            className="button button-primary"
            disabled={submitting || !projects?.length}
          >
            {submitting ? 'Duplicating…' : 'Duplicate'}
          </button>
        </div>
      </form>
    </Dialog>
  )
}
