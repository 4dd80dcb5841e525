// Pages of server-paginated lists: the offset kept in the URL and the "1–50 of 213" label (pure).

/** Rows per page of the lists across runs, node runs and artifacts. */
export const LIST_PAGE_SIZE = 50

/** The offset in a `?offset=` value: a whole number, 0 when missing or bad. */
export function parseOffset(value: string | null): number {
  const offset = Number(value)
  return Number.isInteger(offset) && offset > 0 ? offset : 0
}

/** "1–50 of 213", or "0 of 0" for an empty list. */
export function rangeLabel(offset: number, shown: number, count: number): string {
  if (count === 0 || shown === 0) return `0 of ${count}`
  return `${offset + 1}–${offset + shown} of ${count}`
}
