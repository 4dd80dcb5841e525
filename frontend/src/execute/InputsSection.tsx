// The execute dialog's "Inputs" section: what the run gives each pipeline input (an artifact
// of the project, picked or uploaded, for file and directory inputs; a value for the others,
// prefilled with the default; or, per input, a project environment variable or a path in the
// run's storage, sent as `input_mappings`), and "Credentials for pipeline inputs" when a
// chosen artifact is kept in storage opened with someone else's credentials. Pure helpers
// build the config.

import { useCallback, useEffect, useId, useRef, useState } from 'react'
import { Link } from 'react-router-dom'
import type { BackendInfo, LinkedAccount, RunInput } from '../api/backends'
import { listEnvironmentVariables, type EnvironmentVariable } from '../api/deployments'
import { itemsOf } from '../api/endpoints'
import type { Artifact, ParamType } from '../api/types'
import { isParamType, parseParamInput } from '../editor/typeCheck'
import { ArtifactPicker } from './ArtifactPicker'
import { schemaFields } from './schemaForm'
import { FieldError } from '../components/FieldError'

export { fittingArtifacts } from './ArtifactPicker'

export const ARTIFACT_INPUT_TYPES: readonly string[] = ['file', 'directory']

/**
 * Where an input's value comes from: given in the dialog (a value, or an artifact for file
 * and directory inputs), a project environment variable (value inputs only, read when the run
 * starts), or a path in the run's storage.
 */
export type InputSource = 'given' | 'env' | 'datastore'

export interface InputState {
  /** The artifact chosen for a file or directory input. */
  artifact: number | null
  /** The text typed for a value input. */
  text: string
  /** Absent means 'given' (the export dialog only gives values and artifacts). */
  source?: InputSource
  /** The environment variable chosen (source 'env'). */
  variable?: string
  /** The storage path typed (source 'datastore'). */
  path?: string
}

export type InputStates = Record<string, InputState>

/** Per storage backend: a linked account of yours, or the secret fields typed in. */
export interface CredentialState {
  account: number | null
  values: Record<string, string>
}

export type CredentialStates = Record<string, CredentialState>

export type RunInputs = Record<string, { artifact: number } | { value: unknown }>
/** The config's `input_mappings`: the same mapping JSON deployments use (runs/mappings.py). */
export type RunInputMappings = Record<string, { kind: 'env'; variable: string } | { kind: 'datastore'; path: string }>
export type RunInputCredentials = Record<string, { account: number } | { options: Record<string, unknown> }>

function shown(value: unknown): string {
  if (value === null || value === undefined) return ''
  return typeof value === 'string' ? value : JSON.stringify(value)
}

export function isArtifactInput(input: RunInput): boolean {
  return ARTIFACT_INPUT_TYPES.includes(input.type)
}

/** The sources an input may take its value from: no environment variable for files. */
export function inputSources(input: RunInput): InputSource[] {
  return isArtifactInput(input) ? ['given', 'datastore'] : ['given', 'env', 'datastore']
}

export function sourceOf(state: InputState | undefined): InputSource {
  return state?.source ?? 'given'
}

const SOURCE_LABELS: Record<Exclude<InputSource, 'given'>, string> = {
  env: 'Environment variable',
  datastore: 'Datastore path',
}

function sourceLabel(input: RunInput, source: InputSource): string {
  if (source === 'given') return isArtifactInput(input) ? 'Artifact' : 'Value'
  return SOURCE_LABELS[source]
}

export function initialInputStates(inputs: readonly RunInput[]): InputStates {
  return Object.fromEntries(inputs.map((input) => [input.name, { artifact: null, text: shown(input.default) }]))
}

/**
 * The config's `inputs` and `input_mappings` from the dialog's states, or the problems by
 * input name: a wired input without a default needs an artifact or a value; typed text must
 * fit the type; an input taken from an environment variable or a storage path needs the
 * variable or the path (and goes in `input_mappings` only, never in `inputs`).
 * Empty values are left out (the input's default applies).
 */
export function buildInputs(
  inputs: readonly RunInput[],
  states: InputStates,
): { inputs: RunInputs; mappings: RunInputMappings; errors: Record<string, string> } {
  const result: RunInputs = {}
  const mappings: RunInputMappings = {}
  const errors: Record<string, string> = {}
  for (const input of inputs) {
    const state = states[input.name] ?? { artifact: null, text: '' }
    const required = input.wired && (input.default === null || input.default === undefined)
    const source = inputSources(input).includes(sourceOf(state)) ? sourceOf(state) : 'given'
    if (source === 'env') {
      const variable = (state.variable ?? '').trim()
      if (variable) mappings[input.name] = { kind: 'env', variable }
      else errors[input.name] = 'Choose an environment variable.'
      continue
    }
    if (source === 'datastore') {
      const path = (state.path ?? '').trim()
      if (path) mappings[input.name] = { kind: 'datastore', path }
      else errors[input.name] = 'Type a path in the run’s storage.'
      continue
    }
    if (isArtifactInput(input)) {
      if (state.artifact !== null) result[input.name] = { artifact: state.artifact }
      else if (required) errors[input.name] = 'Choose an artifact, or upload a file.'
      continue
    }
    if (state.text.trim() === '' && (input.type !== 'str' || state.text === '')) {
      if (required) errors[input.name] = 'This input is required.'
      continue
    }
    const as: ParamType = isParamType(input.type) ? input.type : 'json'
    const parsed = parseParamInput(as, state.text)
    if (!parsed.ok) errors[input.name] = `The value ${parsed.reason}.`
    else result[input.name] = { value: parsed.value }
  }
  return { inputs: result, mappings, errors }
}

/** Chosen artifacts whose storage needs your credentials, by storage backend. */
export function credentialsNeeded(
  inputs: readonly RunInput[],
  states: InputStates,
  artifacts: readonly Artifact[],
): Map<string, Artifact[]> {
  const byId = new Map(artifacts.map((artifact) => [artifact.id, artifact]))
  const needed = new Map<string, Artifact[]>()
  for (const input of inputs) {
    const chosen = isArtifactInput(input) && sourceOf(states[input.name]) === 'given' ? states[input.name]?.artifact : null
    const artifact = chosen === null || chosen === undefined ? undefined : byId.get(chosen)
    if (!artifact?.needs_credentials) continue
    const list = needed.get(artifact.storage_backend) ?? []
    if (!list.some((item) => item.id === artifact.id)) list.push(artifact)
    needed.set(artifact.storage_backend, list)
  }
  return needed
}

/**
 * The config's `input_credentials` (one entry per artifact, the same for every artifact of
 * one backend), or the problems by backend (`<backend>.<field>`): with no account chosen,
 * every secret field of the backend must be typed.
 */
export function buildInputCredentials(
  needed: Map<string, Artifact[]>,
  states: CredentialStates,
  backends: readonly BackendInfo[],
): { credentials: RunInputCredentials; errors: Record<string, string> } {
  const credentials: RunInputCredentials = {}
  const errors: Record<string, string> = {}
  for (const [backend, artifacts] of needed) {
    const state = states[backend] ?? { account: null, values: {} }
    const info = backends.find((item) => item.name === backend)
    let entry: RunInputCredentials[string]
    if (state.account !== null) {
      entry = { account: state.account }
    } else {
      const options: Record<string, unknown> = {}
      for (const field of info?.secret_fields ?? []) {
        const value = (state.values[field] ?? '').trim()
        if (value) options[field] = value
        else errors[`${backend}.${field}`] = 'This field is required.'
      }
      entry = { options }
    }
    for (const artifact of artifacts) credentials[String(artifact.id)] = entry
  }
  return { credentials, errors }
}

/**
 * Where the credential messages of a refusal go: `input_credentials:<backend>[.<field>]`
 * (the dialog's own checks) and `input_credentials.<artifact id>[.account|.options.<field>]`
 * (the server's) become messages by `<backend>[.<field>]` for the credentials section; a
 * message about an artifact no section shows goes to the input that chose it, else stays stray.
 */
export function placeCredentialErrors(
  fields: Record<string, string>,
  needed: Map<string, Artifact[]>,
  inputs: readonly RunInput[],
  states: InputStates,
): { credentials: Record<string, string>; inputs: Record<string, string>; stray: string[] } {
  const credentials: Record<string, string> = {}
  const byInput: Record<string, string> = {}
  const stray: string[] = []
  const backendOf = new Map([...needed].flatMap(([backend, items]) => items.map((item) => [String(item.id), backend])))
  for (const [key, message] of Object.entries(fields)) {
    if (key.startsWith('input_credentials:')) credentials[key.slice('input_credentials:'.length)] = message
    else if (key.startsWith('input_credentials.')) {
      const [, artifactId = '', ...rest] = key.split('.')
      const backend = backendOf.get(artifactId)
      const where = rest[0] === 'options' ? rest[1] : rest[0]
      const input = inputs.find(
        (item) => sourceOf(states[item.name]) === 'given' && String(states[item.name]?.artifact) === artifactId,
      )
      if (backend) credentials[where ? `${backend}.${where}` : backend] ??= message
      else if (input) byInput[input.name] ??= message
      else stray.push(message)
    }
  }
  return { credentials, inputs: byInput, stray }
}


/**
 * What an input is given: the artifact picker (with upload) for a file or directory input,
 * a true/false choice, a JSON text area or a text/number field for the others.
 */
export function InputControl({
  id,
  input,
  state,
  artifacts,
  invalid,
  describedBy,
  required,
  onChange,
  onUpload,
}: {
  id: string
  input: RunInput
  state: InputState
  artifacts: readonly Artifact[]
  invalid?: boolean
  describedBy?: string
  /** A bool input offers "Choose…" instead of "Default" when there is no default to fall back on. */
  required: boolean
  onChange: (state: InputState) => void
  onUpload: (file: File) => Promise<void>
}) {
  const common = { id, 'aria-invalid': invalid ? true : undefined, 'aria-describedby': describedBy } as const
  if (isArtifactInput(input)) {
    return (
      <ArtifactPicker
        id={id}
        input={input}
        value={state.artifact}
        artifacts={artifacts}
        invalid={invalid}
        describedBy={describedBy}
        onChange={(artifact) => onChange({ ...state, artifact })}
        onUpload={onUpload}
      />
    )
  }
  if (input.type === 'bool') {
    return (
      <select {...common} value={state.text} onChange={(event) => onChange({ ...state, text: event.target.value })}>
        <option value="">{required ? 'Choose…' : 'Default'}</option>
        <option value="true">true</option>
        <option value="false">false</option>
      </select>
    )
  }
  if (input.type === 'json' || input.type === 'object') {
    return (
      <textarea
        {...common}
        rows={3}
        className="mono"
        spellCheck={false}
        value={state.text}
        onChange={(event) => onChange({ ...state, text: event.target.value })}
      />
    )
  }
  const numeric = input.type === 'int' || input.type === 'float'
  return (
    <input
      {...common}
      type={numeric ? 'number' : 'text'}
      step={input.type === 'int' ? 1 : numeric ? 'any' : undefined}
      value={state.text}
      onChange={(event) => onChange({ ...state, text: event.target.value })}
    />
  )
}

/** The project's environment variables, asked for once, when an input first needs them. */
export interface EnvironmentVariables {
  status: 'idle' | 'loading' | 'success' | 'error'
  items: EnvironmentVariable[]
}

function useEnvironmentVariables(projectId: number, wanted: boolean): [EnvironmentVariables, () => void] {
  const [state, setState] = useState<EnvironmentVariables>({ status: 'idle', items: [] })
  const controller = useRef<AbortController | null>(null)
  const load = useCallback(() => {
    controller.current?.abort()
    const current = new AbortController()
    controller.current = current
    setState((previous) => ({ ...previous, status: 'loading' }))
    listEnvironmentVariables(projectId, current.signal)
      .then(itemsOf)
      .then(
        (items) => {
          if (!current.signal.aborted) setState({ status: 'success', items })
        },
        () => {
          if (!current.signal.aborted) setState({ status: 'error', items: [] })
        },
      )
  }, [projectId])
  // The first input switched to "Environment variable" (or cloned as one) asks for them.
  useEffect(() => {
    if (wanted && state.status === 'idle') load()
  }, [wanted, state.status, load])
  useEffect(() => () => controller.current?.abort(), [])
  return [state, load]
}

function EnvironmentControl({
  id,
  projectId,
  value,
  variables,
  invalid,
  describedBy,
  onChange,
  onRetry,
}: {
  id: string
  projectId: number
  value: string
  variables: EnvironmentVariables
  invalid?: boolean
  describedBy?: string
  onChange: (variable: string) => void
  onRetry: () => void
}) {
  const manage = `/environment/?project=${projectId}`
  if (variables.status === 'success' && !variables.items.length) {
    return (
      <p id={id} className="execute-input-empty" aria-describedby={describedBy}>
        No environment variables in this project.{' '}
        <Link to={manage} target="_blank" rel="noreferrer" className="small-link">
          Add one
        </Link>
      </p>
    )
  }
  if (variables.status === 'error') {
    return (
      <p id={id} className="execute-input-empty" role="alert">
        The environment variables could not be loaded.{' '}
        <button type="button" className="button button-small" onClick={onRetry}>
          Retry
        </button>
      </p>
    )
  }
  const loading = variables.status !== 'success'
  // A variable named by a clone but gone since stays listed, so the choice is not lost silently.
  const missing = value && !loading && !variables.items.some((item) => item.name === value)
  return (
    <div className="execute-input-env">
      <select
        id={id}
        value={value}
        aria-invalid={invalid ? true : undefined}
        aria-describedby={describedBy}
        aria-busy={loading || undefined}
        onChange={(event) => onChange(event.target.value)}
      >
        <option value="">{loading ? 'Loading variables…' : 'Choose a variable…'}</option>
        {missing && <option value={value}>{value} (not found)</option>}
        {variables.items.map((variable) => (
          <option key={variable.id} value={variable.name}>
            {variable.name}
            {variable.secret ? ' (secret)' : ''}
          </option>
        ))}
      </select>
      <Link to={manage} target="_blank" rel="noreferrer" className="small-link">
        Manage variables
      </Link>
    </div>
  )
}

function InputField({
  input,
  projectId,
  state,
  artifacts,
  variables,
  error,
  onChange,
  onUpload,
  onRetryVariables,
}: {
  input: RunInput
  projectId: number
  state: InputState
  artifacts: readonly Artifact[]
  variables: EnvironmentVariables
  error?: string
  onChange: (state: InputState) => void
  onUpload: (file: File) => Promise<void>
  onRetryVariables: () => void
}) {
  const id = useId()
  const required = input.wired && (input.default === null || input.default === undefined)
  const sources = inputSources(input)
  const source = sources.includes(sourceOf(state)) ? sourceOf(state) : 'given'
  const chosen = source === 'env' ? variables.items.find((item) => item.name === state.variable) : undefined
  const sourceHint =
    source === 'datastore'
      ? isArtifactInput(input)
        ? 'A key in the run’s storage, e.g. data/in.csv: the file is copied into an artifact when the run starts.'
        : 'A key in the run’s storage, e.g. data/in.csv: its content is read when the run starts.'
      : source === 'env'
        ? chosen?.secret
          ? 'Read when the run starts; the secret value never shows in the run’s config.'
          : 'Read when the run starts.'
        : ''
  const describedBy =
    [error ? `${id}-error` : '', sourceHint ? `${id}-source-hint` : '', input.description ? `${id}-hint` : '']
      .filter(Boolean)
      .join(' ') || undefined
  const invalid = Boolean(error)
  return (
    <div className="field execute-input">
      <label htmlFor={id}>
        {input.name} <span className="type-tag">{input.type}</span>
        {!input.wired ? <span className="optional"> not wired: not used</span> : !required && <span className="optional"> optional</span>}
      </label>
      <div className="execute-input-row">
        <select
          className="execute-input-source"
          aria-label={`Source of ${input.name}`}
          value={source}
          onChange={(event) => onChange({ ...state, source: event.target.value as InputSource })}
        >
          {sources.map((item) => (
            <option key={item} value={item}>
              {sourceLabel(input, item)}
            </option>
          ))}
        </select>
        <div className="execute-input-value">
          {source === 'given' && (
            <InputControl
              id={id}
              input={input}
              state={state}
              artifacts={artifacts}
              invalid={invalid}
              describedBy={describedBy}
              required={required}
              onChange={onChange}
              onUpload={onUpload}
            />
          )}
          {source === 'env' && (
            <EnvironmentControl
              id={id}
              projectId={projectId}
              value={state.variable ?? ''}
              variables={variables}
              invalid={invalid}
              describedBy={describedBy}
              onChange={(variable) => onChange({ ...state, variable })}
              onRetry={onRetryVariables}
            />
          )}
          {source === 'datastore' && (
            <input
              id={id}
              className="mono"
              spellCheck={false}
              autoComplete="off"
              placeholder="data/in.csv"
              value={state.path ?? ''}
              aria-invalid={invalid ? true : undefined}
              aria-describedby={describedBy}
              onChange={(event) => onChange({ ...state, path: event.target.value })}
            />
          )}
        </div>
      </div>
      {sourceHint && (
        <p id={`${id}-source-hint`} className="field-hint">
          {sourceHint}
        </p>
      )}
      {input.description && (
        <p id={`${id}-hint`} className="field-hint">
          {input.description}
        </p>
      )}
      <FieldError id={`${id}-error`} message={error} />
    </div>
  )
}

export function InputsSection({
  inputs,
  projectId,
  states,
  artifacts,
  errors,
  onChange,
  onUpload,
}: {
  inputs: readonly RunInput[]
  /** The project whose environment variables an input may read. */
  projectId: number
  states: InputStates
  artifacts: readonly Artifact[]
  /** Messages by input name. */
  errors: Record<string, string>
  onChange: (name: string, state: InputState) => void
  onUpload: (name: string, file: File) => Promise<void>
}) {
  const id = useId()
  const wantsVariables = inputs.some(
    (input) => sourceOf(states[input.name]) === 'env' && inputSources(input).includes('env'),
  )
  const [variables, reloadVariables] = useEnvironmentVariables(projectId, wantsVariables)
  return (
    <fieldset className="execute-section execute-inputs" aria-labelledby={`${id}-legend`}>
      <legend id={`${id}-legend`}>Inputs</legend>
      <p className="field-hint">
        What this run is given: an artifact of the project for files and directories, a value for the others; or,
        per input, a project environment variable or a path in the run’s storage.
      </p>
      {inputs.map((input) => (
        <InputField
          key={input.name}
          input={input}
          projectId={projectId}
          state={states[input.name] ?? { artifact: null, text: '' }}
          artifacts={artifacts}
          variables={variables}
          error={errors[input.name]}
          onChange={(state) => onChange(input.name, state)}
          onUpload={(file) => onUpload(input.name, file)}
          onRetryVariables={reloadVariables}
        />
      ))}
    </fieldset>
  )
}

export function InputCredentialsSection({
  needed,
  backends,
  accounts,
  states,
  errors,
  onChange,
  typedSecretsNote = 'Typed secrets are used for this run only.',
}: {
  needed: Map<string, Artifact[]>
  backends: readonly BackendInfo[]
  accounts: readonly LinkedAccount[]
  states: CredentialStates
  /** Messages by `<backend>` (the group), `<backend>.account` or `<backend>.<field>`. */
  errors: Record<string, string>
  onChange: (backend: string, state: CredentialState) => void
  /** What becomes of secrets typed in (after the "choose your linked account" hint). */
  typedSecretsNote?: string
}) {
  const id = useId()
  if (!needed.size) return null
  return (
    <fieldset className="execute-section" aria-labelledby={`${id}-legend`}>
      <legend id={`${id}-legend`}>Credentials for pipeline inputs</legend>
      {[...needed].map(([backend, artifacts]) => {
        const info = backends.find((item) => item.name === backend)
        const state = states[backend] ?? { account: null, values: {} }
        const usable = accounts.filter((account) => account.kind === 'storage' && account.backend === backend)
        const fields = schemaFields(info?.options_schema).filter((field) => info?.secret_fields.includes(field.name))
        const group = `${id}-${backend}`
        return (
          <div key={backend} className="execute-input-credentials" role="group" aria-labelledby={`${group}-title`}>
            <p id={`${group}-title`} className="execute-input-credentials-title">
              {info?.label ?? backend}: {artifacts.map((artifact) => artifact.name).join(', ')}
            </p>
            <p className="field-hint">
              {artifacts.length === 1 ? 'This artifact is' : 'These artifacts are'} kept with someone else’s credentials:
              choose your linked account for this storage or type yours. {typedSecretsNote}
            </p>
            <FieldError id={`${group}-error`} message={errors[backend]} />
            <div className="field">
              <label htmlFor={`${group}-account`}>Linked account</label>
              <select
                id={`${group}-account`}
                value={state.account ?? ''}
                aria-invalid={errors[`${backend}.account`] ? true : undefined}
                onChange={(event) =>
                  onChange(backend, { ...state, account: event.target.value ? Number(event.target.value) : null })
                }
              >
                <option value="">None: type credentials</option>
                {usable.map((account) => (
                  <option key={account.id} value={account.id}>
                    {account.label}
                  </option>
                ))}
              </select>
              <FieldError id={`${group}-account-error`} message={errors[`${backend}.account`]} />
            </div>
            {state.account === null &&
              fields.map((field) => (
                <div className="field" key={field.name}>
                  <label htmlFor={`${group}-${field.name}`}>{field.label}</label>
                  <input
                    id={`${group}-${field.name}`}
                    type="password"
                    autoComplete="off"
                    value={state.values[field.name] ?? ''}
                    aria-invalid={errors[`${backend}.${field.name}`] ? true : undefined}
                    onChange={(event) =>
                      onChange(backend, { ...state, values: { ...state.values, [field.name]: event.target.value } })
                    }
                  />
                  <FieldError id={`${group}-${field.name}-error`} message={errors[`${backend}.${field.name}`]} />
                </div>
              ))}
          </div>
        )
      })}
    </fieldset>
  )
}
