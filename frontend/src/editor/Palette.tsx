import { Link } from 'react-router-dom'
import { memo, useId, useMemo, useState, type DragEvent, type KeyboardEvent } from 'react'
import type { Operation } from '../api/types'
import { SearchIcon } from '../components/Icons'
import { normalizeText, searchTerms } from '../lib/filter'

/** The drag-and-drop type a palette item carries: the operation id. */
export const OPERATION_MIME = 'application/x-pipewright-operation'

export interface OperationGroup {
  category: string
  operations: Operation[]
}

/** Operations matching every term of `query` (name, slug, category, description), by category. */
export function groupOperations(operations: readonly Operation[], query: string): OperationGroup[] {
  const terms = searchTerms(query)
  const groups = new Map<string, Operation[]>()
  for (const operation of operations) {
    if (terms.length) {
      const haystack = normalizeText(
        `${operation.name}\n${operation.slug}\n${operation.category}\n${operation.description}`,
      )
      if (!terms.every((term) => haystack.includes(term))) continue
    }
    const category = operation.category || 'Other'
    groups.set(category, [...(groups.get(category) ?? []), operation])
  }
  return [...groups.entries()]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([category, list]) => ({
      category,
      operations: [...list].sort((a, b) => a.name.localeCompare(b.name)),
    }))
}

function PaletteItem({ operation, onAdd }: { operation: Operation; onAdd: (operation: Operation) => void }) {
  const version = operation.latest_version
  const onDragStart = (event: DragEvent<HTMLDivElement>) => {
    event.dataTransfer.setData(OPERATION_MIME, String(operation.id))
    event.dataTransfer.setData('text/plain', operation.name)
    event.dataTransfer.effectAllowed = 'copy'
  }
  const onKeyDown = (event: KeyboardEvent<HTMLDivElement>) => {
    if (event.key !== 'Enter' && event.key !== ' ') return
    event.preventDefault()
    onAdd(operation)
  }
  const ports = version ? `${version.inputs.length} in · ${version.outputs.length} out` : 'no version'
  return (
    <li>
      <div
        className="palette-item"
        role="button"
        tabIndex={0}
        draggable
        aria-label={operation.name}
        aria-description="Drag onto the canvas, or press Enter to add"
        title={operation.description || `Add ${operation.name}`}
        data-operation-id={operation.id}
        onDragStart={onDragStart}
        onDoubleClick={() => onAdd(operation)}
        onKeyDown={onKeyDown}
      >
        <span className="palette-item-name">{operation.name}</span>
        <span className="palette-item-meta">
          {ports}
          {!operation.builtin && ' · project'}
        </span>
      </div>
    </li>
  )
}

/** The operations catalogue, searchable, grouped by category; items drag onto the canvas. */
function PaletteView({
  operations,
  onAdd,
  onAddInput,
  projectId,
}: {
  operations: readonly Operation[]
  onAdd: (operation: Operation) => void
  /** Adds a pipeline input (offered at the top of the palette when given). */
  onAddInput?: () => void
  /** The pipeline's project: where "New operation" creates one. */
  projectId?: number
}) {
  const [query, setQuery] = useState('')
  const groups = useMemo(() => groupOperations(operations, query), [operations, query])
  const searchId = useId()
  return (
    <section className="editor-sidebar editor-palette" aria-label="Operations">
      <div className="editor-sidebar-header">
        <h2 className="panel-title">Operations</h2>
        <div className="search palette-search">
          <SearchIcon size={14} />
          <label htmlFor={searchId} className="visually-hidden">
            Search operations
          </label>
          <input
            id={searchId}
            className="search-input"
            type="search"
            placeholder="Search operations"
            value={query}
            onChange={(event) => setQuery(event.target.value)}
            onKeyDown={(event) => {
              if (event.key === 'Escape' && query) {
                event.preventDefault()
                setQuery('')
              }
            }}
          />
        </div>
      </div>
      <div className="editor-sidebar-body">
        {onAddInput && (
          <button
            type="button"
            className="palette-input-button"
            onClick={onAddInput}
            title="Add an input the run is given when it starts: a file, a directory or a value"
          >
            + Pipeline input
          </button>
        )}
        {operations.length === 0 ? (
          <p className="panel-text muted palette-empty">No operations are available yet.</p>
        ) : groups.length === 0 ? (
          <p className="panel-text muted palette-empty">No operation matches “{query}”.</p>
        ) : (
          groups.map((group) => (
            <div className="palette-group" key={group.category}>
              <h3 className="panel-subtitle">{group.category}</h3>
              <ul className="palette-list">
                {group.operations.map((operation) => (
                  <PaletteItem key={operation.id} operation={operation} onAdd={onAdd} />
                ))}
              </ul>
            </div>
          ))
        )}
      </div>
      <p className="editor-sidebar-footer subtle-note">
        Drag onto the canvas, or double-click / Enter to add.
        {projectId !== undefined && (
          <>
            {' '}
            <Link className="palette-new-operation" to={`/operations/new/?project=${projectId}`}>
              New operation
            </Link>
          </>
        )}
      </p>
    </section>
  )
}

export const Palette = memo(PaletteView)
