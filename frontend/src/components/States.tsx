import type { ReactNode } from 'react'
import { Link, useLocation } from 'react-router-dom'
import { useBoot } from '../BootContext'
import { errorMessages, isAuthError } from '../lib/errors'

export function Spinner({ label = 'Loading…' }: { label?: string }) {
  return (
    <div className="spinner-row" role="status" aria-live="polite">
      <span className="spinner" aria-hidden="true" />
      <span>{label}</span>
    </div>
  )
}

/** Grey placeholder rows shaped like the table that is loading. */
export function SkeletonTable({
  rows = 5,
  columns = 4,
  label = 'Loading…',
}: {
  rows?: number
  columns?: number
  label?: string
}) {
  return (
    <div className="card skeleton-table" role="status" aria-live="polite" aria-busy="true">
      <span className="visually-hidden">{label}</span>
      {Array.from({ length: rows }, (_, row) => (
        <div className="skeleton-row" key={row} aria-hidden="true">
          {Array.from({ length: columns }, (_, column) => (
            <span
              className="skeleton"
              key={column}
              style={{ width: column === 0 ? '34%' : `${14 - ((row + column) % 3) * 2}%` }}
            />
          ))}
        </div>
      ))}
    </div>
  )
}

export function EmptyState({
  icon,
  title,
  children,
  action,
}: {
  icon?: ReactNode
  title: string
  children?: ReactNode
  action?: ReactNode
}) {
  return (
    <section className="card empty-state">
      {icon && (
        <div className="empty-icon" aria-hidden="true">
          {icon}
        </div>
      )}
      <h2>{title}</h2>
      {children && <div className="empty-text">{children}</div>}
      {action && <div className="empty-action">{action}</div>}
    </section>
  )
}

export function ErrorState({
  error,
  title = 'Something went wrong',
  onRetry,
}: {
  error: unknown
  title?: string
  onRetry?: () => void
}) {
  const boot = useBoot()
  const location = useLocation()
  const auth = isAuthError(error)
  const next = encodeURIComponent(location.pathname + location.search)
  return (
    <section className="card error-state" role="alert">
      <div className="error-icon" aria-hidden="true">
        !
      </div>
      <div className="error-body">
        <h2>{auth ? 'You are logged out' : title}</h2>
        <ul className="message-list">
          {errorMessages(error).map((message) => (
            <li key={message}>{message}</li>
          ))}
        </ul>
        <div className="error-actions">
          {auth ? (
            <a className="button button-primary" href={`${boot.loginUrl}?next=${next}`}>
              Log in again
            </a>
          ) : (
            onRetry && (
              <button type="button" className="button" onClick={onRetry}>
                Retry
              </button>
            )
          )}
        </div>
      </div>
    </section>
  )
}

export function NotFoundState({
  title,
  children,
  backTo,
  backLabel,
}: {
  title: string
  children?: ReactNode
  backTo: string
  backLabel: string
}) {
  return (
    <section className="card empty-state not-found">
      <div className="not-found-code" aria-hidden="true">
        404
      </div>
      <h2>{title}</h2>
      {children && <div className="empty-text">{children}</div>}
      <div className="empty-action">
        <Link className="button" to={backTo}>
          {backLabel}
        </Link>
      </div>
    </section>
  )
}

/** A whole page saying a thing is not there: a bad id, deleted, or in a project you are not in. */
export function MissingPage({
  title,
  backTo,
  backLabel,
  children,
}: {
  title: string
  backTo: string
  backLabel: string
  children?: ReactNode
}) {
  return (
    <div className="page">
      <NotFoundState title={title} backTo={backTo} backLabel={backLabel}>
        {children ?? <p>It may have been deleted, or you may not be a member of its project.</p>}
      </NotFoundState>
    </div>
  )
}
