// The execute dialog's "Inputs" section: what the run gives each pipeline input (an artifact
// of the project, picked or uploaded, for file and directory inputs; a value for the others,
// prefilled with the default), and "Credentials for pipeline inputs" when a chosen artifact
// is kept in storage opened with someone else's credentials. Pure helpers build the config.

import { useId, useRef, useState } from 'react'
import type { BackendInfo, LinkedAccount, RunInput } from '../api/backends'
import type { Artifact, ParamType } from '../api/types'
import { isParamType, parseParamInput } from '../editor/typeCheck'
import { schemaFields } from './schemaForm'

export const ARTIFACT_INPUT_TYPES: readonly string[] = ['file', 'directory']
const ARCHIVE = /\.(tar\.gz|tgz)$/i

export interface InputState {
  /** The artifact chosen for a file or directory input. */
  artifact: number | null
  /** The text typed for a value input. */
  text: string
}

export type InputStates = Record<string, InputState>

/** Per storage backend: a linked account of yours, or the secret fields typed in. */
export interface CredentialState {
  account: number | null
  values: Record<string, string>
}

export type CredentialStates = Record<string, CredentialState>

export type RunInputs = Record<string, { artifact: number } | { value: unknown }>
export type RunInputCredentials = Record<string, { account: number } | { options: Record<string, unknown> }>

function shown(value: unknown): string {
  if (value === null || value === undefined) return ''
  return typeof value === 'string' ? value : JSON.stringify(value)
}

export function isArtifactInput(input: RunInput): boolean {
  return ARTIFACT_INPUT_TYPES.includes(input.type)
}

export function initialInputStates(inputs: readonly RunInput[]): InputStates {
  return Object.fromEntries(inputs.map((input) => [input.name, { artifact: null, text: shown(input.default) }]))
}

/** The artifacts that fit an input: archives for a directory, anything for a file. */
export function fittingArtifacts(input: RunInput, artifacts: readonly Artifact[]): Artifact[] {
  return input.type === 'directory' ? artifacts.filter((artifact) => ARCHIVE.test(artifact.name)) : [...artifacts]
}

/**
 * The config's `inputs` from the dialog's states, or the problems by input name: a wired
 * input without a default needs an artifact or a value; typed text must fit the type.
 * Empty values are left out (the input's default applies).
 */
export function buildInputs(
  inputs: readonly RunInput[],
  states: InputStates,
): { inputs: RunInputs; errors: Record<string, string> } {
  const result: RunInputs = {}
  const errors: Record<string, string> = {}
  for (const input of inputs) {
    const state = states[input.name] ?? { artifact: null, text: '' }
    const required = input.wired && (input.default === null || input.default === undefined)
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
  return { inputs: result, errors }
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
    const chosen = isArtifactInput(input) ? states[input.name]?.artifact : null
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

function FieldError({ id, message }: { id: string; message?: string }) {
  if (!message) return null
  return (
    <p id={id} className="field-error">
      {message}
    </p>
  )
}

function artifactLabel(artifact: Artifact): string {
  const size = artifact.size < 1024 ? `${artifact.size} B` : `${Math.round(artifact.size / 1024)} KB`
  return `${artifact.name} (${size}, #${artifact.id})`
}

function InputField({
  input,
  state,
  artifacts,
  error,
  onChange,
  onUpload,
}: {
  input: RunInput
  state: InputState
  artifacts: readonly Artifact[]
  error?: string
  onChange: (state: InputState) => void
  onUpload: (file: File) => Promise<void>
}) {
  const id = useId()
  const fileRef = useRef<HTMLInputElement>(null)
  const [uploading, setUploading] = useState(false)
  const required = input.wired && (input.default === null || input.default === undefined)
  const describedBy = [error ? `${id}-error` : '', input.description ? `${id}-hint` : ''].filter(Boolean).join(' ') || undefined
  const label = (
    <label htmlFor={id}>
      {input.name} <span className="type-tag">{input.type}</span>
      {!input.wired ? <span className="optional"> not wired: not used</span> : !required && <span className="optional"> optional</span>}
    </label>
  )
  let control
  if (isArtifactInput(input)) {
    const fitting = fittingArtifacts(input, artifacts)
    control = (
      <div className="execute-artifact-picker">
        <select
          id={id}
          value={state.artifact ?? ''}
          aria-invalid={error ? true : undefined}
          aria-describedby={describedBy}
          onChange={(event) => onChange({ ...state, artifact: event.target.value ? Number(event.target.value) : null })}
        >
          <option value="">{fitting.length ? 'Choose an artifact…' : 'No artifact yet: upload one'}</option>
          {fitting.map((artifact) => (
            <option key={artifact.id} value={artifact.id}>
              {artifactLabel(artifact)}
            </option>
          ))}
        </select>
        <button
          type="button"
          className="button button-small"
          disabled={uploading}
          aria-busy={uploading || undefined}
          aria-label={`Upload a file for ${input.name}`}
          onClick={() => fileRef.current?.click()}
        >
          {uploading ? 'Uploading…' : 'Upload…'}
        </button>
        <input
          ref={fileRef}
          type="file"
          hidden
          data-testid={`upload-${input.name}`}
          accept={input.type === 'directory' ? '.tar.gz,.tgz' : undefined}
          onChange={(event) => {
            const file = event.target.files?.[0]
            event.target.value = ''
            if (!file) return
            setUploading(true)
            void onUpload(file).finally(() => setUploading(false))
          }}
        />
      </div>
    )
  } else if (input.type === 'bool') {
    control = (
      <select
        id={id}
        value={state.text}
        aria-invalid={error ? true : undefined}
        aria-describedby={describedBy}
        onChange={(event) => onChange({ ...state, text: event.target.value })}
      >
        <option value="">{required ? 'Choose…' : 'Default'}</option>
        <option value="true">true</option>
        <option value="false">false</option>
      </select>
    )
  } else if (input.type === 'json' || input.type === 'object') {
    control = (
      <textarea
        id={id}
        rows={3}
        className="mono"
        spellCheck={false}
        value={state.text}
        aria-invalid={error ? true : undefined}
        aria-describedby={describedBy}
        onChange={(event) => onChange({ ...state, text: event.target.value })}
      />
    )
  } else {
    const numeric = input.type === 'int' || input.type === 'float'
    control = (
      <input
        id={id}
        type={numeric ? 'number' : 'text'}
        step={input.type === 'int' ? 1 : numeric ? 'any' : undefined}
        value={state.text}
        aria-invalid={error ? true : undefined}
        aria-describedby={describedBy}
        onChange={(event) => onChange({ ...state, text: event.target.value })}
      />
    )
  }
  return (
    <div className="field execute-input">
      {label}
      {control}
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
  states,
  artifacts,
  errors,
  onChange,
  onUpload,
}: {
  inputs: readonly RunInput[]
  states: InputStates
  artifacts: readonly Artifact[]
  /** Messages by input name. */
  errors: Record<string, string>
  onChange: (name: string, state: InputState) => void
  onUpload: (name: string, file: File) => Promise<void>
}) {
  const id = useId()
  return (
    <fieldset className="execute-section execute-inputs" aria-labelledby={`${id}-legend`}>
      <legend id={`${id}-legend`}>Inputs</legend>
      <p className="field-hint">What this run is given: an artifact of the project for files and directories, a value for the others.</p>
      {inputs.map((input) => (
        <InputField
          key={input.name}
          input={input}
          state={states[input.name] ?? { artifact: null, text: '' }}
          artifacts={artifacts}
          error={errors[input.name]}
          onChange={(state) => onChange(input.name, state)}
          onUpload={(file) => onUpload(input.name, file)}
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
}: {
  needed: Map<string, Artifact[]>
  backends: readonly BackendInfo[]
  accounts: readonly LinkedAccount[]
  states: CredentialStates
  /** Messages by `<backend>` (the group), `<backend>.account` or `<backend>.<field>`. */
  errors: Record<string, string>
  onChange: (backend: string, state: CredentialState) => void
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
              choose your linked account for this storage or type yours. Typed secrets are used for this run only.
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
