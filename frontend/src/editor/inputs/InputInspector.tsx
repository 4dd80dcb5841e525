// The inspector of a selected pipeline input: its name, type, default and description, each
// refused value explained next to its control (the store applies the server's rules).

import { useEffect, useId, useRef, useState } from 'react'
import type { GraphInput, ParamType } from '../../api/types'
import { useEditorStore, type EditorStore } from '../store'
import { PORT_TYPES, isParamType, parseParamInput } from '../typeCheck'
import { ARTIFACT_TYPES, INPUT_DESCRIPTION_MAX, type InputChanges } from './inputs'
import { FieldError } from '../../components/FieldError'


function shown(value: unknown): string {
  if (value === undefined || value === null) return ''
  if (typeof value === 'string') return value
  return JSON.stringify(value, null, typeof value === 'object' ? 2 : undefined)
}

/** Text typed for a default, as a value of `type`; empty text is no default (null). */
function parseDefault(type: string, text: string): { ok: true; value: unknown } | { ok: false; reason: string } {
  if (text.trim() === '' && (type !== 'str' || text === '')) return { ok: true, value: null }
  const as: ParamType = isParamType(type) ? type : 'json'
  return parseParamInput(as, text)
}

/**
 * One text field bound to an input's field: typing commits through `set`; a refused value
 * stays in the field with its reason below, until a valid one (or a change from elsewhere).
 */
function useDraft(value: string) {
  const [draft, setDraft] = useState<string | null>(null)
  const [error, setError] = useState<string | null>(null)
  const last = useRef(value)
  useEffect(() => {
    if (last.current !== value) {
      last.current = value
      setDraft(null)
      setError(null)
    }
  }, [value])
  return { draft, setDraft, error, setError, last }
}

export function InputInspector({ store, input }: { store: EditorStore; input: GraphInput }) {
  const id = useId()
  const edges = useEditorStore(store, (state) => state.document.edges)
  const wired = edges.filter((edge) => edge.source === input.name).map((edge) => `${edge.target}.${edge.target_port}`)
  const name = useDraft(input.name)
  const type = useDraft(input.type)
  const defaultText = shown(input.default)
  const fallback = useDraft(defaultText)
  const description = useDraft(input.description ?? '')

  const apply = (changes: InputChanges, field: ReturnType<typeof useDraft>, text: string): boolean => {
    field.setDraft(text)
    const result = store.getState().setInput(input.name, changes)
    field.setError(result.ok ? null : result.reason)
    if (result.ok) field.last.current = text
    return result.ok
  }

  const artifact = ARTIFACT_TYPES.includes(input.type)
  return (
    <>
      <div className="inspector-heading">
        <h2 className="inspector-title">
          <span className="input-node-badge inspector-input-badge">Input</span>
          {input.name}
        </h2>
        <p className="panel-text muted">
          A pipeline input: {artifact ? 'an artifact' : 'a value'} chosen when a run starts
          {wired.length ? `, feeding ${wired.join(', ')}` : ' (not wired yet: connect its handle to a node input)'}.
        </p>
      </div>
      <div className="inspector-fields">
        <div className="field inspector-field">
          <label htmlFor={`${id}-name`}>Name</label>
          <input
            id={`${id}-name`}
            type="text"
            className="mono"
            value={name.draft ?? input.name}
            maxLength={64}
            spellCheck={false}
            aria-invalid={name.error ? true : undefined}
            aria-describedby={name.error ? `${id}-name-error` : undefined}
            onChange={(event) => apply({ name: event.target.value }, name, event.target.value)}
          />
          <FieldError id={`${id}-name-error`} message={name.error} alert />
        </div>
        <div className="field inspector-field">
          <label htmlFor={`${id}-type`}>Type</label>
          <select
            id={`${id}-type`}
            value={type.draft ?? input.type}
            aria-invalid={type.error ? true : undefined}
            aria-describedby={type.error ? `${id}-type-error` : undefined}
            onChange={(event) => {
              if (apply({ type: event.target.value }, type, event.target.value)) type.setDraft(null)
            }}
          >
            {PORT_TYPES.map((option) => (
              <option key={option} value={option}>
                {option}
              </option>
            ))}
          </select>
          <FieldError id={`${id}-type-error`} message={type.error} alert />
        </div>
        <div className="field inspector-field">
          <label htmlFor={`${id}-default`}>
            Default <span className="optional">optional</span>
          </label>
          {artifact ? (
            <p id={`${id}-default`} className="field-hint">
              A {input.type} input has no default: the artifact is picked (or uploaded) when a run starts.
            </p>
          ) : input.type === 'bool' ? (
            <select
              id={`${id}-default`}
              value={input.default === null || input.default === undefined ? '' : String(input.default)}
              onChange={(event) => {
                const value = event.target.value === '' ? null : event.target.value === 'true'
                apply({ default: value }, fallback, event.target.value)
              }}
            >
              <option value="">None (required)</option>
              <option value="true">true</option>
              <option value="false">false</option>
            </select>
          ) : (
            <>
              {input.type === 'json' || input.type === 'object' ? (
                <textarea
                  id={`${id}-default`}
                  rows={3}
                  spellCheck={false}
                  className="mono"
                  value={fallback.draft ?? defaultText}
                  placeholder="none: required"
                  aria-invalid={fallback.error ? true : undefined}
                  aria-describedby={fallback.error ? `${id}-default-error` : undefined}
                  onChange={(event) => {
                    const parsed = parseDefault(input.type, event.target.value)
                    if (!parsed.ok) {
                      fallback.setDraft(event.target.value)
                      fallback.setError(`the default ${parsed.reason}`)
                      return
                    }
                    apply({ default: parsed.value }, fallback, event.target.value)
                  }}
                />
              ) : (
                <input
                  id={`${id}-default`}
                  type={input.type === 'int' || input.type === 'float' ? 'number' : 'text'}
                  step={input.type === 'int' ? 1 : input.type === 'float' ? 'any' : undefined}
                  value={fallback.draft ?? defaultText}
                  placeholder="none: required"
                  aria-invalid={fallback.error ? true : undefined}
                  aria-describedby={fallback.error ? `${id}-default-error` : undefined}
                  onChange={(event) => {
                    const parsed = parseDefault(input.type, event.target.value)
                    if (!parsed.ok) {
                      fallback.setDraft(event.target.value)
                      fallback.setError(`the default ${parsed.reason}`)
                      return
                    }
                    apply({ default: parsed.value }, fallback, event.target.value)
                  }}
                />
              )}
              <p className="field-hint">Leave empty to make the input required.</p>
            </>
          )}
          <FieldError id={`${id}-default-error`} message={fallback.error} alert />
        </div>
        <div className="field inspector-field">
          <label htmlFor={`${id}-description`}>
            Description <span className="optional">optional</span>
          </label>
          <textarea
            id={`${id}-description`}
            rows={2}
            maxLength={INPUT_DESCRIPTION_MAX}
            value={description.draft ?? input.description ?? ''}
            aria-invalid={description.error ? true : undefined}
            onChange={(event) => apply({ description: event.target.value }, description, event.target.value)}
          />
          <FieldError id={`${id}-description-error`} message={description.error} alert />
        </div>
      </div>
    </>
  )
}
