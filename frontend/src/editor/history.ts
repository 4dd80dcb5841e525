// Undo/redo over immutable document snapshots. Pure: every function returns a new history.

export const HISTORY_LIMIT = 100

export interface History<T> {
  past: T[]
  future: T[]
  /** Key of the last committed step; a following step with the same key joins it. */
  lastKey: string | null
}

export function emptyHistory<T>(): History<T> {
  return { past: [], future: [], lastKey: null }
}

/**
 * Records that `previous` was replaced. When `key` equals the last step's key the two
 * steps are merged (the earlier snapshot is kept). At most `limit` steps are kept.
 */
export function record<T>(
  history: History<T>,
  previous: T,
  key: string | null = null,
  limit: number = HISTORY_LIMIT,
): History<T> {
  if (key !== null && key === history.lastKey && history.past.length > 0) {
    return { past: history.past, future: [], lastKey: key }
  }
  const past = [...history.past, previous]
  if (past.length > limit) past.splice(0, past.length - limit)
  return { past, future: [], lastKey: key }
}

/** The snapshot to go back to and the history after it, or null when there is none. */
export function undo<T>(history: History<T>, current: T): { history: History<T>; value: T } | null {
  const value = history.past[history.past.length - 1]
  if (value === undefined) return null
  return {
    value,
    history: { past: history.past.slice(0, -1), future: [current, ...history.future], lastKey: null },
  }
}

export function redo<T>(history: History<T>, current: T): { history: History<T>; value: T } | null {
  const [value, ...future] = history.future
  if (value === undefined) return null
  return { value, history: { past: [...history.past, current], future, lastKey: null } }
}

/** Ends the current step: the next one will not be merged into it. */
export function seal<T>(history: History<T>): History<T> {
  return history.lastKey === null ? history : { ...history, lastKey: null }
}
