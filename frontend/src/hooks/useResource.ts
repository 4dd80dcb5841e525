import { useCallback, useEffect, useRef, useState, type DependencyList } from 'react'
import { isAbortError } from '../api/client'

export type ResourceStatus = 'loading' | 'success' | 'error'

export interface Resource<T> {
  status: ResourceStatus
  data: T | undefined
  error: unknown
  /** Loads again from scratch (shows the loading state): for Retry buttons. */
  reload: () => void
  /** Loads again in the background, keeping the current data on screen: for polling. */
  refresh: () => Promise<void>
}

interface State<T> {
  status: ResourceStatus
  data: T | undefined
  error: unknown
}

/**
 * Loads data with `load` whenever `deps` change; aborts the request when they change
 * again or the component unmounts, so a late answer never overwrites a newer one.
 */
export function useResource<T>(
  load: (signal: AbortSignal) => Promise<T>,
  deps: DependencyList,
): Resource<T> {
  const [state, setState] = useState<State<T>>({ status: 'loading', data: undefined, error: null })
  const [attempt, setAttempt] = useState(0)
  const loadRef = useRef(load)
  const controllerRef = useRef<AbortController | null>(null)

  useEffect(() => {
    loadRef.current = load
  })

  useEffect(() => {
    const controller = new AbortController()
    controllerRef.current = controller
    setState({ status: 'loading', data: undefined, error: null })
    loadRef.current(controller.signal).then(
      (data) => {
        if (!controller.signal.aborted) setState({ status: 'success', data, error: null })
      },
      (error: unknown) => {
        if (controller.signal.aborted || isAbortError(error)) return
        setState({ status: 'error', data: undefined, error })
      },
    )
    return () => controller.abort()
    // The caller names the dependencies, as with useEffect itself.
  }, [...deps, attempt])

  const reload = useCallback(() => setAttempt((n) => n + 1), [])

  const refresh = useCallback(async () => {
    const controller = controllerRef.current
    if (!controller || controller.signal.aborted) return
    try {
      const data = await loadRef.current(controller.signal)
      if (!controller.signal.aborted) setState({ status: 'success', data, error: null })
    } catch {
      // A failed background refresh keeps what is on screen; the next one may succeed.
    }
  }, [])

  return { ...state, reload, refresh }
}
