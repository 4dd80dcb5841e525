import { useEffect, useId, useRef, useState, type ReactNode } from 'react'
import { Link, useNavigate } from 'react-router-dom'
import type { GraphNode, Operation, Param } from '../api/types'
import { nodeLabel } from '../lib/graph'
import { DuplicateOperationDialog, duplicatedMessage } from '../pages/DuplicateOperationDialog'
import { LABEL_MAX } from './document'
import { InputInspector } from './inputs/InputInspector'
import { ResourcesSection } from './ResourcesSection'
import { useEditorStore, type EditorStore } from './store'
import { paramValueProblem, parseParamInput } from './typeCheck'
import { FieldError } from '../components/FieldError'

function shown(value: unknown): string {
  if (value === undefined || value === null) return ''
  if (typeof value === 'string') return value
  return JSON.stringify(value, null, typeof value === 'object' ? 2 : undefined)
}


/** "1 to 100", "at least 0": a number parameter's bounds, for its hint. */
function bounds(param: Param): string {
  const { minimum, maximum } = param
  if (minimum != null && maximum != null) return `${minimum} to ${maximum}`
  if (minimum != null) return `at least ${minimum}`
  if (maximum != null) return `at most ${maximum}`
  return ''
}

/** One parameter with a widget fitting its type; refused values are explained next to it. */
function ParamField({ store, node, param }: { store: EditorStore; node: GraphNode; param: Param }) {
  const id = useId()
  const errorId = `${id}-error`
  const set = param.name in node.params
  const value = node.params[param.name]
  const [draft, setDraft] = useState<string | null>(null)
  const [error, setError] = useState<string | null>(null)
  const committed = useRef<unknown>(value)

  // A change from elsewhere (undo, paste...) replaces what is being typed.
  useEffect(() => {
    if (JSON.stringify(committed.current) !== JSON.stringify(value)) {
      committed.current = value
      setDraft(null)
      setError(null)
    }
  }, [value])

  const commit = (next: unknown) => {
    committed.current = next
    const result = store.getState().setParam(node.id, param.name, next)
    setError(result.ok ? null : result.reason)
  }

  const onText = (text: string) => {
    setDraft(text)
    if (text.trim() === '' && param.type !== 'str') {
      commit(undefined)
      return
    }
    if (text === '' && param.type === 'str') {
      commit(undefined)
      return
    }
    const parsed = parseParamInput(param.type, text)
    if (!parsed.ok) {
      setError(`${param.name} ${parsed.reason}`)
      return
    }
    const problem = paramValueProblem(param, parsed.value)
    if (problem) {
      setError(`${param.name} ${problem}`)
      return
    }
    commit(parsed.value)
  }

  const describedBy = error ? errorId : undefined
  const placeholder = param.default === undefined || param.default === null ? '' : `${shown(param.default)} (default)`
  let control: ReactNode
  if (param.type === 'bool') {
    const checked = set ? Boolean(value) : Boolean(param.default)
    control = (
      <label className="inspector-check">
        <input
          id={id}
          type="checkbox"
          checked={checked}
          aria-invalid={error ? true : undefined}
          aria-describedby={describedBy}
          onChange={(event) => commit(event.target.checked)}
        />
        <span>{param.name}</span>
        {!set && <span className="muted"> (default)</span>}
      </label>
    )
  } else if (param.choices?.length) {
    // A fixed choice: a list, with the operation's default first when nothing is set.
    const current = set ? JSON.stringify(value) : ''
    control = (
      <select
        id={id}
        value={current}
        aria-invalid={error ? true : undefined}
        aria-describedby={describedBy}
        onChange={(event) => commit(event.target.value === '' ? undefined : JSON.parse(event.target.value))}
      >
        <option value="">
          {param.default === undefined || param.default === null ? 'Choose…' : `${shown(param.default)} (default)`}
        </option>
        {param.choices.map((choice) => (
          <option key={JSON.stringify(choice)} value={JSON.stringify(choice)}>
            {shown(choice)}
          </option>
        ))}
      </select>
    )
  } else if (param.type === 'json') {
    control = (
      <textarea
        id={id}
        rows={3}
        spellCheck={false}
        className="mono"
        value={draft ?? (set ? shown(value) : '')}
        placeholder={placeholder}
        aria-invalid={error ? true : undefined}
        aria-describedby={describedBy}
        onChange={(event) => onText(event.target.value)}
      />
    )
  } else {
    const numeric = param.type === 'int' || param.type === 'float'
    control = (
      <input
        id={id}
        type={numeric ? 'number' : 'text'}
        step={param.type === 'int' ? 1 : numeric ? 'any' : undefined}
        min={numeric && param.minimum != null ? param.minimum : undefined}
        max={numeric && param.maximum != null ? param.maximum : undefined}
        value={draft ?? (set ? shown(value) : '')}
        placeholder={placeholder}
        aria-invalid={error ? true : undefined}
        aria-describedby={describedBy}
        onChange={(event) => onText(event.target.value)}
      />
    )
  }

  return (
    <div className="field inspector-field" title={param.description || undefined}>
      {param.type !== 'bool' && (
        <label htmlFor={id}>
          {param.name} <span className="type-tag">{param.type}</span>
        </label>
      )}
      {control}
      {(param.description || bounds(param)) && (
        <p className="field-hint">{[param.description, bounds(param)].filter(Boolean).join(' · ')}</p>
      )}
      <FieldError id={errorId} message={error} alert />
    </div>
  )
}

function LabelField({ store, node, operation }: { store: EditorStore; node: GraphNode; operation?: Operation }) {
  const id = useId()
  const [error, setError] = useState<string | null>(null)
  return (
    <div className="field inspector-field">
      <label htmlFor={id}>Label</label>
      <input
        id={id}
        type="text"
        value={node.label}
        maxLength={LABEL_MAX}
        placeholder={operation?.name ?? node.id}
        aria-invalid={error ? true : undefined}
        aria-describedby={error ? `${id}-error` : undefined}
        onChange={(event) => {
          const result = store.getState().setLabel(node.id, event.target.value)
          setError(result.ok ? null : result.reason)
        }}
      />
      <FieldError id={`${id}-error`} message={error} alert />
    </div>
  )
}

/** A built-in is read-only: view it, or copy it into a project to change it. */
function BuiltinActions({ operation, projectId }: { operation: Operation; projectId?: number }) {
  const navigate = useNavigate()
  const [open, setOpen] = useState(false)
  const query = projectId === undefined ? '' : `?project=${projectId}`
  return (
    <div className="inspector-builtin">
      <p className="panel-text muted">Built-in operation: read-only.</p>
      <div className="inspector-builtin-actions">
        <Link className="button button-small" to={`/operations/${operation.id}/edit/${query}`}>
          View operation
        </Link>
        <button type="button" className="button button-small" onClick={() => setOpen(true)}>
          Duplicate into project
        </button>
      </div>
      {open && (
        <DuplicateOperationDialog
          operation={operation}
          preferredProject={projectId ?? null}
          onClose={() => setOpen(false)}
          onDuplicated={(copy) => {
            setOpen(false)
            navigate(`/operations/${copy.id}/edit/`, { state: { saved: duplicatedMessage(copy) } })
          }}
        />
      )}
    </div>
  )
}

function NodeInspector({
  store,
  node,
  operation,
  projectId,
}: {
  store: EditorStore
  node: GraphNode
  operation?: Operation
  projectId?: number
}) {
  const version = operation?.latest_version
  const params = version?.parameters ?? []
  return (
    <>
      <div className="inspector-heading">
        <h2 className="inspector-title">{nodeLabel(node, operation)}</h2>
        <p className="panel-text muted">
          {operation ? operation.name : `Unknown operation #${node.operation}`}
          {version && ` · v${version.number}`} · <code>{node.id}</code>
        </p>
        {operation?.description && <p className="panel-text">{operation.description}</p>}
        {operation && !operation.builtin && operation.project !== null && (
          <p className="panel-text">
            <Link to={`/operations/${operation.id}/edit/`}>Edit operation</Link>
          </p>
        )}
        {operation && (operation.builtin || operation.project === null) && (
          <BuiltinActions operation={operation} projectId={projectId} />
        )}
      </div>
      <LabelField key={node.id} store={store} node={node} operation={operation} />
      <h3 className="panel-subtitle">Parameters</h3>
      {params.length ? (
        <div className="inspector-fields">
          {params.map((param) => (
            <ParamField key={`${node.id}:${param.name}`} store={store} node={node} param={param} />
          ))}
        </div>
      ) : (
        <p className="panel-text muted">This operation takes no parameters.</p>
      )}
      <ResourcesSection key={`resources:${node.id}`} store={store} node={node} operation={operation} />
    </>
  )
}

export interface PipelineFacts {
  name: string
  projectName: string
  /** Where "Duplicate into project" copies a built-in to, unless the person picks another. */
  projectId?: number
  revision: number
  latestVersion: number | null
}

/** The selected node's label, parameters, resources and retries; pipeline facts when none is selected. */
export function Inspector({ store, pipeline }: { store: EditorStore; pipeline: PipelineFacts }) {
  const document = useEditorStore(store, (state) => state.document)
  const operations = useEditorStore(store, (state) => state.operations)
  const selection = useEditorStore(store, (state) => state.selection)
  const node =
    selection.nodes.length === 1 ? document.nodes.find((candidate) => candidate.id === selection.nodes[0]) : undefined
  const input =
    selection.nodes.length === 1 ? document.inputs.find((candidate) => candidate.name === selection.nodes[0]) : undefined

  let body: ReactNode
  if (input) {
    body = <InputInspector store={store} input={input} />
  } else if (node) {
    body = (
      <NodeInspector
        store={store}
        node={node}
        operation={operations.find((operation) => operation.id === node.operation)}
        projectId={pipeline.projectId}
      />
    )
  } else if (selection.nodes.length > 1 || selection.edges.length > 0) {
    const n = selection.nodes.length
    const e = selection.edges.length
    body = (
      <>
        <h2 className="inspector-title">
          {[n && `${n} ${n === 1 ? 'node' : 'nodes'}`, e && `${e} ${e === 1 ? 'edge' : 'edges'}`]
            .filter(Boolean)
            .join(', ')}{' '}
          selected
        </h2>
        <p className="panel-text muted">
          Press <kbd>Delete</kbd> to remove, <kbd>Ctrl</kbd>+<kbd>D</kbd> to duplicate. Select a single node to edit it.
        </p>
      </>
    )
  } else {
    body = (
      <>
        <h2 className="inspector-title">{pipeline.name}</h2>
        <dl className="kv-list">
          <div className="kv-row">
            <dt>Project</dt>
            <dd>{pipeline.projectName}</dd>
          </div>
          <div className="kv-row">
            <dt>Nodes</dt>
            <dd>{document.nodes.length}</dd>
          </div>
          <div className="kv-row">
            <dt>Edges</dt>
            <dd>{document.edges.length}</dd>
          </div>
          <div className="kv-row">
            <dt>Inputs</dt>
            <dd>{document.inputs.length ? document.inputs.map((input) => input.name).join(', ') : 'none'}</dd>
          </div>
          <div className="kv-row">
            <dt>Latest version</dt>
            <dd>{pipeline.latestVersion === null ? 'none yet' : `v${pipeline.latestVersion}`}</dd>
          </div>
          <div className="kv-row">
            <dt>Revision</dt>
            <dd>{pipeline.revision}</dd>
          </div>
        </dl>
        <p className="inspector-hint">
          Drag an operation from the palette onto the canvas, then connect an output handle to an input
          handle. Select a node to edit its label and parameters.
        </p>
      </>
    )
  }
  return (
    <section className="editor-sidebar editor-inspector" aria-label="Node inspector">
      <div className="editor-sidebar-body inspector-body">{body}</div>
    </section>
  )
}
