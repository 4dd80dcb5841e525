import type { Connection } from '../api/liveRun'

const TITLES: Record<Connection, string> = {
  connecting: 'Connecting to the live run stream',
  live: 'Following the run as it happens',
  reconnecting: 'The live connection dropped: what you see may be out of date until it is back',
  polling: 'Live updates are unavailable: the page reads the run every few seconds',
  offline: 'You are offline: what you see may be out of date',
}

/**
 * How the run page is kept up to date, out of the way: a small "Live" dot while a run is
 * followed as it happens, and a visible warning while the view may be stale.
 */
export function ConnectionStatus({ connection, active }: { connection: Connection; active: boolean }) {
  let content = null
  if (connection === 'reconnecting') {
    content = (
      <>
        <span className="spinner spinner-small" aria-hidden="true" />
        Reconnecting…
      </>
    )
  } else if (connection === 'offline') {
    content = (
      <>
        <span className="connection-dot" aria-hidden="true" />
        Offline · reconnecting when back online
      </>
    )
  } else if (active && (connection === 'live' || connection === 'polling')) {
    content = (
      <>
        <span className="connection-dot" aria-hidden="true" />
        {connection === 'live' ? 'Live' : 'Auto-refresh'}
      </>
    )
  }
  return (
    <span
      className={`connection connection-${connection}${content ? '' : ' is-empty'}`}
      role="status"
      aria-live="polite"
      title={content ? TITLES[connection] : undefined}
    >
      {content}
    </span>
  )
}
