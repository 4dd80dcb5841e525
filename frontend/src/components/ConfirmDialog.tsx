import { useState, type ReactNode } from 'react'
import { errorMessages } from '../lib/errors'
import { Dialog } from './Dialog'

/**
 * "Are you sure?" for an action that cannot be undone: the safe choice has the focus, the
 * action runs `act` (a promise), says it is busy, and shows why it failed without closing.
 */
export function ConfirmDialog<T>({
  title,
  description,
  keepLabel,
  actLabel,
  busyLabel,
  act,
  onDone,
  onClose,
}: {
  title: string
  description: ReactNode
  keepLabel: string
  actLabel: string
  busyLabel: string
  act: () => Promise<T>
  onDone: (result: T) => void
  onClose: () => void
}) {
  const [busy, setBusy] = useState(false)
  const [error, setError] = useState<unknown>(null)
  const confirm = () => {
    setBusy(true)
    setError(null)
    act().then(onDone, (reason: unknown) => {
      setBusy(false)
      setError(reason)
    })
  }
  return (
    <Dialog title={title} description={description} onClose={onClose}>
      <div className="form">
        {error !== null && (
          <div className="form-alert" role="alert">
            {errorMessages(error).map((message) => (
              <span key={message}>{message}</span>
            ))}
          </div>
        )}
        <div className="form-actions">
          <button type="button" className="button" onClick={onClose} data-autofocus>
            {keepLabel}
          </button>
          <button
            type="button"
            className="button button-danger"
            onClick={confirm}
            disabled={busy}
            aria-busy={busy || undefined}
          >
            {busy && <span className="spinner spinner-small" aria-hidden="true" />}
            {busy ? busyLabel : actLabel}
          </button>
        </div>
      </div>
    </Dialog>
  )
}
