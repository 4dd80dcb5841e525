import { useEffect, useRef } from 'react'

/**
 * Calls `tick` every `intervalMs` while `enabled`, waiting for each call to finish before
 * scheduling the next, and skipping ticks while the tab is hidden.
 */
export function usePolling(tick: () => Promise<unknown> | void, intervalMs: number, enabled: boolean) {
  const tickRef = useRef(tick)
  useEffect(() => {
    tickRef.current = tick
  })

  useEffect(() => {
    if (!enabled) return
    let cancelled = false
    let timer: ReturnType<typeof setTimeout>
    const schedule = () => {
      timer = setTimeout(async () => {
        if (cancelled) return
        if (document.visibilityState !== 'hidden') {
          try {
            await tickRef.current()
          } catch {
            // the next tick tries again
          }
        }
        if (!cancelled) schedule()
      }, intervalMs)
    }
    schedule()
    return () => {
      cancelled = true
      clearTimeout(timer)
    }
  }, [enabled, intervalMs])
}
