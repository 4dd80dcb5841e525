import { useEffect, useRef } from 'react'

/** True while a modal dialog is open: its own keys (Escape, Enter) are its business. */
export function isModalOpen(): boolean {
  return document.querySelector('[role="dialog"][aria-modal="true"]') !== null
}

/** Calls `handler` for every keydown on the document while `enabled`. */
export function useKeydown(handler: (event: KeyboardEvent) => void, enabled = true) {
  const handlerRef = useRef(handler)
  useEffect(() => {
    handlerRef.current = handler
  })
  useEffect(() => {
    if (!enabled) return
    const onKeyDown = (event: KeyboardEvent) => handlerRef.current(event)
    document.addEventListener('keydown', onKeyDown)
    return () => document.removeEventListener('keydown', onKeyDown)
  }, [enabled])
}
