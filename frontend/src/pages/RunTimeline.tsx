import { useLayoutEffect, useRef } from 'react'
import type { RunDetail } from '../api/types'
import { Spinner } from '../components/States'
import type { RunHistory } from '../hooks/useRunHistory'
import { errorMessage } from '../lib/errors'
import { describeEvent } from '../lib/runStream'
import { nodeStateClass } from '../lib/runs'
import { formatDateTime, formatOffset } from '../lib/time'

/** The list shows this many events around the scrubber's position. */
export const TIMELINE_WINDOW = 80

/**
 * The run's history under the graph: its state changes with their time since the start, and a
 * scrubber that shows the graph as it was after any of them (`position` events applied;
 * null follows the run as it is now).
 */
export function RunTimeline({
  run,
  history,
  position,
  onPosition,
  labelOf,
}: {
  run: RunDetail
  history: RunHistory
  position: number | null
  onPosition: (position: number | null) => void
  labelOf: (nodeId: string) => string
}) {
  const { events } = history
  const count = events.length
  const value = position === null ? count : Math.min(position, count)
  const start = run.started_at ?? events[0]?.created_at ?? run.created_at
  const current = value > 0 ? events[value - 1] : undefined
  const first = Math.max(0, Math.min(value - TIMELINE_WINDOW / 2, count - TIMELINE_WINDOW))
  const shown = events.slice(first, first + TIMELINE_WINDOW)
  const listRef = useRef<HTMLOListElement>(null)

  // Keep the current event in sight inside the list (without scrolling the page).
  useLayoutEffect(() => {
    const list = listRef.current
    const row = list?.querySelector<HTMLElement>('[aria-current="step"]')
    if (!list || !row) return
    list.scrollTop = Math.max(0, row.offsetTop - list.clientHeight / 2)
  }, [value, count])

  const moveTo = (next: number) => onPosition(next >= count ? null : Math.max(0, next))
  const describe = (index: number) => {
    if (index === 0) return 'before the run started'
    const event = events[index - 1]!
    const said = describeEvent(event)
    return `${formatOffset(event.created_at, start)} · ${said.nodeId ? labelOf(said.nodeId) : 'Run'} ${said.text}`
  }

  return (
    <section className="card timeline" aria-label="Timeline">
      <div className="card-header timeline-header">
        <h2>Timeline</h2>
        <span className="timeline-where muted">
          {position === null
            ? count
              ? `${count} ${count === 1 ? 'change' : 'changes'} · showing the latest state`
              : null
            : `Showing the run as it was at ${current ? formatOffset(current.created_at, start) : 'the start'} (change ${value} of ${count})`}
        </span>
        {position !== null && (
          <button type="button" className="button button-small" onClick={() => onPosition(null)}>
            Back to now
          </button>
        )}
      </div>

      {history.status === 'error' && (
        <p className="panel-text timeline-message">
          Could not load the run’s history ({errorMessage(history.error)}).{' '}
          <button type="button" className="link-button" onClick={history.retry}>
            Retry
          </button>
        </p>
      )}
      {history.status === 'loading' && count === 0 ? (
        <div className="timeline-message">
          <Spinner label="Loading history…" />
        </div>
      ) : count === 0 ? (
        history.status === 'success' && <p className="panel-text muted timeline-message">Nothing has happened yet.</p>
      ) : (
        <>
          <div className="timeline-scrub">
            <span className="timeline-edge muted">{formatOffset(start, start)}</span>
            <input
              type="range"
              className="timeline-range"
              min={0}
              max={count}
              step={1}
              value={value}
              aria-label="Replay the run"
              aria-valuetext={describe(value)}
              onChange={(event) => moveTo(Number(event.currentTarget.value))}
            />
            <span className="timeline-edge muted">{formatOffset(events[count - 1]!.created_at, start)}</span>
          </div>
          <ol className="timeline-list" ref={listRef} aria-label="Changes">
            {shown.map((event, offset) => {
              const index = first + offset
              const said = describeEvent(event)
              const time = formatOffset(event.created_at, start)
              const isCurrent = index === value - 1
              return (
                <li
                  key={event.seq}
                  className={`timeline-event${index >= value ? ' is-later' : ''}${isCurrent ? ' is-current' : ''}`}
                  aria-current={isCurrent ? 'step' : undefined}
                >
                  <button
                    type="button"
                    className="timeline-time clock"
                    title={formatDateTime(event.created_at)}
                    aria-label={`Show the run as it was at ${time}`}
                    onClick={() => moveTo(index + 1)}
                  >
                    {time}
                  </button>
                  <span className="timeline-subject">{said.nodeId ? labelOf(said.nodeId) : 'Run'}</span>
                  <span className={`timeline-text${said.state ? ` ${nodeStateClass(said.state)}` : ''}`}>
                    {said.text}
                  </span>
                </li>
              )
            })}
          </ol>
          {history.truncated && (
            <p className="table-note">This run has too many events to show them all here; later ones are left out.</p>
          )}
        </>
      )}
    </section>
  )
}
