// Importing a YAML pipeline: a project, a main.yml (or a zip of its directory), and every problem
// the server finds shown with its file and line.

import {
  useEffect,
  useId,
  useMemo,
  useRef,
  useState,
  type DragEvent,
  type FormEvent,
  type KeyboardEvent,
} from 'react'
import { isAbortError, isApiError } from '../api/client'
import type { Project } from '../api/types'
import { importYaml, yamlProblems, type ImportedPipeline, type YamlProblem } from '../api/yaml'
import { Dialog } from '../components/Dialog'
import { FieldError } from '../components/FieldError'
import { formatBytes } from '../lib/download'
import { errorMessages, generalErrors, humanizeField, type FieldErrors } from '../lib/errors'
import { canEdit, defaultProjectId } from '../pages/NewPipelineDialog'
import { YamlProblems } from './YamlProblems'

const FORM_FIELDS = ['project', 'file']
export const YAML_ACCEPT = '.yml,.yaml,.zip'
const NO_FILE = 'Choose a main.yml or a zip of its directory.'
const WRONG_KIND = 'Choose a main.yml (.yml or .yaml) or a .zip of its directory.'

/** Whether a file's name says it is a main.yml or a zip of its directory. */
export function isYamlUpload(name: string): boolean {
  return /\.(ya?ml|zip)$/i.test(name)
}

export function ImportYamlDialog({
  projects,
  preferredProject,
  onClose,
  onImported,
}: {
  projects: readonly Project[]
  preferredProject?: number | null
  onClose: () => void
  onImported: (imported: ImportedPipeline) => void
}) {
  const id = useId()
  const [project, setProject] = useState<number | null>(() => defaultProjectId(projects, preferredProject))
  const [file, setFile] = useState<File | null>(null)
  const [dragging, setDragging] = useState(false)
  const [submitting, setSubmitting] = useState(false)
  const [errors, setErrors] = useState<FieldErrors>({})
  const [general, setGeneral] = useState<string[]>([])
  const [problems, setProblems] = useState<YamlProblem[]>([])
  const controllerRef = useRef<AbortController | null>(null)
  const inputRef = useRef<HTMLInputElement>(null)
  const writable = useMemo(() => projects.filter(canEdit), [projects])

  useEffect(() => () => controllerRef.current?.abort(), [])

  function choose(next: File | null) {
    setFile(next)
    setProblems([])
    setGeneral([])
    setErrors((current) => {
      const rest = { ...current }
      delete rest.file
      return next && !isYamlUpload(next.name) ? { ...rest, file: [WRONG_KIND] } : rest
    })
  }

  async function submit(event?: FormEvent) {
    event?.preventDefault()
    if (submitting) return
    const localErrors: FieldErrors = {}
    if (project === null) localErrors.project = ['Choose a project.']
    if (!file) localErrors.file = [NO_FILE]
    else if (!isYamlUpload(file.name)) localErrors.file = [WRONG_KIND]
    setErrors(localErrors)
    setGeneral([])
    setProblems([])
    if (Object.keys(localErrors).length || project === null || !file) return

    const controller = new AbortController()
    controllerRef.current = controller
    setSubmitting(true)
    try {
      const imported = await importYaml(project, file, controller.signal)
      if (!controller.signal.aborted) onImported(imported)
    } catch (error) {
      if (controller.signal.aborted || isAbortError(error)) return
      const found = yamlProblems(error)
      if (found.length) {
        setProblems(found)
      } else if (isApiError(error) && error.status === 400) {
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
      if (!controller.signal.aborted) setSubmitting(false)
    }
  }

  // Enter submits from the select and the file input too (neither submits a form by itself);
  // on the file input before a file is chosen it keeps opening the file picker.
  function onFormKeyDown(event: KeyboardEvent<HTMLFormElement>) {
    if (event.key !== 'Enter' || event.nativeEvent.isComposing) return
    const target = event.target
    if (target instanceof HTMLButtonElement || target instanceof HTMLAnchorElement) return
    if (target instanceof HTMLInputElement && target.type === 'file' && !file) return
    event.preventDefault()
    void submit()
  }

  function onDragOver(event: DragEvent<HTMLElement>) {
    if (![...event.dataTransfer.types].includes('Files')) return
    event.preventDefault()
    event.dataTransfer.dropEffect = 'copy'
    setDragging(true)
  }

  function onDrop(event: DragEvent<HTMLElement>) {
    event.preventDefault()
    setDragging(false)
    const dropped = event.dataTransfer.files[0]
    if (!dropped) return
    // The input shows the dropped file's name too, as if it had been picked.
    try {
      if (inputRef.current) inputRef.current.files = event.dataTransfer.files
    } catch {
      // an old browser: the line below still names it
    }
    choose(dropped)
  }

  const projectErrorId = `${id}-project-error`
  const fileErrorId = `${id}-file-error`
  const fileHintId = `${id}-file-hint`
  const problemsId = `${id}-problems`

  return (
    <Dialog
      title="Import YAML pipeline"
      description="Upload a main.yml of container tasks, or a zip of its directory. A pipeline of the same name in the project is updated, with a new version."
      onClose={onClose}
      className="yaml-import-dialog"
    >
      <form className="form" onSubmit={submit} onKeyDown={onFormKeyDown} noValidate>
        {general.length > 0 && (
          <div className="form-alert" role="alert">
            {general.map((message) => (
              <p key={message}>{message}</p>
            ))}
          </div>
        )}

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
                ? 'You can only view the projects you belong to. Ask a project owner for editor rights to import pipelines.'
                : 'You are not a member of any project yet. Ask an administrator to add you to one.'}
            </p>
          )}
          {writable.length > 0 && <FieldError id={projectErrorId} messages={errors.project} />}
        </div>

        <div className="field">
          <label htmlFor={`${id}-file`}>File</label>
          <div
            className={`yaml-drop${dragging ? ' is-dragging' : ''}${errors.file || problems.length ? ' is-invalid' : ''}`}
            onDragOver={onDragOver}
            onDragEnter={onDragOver}
            onDragLeave={() => setDragging(false)}
            onDrop={onDrop}
          >
            <input
              ref={inputRef}
              id={`${id}-file`}
              name="file"
              type="file"
              accept={YAML_ACCEPT}
              data-autofocus
              aria-invalid={errors.file || problems.length ? true : undefined}
              aria-describedby={[errors.file ? fileErrorId : fileHintId, problems.length ? problemsId : '']
                .filter(Boolean)
                .join(' ')}
              onChange={(event) => choose(event.currentTarget.files?.[0] ?? null)}
            />
            <p className="yaml-drop-text" aria-hidden="true">
              {file ? `${formatBytes(file.size)} · or drop another file here` : 'or drop a file here'}
            </p>
          </div>
          {errors.file ? (
            <FieldError id={fileErrorId} messages={errors.file} />
          ) : (
            <p id={fileHintId} className="field-hint">
              .yml, .yaml, or .zip with main.yml at its top.
            </p>
          )}
          {problems.length > 0 && <YamlProblems id={problemsId} problems={problems} fileName={file?.name} />}
        </div>

        <div className="form-actions">
          <button type="button" className="button" onClick={onClose}>
            Cancel
          </button>
          <button type="submit" className="button button-primary" disabled={submitting || !writable.length}>
            {submitting ? 'Importing…' : 'Import'}
          </button>
        </div>
      </form>
    </Dialog>
  )
}
