import { useEffect, useId, useMemo, useRef, useState, type FormEvent, type KeyboardEvent } from 'react'
import { isAbortError, isApiError } from '../api/client'
import { createPipeline } from '../api/endpoints'
import type { PipelineDetail, Project } from '../api/types'
import { Dialog } from '../components/Dialog'
import { errorMessages, generalErrors, humanizeField, type FieldErrors } from '../lib/errors'
import { FieldError } from '../components/FieldError'

const FORM_FIELDS = ['name', 'description', 'project']

export function canEdit(project: Project): boolean {
  return project.role === 'editor' || project.role === 'owner'
}

/** The project a new pipeline goes to unless the person picks another. */
export function defaultProjectId(projects: readonly Project[], preferred?: number | null): number | null {
  const writable = projects.filter(canEdit)
  const match = writable.find((project) => project.id === preferred)
  return (match ?? writable[0])?.id ?? null
}


export function NewPipelineDialog({
  projects,
  preferredProject,
  onClose,
  onCreated,
}: {
  projects: readonly Project[]
  preferredProject?: number | null
  onClose: () => void
  onCreated: (pipeline: PipelineDetail) => void
}) {
  const id = useId()
  const [name, setName] = useState('')
  const [description, setDescription] = useState('')
  const [project, setProject] = useState<number | null>(() =>
    defaultProjectId(projects, preferredProject),
  )
  const [submitting, setSubmitting] = useState(false)
  const [errors, setErrors] = useState<FieldErrors>({})
  const [general, setGeneral] = useState<string[]>([])
  const controllerRef = useRef<AbortController | null>(null)
  const writable = useMemo(() => projects.filter(canEdit), [projects])

  useEffect(() => () => controllerRef.current?.abort(), [])

  async function submit(event?: FormEvent) {
    event?.preventDefault()
    if (submitting) return
    const trimmed = name.trim()
    const localErrors: FieldErrors = {}
    if (!trimmed) localErrors.name = ['Give the pipeline a name.']
    if (project === null) localErrors.project = ['Choose a project.']
    setErrors(localErrors)
    setGeneral([])
    if (Object.keys(localErrors).length || project === null) return

    const controller = new AbortController()
    controllerRef.current = controller
    setSubmitting(true)
    try {
      const created = await createPipeline(
        { project, name: trimmed, description: description.trim() },
        controller.signal,
      )
      if (!controller.signal.aborted) onCreated(created)
    } catch (error) {
      if (controller.signal.aborted || isAbortError(error)) return
      if (isApiError(error) && error.status === 400) {
        const fields = error.fieldErrors()
        const shown: FieldErrors = {}
        const other: string[] = []
        for (const [field, messages] of Object.entries(fields)) {
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
      if (!controller.signal.aborted) setSubmitting(false)
    }
  }

  function onDescriptionKeyDown(event: KeyboardEvent<HTMLTextAreaElement>) {
    // Enter submits, as in the other fields; Shift+Enter starts a new line.
    if (event.key === 'Enter' && !event.shiftKey && !event.nativeEvent.isComposing) {
      event.preventDefault()
      void submit()
    }
  }

  const nameErrorId = `${id}-name-error`
  const projectErrorId = `${id}-project-error`
  const descriptionErrorId = `${id}-description-error`

  return (
    <Dialog
      title="New pipeline"
      description="A pipeline is a graph of operations wired together. Give it a name; you build the graph next."
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
          <label htmlFor={`${id}-name`}>Name</label>
          <input
            id={`${id}-name`}
            name="name"
            type="text"
            value={name}
            autoComplete="off"
            maxLength={200}
            required
            data-autofocus
            placeholder="e.g. Train churn model"
            aria-invalid={errors.name ? true : undefined}
            aria-describedby={errors.name ? nameErrorId : undefined}
            onChange={(event) => setName(event.target.value)}
          />
          <FieldError id={nameErrorId} messages={errors.name} />
        </div>

        <div className="field">
          <label htmlFor={`${id}-description`}>
            Description <span className="optional">optional</span>
          </label>
          <textarea
            id={`${id}-description`}
            name="description"
            rows={3}
            value={description}
            placeholder="What does it do, and for whom?"
            aria-invalid={errors.description ? true : undefined}
            aria-describedby={errors.description ? descriptionErrorId : `${id}-description-hint`}
            onChange={(event) => setDescription(event.target.value)}
            onKeyDown={onDescriptionKeyDown}
          />
          {errors.description ? (
            <FieldError id={descriptionErrorId} messages={errors.description} />
          ) : (
            <p id={`${id}-description-hint`} className="field-hint">
              Shift+Enter for a new line.
            </p>
          )}
        </div>

        <div className="field">
          <label htmlFor={`${id}-project`}>Project</label>
          {writable.length ? (
            <select
              id={`${id}-project`}
              name="project"
              value={project ?? ''}
              aria-invalid={errors.project ? true : undefined}
              aria-describedby={errors.project ? projectErrorId : undefined}
              onChange={(event) => setProject(Number(event.target.value))}
            >
              {projects.map((option) => (
                <option key={option.id} value={option.id} disabled={!canEdit(option)}>
                  {option.name}
                  {canEdit(option) ? '' : ' (view only)'}
                </option>
              ))}
            </select>
          ) : (
            <p className="field-hint" id={projectErrorId}>
              {projects.length
                ? 'You can only view the projects you belong to. Ask a project owner for editor rights to create pipelines.'
                : 'You are not a member of any project yet. Ask an administrator to add you to one.'}
            </p>
          )}
          {writable.length > 0 && <FieldError id={projectErrorId} messages={errors.project} />}
        </div>

        <div className="form-actions">
          <button type="button" className="button" onClick={onClose}>
            Cancel
          </button>
          <button
            type="submit"
            className="button button-primary"
            disabled={submitting || !writable.length}
          >
            {submitting ? 'Creating…' : 'Create pipeline'}
          </button>
        </div>
      </form>
    </Dialog>
  )
}
