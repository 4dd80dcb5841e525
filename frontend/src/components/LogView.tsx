import { useLayoutEffect, useMemo, useRef } from 'react'
import { isEngineLine, logTail } from '../lib/log'

const MAX_LINES = 2000
/** Within this many pixels of the end counts as "at the bottom" (new lines keep it there). */
const STICK_SLACK = 24

/**
 * A node's log in monospace, scrolled to the bottom; it stays at the bottom as lines arrive
 * unless the reader has scrolled up. Engine notes (`[pipewright] ...`) are set apart.
 */
export function LogView({ log, emptyText, label }: { log: string; emptyText: string; label: string }) {
  const ref = useRef<HTMLPreElement>(null)
  const stick = useRef(true)
  const tail = useMemo(() => logTail(log, MAX_LINES), [log])

  useLayoutEffect(() => {
    const element = ref.current
    if (element && stick.current) element.scrollTop = element.scrollHeight
  }, [log])

  if (tail.lines.length === 0) {
    return (
      <div role="log" aria-label={label} className="log-empty">
        {emptyText}
      </div>
    )
  }
  return (
    <pre
      ref={ref}
      className="log"
      role="log"
      tabIndex={0}
      aria-label={label}
      onScroll={(event) => {
        const element = event.currentTarget
        stick.current = element.scrollTop + element.clientHeight >= element.scrollHeight - STICK_SLACK
      }}
    >
      {tail.hidden > 0 && (
        <span className="log-line log-note">
          … {tail.hidden} earlier {tail.hidden === 1 ? 'line' : 'lines'} not shown{'\n'}
        </span>
      )}
      {tail.lines.map((line, index) => (
        <span key={index} className={isEngineLine(line) ? 'log-line log-engine' : 'log-line'}>
          {line}
          {'\n'}
        </span>
      ))}
    </pre>
  )
}
