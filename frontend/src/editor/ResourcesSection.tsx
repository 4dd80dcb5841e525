// The inspector's "Resources & retries" section: a node's own resources, retries and
// timeout over its operation's resources and the run's retry policy. An empty field
// means "not overridden" and shows the value that applies then as its placeholder.

import { useEffect, useId, useRef, useState, type ReactNode } from 'react'
import type { GraphNode, Operation, ResourceType } from '../api/types'
import {
  DEFAULT_RESOURCES,
  MULTI_WORKER_TYPES,
  RESOURCE_TYPES,
  RUN_RETRY_DEFAULTS,
  effectiveResources,
  hasOverrides,
  policyProblem,
  resourceProblem,
  type OverrideChanges,
  type PolicyField,
  type ResourceField,
} from './overrides'
import type { EditorStore, Result } from './store'
import './resources-section.css'
import { FieldError } from '../components/FieldError'

type Parsed = { ok: true; value: number | string } | { ok: false; reason: string }


interface OverrideInputProps {
  label: string
  /** The node's own value; undefined when not overridden. */
  value: number | string | undefined
  /** What applies when the field is empty. */
  placeholder: string
  kind: 'int' | 'float' | 'text'
  /** Checks typed text (already trimmed, not empty). */
  parse: (text: string) => Parsed
  /** Sets the override (undefined: clears it). */
  onCommit: (value: number | string | undefined) => Result
  hint?: string
  min?: number
  max?: number
}

/** A text or number field for one override; refused values are explained next to it. */
function OverrideInput({ label, value, placeholder, kind, parse, onCommit, hint, min, max }: OverrideInputProps) {
  const id = useId()
  const errorId = `${id}-error`
  const [draft, setDraft] = useState<string | null>(null)
  const [error, setError] = useState<string | null>(null)
  const committed = useRef(value)

  // A change from elsewhere (undo, reset...) replaces what is being typed.
  useEffect(() => {
    if (committed.current !== value) {
      committed.current = value
      setDraft(null)
      setError(null)
    }
  }, [value])

  const commit = (next: number | string | undefined) => {
    committed.current = next
    const result = onCommit(next)
    setError(result.ok ? null : result.reason)
  }

  const onChange = (text: string) => {
    setDraft(text)
    if (text.trim() === '') {
      commit(undefined)
      return
    }
    const parsed = parse(text.trim())
    if (!parsed.ok) {
      setError(parsed.reason)
      return
    }
    commit(parsed.value)
  }

  return (
    <div className="field inspector-field">
      <label htmlFor={id}>{label}</label>
      <input
        id={id}
        type={kind === 'text' ? 'text' : 'number'}
        step={kind === 'int' ? 1 : kind === 'float' ? 'any' : undefined}
        min={min}
        max={max}
        value={draft ?? (value === undefined ? '' : String(value))}
        placeholder={placeholder}
        aria-invalid={error ? true : undefined}
        aria-describedby={error ? errorId : undefined}
        onChange={(event) => onChange(event.target.value)}
      />
      {hint && <p className="field-hint">{hint}</p>}
      <FieldError id={errorId} message={error} alert />
    </div>
  )
}

interface OverrideSelectProps {
  label: string
  value: string
  options: { value: string; label: string }[]
  onChange: (value: string) => Result
  hint?: string
}

function OverrideSelect({ label, value, options, onChange, hint }: OverrideSelectProps) {
  const id = useId()
  const [error, setError] = useState<string | null>(null)
  return (
    <div className="field inspector-field">
      <label htmlFor={id}>{label}</label>
      <select
        id={id}
        value={value}
        aria-invalid={error ? true : undefined}
        aria-describedby={error ? `${id}-error` : undefined}
        onChange={(event) => {
          const result = onChange(event.target.value)
          setError(result.ok ? null : result.reason)
        }}
      >
        {options.map((option) => (
          <option key={option.value} value={option.value}>
            {option.label}
          </option>
        ))}
      </select>
      {hint && <p className="field-hint">{hint}</p>}
      <FieldError id={`${id}-error`} message={error} alert />
    </div>
  )
}

/** Parses a number typed for `field` and checks it with `problem` (the store's own rules). */
function numberParser(field: string, problem: (value: number) => string | null): (text: string) => Parsed {
  return (text) => {
    const value = Number(text)
    if (!Number.isFinite(value)) return { ok: false, reason: `${field} must be a number` }
    const reason = problem(value)
    return reason ? { ok: false, reason } : { ok: true, value }
  }
}

const RESOURCE_TYPE_LABELS: Record<ResourceType, string> = {
  job: 'Job',
  PyTorchJob: 'PyTorchJob (Kubeflow)',
  TFJob: 'TFJob (Kubeflow)',
  MPIJob: 'MPIJob (Kubeflow)',
  Pod: 'Pod',
  ElasticJob: 'ElasticJob (Kubeflow)',
}

/** The node's resources, retries and timeout, each overridable, with a reset to the defaults. */
export function ResourcesSection({
  store,
  node,
  operation,
}: {
  store: EditorStore
  node: GraphNode
  operation?: Operation
}) {
  // Bumped by the reset so fields holding a refused draft start afresh too.
  const [generation, setGeneration] = useState(0)
  const defaults = { ...DEFAULT_RESOURCES, ...(operation?.latest_version?.resources ?? {}) }
  const effective = effectiveResources(operation?.latest_version?.resources, node)
  const own = node.resources ?? {}
  const set = (changes: OverrideChanges) => store.getState().setOverrides(node.id, changes)
  const setResource = (field: ResourceField, value: unknown) =>
    set({ resources: { [field]: value ?? null } } as OverrideChanges)
  const setPolicy = (field: PolicyField, value: number | undefined) => set({ [field]: value ?? null })
  const resourceInput = (field: 'cpu' | 'gpus' | 'workers', label: string, kind: 'int' | 'float', hint?: string) => (
    <OverrideInput
      label={label}
      value={own[field]}
      placeholder={`${defaults[field]} (operation)`}
      kind={kind}
      min={field === 'gpus' ? 0 : field === 'workers' ? 1 : undefined}
      parse={numberParser(field, (value) => resourceProblem(field, value))}
      onCommit={(value) => setResource(field, value)}
      hint={hint}
    />
  )
  const policyInput = (field: PolicyField, label: string, placeholder: string, kind: 'int' | 'float', hint: string) => (
    <OverrideInput
      label={label}
      value={node[field]}
      placeholder={placeholder}
      kind={kind}
      min={0}
      parse={numberParser(field, (value) => policyProblem(field, value))}
      onCommit={(value) => setPolicy(field, value as number | undefined)}
      hint={hint}
    />
  )

  let workers: ReactNode = null
  if (MULTI_WORKER_TYPES.includes(effective.resource_type)) {
    workers = resourceInput('workers', 'Workers', 'int', 'Replicas of the training job.')
  }
  return (
    <section className="resources-section" aria-label="Resources & retries">
      <div className="resources-section-heading">
        <h3 className="panel-subtitle">Resources &amp; retries</h3>
        <button
          type="button"
          className="button button-ghost button-small"
          disabled={!hasOverrides(node)}
          onClick={() => {
            store.getState().setOverrides(node.id, null)
            setGeneration((n) => n + 1)
          }}
        >
          Reset to operation defaults
        </button>
      </div>
      <div className="inspector-fields" key={generation}>
        {resourceInput('cpu', 'CPU', 'float')}
        <OverrideInput
          label="Memory"
          value={own.memory}
          placeholder={`${defaults.memory} (operation)`}
          kind="text"
          parse={(text) => {
            const reason = resourceProblem('memory', text)
            return reason ? { ok: false, reason } : { ok: true, value: text }
          }}
          onCommit={(value) => setResource('memory', value)}
          hint="For example 512Mi or 2Gi."
        />
        {resourceInput('gpus', 'GPUs', 'int')}
        <OverrideSelect
          label="CPU fallback"
          value={own.cpu_fallback === undefined ? '' : String(own.cpu_fallback)}
          options={[
            { value: '', label: `As the operation (${defaults.cpu_fallback ? 'allowed' : 'not allowed'})` },
            { value: 'true', label: 'Allowed' },
            { value: 'false', label: 'Not allowed' },
          ]}
          onChange={(value) => setResource('cpu_fallback', value === '' ? null : value === 'true')}
          hint="Whether a GPU node may run on the CPU where there are not enough GPUs."
        />
        <OverrideSelect
          label="Resource type"
          value={own.resource_type ?? ''}
          options={[
            { value: '', label: `As the operation (${RESOURCE_TYPE_LABELS[defaults.resource_type]})` },
            ...RESOURCE_TYPES.map((type) => ({ value: type, label: RESOURCE_TYPE_LABELS[type] })),
          ]}
          onChange={(value) => setResource('resource_type', value === '' ? null : value)}
          hint="How the node runs on Kubernetes."
        />
        {workers}
        {policyInput(
          'retries',
          'Retries',
          `${RUN_RETRY_DEFAULTS.retries} (run's default)`,
          'int',
          "Extra attempts after a failure; a run's per-node retry setting wins.",
        )}
        {policyInput(
          'retry_backoff_seconds',
          'Retry backoff (s)',
          `${RUN_RETRY_DEFAULTS.retry_backoff_seconds} (run's default)`,
          'float',
          'Wait before the first retry; doubles each time.',
        )}
        {policyInput(
          'timeout_seconds',
          'Timeout (s)',
          "none (run's default)",
          'float',
          "The node is stopped when it runs longer; a run's own timeout wins.",
        )}
      </div>
    </section>
  )
}
