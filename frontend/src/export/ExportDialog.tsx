// The export dialog: the pipeline as a zip that runs anywhere with `python main.py`. Each
// pipeline input is either static (its current value, or an artifact's bytes, ships in the
// zip) or a command-line argument (`--input name=...` when the zip runs). A static artifact
// kept with someone else's credentials asks for yours, as the execute dialog does. The zip
// streams in (bytes received shown) and is saved under the server's file name; a refusal
// puts its messages next to the fields they name and nothing is saved.

import { useEffect, useId, useMemo, useRef, useState, type FormEvent, type ReactNode } from 'react'
import { listArtifacts } from '../api/artifacts'
import { listAccounts, listBackends, getRunSetup, type BackendInfo, type LinkedAccount, type RunInput } from '../api/backends'
import { isAbortError } from '../api/client'
import { itemsOf } from '../api/endpoints'
import { exportPipeline, type ExportProgress } from '../api/exports'
import type { Artifact } from '../api/types'
import { Dialog } from '../components/Dialog'
import { DownloadIcon } from '../components/Icons'
import { ErrorState, Spinner } from '../components/States'
import { uploadInputFile } from '../execute/ArtifactPicker'
import {
  InputControl,
  InputCredentialsSection,
  buildInputCredentials,
  credentialsNeeded,
  initialInputStates,
  isArtifactInput,
  placeCredentialErrors,
  type CredentialStates,
  type InputState,
  type InputStates,
} from '../execute/InputsSection'
import { useResource } from '../hooks/useResource'
import { formatBytes, saveBlob } from '../lib/download'
import { isModEnter, modEnterLabel } from '../lib/keys'
import {
  NO_EXPORT_ERRORS,
  argumentHint,
  buildStatic,
  exportErrors,
  initialModes,
  staticInputs,
  type ExportErrors,
  type InputMode,
  type InputModes,
} from './exportForm'
import '../execute/execute.css'
import './export.css'

interface Loaded {
  inputs: RunInput[]
  /** The project's artifacts, storage backends and your linked accounts: only when an input takes a file. */
  artifacts: Artifact[]
  storage: BackendInfo[]
  accounts: LinkedAccount[]
}

type Transfer =
  | { phase: 'idle' }
  | { phase: 'downloading'; progress: ExportProgress | null }
  | { phase: 'done'; filename: string; size: number }

export function ExportDialog({
  pipelineId,
  projectId,
  version,
  onClose,
}: {
  pipelineId: number
  projectId: number
  /** The version to export; null: the saved draft (frozen into a version when it changed). */
  version: number | null
  onClose: () => void
}) {
  const loaded = useResource<Loaded>(
    async (signal) => {
      const setup = await getRunSetup(pipelineId, null, signal)
      const inputs = setup.inputs ?? []
      if (!inputs.some(isArtifactInput)) return { inputs, artifacts: [], storage: [], accounts: [] }
      const [artifacts, storage, accounts] = await Promise.all([
        listArtifacts(projectId, signal).then(itemsOf),
        listBackends('storage', signal),
        listAccounts(signal).then(itemsOf),
      ])
      return { inputs, artifacts, storage, accounts }
    },
    [pipelineId, projectId],
  )

  return (
    <Dialog
      title="Export pipeline"
      description={
        <>
          {version === null ? 'The saved pipeline' : `Version ${version}`} as a zip that runs anywhere with{' '}
          <code className="export-command">python main.py</code>: no Pipewright server needed.
        </>
      }
      onClose={onClose}
      className="dialog-wide export-dialog"
    >
      {loaded.status === 'loading' && <Spinner label="Loading the pipeline’s inputs…" />}
      {loaded.status === 'error' && (
        <ErrorState title="Could not load the export options" error={loaded.error} onRetry={loaded.reload} />
      )}
      {loaded.status === 'success' && loaded.data && (
        <ExportForm
          pipelineId={pipelineId}
          projectId={projectId}
          version={version}
          loaded={loaded.data}
          onClose={onClose}
        />
      )}
    </Dialog>
  )
}

function ExportForm({
  pipelineId,
  projectId,
  version,
  loaded,
  onClose,
}: {
  pipelineId: number
  projectId: number
  version: number | null
  loaded: Loaded
  onClose: () => void
}) {
  const inputs = loaded.inputs
  const [modes, setModes] = useState<InputModes>(() => initialModes(inputs))
  const [inputStates, setInputStates] = useState<InputStates>(() => initialInputStates(inputs))
  const [artifacts, setArtifacts] = useState<Artifact[]>(loaded.artifacts)
  const [credentialStates, setCredentialStates] = useState<CredentialStates>({})
  const [errors, setErrors] = useState<ExportErrors>(NO_EXPORT_ERRORS)
  const [transfer, setTransfer] = useState<Transfer>({ phase: 'idle' })
  const formRef = useRef<HTMLFormElement>(null)
  const controllerRef = useRef<AbortController | null>(null)
  const shipped = useMemo(() => staticInputs(inputs, modes), [inputs, modes])
  const needed = useMemo(() => credentialsNeeded(shipped, inputStates, artifacts), [shipped, inputStates, artifacts])
  const busy = transfer.phase === 'downloading'
  const shortcut = modEnterLabel(typeof navigator === 'undefined' ? '' : navigator.platform)

  // The dialog focuses its first field when it opens, before this form has loaded: focus here.
  useEffect(() => {
    formRef.current?.querySelector<HTMLElement>('[data-autofocus]')?.focus()
  }, [])

  // Closing the dialog stops a download in progress.
  useEffect(() => () => controllerRef.current?.abort(), [])

  /** Any change makes an earlier outcome (saved, refused) stale. */
  const edited = () => {
    if (transfer.phase === 'done') setTransfer({ phase: 'idle' })
  }

  const clearFieldError = (key: string) =>
    setErrors((current) => {
      if (!(key in current.fields)) return current
      const { [key]: _gone, ...fields } = current.fields
      return { ...current, fields }
    })

  const setMode = (name: string, mode: InputMode) => {
    edited()
    setModes((current) => ({ ...current, [name]: mode }))
    clearFieldError(`static.${name}`)
  }

  const setInputState = (name: string, state: InputState) => {
    edited()
    setInputStates((current) => ({ ...current, [name]: state }))
  }

  /** Uploads a file for a static input and picks it; a refusal is shown next to the input. */
  const uploadFor = async (name: string, file: File) => {
    const outcome = await uploadInputFile(projectId, file)
    if (!outcome.ok) {
      setErrors((current) => ({ ...current, fields: { ...current.fields, [`static.${name}`]: outcome.message } }))
      return
    }
    const artifact = outcome.artifact
    edited()
    setArtifacts((current) => [artifact, ...current.filter((item) => item.id !== artifact.id)])
    setInputStates((current) => ({ ...current, [name]: { ...(current[name] ?? { text: '' }), artifact: artifact.id } }))
    clearFieldError(`static.${name}`)
  }

  const submit = async (event?: FormEvent) => {
    event?.preventDefault()
    if (controllerRef.current) return
    const found: ExportErrors = { fields: {}, graph: [], general: [] }
    const given = buildStatic(inputs, modes, inputStates)
    for (const [name, message] of Object.entries(given.errors)) found.fields[`static.${name}`] = message
    const credentials = buildInputCredentials(needed, credentialStates, loaded.storage)
    for (const [key, message] of Object.entries(credentials.errors)) found.fields[`input_credentials:${key}`] = message
    if (Object.keys(found.fields).length) {
      setErrors(found)
      setTransfer({ phase: 'idle' })
      return
    }
    const controller = new AbortController()
    controllerRef.current = controller
    setErrors(NO_EXPORT_ERRORS)
    setTransfer({ phase: 'downloading', progress: null })
    try {
      const zip = await exportPipeline(
        pipelineId,
        { version, static: given.static, input_credentials: credentials.credentials },
        {
          signal: controller.signal,
          onProgress: (progress) => setTransfer({ phase: 'downloading', progress }),
        },
      )
      saveBlob(zip.blob, zip.filename)
      setTransfer({ phase: 'done', filename: zip.filename, size: zip.blob.size })
    } catch (error) {
      if (isAbortError(error)) return
      setErrors(exportErrors(error))
      setTransfer({ phase: 'idle' })
    } finally {
      if (controllerRef.current === controller) controllerRef.current = null
    }
  }

  const staticErrors: Record<string, string> = {}
  for (const [key, message] of Object.entries(errors.fields)) {
    if (key.startsWith('static.')) staticErrors[key.slice('static.'.length)] = message
  }
  const placed = placeCredentialErrors(errors.fields, needed, shipped, inputStates)
  for (const [name, message] of Object.entries(placed.inputs)) staticErrors[name] ??= message
  // A message about an input this dialog does not list (the version's inputs differ) stays general.
  const unlisted = Object.entries(staticErrors)
    .filter(([name]) => !inputs.some((input) => input.name === name))
    .map(([name, message]) => `${name}: ${message}`)
  const general = [...errors.general, ...placed.stray, ...unlisted]

  return (
    <form
      ref={formRef}
      className="form execute-form export-form"
      onSubmit={submit}
      noValidate
      onKeyDown={(event) => {
        if (isModEnter(event.nativeEvent)) {
          event.preventDefault()
          void submit()
        }
      }}
    >
      {(general.length > 0 || errors.graph.length > 0) && (
        <div className="form-alert" role="alert">
          <strong>The pipeline could not be exported</strong>
          {general.map((message) => (
            <span key={message}>{message}</span>
          ))}
          {errors.graph.length > 0 && (
            <>
              <span>
                {errors.graph.length === 1 ? 'Its graph has a problem:' : `Its graph has ${errors.graph.length} problems:`}
              </span>
              <ul className="export-problems" aria-label="Graph problems">
                {errors.graph.map((message, index) => (
                  <li key={`${index}-${message}`}>{message}</li>
                ))}
              </ul>
            </>
          )}
        </div>
      )}

      {inputs.length === 0 ? (
        <div className="export-empty">
          <p>This pipeline takes no inputs: the zip runs as it is.</p>
          <p className="field-hint">
            Node parameters can still be changed when it runs, with <code>--param node.name=value</code>.
          </p>
        </div>
      ) : (
        <fieldset className="execute-section export-inputs">
          <legend>Inputs</legend>
          <p className="field-hint">
            A static input ships in the zip as it is now; the others are given when the zip runs.
          </p>
          {inputs.map((input, index) => (
            <ExportInputRow
              key={input.name}
              input={input}
              mode={modes[input.name] ?? 'argument'}
              state={inputStates[input.name] ?? { artifact: null, text: '' }}
              artifacts={artifacts}
              error={staticErrors[input.name]}
              autoFocus={index === 0}
              onMode={(mode) => setMode(input.name, mode)}
              onChange={(state) => setInputState(input.name, state)}
              onUpload={(file) => uploadFor(input.name, file)}
            />
          ))}
        </fieldset>
      )}

      <InputCredentialsSection
        needed={needed}
        backends={loaded.storage}
        accounts={loaded.accounts}
        states={credentialStates}
        errors={placed.credentials}
        typedSecretsNote="Typed secrets fetch the file for this export only: they never go into the zip."
        onChange={(backend, state) => {
          edited()
          setCredentialStates((current) => ({ ...current, [backend]: state }))
        }}
      />

      <div className="export-footer">
        <TransferStatus transfer={transfer} />
        <div className="form-actions">
          <button
            type="button"
            className="button"
            onClick={() => {
              controllerRef.current?.abort()
              onClose()
            }}
          >
            {transfer.phase === 'done' ? 'Close' : 'Cancel'}
          </button>
          <button
            type="submit"
            className="button button-primary"
            disabled={busy}
            aria-busy={busy || undefined}
            aria-keyshortcuts="Control+Enter Meta+Enter"
            title={`Download the zip (${shortcut})`}
            data-autofocus={inputs.length === 0 ? true : undefined}
          >
            {busy ? <span className="spinner spinner-small" aria-hidden="true" /> : <DownloadIcon size={16} />}
            {busy ? 'Downloading…' : 'Download zip'}
            {!busy && (
              <kbd className="button-kbd" aria-hidden="true">
                {shortcut}
              </kbd>
            )}
          </button>
        </div>
      </div>
    </form>
  )
}

function TransferStatus({ transfer }: { transfer: Transfer }) {
  let body = null
  if (transfer.phase === 'downloading') {
    const progress = transfer.progress
    body = (
      <>
        <span className="spinner spinner-small" aria-hidden="true" />
        {!progress || progress.received === 0 ? (
          <span>Preparing the zip…</span>
        ) : (
          <span>
            Downloading… <strong>{formatBytes(progress.received)}</strong>
            {progress.total !== null ? ` of ${formatBytes(progress.total)}` : ' received'}
          </span>
        )}
        {progress?.total ? (
          <progress className="export-progress-bar" max={progress.total} value={progress.received} aria-hidden="true" />
        ) : null}
      </>
    )
  } else if (transfer.phase === 'done') {
    body = (
      <>
        <span className="export-done-mark" aria-hidden="true">
          ✓
        </span>
        <span>
          Saved <strong className="export-filename">{transfer.filename}</strong> ({formatBytes(transfer.size)})
        </span>
      </>
    )
  }
  return (
    <div className={`export-status export-status-${transfer.phase}`} role="status" aria-live="polite">
      {body}
    </div>
  )
}

function ExportInputRow({
  input,
  mode,
  state,
  artifacts,
  error,
  autoFocus,
  onMode,
  onChange,
  onUpload,
}: {
  input: RunInput
  mode: InputMode
  state: InputState
  artifacts: readonly Artifact[]
  error?: string
  autoFocus: boolean
  onMode: (mode: InputMode) => void
  onChange: (state: InputState) => void
  onUpload: (file: File) => Promise<void>
}) {
  const id = useId()
  const artifactInput = isArtifactInput(input)
  const staticDetail = artifactInput ? 'ship an artifact in the zip' : 'ship its current value in the zip'
  const describedBy = [error ? `${id}-error` : '', input.description ? `${id}-hint` : ''].filter(Boolean).join(' ') || undefined
  // Two lines each (a title, then what it means), named as one sentence.
  const option = (value: InputMode, name: string, title: ReactNode, detail: ReactNode) => (
    <label className={mode === value ? 'export-mode is-selected' : 'export-mode'}>
      <input
        type="radio"
        name={`${id}-mode`}
        value={value}
        checked={mode === value}
        aria-label={name}
        data-autofocus={autoFocus && mode === value ? true : undefined}
        onChange={() => onMode(value)}
      />
      <span className="export-mode-text">
        <span className="export-mode-title">{title}</span>
        <span className="export-mode-detail">{detail}</span>
      </span>
    </label>
  )
  return (
    <div className={error ? 'export-input has-error' : 'export-input'} role="group" aria-labelledby={`${id}-name`}>
      <div className="export-input-head">
        <span id={`${id}-name`} className="export-input-name">
          {input.name}
        </span>
        <span className="type-tag">{input.type}</span>
        {!input.wired && <span className="optional">not wired: not used</span>}
      </div>
      {input.description && (
        <p id={`${id}-hint`} className="field-hint">
          {input.description}
        </p>
      )}
      <div className="export-modes" role="radiogroup" aria-label={`How ${input.name} is given`}>
        {option(
          'argument',
          `Command-line argument (--input ${input.name}=...)`,
          'Command-line argument',
          <code>--input {input.name}=...</code>,
        )}
        {option(
          'static',
          `Static: ${staticDetail}`,
          'Static',
          staticDetail,
        )}
      </div>
      {mode === 'static' ? (
        <div className="field export-static">
          <label htmlFor={`${id}-value`}>{artifactInput ? 'Artifact shipped in the zip' : 'Value shipped in the zip'}</label>
          <InputControl
            id={`${id}-value`}
            input={input}
            state={state}
            artifacts={artifacts}
            invalid={Boolean(error)}
            describedBy={describedBy}
            required={input.default === null || input.default === undefined}
            onChange={onChange}
            onUpload={onUpload}
          />
          {!artifactInput && input.default !== null && input.default !== undefined && (
            <p className="field-hint">Left empty, the default {JSON.stringify(input.default)} is shipped.</p>
          )}
        </div>
      ) : (
        <p className="field-hint export-argument-hint">{argumentHint(input)}</p>
      )}
      {error && (
        <p id={`${id}-error`} className="field-error">
          {error}
        </p>
      )}
    </div>
  )
}
