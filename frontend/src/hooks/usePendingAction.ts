import { useState } from 'react'
import { errorMessages } from '../lib/errors'

/** One button's request: busy while it runs, its error as a sentence when it fails. */
export function usePendingAction() {
  const [busy, setBusy] = useState(false)
  const [error, setError] = useState('')
  const run = (act: () => Promise<unknown>, onDone: () => void) => {
    setBusy(true)
    setError('')
    act().then(
      () => {
        setBusy(false)
        onDone()
      },
      (reason: unknown) => {
        setBusy(false)
        setError(errorMessages(reason).join(' '))
      },
    )
  }
  return { busy, error, run }
}
