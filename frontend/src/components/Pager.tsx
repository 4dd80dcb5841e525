import { rangeLabel } from '../lib/listPage'

/** Prev / Next over a server-paginated list, with "1–50 of 213". */
export function Pager({
  offset,
  shown,
  count,
  pageSize,
  onOffset,
  noun,
}: {
  offset: number
  shown: number
  count: number
  pageSize: number
  onOffset: (offset: number) => void
  noun: string
}) {
  return (
    <nav className="pager" aria-label={`Pages of ${noun}`}>
      <button
        type="button"
        className="button button-small"
        disabled={offset <= 0}
        onClick={() => onOffset(Math.max(0, offset - pageSize))}
      >
        Prev
      </button>
      <span className="pager-range" aria-live="polite">
        {rangeLabel(offset, shown, count)}
      </span>
      <button
        type="button"
        className="button button-small"
        disabled={offset + shown >= count}
        onClick={() => onOffset(offset + pageSize)}
      >
        Next
      </button>
    </nav>
  )
}
