// The execute dialog: how every run starts. Basic (name, debug, experiment), Inputs (what
// each pipeline input is given, with credentials for input artifacts in someone else's
// storage), Compute and Storage (backend + options rendered from the backend's JSON Schema,
// linked accounts), "Save for future executions", Run. "Recurring" turns the same choices
// into a schedule (runs/schedules.py) instead of one run. The server validates; its errors
// land next to fields.

import { useEffect, useId, useMemo, useRef, useState, type FormEvent } from 'react'
import { useNavigate } from 'react-router-dom'
import {
  createAccount,
  getRunSetup,
  listAccounts,
  listBackends,
  listExperiments,
  type BackendChoice,
  type BackendInfo,
  type BackendKind,
  type LinkedAccount,
  type RunInput,
  type RunSetup,
} from '../api/backends'
import { listArtifacts } from '../api/artifacts'
import { itemsOf, submitRun } from '../api/endpoints'
import { createRecurringRun, type RecurringRunDetail } from '../api/recurring'
import type { CloneSetup } from '../api/runsManagement'
import type { Artifact, RunDetail } from '../api/types'
import { Dialog } from '../components/Dialog'
import { ErrorState, Spinner } from '../components/States'
import { isApiError } from '../api/client'
import { useResource } from '../hooks/useResource'
import { isModEnter } from '../lib/keys'
import { uploadInputFile } from './ArtifactPicker'
import { BackendSection, providedBy, type BackendState } from './BackendSection'
import { dialogErrors, isGraphRefusal, type DialogErrors } from './executeErrors'
import {
  InputCredentialsSection,
  InputsSection,
  buildInputCredentials,
  buildInputs,
  credentialsNeeded,
  initialInputStates,
  isArtifactInput,
  placeCredentialErrors,
  type CredentialStates,
  type InputStates,
} from './InputsSection'
import { ScheduleFields } from '../recurring/ScheduleFields'
import { defaultDraft, scheduleBody, scheduleErrors, type DraftField, type ScheduleDraft } from '../recurring/schedule'
import { initialValues, parseValues, schemaFields } from './schemaForm'
import './execute.css'

const KINDS: BackendKind[] = ['compute', 'storage']
const NAME_CHECK_DELAY_MS = 250
const NO_ERRORS: DialogErrors = { fields: {}, general: [] }

type Mode = 'once' | 'recurring'

/** A refused schedule's body without its `schedule` part, for the run fields' error mapping. */
function withoutSchedule(error: unknown): unknown {
  if (typeof error !== 'object' || error === null) return error
  const { status, body } = error as { status?: unknown; body?: unknown }
  if (typeof status !== 'number' || typeof body !== 'object' || body === null || Array.isArray(body)) return error
  const { schedule: _schedule, ...rest } = body as Record<string, unknown>
  return { status, body: rest }
}

interface Loaded {
  setup: RunSetup
  backends: Record<BackendKind, BackendInfo[]>
  accounts: LinkedAccount[]
  experiments: { id: number; name: string }[]
  /** The project's artifacts, when a pipeline input takes one. */
  artifacts: Artifact[]
}

/** The dialog's start for a clone: the original's choices instead of the saved preset. */
function cloneRunSetup(initial: CloneSetup): RunSetup {
  return {
    name: initial.name,
    run_name: initial.run_name,
    preset: {
      name: initial.name,
      debug: initial.debug,
      experiment: initial.experiment,
      compute: initial.compute,
      storage: initial.storage,
    },
    inputs: initial.run_inputs,
  }
}

export function ExecuteDialog({
  pipelineId,
  projectId,
  initial,
  onClose,
  onStarted,
  onScheduled,
  onGraphRefused,
}: {
  pipelineId: number
  projectId: number
  /** Clone a run: start from its exact version, inputs, parameters and public choices. */
  initial?: CloneSetup
  onClose: () => void
  onStarted: (run: RunDetail) => void
  /** A recurring run was created instead (default: open its page). */
  onScheduled?: (schedule: RecurringRunDetail) => void
  /** The run was refused for problems of the graph itself (shown by the page, on the graph). */
  onGraphRefused?: (error: unknown) => void
}) {
  const loaded = useResource<Loaded>(
    async (signal) => {
      const [setup, compute, storage, accounts, experiments] = await Promise.all([
        initial ? cloneRunSetup(initial) : getRunSetup(pipelineId, null, signal),
        listBackends('compute', signal),
        listBackends('storage', signal),
        listAccounts(signal).then(itemsOf),
        listExperiments(projectId, signal)
          .then(itemsOf)
          .catch(() => []),
      ])
      const artifacts = (setup.inputs ?? []).some(isArtifactInput)
        ? await listArtifacts(projectId, signal).then(itemsOf)
        : []
      return {
        setup,
        backends: { compute, storage },
        accounts,
        experiments: experiments.filter((item) => !item.archived),
        artifacts,
      }
    },
    [pipelineId, projectId, initial],
  )

  return (
    <Dialog
      title={initial ? 'Clone run' : 'Run pipeline'}
      description={
        initial
          ? 'A new run of the same pipeline version, with the same inputs, parameters and choices.'
          : 'Choose where it computes and where its files go.'
      }
      onClose={onClose}
      className="dialog-wide"
    >
      {loaded.status === 'loading' && <Spinner label="Loading backends…" />}
      {loaded.status === 'error' && (
        <ErrorState title="Could not load the run options" error={loaded.error} onRetry={loaded.reload} />
      )}
      {loaded.status === 'success' && loaded.data && (
        <ExecuteForm
          pipelineId={pipelineId}
          projectId={projectId}
          loaded={loaded.data}
          initial={initial}
          onClose={onClose}
          onStarted={onStarted}
          onScheduled={onScheduled}
          onGraphRefused={onGraphRefused}
        />
      )}
    </Dialog>
  )
}

function startState(kind: BackendKind, loaded: Loaded): BackendState {
  const saved: BackendChoice | undefined = loaded.setup.preset?.[kind]
  const backends = loaded.backends[kind]
  const info = backends.find((item) => item.name === saved?.backend) ?? backends[0]
  const fields = schemaFields(info?.options_schema)
  const accountOk = loaded.accounts.some((account) => account.id === saved?.account)
  return {
    backend: info?.name ?? 'local',
    account: saved && accountOk && saved.backend === info?.name ? (saved.account ?? null) : null,
    values: initialValues(fields, saved?.backend === info?.name ? saved?.options : {}),
  }
}

/** The clone's input states: the artifacts and values the original run was given. */
function clonedInputStates(initial: CloneSetup, inputs: readonly RunInput[]): InputStates {
  const states = initialInputStates(inputs)
  for (const input of inputs) {
    const given = initial.inputs[input.name]
    if (!given) continue
    states[input.name] =
      'artifact' in given
        ? { artifact: given.artifact, text: '' }
        : { artifact: null, text: typeof given.value === 'string' ? given.value : JSON.stringify(given.value) }
  }
  return states
}

function ExecuteForm({
  pipelineId,
  projectId,
  loaded,
  initial,
  onClose,
  onStarted,
  onScheduled,
  onGraphRefused,
}: {
  pipelineId: number
  projectId: number
  loaded: Loaded
  initial?: CloneSetup
  onClose: () => void
  onStarted: (run: RunDetail) => void
  onScheduled?: (schedule: RecurringRunDetail) => void
  onGraphRefused?: (error: unknown) => void
}) {
  const id = useId()
  const navigate = useNavigate()
  const [mode, setMode] = useState<Mode>('once')
  const [draft, setDraft] = useState<ScheduleDraft>(() => defaultDraft())
  const [draftErrors, setDraftErrors] = useState<Partial<Record<DraftField, string>>>({})
  const preset = loaded.setup.preset
  const [name, setName] = useState(loaded.setup.name)
  const [runName, setRunName] = useState(loaded.setup.run_name)
  const [debug, setDebug] = useState(preset?.debug === true)
  const [experiment, setExperiment] = useState<number | null>(
    loaded.experiments.some((item) => item.id === preset?.experiment) ? (preset?.experiment ?? null) : null,
  )
  const [choices, setChoices] = useState<Record<BackendKind, BackendState>>(() => ({
    compute: startState('compute', loaded),
    storage: startState('storage', loaded),
  }))
  const [save, setSave] = useState(preset !== null && !initial)
  const [accountNames, setAccountNames] = useState<Record<BackendKind, string>>({ compute: '', storage: '' })
  const [busy, setBusy] = useState(false)
  const [errors, setErrors] = useState<DialogErrors>(NO_ERRORS)
  const busyRef = useRef(false)
  const runInputs = useMemo(() => loaded.setup.inputs ?? [], [loaded.setup.inputs])
  const [inputStates, setInputStates] = useState<InputStates>(() =>
    initial ? clonedInputStates(initial, runInputs) : initialInputStates(runInputs),
  )
  const [artifacts, setArtifacts] = useState<Artifact[]>(loaded.artifacts)
  const [credentialStates, setCredentialStates] = useState<CredentialStates>({})
  const needed = useMemo(
    () => credentialsNeeded(runInputs, inputStates, artifacts),
    [runInputs, inputStates, artifacts],
  )

  /** Uploads a file for an input and picks it; a refusal is shown next to the input. */
  const uploadFor = async (name: string, file: File) => {
    const outcome = await uploadInputFile(projectId, file)
    if (!outcome.ok) {
      setErrors((current) => ({ ...current, fields: { ...current.fields, [`inputs.${name}`]: outcome.message } }))
      return
    }
    const artifact = outcome.artifact
    setArtifacts((current) => [artifact, ...current.filter((item) => item.id !== artifact.id)])
    setInputStates((current) => ({ ...current, [name]: { ...(current[name] ?? { text: '' }), artifact: artifact.id } }))
    setErrors((current) => {
      const { [`inputs.${name}`]: _gone, ...fields } = current.fields
      return { ...current, fields }
    })
  }

  // The name the run will get ("test" -> "test_2"), asked again as the user types.
  useEffect(() => {
    const controller = new AbortController()
    const timer = window.setTimeout(() => {
      getRunSetup(pipelineId, name.trim() || 'run', controller.signal).then(
        (setup) => setRunName(setup.run_name),
        () => undefined,
      )
    }, NAME_CHECK_DELAY_MS)
    return () => {
      window.clearTimeout(timer)
      controller.abort()
    }
  }, [name, pipelineId])

  /** Secrets typed in (not from an account), per kind: offered to be saved as a linked account. */
  const typedSecrets = useMemo(() => {
    const result: Partial<Record<BackendKind, boolean>> = {}
    for (const kind of KINDS) {
      const info = loaded.backends[kind].find((item) => item.name === choices[kind].backend)
      result[kind] = (info?.secret_fields ?? []).some((field) => {
        const value = choices[kind].values[field]
        return typeof value === 'string' && value.trim() !== ''
      })
    }
    return result
  }, [choices, loaded.backends])

  const submit = async (event?: FormEvent) => {
    event?.preventDefault()
    if (busyRef.current) return
    const found: DialogErrors = { fields: {}, general: [] }
    const chosen: Partial<Record<BackendKind, BackendChoice>> = {}
    for (const kind of KINDS) {
      const state = choices[kind]
      const info = loaded.backends[kind].find((item) => item.name === state.backend)
      const account = loaded.accounts.find((item) => item.id === state.account) ?? null
      const parsed = parseValues(schemaFields(info?.options_schema), state.values, providedBy(account))
      for (const [field, message] of Object.entries(parsed.errors)) found.fields[`${kind}.options.${field}`] = message
      chosen[kind] = { backend: state.backend, options: parsed.options, account: state.account }
    }
    const given = buildInputs(runInputs, inputStates)
    if (initial) {
      // Unconnected node inputs ("node.port") the original was given go as they were.
      const named = new Set(runInputs.map((input) => input.name))
      for (const [key, value] of Object.entries(initial.inputs)) {
        if (!named.has(key)) given.inputs[key] = value
      }
    }
    for (const [name, message] of Object.entries(given.errors)) found.fields[`inputs.${name}`] = message
    const credentials = buildInputCredentials(needed, credentialStates, loaded.backends.storage)
    for (const [key, message] of Object.entries(credentials.errors)) found.fields[`input_credentials:${key}`] = message
    const schedule = mode === 'recurring' ? scheduleBody(draft) : null
    setDraftErrors(schedule?.errors ?? {})
    if (Object.keys(found.fields).length || Object.keys(schedule?.errors ?? {}).length) {
      setErrors(found)
      return
    }
    busyRef.current = true
    setBusy(true)
    setErrors(NO_ERRORS)
    try {
      // Typed-in secrets the user asked to keep become a linked account first, so that the
      // saved choices refer to it instead of holding a secret.
      for (const kind of KINDS) {
        const label = accountNames[kind].trim()
        const choice = chosen[kind]!
        if (!label || !typedSecrets[kind]) continue
        try {
          const account = await createAccount({ kind, backend: choice.backend, label, options: choice.options })
          chosen[kind] = { backend: choice.backend, options: {}, account: account.id }
        } catch (error) {
          const refused = dialogErrors(error)
          const message = Object.values(refused.fields)[0] ?? refused.general[0] ?? 'could not be saved'
          setErrors({ fields: { [`${kind}.accountName`]: message }, general: [] })
          return
        }
      }
      const body = {
        pipeline: pipelineId,
        name: name.trim(),
        debug,
        experiment,
        compute: chosen.compute,
        storage: chosen.storage,
        ...(Object.keys(given.inputs).length ? { inputs: given.inputs } : {}),
        ...(Object.keys(given.mappings).length ? { input_mappings: given.mappings } : {}),
        ...(Object.keys(credentials.credentials).length ? { input_credentials: credentials.credentials } : {}),
        save_for_future: save,
        ...(initial
          ? { pipeline_version: initial.pipeline_version, params: initial.params, cloned_from: initial.cloned_from }
          : {}),
      }
      if (schedule) {
        const { cloned_from: _cloned, save_for_future: _save, ...config } = body
        const created = await createRecurringRun({ ...config, schedule: { ...schedule.body, name: name.trim() } })
        if (onScheduled) onScheduled(created)
        else navigate(`/recurring/${created.id}/`)
        return
      }
      onStarted(await submitRun(body))
    } catch (error) {
      const found = dialogErrors(withoutSchedule(error))
      if (schedule && isApiError(error) && error.status === 400) {
        const placed = scheduleErrors(error.body)
        const { name: nameError, ...fields } = placed.fields
        setDraftErrors(fields)
        if (nameError) found.fields.name = nameError
      }
      if (onGraphRefused && !Object.keys(found.fields).length && isGraphRefusal(error)) {
        onGraphRefused(error)
        return
      }
      setErrors(found)
    } finally {
      busyRef.current = false
      setBusy(false)
    }
  }

  const inputErrors: Record<string, string> = {}
  for (const [key, message] of Object.entries(errors.fields)) {
    if (key.startsWith('inputs.')) inputErrors[key.slice('inputs.'.length)] = message
  }
  // Server messages about an input artifact no field shows (e.g. it changed meanwhile) are stray.
  const placed = placeCredentialErrors(errors.fields, needed, runInputs, inputStates)
  const credentialErrors = placed.credentials
  const stray = placed.stray
  for (const [name, message] of Object.entries(placed.inputs)) inputErrors[name] ??= message

  const sectionErrors = (kind: BackendKind): Record<string, string> => {
    const result: Record<string, string> = {}
    for (const [key, message] of Object.entries(errors.fields)) {
      if (key.startsWith(`${kind}.`)) result[key.slice(kind.length + 1)] = message
    }
    return result
  }

  return (
    <form
      className="form execute-form"
      onSubmit={submit}
      noValidate
      onKeyDown={(event) => {
        if (isModEnter(event.nativeEvent)) {
          event.preventDefault()
          void submit()
        }
      }}
    >
      {errors.general.length + stray.length > 0 && (
        <div className="form-alert" role="alert">
          <strong>{mode === 'recurring' ? 'The schedule could not be saved' : 'The run could not start'}</strong>
          {[...errors.general, ...stray].map((message) => (
            <span key={message}>{message}</span>
          ))}
        </div>
      )}

      {initial && (
        <div className="subtle-note execute-clone-note" role="note">
          <p>Time-dependent inputs are not recreated: the run uses the same artifacts and values.</p>
          {Object.keys(initial.params).length > 0 && (
            <ul className="execute-clone-params" aria-label="Parameters">
              {Object.entries(initial.params).flatMap(([node, values]) =>
                Object.entries(values).map(([param, value]) => (
                  <li key={`${node}.${param}`}>
                    <code>
                      {node}.{param} = {JSON.stringify(value)}
                    </code>
                  </li>
                )),
              )}
            </ul>
          )}
          <p>
            {initial.secrets_dropped
              ? 'Secrets typed in for the original run are not copied: type them again below, or choose a linked account.'
              : 'Secrets are never copied: linked accounts are kept, typed-in secrets must be typed again.'}
          </p>
        </div>
      )}

      <fieldset className="execute-section">
        <legend>Basic</legend>
        <div className="field">
          <span className="field-label" id={`${id}-mode`}>
            When
          </span>
          <div className="segmented" role="radiogroup" aria-labelledby={`${id}-mode`}>
            {(['once', 'recurring'] as const).map((value) => (
              <label key={value} className={mode === value ? 'segmented-on' : undefined}>
                <input
                  type="radio"
                  name={`${id}-mode`}
                  value={value}
                  checked={mode === value}
                  onChange={() => setMode(value)}
                />
                {value === 'once' ? 'Run once' : 'Recurring'}
              </label>
            ))}
          </div>
        </div>
        <div className="field">
          <label htmlFor={`${id}-name`}>{mode === 'once' ? 'Execution name' : 'Recurring run name'}</label>
          <input
            id={`${id}-name`}
            value={name}
            maxLength={120}
            data-autofocus
            aria-invalid={errors.fields.name ? true : undefined}
            aria-describedby={`${id}-name-hint`}
            onChange={(event) => setName(event.target.value)}
          />
          <p id={`${id}-name-hint`} className="field-hint" aria-live="polite">
            {mode === 'once' ? (
              <>
                This run will be named <strong className="execute-run-name">{runName}</strong>
                {runName !== (name.trim() || 'run') && ' (the name is taken: a suffix is added)'}
              </>
            ) : (
              <>
                Each run is named after it and the time it fires, e.g.{' '}
                <strong>{name.trim() || 'run'} 2026-01-31 02:00:00 UTC</strong>
              </>
            )}
          </p>
          {errors.fields.name && <p className="field-error">{errors.fields.name}</p>}
        </div>
        <div className="field field-check">
          <label>
            <input type="checkbox" checked={debug} onChange={(event) => setDebug(event.target.checked)} />
            Debug mode
          </label>
          <p className="field-hint">
            Lets you edit operations and re-run: edited code runs, unchanged upstream nodes come from the cache.
          </p>
        </div>
        <div className="field">
          <label htmlFor={`${id}-experiment`}>
            Experiment <span className="optional">optional</span>
          </label>
          <select
            id={`${id}-experiment`}
            value={experiment ?? ''}
            aria-invalid={errors.fields.experiment ? true : undefined}
            onChange={(event) => setExperiment(event.target.value ? Number(event.target.value) : null)}
          >
            <option value="">None</option>
            {loaded.experiments.map((item) => (
              <option key={item.id} value={item.id}>
                {item.name}
              </option>
            ))}
          </select>
          {errors.fields.experiment && <p className="field-error">{errors.fields.experiment}</p>}
        </div>
      </fieldset>

      {mode === 'recurring' && (
        <fieldset className="execute-section">
          <legend>Schedule</legend>
          <ScheduleFields draft={draft} errors={draftErrors} onChange={setDraft} />
        </fieldset>
      )}

      {runInputs.length > 0 && (
        <InputsSection
          inputs={runInputs}
          projectId={projectId}
          states={inputStates}
          artifacts={artifacts}
          errors={inputErrors}
          onChange={(name, state) => setInputStates((current) => ({ ...current, [name]: state }))}
          onUpload={uploadFor}
        />
      )}
      <InputCredentialsSection
        needed={needed}
        backends={loaded.backends.storage}
        accounts={loaded.accounts}
        states={credentialStates}
        errors={credentialErrors}
        onChange={(backend, state) => setCredentialStates((current) => ({ ...current, [backend]: state }))}
      />

      {KINDS.map((kind) => (
        <div key={kind}>
          <BackendSection
            kind={kind}
            title={kind === 'compute' ? 'Compute' : 'Storage'}
            backends={loaded.backends[kind]}
            accounts={loaded.accounts}
            state={choices[kind]}
            errors={sectionErrors(kind)}
            onChange={(state) => setChoices((current) => ({ ...current, [kind]: state }))}
          />
          {typedSecrets[kind] && (
            <div className="field execute-save-account">
              <label htmlFor={`${id}-${kind}-account-name`}>
                Save as a linked account <span className="optional">optional</span>
              </label>
              <input
                id={`${id}-${kind}-account-name`}
                placeholder="Account name, e.g. Team MinIO"
                value={accountNames[kind]}
                aria-invalid={errors.fields[`${kind}.accountName`] ? true : undefined}
                onChange={(event) => setAccountNames((current) => ({ ...current, [kind]: event.target.value }))}
              />
              <p className="field-hint">
                Secrets typed here are used for this run only, encrypted; name an account to reuse them.
              </p>
              {errors.fields[`${kind}.accountName`] && (
                <p className="field-error">{errors.fields[`${kind}.accountName`]}</p>
              )}
            </div>
          )}
        </div>
      ))}

      {mode === 'once' && (
      <div className="field field-check">
        <label>
          <input type="checkbox" checked={save} onChange={(event) => setSave(event.target.checked)} />
          Save for future executions
        </label>
        <p className="field-hint">Prefills this dialog next time for this pipeline. Secrets are kept only in linked accounts.</p>
      </div>
      )}

      <div className="form-actions">
        <button type="button" className="button" onClick={onClose}>
          Cancel
        </button>
        <button type="submit" className="button button-primary" disabled={busy} aria-busy={busy || undefined}>
          {mode === 'recurring' ? (busy ? 'Scheduling…' : 'Schedule') : busy ? 'Starting…' : 'Run'}
        </button>
      </div>
    </form>
  )
}
