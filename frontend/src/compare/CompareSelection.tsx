// Ticking runs in a list and opening them side by side: the checkboxes and the Compare bar.

import { useCallback, useState } from 'react'
import { useNavigate } from 'react-router-dom'
import { compareHref, MAX_COMPARE, MIN_COMPARE, selectionProblem } from './compare'
import './compare.css'

export interface RunSelection {
  selected: ReadonlySet<number>
  toggle: (id: number, on: boolean) => void
  setMany: (ids: readonly number[], on: boolean) => void
  clear: () => void
}

/** The runs ticked in a list; kept while the list pages or filters change. */
export function useRunSelection(): RunSelection {
  const [selected, setSelected] = useState<ReadonlySet<number>>(new Set())
  const setMany = useCallback((ids: readonly number[], on: boolean) => {
    setSelected((current) => {
      const next = new Set(current)
      for (const id of ids) {
        if (on) next.add(id)
        else next.delete(id)
      }
      return next
    })
  }, [])
  const toggle = useCallback((id: number, on: boolean) => setMany([id], on), [setMany])
  const clear = useCallback(() => setSelected(new Set()), [])
  return { selected, toggle, setMany, clear }
}

export function SelectRunCell({ id, name, selection }: { id: number; name: string; selection: RunSelection }) {
  return (
    <td className="cell-select">
      <input
        type="checkbox"
        aria-label={`Select ${name}`}
        checked={selection.selected.has(id)}
        onChange={(event) => selection.toggle(id, event.target.checked)}
      />
    </td>
  )
}

/** The header checkbox: ticks or unticks every run shown. */
export function SelectAllHeader({ ids, selection }: { ids: readonly number[]; selection: RunSelection }) {
  const ticked = ids.filter((id) => selection.selected.has(id)).length
  return (
    <th scope="col" className="cell-select">
      <input
        type="checkbox"
        aria-label="Select all runs shown"
        checked={ids.length > 0 && ticked === ids.length}
        ref={(input) => {
          if (input) input.indeterminate = ticked > 0 && ticked < ids.length
        }}
        onChange={(event) => selection.setMany(ids, event.target.checked)}
      />
    </th>
  )
}

/** "Compare (3)", enabled for 2 to 10 ticked runs, with a note saying what to do otherwise. */
export function CompareBar({ selection }: { selection: RunSelection }) {
  const navigate = useNavigate()
  const count = selection.selected.size
  const problem = selectionProblem(count)
  const ids = [...selection.selected].sort((a, b) => a - b)
  return (
    <div className="compare-bar" role="group" aria-label="Compare runs">
      <button
        type="button"
        className="button button-primary button-small"
        disabled={problem !== null}
        onClick={() => navigate(compareHref(ids))}
      >
        Compare ({count})
      </button>
      {count > 0 && (
        <button type="button" className="button button-ghost button-small" onClick={selection.clear}>
          Clear selection
        </button>
      )}
      <p className={`compare-bar-note${count > MAX_COMPARE ? ' is-problem' : ''}`} role="status">
        {count === 0
          ? `Tick ${MIN_COMPARE} to ${MAX_COMPARE} runs to compare their parameters, metrics and outputs.`
          : (problem ?? `${count} runs selected.`)}
      </p>
    </div>
  )
}
