import { useCallback } from 'react'
import { useSearchParams } from 'react-router-dom'
import { parseOffset } from '../lib/listPage'

/**
 * Filters and the page offset of a list, kept in the URL query string: `set` changes some
 * parameters (empty values are removed) and goes back to the first page unless it sets `offset`.
 */
export function useListQuery() {
  const [params, setParams] = useSearchParams()
  const get = useCallback((name: string) => params.get(name) ?? '', [params])
  const set = useCallback(
    (changes: Record<string, string | number | null>) => {
      setParams(
        (current) => {
          const next = new URLSearchParams(current)
          if (!('offset' in changes)) next.delete('offset')
          for (const [name, value] of Object.entries(changes)) {
            if (value === null || value === '' || value === 0) next.delete(name)
            else next.set(name, String(value))
          }
          return next
        },
        { replace: true },
      )
    },
    [setParams],
  )
  return { params, get, set, offset: parseOffset(params.get('offset')) }
}
