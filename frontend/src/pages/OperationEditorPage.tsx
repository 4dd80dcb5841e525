import { lazy, Suspense, useCallback, useEffect, useId, useMemo, useRef, useState, type ReactNode, Fragment } from 'react'
import { Link, useLocation, useNavigate, useParams, useSearchParams } from 'react-router-dom'
import { isAbortError, isApiError } from '../api/client'
import {
  createOperation,
  createOperationVersion,
  getOperation,
  itemsOf,
  listOperationVersions,
  listProjects,
  updateOperation,
} from '../api/endpoints'
import type {
  Operation,
  OperationContent,
  OperationVersionDetail,
  ParamType,
  Port,
  PortType,
  Project,
} from '../api/types'
import { ErrorState, NotFoundState, Spinner } from '../components/States'
import { useDocumentTitle } from '../hooks/useDocumentTitle'
import {
  IMAGE_EXAMPLE,
  imageProblem,
  linesOf,
  placeholderNames,
  shellPreview,
  unknownPlaceholders,
  type PlaceholderName,
} from '../lib/container'
import { errorMessages, generalErrors, humanizeField, type FieldErrors } from '../lib/errors'
import { DuplicateOperationDialog, duplicatedMessage } from './DuplicateOperationDialog'
import { canEdit } from './NewPipelineDialog'
import { FieldError } from '../components/FieldError'

// CodeMirror is sizeable: only this page loads it.
const CodeEditor = lazy(() => import('../components/CodeEditor'))

export const PORT_TYPES: PortType[] = ['int', 'float', 'str', 'bool', 'json', 'file', 'directory', 'object']
export const PARAM_TYPES: ParamType[] = ['int', 'float', 'str', 'bool', 'json']

export const TEMPLATE_SOURCE = 'def run(x: int = 1) -> dict:\n    return {"y": x + 1}\n'

/** A parameter row as edited: the default is kept as typed text until saving. */
interface ParamRow {
  name: string
  type: ParamType
  defaultText: string
  description: string
  /** Allowed values as typed: `1..100` (bounds, either side optional) or `a, b, c` (choices). */
  allowedText?: string
}

type Kind = OperationContent['kind']

interface Draft {
  name: string
  slug: string
  description: string
  category: string
  kind: Kind
  source: string
  entrypoint: string
  /** Container operations: the image, and command and args as typed (one item per line). */
  image: string
  command: string
  args: string
  inputs: Port[]
  outputs: Port[]
  parameters: ParamRow[]
  cpu: string
  memory: string
  gpus: string
  cpuFallback: boolean
  idempotent: boolean
  requirements: string
}

/** Fields of the operation itself (the rest belong to the version). */
const OPERATION_FIELDS = ['name', 'slug', 'description', 'category', 'project']
const VERSION_FIELDS = [
  'source',
  'entrypoint',
  'inputs',
  'outputs',
  'parameters',
  'resources',
  'requirements',
  'idempotent',
  'image',
  'command',
  'args',
]

export function slugify(text: string): string {
  return text
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 120)
}

function defaultText(value: unknown): string {
  if (value === undefined || value === null) return ''
  if (typeof value === 'string') return value
  return JSON.stringify(value)
}

function templateDraft(): Draft {
  return {
    name: '',
    slug: '',
    description: '',
    category: 'General',
    kind: 'python',
    source: TEMPLATE_SOURCE,
    entrypoint: 'run',
    image: '',
    command: '',
    args: '',
    inputs: [{ name: 'x', type: 'int', description: '', optional: true }],
    outputs: [{ name: 'y', type: 'int', description: '', optional: false }],
    parameters: [],
    cpu: '1',
    memory: '512Mi',
    gpus: '0',
    cpuFallback: false,
    idempotent: false,
    requirements: '',
  }
}

function draftFrom(operation: Operation, version: OperationVersionDetail | null): Draft {
  const base = templateDraft()
  const meta = {
    name: operation.name,
    slug: operation.slug,
    description: operation.description,
    category: operation.category,
  }
  if (!version) return { ...base, ...meta }
  const container = version.kind === 'container'
  return {
    ...meta,
    kind: container ? 'container' : 'python',
    // Switching a container operation to Python starts from the template.
    source: container && !version.source ? TEMPLATE_SOURCE : (version.source ?? ''),
    entrypoint: version.entrypoint || 'run',
    image: version.image ?? '',
    command: (version.command ?? []).join('\n'),
    args: (version.args ?? []).join('\n'),
    inputs: version.inputs.map((port) => ({ ...port, description: port.description ?? '', optional: !!port.optional })),
    outputs: version.outputs.map((port) => ({ ...port, description: port.description ?? '', optional: !!port.optional })),
    parameters: version.parameters.map((param) => ({
      name: param.name,
      type: param.type,
      defaultText: param.type === 'bool' ? String(param.default === true) : defaultText(param.default),
      description: param.description ?? '',
      allowedText: allowedText(param),
    })),
    cpu: String(version.resources?.cpu ?? base.cpu),
    memory: version.resources?.memory ?? base.memory,
    gpus: String(version.resources?.gpus ?? base.gpus),
    cpuFallback: !!version.resources?.cpu_fallback,
    idempotent: !!version.idempotent,
    requirements: (version.requirements ?? []).join('\n'),
  }
}

/** A parameter's bounds or choices as the "Allowed" column shows them. */
export function allowedText(param: { minimum?: number | null; maximum?: number | null; choices?: unknown[] | null }): string {
  if (param.choices?.length) return param.choices.map((choice) => (typeof choice === 'string' ? choice : JSON.stringify(choice))).join(', ')
  if (param.minimum == null && param.maximum == null) return ''
  return `${param.minimum ?? ''}..${param.maximum ?? ''}`
}

/** The "Allowed" column as the API wants it (`minimum`/`maximum` or `choices`), or an error message. */
export function parseAllowed(row: ParamRow): { limits: Record<string, unknown> } | { error: string } {
  const text = (row.allowedText ?? '').trim()
  if (!text) return { limits: {} }
  const numeric = row.type === 'int' || row.type === 'float'
  if (numeric && text.includes('..')) {
    const [low = '', high = ''] = text.split('..').map((part) => part.trim())
    const limits: Record<string, unknown> = {}
    for (const [key, part] of [['minimum', low], ['maximum', high]] as const) {
      if (!part) continue
      const value = Number(part)
      if (!Number.isFinite(value)) return { error: `“${row.name}”: write bounds as 1..100 (either side may be left out).` }
      limits[key] = value
    }
    return { limits }
  }
  if (row.type === 'bool' || row.type === 'json') return { error: `“${row.name}”: ${row.type} parameters take no limits.` }
  const items = text.split(',').map((item) => item.trim()).filter(Boolean)
  if (!numeric) return { limits: { choices: items } }
  const values = items.map(Number)
  if (values.some((value) => !Number.isFinite(value))) {
    return { error: `“${row.name}”: choices of a number parameter must be numbers (or write bounds as 1..100).` }
  }
  return { limits: { choices: values } }
}

/** A parameter's default as the API wants it, or an error message. */
export function parseDefault(row: ParamRow): { value: unknown } | { error: string } {
  const text = row.defaultText.trim()
  if (row.type === 'str') return { value: row.defaultText }
  if (row.type === 'bool') return { value: text === 'true' }
  if (text === '') return { value: null }
  if (row.type === 'int') {
    return /^-?\d+$/.test(text) ? { value: Number(text) } : { error: `“${row.name}”: the default must be a whole number.` }
  }
  if (row.type === 'float') {
    const value = Number(text)
    return Number.isFinite(value) ? { value } : { error: `“${row.name}”: the default must be a number.` }
  }
  try {
    return { value: JSON.parse(text) }
  } catch {
    return { error: `“${row.name}”: the default is not valid JSON.` }
  }
}

function contentOf(draft: Draft): { content: OperationContent } | { errors: FieldErrors } {
  const errors: FieldErrors = {}
  const parameters = draft.parameters.map((row) => {
    const parsed = parseDefault(row)
    const allowed = parseAllowed(row)
    if ('error' in allowed) errors.parameters = [...(errors.parameters ?? []), allowed.error]
    const limits = 'limits' in allowed ? allowed.limits : {}
    if ('error' in parsed) {
      errors.parameters = [...(errors.parameters ?? []), parsed.error]
      return { name: row.name, type: row.type, default: null, description: row.description, ...limits }
    }
    return { name: row.name, type: row.type, default: parsed.value, description: row.description, ...limits }
  })
  const resources = {
    cpu: Number(draft.cpu) || 0,
    memory: draft.memory.trim(),
    gpus: Math.trunc(Number(draft.gpus) || 0),
    cpu_fallback: draft.cpuFallback,
  }
  if (draft.kind === 'container') {
    const image = draft.image.trim()
    const command = linesOf(draft.command)
    const args = linesOf(draft.args)
    const imageError = imageProblem(image)
    if (imageError) errors.image = [imageError]
    const known = placeholderNames({ parameters, inputs: draft.inputs, outputs: draft.outputs })
    const commandErrors = unknownPlaceholders(command, known)
    if (commandErrors.length) errors.command = commandErrors
    const argsErrors = unknownPlaceholders(args, known)
    if (argsErrors.length) errors.args = argsErrors
    if (Object.keys(errors).length) return { errors }
    return {
      content: {
        kind: 'container',
        image,
        command,
        args,
        source: '',
        entrypoint: '',
        requirements: [],
        inputs: draft.inputs,
        outputs: draft.outputs,
        parameters,
        resources,
        idempotent: draft.idempotent,
      },
    }
  }
  if (Object.keys(errors).length) return { errors }
  return {
    content: {
      kind: 'python',
      source: draft.source,
      entrypoint: draft.entrypoint.trim() || 'run',
      inputs: draft.inputs,
      outputs: draft.outputs,
      parameters,
      resources,
      idempotent: draft.idempotent,
      requirements: linesOf(draft.requirements),
    },
  }
}

function latestOf(versions: OperationVersionDetail[]): OperationVersionDetail | null {
  return versions.reduce<OperationVersionDetail | null>(
    (latest, version) => (!latest || version.number > latest.number ? version : latest),
    null,
  )
}


/** Fields by name, plus the ids their errors use. */
function useFieldIds() {
  const base = useId()
  return (field: string) => ({ input: `${base}-${field}`, error: `${base}-${field}-error` })
}

function PortTable({
  title,
  ports,
  onChange,
  readOnly,
  errors,
  errorId,
}: {
  title: string
  ports: Port[]
  onChange: (ports: Port[]) => void
  readOnly: boolean
  errors?: string[]
  errorId: string
}) {
  const singular = title === 'Inputs' ? 'input' : 'output'
  const update = (index: number, patch: Partial<Port>) =>
    onChange(ports.map((port, i) => (i === index ? { ...port, ...patch } : port)))
  return (
    <fieldset className="op-section" aria-describedby={errors?.length ? errorId : undefined}>
      <legend className="panel-subtitle">{title}</legend>
      {ports.length === 0 ? (
        <p className="panel-text muted">No {title.toLowerCase()}.</p>
      ) : (
        <table className="op-table" aria-label={title}>
          <thead>
            <tr>
              <th>Name</th>
              <th>Type</th>
              <th>Optional</th>
              <th>Description</th>
              {!readOnly && <th aria-label="Actions" />}
            </tr>
          </thead>
          <tbody>
            {ports.map((port, index) => (
              <tr key={index}>
                <td>
                  <input
                    aria-label={`${title} ${index + 1} name`}
                    value={port.name}
                    readOnly={readOnly}
                    onChange={(event) => update(index, { name: event.target.value })}
                  />
                </td>
                <td>
                  <select
                    aria-label={`${title} ${index + 1} type`}
                    value={port.type}
                    disabled={readOnly}
                    onChange={(event) => update(index, { type: event.target.value as PortType })}
                  >
                    {PORT_TYPES.map((type) => (
                      <option key={type}>{type}</option>
                    ))}
                  </select>
                </td>
                <td className="op-table-check">
                  <input
                    type="checkbox"
                    aria-label={`${title} ${index + 1} optional`}
                    checked={port.optional}
                    disabled={readOnly}
                    onChange={(event) => update(index, { optional: event.target.checked })}
                  />
                </td>
                <td>
                  <input
                    aria-label={`${title} ${index + 1} description`}
                    value={port.description}
                    readOnly={readOnly}
                    onChange={(event) => update(index, { description: event.target.value })}
                  />
                </td>
                {!readOnly && (
                  <td>
                    <button
                      type="button"
                      className="button button-ghost button-small"
                      aria-label={`Remove ${singular} ${port.name || index + 1}`}
                      onClick={() => onChange(ports.filter((_, i) => i !== index))}
                    >
                      ×
                    </button>
                  </td>
                )}
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <FieldError id={errorId} messages={errors} />
      {!readOnly && (
        <button
          type="button"
          className="button button-small"
          onClick={() => onChange([...ports, { name: '', type: 'json', description: '', optional: false }])}
        >
          Add {singular}
        </button>
      )}
    </fieldset>
  )
}

function ParamTable({
  rows,
  onChange,
  readOnly,
  errors,
  errorId,
}: {
  rows: ParamRow[]
  onChange: (rows: ParamRow[]) => void
  readOnly: boolean
  errors?: string[]
  errorId: string
}) {
  const update = (index: number, patch: Partial<ParamRow>) =>
    onChange(rows.map((row, i) => (i === index ? { ...row, ...patch } : row)))
  return (
    <fieldset className="op-section" aria-describedby={errors?.length ? errorId : undefined}>
      <legend className="panel-subtitle">Parameters</legend>
      {rows.length === 0 ? (
        <p className="panel-text muted">No parameters.</p>
      ) : (
        <table className="op-table" aria-label="Parameters">
          <thead>
            <tr>
              <th>Name</th>
              <th>Type</th>
              <th>Default</th>
              <th>Allowed</th>
              <th>Description</th>
              {!readOnly && <th aria-label="Actions" />}
            </tr>
          </thead>
          <tbody>
            {rows.map((row, index) => (
              <tr key={index}>
                <td>
                  <input
                    aria-label={`Parameter ${index + 1} name`}
                    value={row.name}
                    readOnly={readOnly}
                    onChange={(event) => update(index, { name: event.target.value })}
                  />
                </td>
                <td>
                  <select
                    aria-label={`Parameter ${index + 1} type`}
                    value={row.type}
                    disabled={readOnly}
                    onChange={(event) => {
                      const type = event.target.value as ParamType
                      update(index, { type, defaultText: type === 'bool' ? 'false' : '', allowedText: '' })
                    }}
                  >
                    {PARAM_TYPES.map((type) => (
                      <option key={type}>{type}</option>
                    ))}
                  </select>
                </td>
                <td className={row.type === 'bool' ? 'op-table-check' : undefined}>
                  {row.type === 'bool' ? (
                    <input
                      type="checkbox"
                      aria-label={`Parameter ${index + 1} default`}
                      checked={row.defaultText === 'true'}
                      disabled={readOnly}
                      onChange={(event) => update(index, { defaultText: String(event.target.checked) })}
                    />
                  ) : (
                    <input
                      type={row.type === 'int' || row.type === 'float' ? 'number' : 'text'}
                      step={row.type === 'int' ? 1 : row.type === 'float' ? 'any' : undefined}
                      aria-label={`Parameter ${index + 1} default`}
                      placeholder={row.type === 'json' ? 'JSON' : row.type === 'str' ? '' : 'none'}
                      value={row.defaultText}
                      readOnly={readOnly}
                      onChange={(event) => update(index, { defaultText: event.target.value })}
                    />
                  )}
                </td>
                <td>
                  <input
                    aria-label={`Parameter ${index + 1} allowed values`}
                    title="Numbers: bounds as 1..100 (either side optional) or choices as 8, 16, 32; text: choices as a, b, c"
                    placeholder={
                      row.type === 'int' || row.type === 'float' ? '1..100 or 8, 16' : row.type === 'str' ? 'a, b, c' : '—'
                    }
                    value={row.allowedText ?? ''}
                    readOnly={readOnly}
                    disabled={row.type === 'bool' || row.type === 'json'}
                    onChange={(event) => update(index, { allowedText: event.target.value })}
                  />
                </td>
                <td>
                  <input
                    aria-label={`Parameter ${index + 1} description`}
                    value={row.description}
                    readOnly={readOnly}
                    onChange={(event) => update(index, { description: event.target.value })}
                  />
                </td>
                {!readOnly && (
                  <td>
                    <button
                      type="button"
                      className="button button-ghost button-small"
                      aria-label={`Remove parameter ${row.name || index + 1}`}
                      onClick={() => onChange(rows.filter((_, i) => i !== index))}
                    >
                      ×
                    </button>
                  </td>
                )}
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <FieldError id={errorId} messages={errors} />
      {!readOnly && (
        <button
          type="button"
          className="button button-small"
          onClick={() => onChange([...rows, { name: '', type: 'str', defaultText: '', description: '' }])}
        >
          Add parameter
        </button>
      )}
    </fieldset>
  )
}

/** The container's command and args: one item per line each. */
const CONTAINER_LISTS = [
  { key: 'command', label: 'Command', placeholder: 'python\n/app/resize.py', hint: 'Empty: the image’s entrypoint.' },
  {
    key: 'args',
    label: 'Args',
    placeholder: '--width={{width}}\n{{photo}}\n{{small}}',
    hint: 'One argument per line, spaces inside it kept; blank lines are skipped.',
  },
] as const

const KINDS: { kind: Kind; label: string; hint: string }[] = [
  { kind: 'python', label: 'Python function', hint: 'A function in a Python module, run by the engine.' },
  { kind: 'container', label: 'Container image', hint: 'A command run in a Docker image: a pod of its own on Kubernetes; on the local backend, the command itself when the worker has it installed.' },
]

/** "Python function | Container image": what a version of the operation runs. */
function KindSwitch({ kind, onChange, readOnly }: { kind: Kind; onChange: (kind: Kind) => void; readOnly: boolean }) {
  const name = useId()
  return (
    <fieldset className="op-kind">
      <legend className="visually-hidden">Kind</legend>
      <div className="segmented op-kind-switch">
        {KINDS.map((option) => (
          <label key={option.kind} className={option.kind === kind ? 'is-checked' : undefined} title={option.hint}>
            <input
              type="radio"
              name={name}
              value={option.kind}
              checked={option.kind === kind}
              disabled={readOnly && option.kind !== kind}
              onChange={() => onChange(option.kind)}
            />
            {option.label}
          </label>
        ))}
      </div>
      <p className="field-hint op-kind-hint">{KINDS.find((option) => option.kind === kind)?.hint}</p>
    </fieldset>
  )
}

const KIND_LABEL: Record<PlaceholderName['kind'], string> = {
  parameter: 'parameter',
  input: 'input',
  output: 'output',
}

const VALUE_OF: Record<PlaceholderName['kind'], string> = {
  parameter: 'its value (JSON for json; empty when unset)',
  input: 'the path of its file (a folder for a directory)',
  output: 'the path to write it to, under $PW_OUTPUT_DIR',
}

/** How parameters, inputs and outputs reach the container: `{{name}}` and environment variables. */
function PlaceholderHelp({ names }: { names: PlaceholderName[] }) {
  return (
    <section className="op-container-help" aria-label="How values reach the container">
      <h3 className="panel-subtitle">How values reach the container</h3>
      <p className="panel-text">
        Command and args run as given, without a shell. Each <code>{'{{name}}'}</code> is replaced before the
        container starts; the same values are in its environment.
      </p>
      {names.length === 0 ? (
        <p className="panel-text muted">Declare inputs, outputs or parameters to use them here.</p>
      ) : (
        <table className="op-table op-placeholder-table" aria-label="Placeholders">
          <thead>
            <tr>
              <th>Placeholder</th>
              <th>Environment</th>
              <th>Becomes</th>
            </tr>
          </thead>
          <tbody>
            {names.map((row) => (
              <tr key={`${row.kind}:${row.name}`}>
                <td>
                  <code>{`{{${row.name}}}`}</code>
                </td>
                <td>
                  <code>${row.env}</code>
                </td>
                <td className="muted">
                  {KIND_LABEL[row.kind]}: {VALUE_OF[row.kind]}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <p className="panel-text muted">
        Value inputs (int, str, json…) arrive as files holding JSON; write value outputs as JSON, file and
        directory outputs as they are. <code>$PW_OUTPUT_DIR</code> is the folder outputs go to.
      </p>
    </section>
  )
}

type Loaded =
  | { status: 'loading' }
  | { status: 'error'; error: unknown }
  | { status: 'ready'; operation: Operation | null; draft: Draft; projects: Project[]; key: string }

interface SavedState {
  saved?: string
}

/** Create or edit an operation's Python source, ports and parameters; saving makes a version. */
export default function OperationEditorPage() {
  const params = useParams()
  const [search] = useSearchParams()
  const location = useLocation()
  const navigate = useNavigate()
  const id = params.id ? Number(params.id) : null
  const queryProject = search.get('project') ? Number(search.get('project')) : null

  const [loaded, setLoaded] = useState<Loaded>({ status: 'loading' })
  const [attempt, setAttempt] = useState(0)

  useEffect(() => {
    const controller = new AbortController()
    const { signal } = controller
    const loadKey = `${id}:${queryProject}:${attempt}`
    setLoaded({ status: 'loading' })
    const load = async () => {
      if (id !== null) {
        const [operation, versions] = await Promise.all([getOperation(id, signal), listOperationVersions(id, signal)])
        return { operation, draft: draftFrom(operation, latestOf(itemsOf(versions))), projects: [] as Project[] }
      }
      const projects = queryProject === null ? itemsOf(await listProjects(signal)).filter(canEdit) : []
      return { operation: null, draft: templateDraft(), projects }
    }
    load().then(
      (answer) => setLoaded({ status: 'ready', ...answer, key: loadKey }),
      (error: unknown) => {
        if (!isAbortError(error)) setLoaded({ status: 'error', error })
      },
    )
    return () => controller.abort()
  }, [id, queryProject, attempt])

  const title = loaded.status === 'ready' && loaded.operation ? `Edit ${loaded.operation.name}` : 'New operation'
  useDocumentTitle(loaded.status === 'loading' ? null : title)

  // After navigating (e.g. to the operation just created) the previous answer is stale.
  if (loaded.status === 'loading' || (loaded.status === 'ready' && loaded.key !== `${id}:${queryProject}:${attempt}`)) {
    return (
      <div className="page">
        <Spinner />
      </div>
    )
  }
  if (loaded.status === 'error') {
    if (isApiError(loaded.error) && loaded.error.isNotFound) {
      return (
        <div className="page">
          <NotFoundState title="Operation not found" backTo="/pipelines/" backLabel="Back to pipelines">
            <p>It may have been deleted, or you may not be a member of its project.</p>
          </NotFoundState>
        </div>
      )
    }
    return (
      <div className="page">
        <ErrorState error={loaded.error} title="Couldn't load the operation" onRetry={() => setAttempt((n) => n + 1)} />
      </div>
    )
  }
  return (
    <OperationForm
      key={loaded.key}
      operation={loaded.operation}
      initial={loaded.draft}
      projects={loaded.projects}
      queryProject={queryProject}
      savedMessage={(location.state as SavedState | null)?.saved ?? null}
      onCreated={(operation, message) =>
        navigate(`/operations/${operation.id}/edit/`, { replace: true, state: { saved: message } satisfies SavedState })
      }
      onDuplicated={(copy) =>
        navigate(`/operations/${copy.id}/edit/`, { state: { saved: duplicatedMessage(copy) } satisfies SavedState })
      }
    />
  )
}

function OperationForm({
  operation: initialOperation,
  initial,
  projects,
  queryProject,
  savedMessage,
  onCreated,
  onDuplicated,
}: {
  operation: Operation | null
  initial: Draft
  projects: Project[]
  queryProject: number | null
  savedMessage: string | null
  onCreated: (operation: Operation, message: string) => void
  onDuplicated: (copy: Operation) => void
}) {
  const [operation, setOperation] = useState<Operation | null>(initialOperation)
  const [draft, setDraft] = useState<Draft>(initial)
  const [savedDraft, setSavedDraft] = useState<Draft>(initial)
  const [slugEdited, setSlugEdited] = useState(!!initialOperation)
  const [projectId, setProjectId] = useState<number | null>(
    initialOperation?.project ?? queryProject ?? projects[0]?.id ?? null,
  )
  const [saving, setSaving] = useState(false)
  const [status, setStatus] = useState<string | null>(savedMessage)
  const [errors, setErrors] = useState<FieldErrors>({})
  const [general, setGeneral] = useState<string[]>([])
  const [duplicating, setDuplicating] = useState(false)
  const ids = useFieldIds()

  const readOnly = !!initialOperation && (initialOperation.builtin || initialOperation.project === null)
  const isNew = operation === null
  const dirty = useMemo(() => JSON.stringify(draft) !== JSON.stringify(savedDraft), [draft, savedDraft])

  useEffect(() => {
    if (!dirty || readOnly) return
    const onBeforeUnload = (event: BeforeUnloadEvent) => {
      event.preventDefault()
      event.returnValue = ''
    }
    window.addEventListener('beforeunload', onBeforeUnload)
    return () => window.removeEventListener('beforeunload', onBeforeUnload)
  }, [dirty, readOnly])

  const set = <K extends keyof Draft>(key: K, value: Draft[K]) => setDraft((current) => ({ ...current, [key]: value }))

  const onName = (name: string) =>
    setDraft((current) => ({ ...current, name, slug: slugEdited ? current.slug : slugify(name) }))

  const showErrors = (error: unknown) => {
    if (isApiError(error) && error.status === 400) {
      const fields = error.fieldErrors()
      const shown: FieldErrors = {}
      const other: string[] = generalErrors(error.body)
      for (const [field, messages] of Object.entries(fields)) {
        if (OPERATION_FIELDS.includes(field) || VERSION_FIELDS.includes(field)) shown[field] = messages
        else other.push(...messages.map((message) => `${humanizeField(field)}: ${message}`))
      }
      setErrors(shown)
      setGeneral(other)
    } else {
      setErrors({})
      setGeneral(errorMessages(error))
    }
  }

  const savingRef = useRef(false)
  const save = useCallback(async () => {
    if (readOnly || savingRef.current) return
    setStatus(null)
    const built = contentOf(draft)
    if ('errors' in built) {
      setErrors(built.errors)
      setGeneral([])
      return
    }
    const local: FieldErrors = {}
    if (!draft.name.trim()) local.name = ['Give the operation a name.']
    if (isNew && projectId === null) local.project = ['Choose a project.']
    if (Object.keys(local).length) {
      setErrors(local)
      setGeneral([])
      return
    }
    savingRef.current = true
    setSaving(true)
    try {
      let target = operation
      if (target === null) {
        target = await createOperation({
          project: projectId as number,
          name: draft.name.trim(),
          slug: draft.slug.trim() || slugify(draft.name),
          description: draft.description,
          category: draft.category.trim() || 'General',
        })
        // The operation exists now: a failing version below must not create it twice.
        setOperation(target)
      } else if (
        draft.name !== savedDraft.name ||
        draft.description !== savedDraft.description ||
        draft.category !== savedDraft.category
      ) {
        target = await updateOperation(target.id, {
          name: draft.name.trim(),
          description: draft.description,
          category: draft.category.trim() || 'General',
        })
        setOperation(target)
      }
      const previous = target.latest_version?.number ?? 0
      const version = await createOperationVersion(target.id, built.content)
      const message =
        previous > 0 && version.number <= previous
          ? `No changes: version ${version.number} is the same`
          : `Saved as version ${version.number}`
      setErrors({})
      setGeneral([])
      setSavedDraft(draft)
      setOperation({ ...target, latest_version: version })
      if (isNew) onCreated(target, message)
      else setStatus(message)
    } catch (error) {
      showErrors(error)
    } finally {
      savingRef.current = false
      setSaving(false)
    }
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [draft, savedDraft, operation, projectId, readOnly, isNew, onCreated])

  useEffect(() => {
    const onKeyDown = (event: KeyboardEvent) => {
      if ((event.ctrlKey || event.metaKey) && !event.altKey && event.key.toLowerCase() === 's') {
        event.preventDefault()
        void save()
      }
    }
    document.addEventListener('keydown', onKeyDown)
    return () => document.removeEventListener('keydown', onKeyDown)
  }, [save])

  const field = (name: string, label: ReactNode, input: (props: { id: string; describedBy?: string; invalid: boolean }) => ReactNode, hint?: string) => {
    const fieldIds = ids(name)
    const messages = errors[name]
    return (
      <div className="field">
        <label htmlFor={fieldIds.input}>{label}</label>
        {input({
          id: fieldIds.input,
          describedBy: messages?.length ? fieldIds.error : undefined,
          invalid: !!messages?.length,
        })}
        <FieldError id={fieldIds.error} messages={messages} />
        {hint && <p className="field-hint">{hint}</p>}
      </div>
    )
  }

  const sourceIds = ids('source')
  const container = draft.kind === 'container'
  const known = useMemo(
    () => placeholderNames({ parameters: draft.parameters, inputs: draft.inputs, outputs: draft.outputs }),
    [draft.parameters, draft.inputs, draft.outputs],
  )
  const commandItems = container ? linesOf(draft.command) : []
  const argItems = container ? linesOf(draft.args) : []

  return (
    <div className="page page-wide op-editor-page">
      <div className="page-header">
        <div className="page-header-main">
          <h1>{isNew ? 'New operation' : readOnly ? operation.name : `Edit ${operation.name}`}</h1>
          <p className="page-subtitle">
            {isNew
              ? container
                ? 'Run a container image and declare its ports and parameters.'
                : 'Write a Python function and declare its ports and parameters.'
              : operation.latest_version
                ? `Latest version v${operation.latest_version.number}`
                : 'No version yet'}
            {dirty && !readOnly && <span className="muted"> · unsaved changes</span>}
          </p>
        </div>
        <div className="page-actions">
          <Link className="button" to="/pipelines/">
            Pipelines
          </Link>
          {readOnly && !isNew && (
            <button type="button" className="button button-primary" onClick={() => setDuplicating(true)}>
              Duplicate into project
            </button>
          )}
          {!readOnly && (
            <button
              type="button"
              className="button button-primary"
              onClick={() => void save()}
              disabled={saving}
              title="Save version (Ctrl+S)"
            >
              {saving ? 'Saving…' : 'Save version'}
            </button>
          )}
        </div>
      </div>

      {readOnly && (
        <p className="op-note" role="note">
          Built-in operations can't be edited; duplicate it into your project.
        </p>
      )}
      {duplicating && operation && (
        <DuplicateOperationDialog
          operation={operation}
          preferredProject={queryProject}
          onClose={() => setDuplicating(false)}
          onDuplicated={(copy) => {
            setDuplicating(false)
            onDuplicated(copy)
          }}
        />
      )}
      {general.length > 0 && (
        <div className="form-alert" role="alert">
          {general.map((message) => (
            <p key={message}>{message}</p>
          ))}
        </div>
      )}
      <p role="status" className="op-status">
        {status}
      </p>

      <div className="op-editor">
        <div className={container ? 'op-main' : 'op-main is-python'}>
          <KindSwitch kind={draft.kind} onChange={(kind) => set('kind', kind)} readOnly={readOnly} />
          {container ? (
            <section className="op-container card" aria-label="Container">
              {field(
                'image',
                'Image',
                ({ id, describedBy, invalid }) => (
                  <input
                    id={id}
                    aria-describedby={describedBy}
                    aria-invalid={invalid}
                    className="mono"
                    value={draft.image}
                    placeholder={IMAGE_EXAMPLE}
                    readOnly={readOnly}
                    required
                    spellCheck={false}
                    autoComplete="off"
                    maxLength={300}
                    onChange={(event) => set('image', event.target.value)}
                  />
                ),
                'A Docker image reference: [registry/]repository[:tag][@sha256:digest].',
              )}
              <div className="op-row op-container-lists">
                {CONTAINER_LISTS.map(({ key, label, placeholder, hint }) => (
                  <Fragment key={key}>
                  {field(
                    key,
                    <>
                      {label} <span className="optional">one item per line</span>
                    </>,
                    ({ id, describedBy, invalid }) => (
                      <textarea
                        id={id}
                        aria-describedby={describedBy}
                        aria-invalid={invalid}
                        rows={5}
                        className="mono"
                        spellCheck={false}
                        placeholder={placeholder}
                        value={draft[key]}
                        readOnly={readOnly}
                        onChange={(event) => set(key, event.target.value)}
                      />
                    ),
                    hint,
                  )}
                  </Fragment>
                ))}
              </div>
              <div className="op-command-preview">
                <span className="op-command-preview-label">Runs</span>
                <code aria-label="Command line">
                  {commandItems.length ? (
                    shellPreview([...commandItems, ...argItems])
                  ) : (
                    <>
                      <span className="muted">(the image’s entrypoint)</span>
                      {argItems.length > 0 && ` ${shellPreview(argItems)}`}
                    </>
                  )}
                </code>
              </div>
              <PlaceholderHelp names={known} />
            </section>
          ) : (
            <section className="op-source" aria-label="Source code">
              <Suspense fallback={<Spinner label="Loading editor…" />}>
                <CodeEditor
                  value={draft.source}
                  onChange={(source) => set('source', source)}
                  label="Source"
                  readOnly={readOnly}
                  describedBy={errors.source?.length ? sourceIds.error : undefined}
                />
              </Suspense>
              <FieldError id={sourceIds.error} messages={errors.source} />
            </section>
          )}
        </div>

        <aside className="op-side card" aria-label="Interface">
          {isNew &&
            queryProject === null &&
            field('project', 'Project', ({ id, describedBy, invalid }) => (
              <select
                id={id}
                aria-describedby={describedBy}
                aria-invalid={invalid}
                value={projectId ?? ''}
                onChange={(event) => setProjectId(event.target.value ? Number(event.target.value) : null)}
              >
                {projects.length === 0 && <option value="">No project you can edit</option>}
                {projects.map((project) => (
                  <option key={project.id} value={project.id}>
                    {project.name}
                  </option>
                ))}
              </select>
            ))}
          {field('name', 'Name', ({ id, describedBy, invalid }) => (
            <input
              id={id}
              aria-describedby={describedBy}
              aria-invalid={invalid}
              value={draft.name}
              readOnly={readOnly}
              maxLength={120}
              onChange={(event) => onName(event.target.value)}
            />
          ))}
          {isNew &&
            field('slug', 'Slug', ({ id, describedBy, invalid }) => (
              <input
                id={id}
                aria-describedby={describedBy}
                aria-invalid={invalid}
                value={draft.slug}
                maxLength={120}
                onChange={(event) => {
                  setSlugEdited(true)
                  set('slug', event.target.value)
                }}
              />
            ), 'Unique in the project; made from the name unless you change it.')}
          {field('description', <>Description<span className="optional">optional</span></>, ({ id, describedBy, invalid }) => (
            <textarea
              id={id}
              aria-describedby={describedBy}
              aria-invalid={invalid}
              rows={2}
              value={draft.description}
              readOnly={readOnly}
              onChange={(event) => set('description', event.target.value)}
            />
          ))}
          <div className="op-row">
            {field('category', 'Category', ({ id, describedBy, invalid }) => (
              <input
                id={id}
                aria-describedby={describedBy}
                aria-invalid={invalid}
                value={draft.category}
                readOnly={readOnly}
                maxLength={60}
                onChange={(event) => set('category', event.target.value)}
              />
            ))}
            {!container &&
              field('entrypoint', 'Entrypoint', ({ id, describedBy, invalid }) => (
                <input
                  id={id}
                  aria-describedby={describedBy}
                  aria-invalid={invalid}
                  value={draft.entrypoint}
                  readOnly={readOnly}
                  spellCheck={false}
                  onChange={(event) => set('entrypoint', event.target.value)}
                />
              ))}
          </div>

          <PortTable
            title="Inputs"
            ports={draft.inputs}
            onChange={(inputs) => set('inputs', inputs)}
            readOnly={readOnly}
            errors={errors.inputs}
            errorId={ids('inputs').error}
          />
          <PortTable
            title="Outputs"
            ports={draft.outputs}
            onChange={(outputs) => set('outputs', outputs)}
            readOnly={readOnly}
            errors={errors.outputs}
            errorId={ids('outputs').error}
          />
          <ParamTable
            rows={draft.parameters}
            onChange={(parameters) => set('parameters', parameters)}
            readOnly={readOnly}
            errors={errors.parameters}
            errorId={ids('parameters').error}
          />

          <fieldset className="op-section" aria-describedby={errors.resources?.length ? ids('resources').error : undefined}>
            <legend className="panel-subtitle">Resources</legend>
            <div className="op-row">
              {field('cpu', 'CPU', ({ id }) => (
                <input
                  id={id}
                  type="number"
                  min={0}
                  step="any"
                  value={draft.cpu}
                  readOnly={readOnly}
                  onChange={(event) => set('cpu', event.target.value)}
                />
              ))}
              {field('memory', 'Memory', ({ id }) => (
                <input
                  id={id}
                  value={draft.memory}
                  placeholder="512Mi"
                  readOnly={readOnly}
                  onChange={(event) => set('memory', event.target.value)}
                />
              ))}
              {field('gpus', 'GPUs', ({ id }) => (
                <input
                  id={id}
                  type="number"
                  min={0}
                  step={1}
                  value={draft.gpus}
                  readOnly={readOnly}
                  onChange={(event) => set('gpus', event.target.value)}
                />
              ))}
            </div>
            <label className="op-check">
              <input
                type="checkbox"
                checked={draft.cpuFallback}
                disabled={readOnly}
                onChange={(event) => set('cpuFallback', event.target.checked)}
              />{' '}
              Fall back to CPU when no GPU is free
            </label>
            <label className="op-check" title="A node whose worker is lost mid-run runs again only when this is set; otherwise it fails, so that it never runs twice at once.">
              <input
                type="checkbox"
                checked={draft.idempotent}
                disabled={readOnly}
                onChange={(event) => set('idempotent', event.target.checked)}
              />{' '}
              Safe to run twice (idempotent): retry it when its worker is lost
            </label>
            <FieldError id={ids('resources').error} messages={errors.resources} />
          </fieldset>

          {!container && field('requirements', <>Requirements<span className="optional">one per line</span></>, ({ id, describedBy, invalid }) => (
            <textarea
              id={id}
              aria-describedby={describedBy}
              aria-invalid={invalid}
              rows={3}
              spellCheck={false}
              className="mono"
              placeholder="numpy>=2"
              value={draft.requirements}
              readOnly={readOnly}
              onChange={(event) => set('requirements', event.target.value)}
            />
          ))}
        </aside>
      </div>
    </div>
  )
}
