// One backend section of the execute dialog (Compute or Storage): pick the backend, a
// linked account when it needs credentials, and its options, rendered from its schema.

import { useId, useState } from 'react'
import { checkBackend, type BackendInfo, type BackendKind, type CheckResult, type LinkedAccount } from '../api/backends'
import { errorMessage } from '../lib/errors'
import { parseValues, schemaFields, splitFields, type FormValues, type SchemaField } from './schemaForm'

export interface BackendState {
  backend: string
  account: number | null
  values: FormValues
}

export function BackendSection({
  kind,
  title,
  backends,
  accounts,
  state,
  errors,
  onChange,
}: {
  kind: BackendKind
  title: string
  backends: BackendInfo[]
  accounts: LinkedAccount[]
  state: BackendState
  /** Messages by `backend`, `account` or option name. */
  errors: Record<string, string>
  onChange: (state: BackendState) => void
}) {
  const id = useId()
  const info = backends.find((item) => item.name === state.backend)
  const fields = schemaFields(info?.options_schema)
  const usable = accounts.filter((account) => account.kind === kind && account.backend === state.backend)
  const account = usable.find((item) => item.id === state.account) ?? null
  const provided = providedBy(account)
  const [check, setCheck] = useState<{ busy: boolean; result: CheckResult | null }>({ busy: false, result: null })
  const { main, more } = splitFields(fields)
  // Folded options open by themselves when one of them holds a value or an error.
  const moreOpen = more.some((field) => {
    const value = state.values[field.name]
    return (typeof value === 'string' && value.trim() !== '') || value === true || Boolean(errors[`options.${field.name}`])
  })
  const renderField = (field: SchemaField) => (
    <OptionField
      key={field.name}
      id={`${id}-${field.name}`}
      field={field}
      value={state.values[field.name]}
      providedBy={provided.has(field.name) ? (account?.label ?? null) : null}
      error={errors[`options.${field.name}`] ?? null}
      onChange={(value) => {
        setCheck({ busy: false, result: null })
        onChange({ ...state, values: { ...state.values, [field.name]: value } })
      }}
    />
  )

  const testConnection = () => {
    const parsed = parseValues(fields, state.values, provided)
    if (Object.keys(parsed.errors).length) {
      const [field, message] = Object.entries(parsed.errors)[0]!
      setCheck({ busy: false, result: { ok: false, message: `${labelOf(fields, field)}: ${message}` } })
      return
    }
    setCheck({ busy: true, result: null })
    checkBackend(kind, state.backend, { options: parsed.options, account: state.account }).then(
      (result) => setCheck({ busy: false, result }),
      (error: unknown) => setCheck({ busy: false, result: { ok: false, message: errorMessage(error) } }),
    )
  }

  return (
    <fieldset className="execute-section" aria-labelledby={`${id}-legend`}>
      <legend id={`${id}-legend`}>{title}</legend>
      <div className="field">
        <label htmlFor={`${id}-backend`}>Backend</label>
        <select
          id={`${id}-backend`}
          value={state.backend}
          aria-invalid={errors.backend ? true : undefined}
          aria-describedby={errors.backend ? `${id}-backend-error` : undefined}
          onChange={(event) => {
            setCheck({ busy: false, result: null })
            onChange({ backend: event.target.value, account: null, values: {} })
          }}
        >
          {backends.map((backend) => (
            <option key={backend.name} value={backend.name}>
              {backend.label}
            </option>
          ))}
        </select>
        {info?.description && <p className="field-hint">{info.description}</p>}
        {errors.backend && (
          <p id={`${id}-backend-error`} className="field-error">
            {errors.backend}
          </p>
        )}
      </div>

      {info && info.secret_fields.length > 0 && (
        <div className="field">
          <label htmlFor={`${id}-account`}>Linked account</label>
          <select
            id={`${id}-account`}
            value={state.account ?? ''}
            aria-invalid={errors.account ? true : undefined}
            onChange={(event) =>
              onChange({ ...state, account: event.target.value ? Number(event.target.value) : null })
            }
          >
            <option value="">None: type the credentials below</option>
            {usable.map((item) => (
              <option key={item.id} value={item.id}>
                {item.label}
              </option>
            ))}
          </select>
          <p className="field-hint">
            {usable.length
              ? 'A linked account fills in its saved options and secrets; fields you type below take precedence.'
              : 'No linked account for this backend yet: type the credentials below, and tick “Save as a linked account” to reuse them.'}
          </p>
          {errors.account && <p className="field-error">{errors.account}</p>}
        </div>
      )}

      {main.length > 0 && <div className="execute-options">{main.map(renderField)}</div>}
      {more.length > 0 && (
        <details className="execute-more" open={moreOpen || undefined}>
          <summary>
            More options <span className="optional">{more.length}</span>
          </summary>
          <div className="execute-options">{more.map(renderField)}</div>
        </details>
      )}

      {info && (info.secret_fields.length > 0 || fields.length > 0) && (
        <div className="execute-check">
          <button type="button" className="button button-small" onClick={testConnection} disabled={check.busy}>
            {check.busy ? 'Testing…' : 'Test connection'}
          </button>
          {check.result && (
            <span role="status" className={check.result.ok ? 'check-ok' : 'check-failed'}>
              {check.result.ok ? '✓ ' : '✕ '}
              {check.result.message}
            </span>
          )}
        </div>
      )}
    </fieldset>
  )
}

function labelOf(fields: SchemaField[], name: string): string {
  return fields.find((field) => field.name === name)?.label ?? name
}

/** Option names a linked account already holds (public options and secrets). */
export function providedBy(account: LinkedAccount | null): Set<string> {
  if (!account) return new Set()
  return new Set([...Object.keys(account.options), ...account.secret_fields_set])
}

function OptionField({
  id,
  field,
  value,
  providedBy: accountLabel,
  error,
  onChange,
}: {
  id: string
  field: SchemaField
  value: string | boolean | undefined
  providedBy: string | null
  error: string | null
  onChange: (value: string | boolean) => void
}) {
  const hintId = `${id}-hint`
  const errorId = `${id}-error`
  const describedBy = [field.description ? hintId : null, error ? errorId : null].filter(Boolean).join(' ') || undefined
  const placeholder = accountLabel
    ? `from “${accountLabel}”`
    : field.placeholder
      ? `default: ${field.placeholder}`
      : undefined
  if (field.kind === 'boolean') {
    return (
      <div className="field field-check">
        <label>
          <input
            id={id}
            type="checkbox"
            checked={value === true}
            aria-describedby={describedBy}
            onChange={(event) => onChange(event.target.checked)}
          />
          {field.label}
        </label>
        {field.description && (
          <p id={hintId} className="field-hint">
            {field.description}
          </p>
        )}
        {error && (
          <p id={errorId} className="field-error">
            {error}
          </p>
        )}
      </div>
    )
  }
  const text = typeof value === 'string' ? value : ''
  const common = {
    id,
    value: text,
    'aria-invalid': error ? true : undefined,
    'aria-describedby': describedBy,
    placeholder,
  } as const
  return (
    <div className="field">
      <label htmlFor={id}>
        {field.label}
        {!field.required && <span className="optional">optional</span>}
        {field.kind === 'secret' && <span className="optional">secret</span>}
      </label>
      {field.kind === 'choice' ? (
        <select {...common} onChange={(event) => onChange(event.target.value)}>
          <option value="">{field.placeholder ? `Default (${field.placeholder})` : 'Choose…'}</option>
          {field.choices.map((choice) => (
            <option key={choice} value={choice}>
              {choice}
            </option>
          ))}
        </select>
      ) : field.kind === 'map' || field.kind === 'json' ? (
        <textarea
          {...common}
          rows={field.kind === 'json' ? 3 : 2}
          spellCheck={false}
          className={field.kind === 'json' ? 'execute-json' : undefined}
          onChange={(event) => onChange(event.target.value)}
        />
      ) : (
        <input
          {...common}
          type={field.kind === 'secret' ? 'password' : 'text'}
          inputMode={field.kind === 'number' || field.kind === 'integer' ? 'decimal' : undefined}
          autoComplete={field.kind === 'secret' ? 'new-password' : 'off'}
          spellCheck={false}
          onChange={(event) => onChange(event.target.value)}
        />
      )}
      {field.description && (
        <p id={hintId} className="field-hint">
          {field.description}
        </p>
      )}
      {error && (
        <p id={errorId} className="field-error">
          {error}
        </p>
      )}
    </div>
  )
}
