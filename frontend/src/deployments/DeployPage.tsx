// Deploy a pipeline version: a name (part of the endpoint's URL), a rule (an endpoint called
// with a token, or a cron schedule), the endpoint's limits, and a mapping for every step input
// and output. Problems the server finds land on the row or field they name; on success the
// endpoint token is shown once, then the deployment's page opens.

import { useEffect, useId, useMemo, useRef, useState, type FormEvent } from 'react'
import { Link, useNavigate, useParams } from 'react-router-dom'
import { listArtifacts } from '../api/artifacts'
import { isApiError } from '../api/client'
import {
  createDeployment,
  getDeploySetup,
  type CreatedDeployment,
  type DeploymentRule,
  type DeploySetup,
  type InputKind,
} from '../api/deployments'
import { itemsOf } from '../api/endpoints'
import type { Artifact } from '../api/types'
import { ErrorState, NotFoundState, Spinner } from '../components/States'
import { ArtifactPicker, uploadInputFile } from '../execute/ArtifactPicker'
import { useDocumentTitle } from '../hooks/useDocumentTitle'
import { canEdit, useProjectRole } from '../hooks/useProjectRole'
import { useResource } from '../hooks/useResource'
import { errorMessages, isErrorLike } from '../lib/errors'
import { parseId } from '../lib/ids'
import { ScheduleFields } from '../recurring/ScheduleFields'
import { defaultDraft as defaultSchedule, scheduleBody, scheduleErrors, type ScheduleDraft } from '../recurring/schedule'
import {
  adaptDrafts,
  deployBody,
  FILE_TYPES,
  initialDeployDraft,
  KIND_LABELS,
  kindsFor,
  nameProblem,
  placeErrors,
  suggestName,
  type DeployDraft,
  type DeployField,
  type MappingDraft,
  type MappingDrafts,
} from './mappings'
import { LimitsFields } from './LimitsFields'
import { TokenDialog } from './TokenDialog'

export function DeployPage() {
  const { id } = useParams()
  const pipelineId = parseId(id)
  if (pipelineId === null) return <DeployNotFound />
  return <DeployView key={pipelineId} pipelineId={pipelineId} />
}

function DeployNotFound() {
  return (
    <div className="page">
      <NotFoundState title="Pipeline not found" backTo="/pipelines/" backLabel="Back to pipelines">
        <p>It may have been deleted, or you may not be a member of its project.</p>
      </NotFoundState>
    </div>
  )
}

function DeployView({ pipelineId }: { pipelineId: number }) {
  const [version, setVersion] = useState<number | null>(null)
  const setup = useResource((signal) => getDeploySetup(pipelineId, version, signal), [pipelineId, version])
  const last = useRef<DeploySetup | undefined>(undefined)
  useDocumentTitle(setup.data ? `Deploy ${setup.data.pipeline_name}` : 'Deploy')

  if (setup.status === 'error') {
    if (isErrorLike(setup.error) && setup.error.status === 404) return <DeployNotFound />
    return (
      <div className="page">
        <ErrorState title="Could not load the pipeline" error={setup.error} onRetry={setup.reload} />
      </div>
    )
  }
  // Another version's inputs and outputs load under the form, which keeps what was typed.
  const shown = setup.data ?? last.current
  if (setup.data) last.current = setup.data
  if (!shown) {
    return (
      <div className="page">
        <Spinner label="Loading the pipeline’s inputs and outputs…" />
      </div>
    )
  }
  return <DeployForm setup={shown} loading={!setup.data} onVersion={setVersion} />
}

type Errors = ReturnType<typeof placeErrors>

const NO_ERRORS: Errors = { fields: {}, inputs: {}, outputs: {}, schedule: {}, other: [] }

function DeployForm({
  setup,
  loading,
  onVersion,
}: {
  setup: DeploySetup
  loading: boolean
  onVersion: (version: number) => void
}) {
  const id = useId()
  const navigate = useNavigate()
  const role = useProjectRole(setup.project)
  const [draft, setDraft] = useState<DeployDraft>(() => ({
    ...initialDeployDraft(setup.version?.id ?? null),
    name: suggestName(setup.pipeline_name),
  }))
  const [schedule, setSchedule] = useState<ScheduleDraft>(() => ({ ...defaultSchedule(), trigger: 'cron' }))
  const [inputDrafts, setInputDrafts] = useState<MappingDrafts>(() =>
    adaptDrafts('input', setup.step_inputs, {}, 'endpoint', setup.input_kinds.endpoint ?? []),
  )
  const [outputDrafts, setOutputDrafts] = useState<MappingDrafts>(() =>
    adaptDrafts('output', setup.step_outputs, {}, 'endpoint', (setup.output_kinds.endpoint ?? []) as InputKind[]),
  )
  const [errors, setErrors] = useState<Errors>(NO_ERRORS)
  const [nameTouched, setNameTouched] = useState(false)
  const [busy, setBusy] = useState(false)
  const [created, setCreated] = useState<CreatedDeployment | null>(null)
  const [artifacts, setArtifacts] = useState<Artifact[]>([])

  const inputKinds = setup.input_kinds[draft.rule] ?? []
  const outputKinds = (setup.output_kinds[draft.rule] ?? []) as InputKind[]
  // Each row keeps what was typed when the version or the rule changes.
  useEffect(() => {
    setInputDrafts((current) => adaptDrafts('input', setup.step_inputs, current, draft.rule, inputKinds))
    setOutputDrafts((current) => adaptDrafts('output', setup.step_outputs, current, draft.rule, outputKinds))
    // Kinds are derived from setup and rule.
  }, [setup, draft.rule])

  const needsArtifacts = setup.step_inputs.some((input) => FILE_TYPES.includes(input.type) || input.type === 'object')
  useEffect(() => {
    if (!needsArtifacts) return
    const controller = new AbortController()
    listArtifacts(setup.project, controller.signal).then(
      (answer) => setArtifacts(itemsOf(answer)),
      () => undefined,
    )
    return () => controller.abort()
  }, [needsArtifacts, setup.project])

  const types = useMemo(
    () => Object.fromEntries(setup.step_inputs.map((input) => [input.key, input.type])),
    [setup.step_inputs],
  )
  const liveName = nameTouched ? nameProblem(draft.name.trim()) : null
  const fieldError = (field: DeployField) => errors.fields[field] ?? (field === 'name' ? liveName : null) ?? undefined
  const set = (changes: Partial<DeployDraft>) => setDraft((current) => ({ ...current, ...changes }))
  const origin = typeof window === 'undefined' ? '' : window.location.origin

  const submit = (event: FormEvent) => {
    event.preventDefault()
    if (busy) return
    setNameTouched(true)
    const scheduled = draft.rule === 'periodic' ? scheduleBody(schedule) : null
    const { body, errors: local } = deployBody({
      pipeline: setup.pipeline,
      draft,
      inputs: setup.step_inputs,
      outputs: setup.step_outputs,
      inputDrafts,
      outputDrafts,
      schedule: scheduled
        ? {
            cron: scheduled.body.cron,
            timezone: scheduled.body.timezone,
            start_at: scheduled.body.start_at,
            end_at: scheduled.body.end_at,
            max_concurrent: scheduled.body.max_concurrent,
          }
        : undefined,
    })
    const scheduleLocal = scheduled?.errors ?? {}
    const found: Errors = {
      fields: local.fields,
      inputs: local.inputs,
      outputs: local.outputs,
      schedule: Object.fromEntries(Object.entries(scheduleLocal).filter(([, v]) => v)) as Record<string, string>,
      other: [],
    }
    setErrors(found)
    if (
      Object.keys(local.fields).length ||
      Object.keys(local.inputs).length ||
      Object.keys(local.outputs).length ||
      Object.keys(scheduleLocal).length
    ) {
      return
    }
    setBusy(true)
    createDeployment(body).then(
      (answer) => {
        setBusy(false)
        if (answer.token) setCreated(answer)
        else navigate(`/deployments/${answer.id}/`)
      },
      (error: unknown) => {
        setBusy(false)
        if (isApiError(error) && error.status === 400) {
          setErrors(
            placeErrors(
              error.body,
              setup.step_inputs.map((input) => input.key),
              setup.step_outputs.map((output) => output.key),
            ),
          )
        } else {
          setErrors({ ...NO_ERRORS, other: errorMessages(error) })
        }
      },
    )
  }

  // Schedule messages: the form's own (by draft field) or the server's (by schedule field).
  const scheduleFieldErrors = {
    ...scheduleErrors(errors.schedule).fields,
    ...(Object.fromEntries(
      Object.entries(errors.schedule).filter(([key]) => ['cron', 'timezone', 'start', 'end', 'maxConcurrent'].includes(key)),
    ) as Record<string, string>),
  }
  const filled = (record: Record<string, string | undefined>) => Object.values(record).filter(Boolean).length
  const errorCount =
    filled(errors.fields) + filled(errors.inputs) + filled(errors.outputs) + filled(errors.schedule) + errors.other.length

  return (
    <div className="page deploy-page">
      <nav className="breadcrumbs" aria-label="Breadcrumb">
        <Link to="/pipelines/">Pipelines</Link>
        <span aria-hidden="true">/</span>
        <Link to={`/pipelines/${setup.pipeline}/`}>{setup.pipeline_name}</Link>
      </nav>
      <div className="page-header">
        <div>
          <h1>Deploy {setup.pipeline_name}</h1>
          <p className="page-subtitle">
            Run a version of this pipeline when its endpoint is called, or on a schedule. Every step input needs a
            source; every step output a destination.
          </p>
        </div>
      </div>

      {role !== null && !canEdit(role) && (
        <div className="inline-warning" role="status">
          Deploying needs the editor role in this project.
        </div>
      )}

      <form className="deploy-form" onSubmit={submit} noValidate aria-label="Deploy pipeline">
        {errors.other.length > 0 && (
          <div className="form-alert" role="alert">
            {errors.other.map((message) => (
              <span key={message}>{message}</span>
            ))}
          </div>
        )}

        <section className="card deploy-section" aria-labelledby={`${id}-basics`}>
          <h2 id={`${id}-basics`}>Deployment</h2>
          <div className="deploy-grid">
            <div className="field">
              <label htmlFor={`${id}-version`}>Version</label>
              {setup.versions.length ? (
                <select
                  id={`${id}-version`}
                  value={draft.version ?? ''}
                  aria-invalid={fieldError('version') ? true : undefined}
                  onChange={(event) => {
                    const chosen = Number(event.target.value)
                    set({ version: chosen })
                    onVersion(chosen)
                  }}
                >
                  {setup.versions.map((item, index) => (
                    <option key={item.id} value={item.id}>
                      Version {item.number}
                      {index === 0 ? ' (latest)' : ''}
                    </option>
                  ))}
                </select>
              ) : (
                <p className="field-hint" id={`${id}-version`}>
                  No version yet: deploying saves the current graph as version 1.
                </p>
              )}
              {fieldError('version') && <p className="field-error">{fieldError('version')}</p>}
            </div>
            <div className="field">
              <label htmlFor={`${id}-name`}>Name</label>
              <input
                id={`${id}-name`}
                className="mono"
                value={draft.name}
                spellCheck={false}
                autoComplete="off"
                maxLength={63}
                aria-invalid={fieldError('name') ? true : undefined}
                aria-describedby={`${id}-name-hint ${id}-name-error`}
                onChange={(event) => {
                  setNameTouched(true)
                  set({ name: event.target.value })
                  setErrors((current) => ({ ...current, fields: { ...current.fields, name: undefined } }))
                }}
              />
              <p id={`${id}-name-hint`} className="field-hint">
                Lower case letters, digits and hyphens; unique. {draft.rule === 'endpoint' && (
                  <>
                    Callers POST to <code className="deploy-url-preview">{`${origin}/endpoints/${draft.name.trim() || '<name>'}`}</code>
                  </>
                )}
              </p>
              {fieldError('name') && (
                <p id={`${id}-name-error`} className="field-error" role="alert">
                  {fieldError('name')}
                </p>
              )}
            </div>
          </div>
          <div className="field">
            <span className="field-label" id={`${id}-rule-label`}>
              Runs when
            </span>
            <div className="segmented" role="radiogroup" aria-labelledby={`${id}-rule-label`}>
              {(['endpoint', 'periodic'] as DeploymentRule[]).map((rule) => (
                <label key={rule} className={draft.rule === rule ? 'segmented-on' : undefined}>
                  <input
                    type="radio"
                    name={`${id}-rule`}
                    value={rule}
                    checked={draft.rule === rule}
                    onChange={() => set({ rule })}
                  />
                  {rule === 'endpoint' ? 'Endpoint' : 'Periodic'}
                </label>
              ))}
            </div>
            <p className="field-hint">
              {draft.rule === 'endpoint'
                ? 'A POST with its token starts a run and answers with the outputs.'
                : 'A cron expression starts a run; inputs come from constants, environment variables or the datastore.'}
            </p>
            {fieldError('rule') && <p className="field-error">{fieldError('rule')}</p>}
          </div>
        </section>

        {draft.rule === 'endpoint' ? (
          <section className="card deploy-section" aria-labelledby={`${id}-limits`}>
            <h2 id={`${id}-limits`}>Endpoint limits</h2>
            <LimitsFields draft={draft} errors={errors.fields} onChange={set} />
          </section>
        ) : (
          <section className="card deploy-section" role="group" aria-labelledby={`${id}-schedule`}>
            <h2 id={`${id}-schedule`}>Schedule</h2>
            <ScheduleFields draft={schedule} errors={scheduleFieldErrors} onChange={setSchedule} cronOnly />
          </section>
        )}

        <MappingTable
          side="input"
          title="Inputs"
          empty="This version has no step inputs: nothing to map."
          rows={setup.step_inputs}
          kinds={inputKinds}
          drafts={inputDrafts}
          errors={errors.inputs}
          setup={setup}
          artifacts={artifacts}
          onArtifact={(artifact) => setArtifacts((current) => [artifact, ...current])}
          onChange={(key, changes) => {
            setInputDrafts((current) => ({ ...current, [key]: { ...current[key]!, ...changes } }))
            setErrors((current) => ({ ...current, inputs: { ...current.inputs, [key]: '' } }))
          }}
        />
        <MappingTable
          side="output"
          title="Outputs"
          empty="This version has no step outputs: every output is read by another step."
          rows={setup.step_outputs}
          kinds={outputKinds}
          drafts={outputDrafts}
          errors={errors.outputs}
          setup={setup}
          artifacts={artifacts}
          onArtifact={() => undefined}
          onChange={(key, changes) => {
            setOutputDrafts((current) => ({ ...current, [key]: { ...current[key]!, ...changes } }))
            setErrors((current) => ({ ...current, outputs: { ...current.outputs, [key]: '' } }))
          }}
        />

        <div className="deploy-actions">
          {errorCount > 0 && !busy && (
            <span className="field-error" role="status">
              Fix the fields marked above.
            </span>
          )}
          <Link className="button" to={`/pipelines/${setup.pipeline}/`}>
            Cancel
          </Link>
          <button
            type="submit"
            className="button button-primary"
            disabled={busy || loading || (role !== null && !canEdit(role))}
            aria-busy={busy || undefined}
          >
            {busy && <span className="spinner spinner-small" aria-hidden="true" />}
            {busy ? 'Deploying…' : 'Deploy'}
          </button>
        </div>
      </form>

      {created?.token && (
        <TokenDialog
          title={`${created.name} is deployed`}
          token={created.token}
          url={created.url}
          name={created.name}
          inputMappings={created.input_mappings}
          types={types}
          onClose={() => navigate(`/deployments/${created.id}/`)}
        />
      )}
    </div>
  )
}

function MappingTable({
  side,
  title,
  empty,
  rows,
  kinds,
  drafts,
  errors,
  setup,
  artifacts,
  onArtifact,
  onChange,
}: {
  side: 'input' | 'output'
  title: string
  empty: string
  rows: readonly { key: string; type: string; pipeline_input?: boolean }[]
  kinds: readonly InputKind[]
  drafts: MappingDrafts
  errors: Record<string, string>
  setup: DeploySetup
  artifacts: readonly Artifact[]
  onArtifact: (artifact: Artifact) => void
  onChange: (key: string, changes: Partial<MappingDraft>) => void
}) {
  const id = useId()
  return (
    <section className="card deploy-section" aria-labelledby={`${id}-title`}>
      <h2 id={`${id}-title`}>{title}</h2>
      {rows.length === 0 ? (
        <p className="muted deploy-empty">{empty}</p>
      ) : (
        <table className="table mapping-table" aria-label={`${title} mappings`}>
          <thead>
            <tr>
              <th scope="col">{side === 'input' ? 'Step input' : 'Step output'}</th>
              <th scope="col">Type</th>
              <th scope="col">{side === 'input' ? 'Comes from' : 'Goes to'}</th>
              <th scope="col">Details</th>
            </tr>
          </thead>
          <tbody>
            {rows.map((row) => {
              const draft = drafts[row.key]
              if (!draft) return null
              const error = errors[row.key]
              const rowId = `${id}-${row.key.replace(/[^A-Za-z0-9_-]/g, '_')}`
              return (
                <tr key={row.key} className={error ? 'mapping-row-invalid' : undefined} data-key={row.key}>
                  <th scope="row" className="mapping-key">
                    <code>{row.key}</code>
                    {row.pipeline_input && <span className="mapping-tag">pipeline input</span>}
                  </th>
                  <td>
                    <span className="type-chip">{row.type}</span>
                  </td>
                  <td>
                    <select
                      aria-label={`${row.key}: ${side === 'input' ? 'comes from' : 'goes to'}`}
                      value={draft.kind}
                      onChange={(event) => onChange(row.key, { kind: event.target.value as InputKind })}
                    >
                      {kindsFor(side, row.type, kinds).map((kind) => (
                        <option key={kind} value={kind}>
                          {KIND_LABELS[kind]}
                        </option>
                      ))}
                    </select>
                  </td>
                  <td className="mapping-details">
                    <KindField
                      id={rowId}
                      side={side}
                      rowKey={row.key}
                      type={row.type}
                      draft={draft}
                      invalid={Boolean(error)}
                      setup={setup}
                      artifacts={artifacts}
                      onArtifact={onArtifact}
                      onChange={(changes) => onChange(row.key, changes)}
                    />
                    {error && (
                      <p id={`${rowId}-error`} className="field-error" role="alert">
                        {error}
                      </p>
                    )}
                  </td>
                </tr>
              )
            })}
          </tbody>
        </table>
      )}
    </section>
  )
}

function KindField({
  id,
  side,
  rowKey,
  type,
  draft,
  invalid,
  setup,
  artifacts,
  onArtifact,
  onChange,
}: {
  id: string
  side: 'input' | 'output'
  rowKey: string
  type: string
  draft: MappingDraft
  invalid: boolean
  setup: DeploySetup
  artifacts: readonly Artifact[]
  onArtifact: (artifact: Artifact) => void
  onChange: (changes: Partial<MappingDraft>) => void
}) {
  const [uploadError, setUploadError] = useState('')
  const common = {
    id: `${id}-field`,
    'aria-invalid': invalid ? true : undefined,
    'aria-describedby': invalid ? `${id}-error` : undefined,
  } as const
  switch (draft.kind) {
    case 'constant':
      if (FILE_TYPES.includes(type) || (type === 'object' && draft.artifact !== null)) {
        return (
          <>
            <ArtifactPicker
              id={common.id}
              input={{ name: rowKey, type, default: null, description: '', wired: true }}
              value={draft.artifact}
              artifacts={artifacts}
              invalid={invalid}
              describedBy={common['aria-describedby']}
              onChange={(artifact) => onChange({ artifact })}
              onUpload={async (file) => {
                setUploadError('')
                const outcome = await uploadInputFile(setup.project, file)
                if (outcome.ok) {
                  onArtifact(outcome.artifact)
                  onChange({ artifact: outcome.artifact.id })
                } else setUploadError(outcome.message)
              }}
            />
            {uploadError && <p className="field-error">{uploadError}</p>}
          </>
        )
      }
      if (type === 'bool') {
        return (
          <select
            {...common}
            aria-label={`${rowKey}: value`}
            value={draft.value}
            onChange={(event) => onChange({ value: event.target.value })}
          >
            <option value="">Choose…</option>
            <option value="true">true</option>
            <option value="false">false</option>
          </select>
        )
      }
      return (
        <input
          {...common}
          aria-label={`${rowKey}: value`}
          className={type === 'json' || type === 'object' ? 'mono' : undefined}
          inputMode={type === 'int' ? 'numeric' : type === 'float' ? 'decimal' : undefined}
          placeholder={type === 'int' ? '42' : type === 'float' ? '0.5' : type === 'str' ? 'text' : '{"key": "value"}'}
          value={draft.value}
          onChange={(event) => onChange({ value: event.target.value })}
        />
      )
    case 'endpoint_value':
    case 'endpoint_file':
      return (
        <div className="mapping-inline">
          <span className="muted">{draft.kind === 'endpoint_file' ? 'file field' : 'as'}</span>
          <input
            {...common}
            aria-label={`${rowKey}: name the caller uses`}
            className="mono"
            spellCheck={false}
            value={draft.name}
            onChange={(event) => onChange({ name: event.target.value })}
          />
        </div>
      )
    case 'env':
      return (
        <div className="mapping-inline">
          <select
            {...common}
            aria-label={`${rowKey}: environment variable`}
            value={draft.variable}
            onChange={(event) => onChange({ variable: event.target.value })}
          >
            <option value="">{setup.environment_variables.length ? 'Choose a variable…' : 'No variables yet'}</option>
            {setup.environment_variables.map((variable) => (
              <option key={variable.name} value={variable.name}>
                {variable.name}
                {variable.secret ? ' (secret)' : ''}
              </option>
            ))}
          </select>
          <Link to={`/environment/?project=${setup.project}`} target="_blank" rel="noreferrer" className="small-link">
            Manage
          </Link>
        </div>
      )
    case 'datastore':
      return (
        <input
          {...common}
          aria-label={`${rowKey}: storage path`}
          className="mono"
          spellCheck={false}
          placeholder="data/input.csv"
          value={draft.path}
          onChange={(event) => onChange({ path: event.target.value })}
        />
      )
    case 'none':
      return (
        <span className="muted">
          {side === 'output' ? 'Discarded' : FILE_TYPES.includes(type) ? 'Not given' : 'None'}
        </span>
      )
  }
}
