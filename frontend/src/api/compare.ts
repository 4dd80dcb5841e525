// Runs side by side (`GET /api/runs/compare/?ids=1,2,3`).

import type { Comparison } from '../compare/types'
import { api, withQuery } from './client'

export function compareRuns(ids: readonly number[], signal?: AbortSignal) {
  return api.get<Comparison>(withQuery('/api/runs/compare/', { ids: ids.join(',') }), signal)
}
