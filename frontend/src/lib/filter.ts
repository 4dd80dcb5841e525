// Client-side search over the pipelines list.

import type { Pipeline } from '../api/types'

/** Lower case without accents, so "Resume" finds "Résumé". */
export function normalizeText(text: string): string {
  return text.normalize('NFD').replace(/[\u0300-\u036f]/g, '').toLowerCase()
}

/** Search terms of a query: whitespace-separated, normalized, empty ones dropped. */
export function searchTerms(query: string): string[] {
  return normalizeText(query).split(/\s+/).filter(Boolean)
}

/**
 * Pipelines whose name or description contains every term of the query (in any order,
 * ignoring case and accents). An empty query keeps them all; the order is kept.
 */
export function filterPipelines<T extends Pick<Pipeline, 'name' | 'description'>>(
  pipelines: readonly T[],
  query: string,
): T[] {
  const terms = searchTerms(query)
  if (!terms.length) return [...pipelines]
  return pipelines.filter((pipeline) => {
    const haystack = normalizeText(`${pipeline.name}\n${pipeline.description ?? ''}`)
    return terms.every((term) => haystack.includes(term))
  })
}
