// The problems a refused run submission (400) names, as lines a person can act on.

import { errorMessages, flattenMessages, humanizeField, isErrorLike } from './errors'

export interface Problem {
  message: string
  /** The node the problem is about (`"node split, port dataset: ..."`), if any. */
  nodeId: string | null
}

const NODE_PREFIX = /^node ([^\s,:]+)/

/** `"node split, port dataset: required input is not connected"` -> `"split"`. */
export function problemNodeId(message: string): string | null {
  return NODE_PREFIX.exec(message)?.[1] ?? null
}

const GENERAL_KEYS = new Set(['detail', 'non_field_errors', '__all__'])

/**
 * One entry per message of a submit error. Graph problems and general messages are shown
 * as they are (they already name node and port); other fields get their name in front.
 */
export function submitProblems(error: unknown): Problem[] {
  const body = isErrorLike(error) && error.status === 400 ? error.body : null
  if (body === null || typeof body !== 'object' || Array.isArray(body)) {
    return errorMessages(error).map((message) => ({ message, nodeId: null }))
  }
  const problems: Problem[] = []
  for (const [field, value] of Object.entries(body as Record<string, unknown>)) {
    for (const message of flattenMessages(value)) {
      if (field === 'graph') problems.push({ message, nodeId: problemNodeId(message) })
      else if (GENERAL_KEYS.has(field)) problems.push({ message, nodeId: problemNodeId(message) })
      else problems.push({ message: `${humanizeField(field)}: ${message}`, nodeId: null })
    }
  }
  return problems.length ? problems : errorMessages(error).map((message) => ({ message, nodeId: null }))
}

/** The distinct nodes named by some problem. */
export function problemNodeIds(problems: readonly Problem[]): string[] {
  return [...new Set(problems.flatMap((problem) => (problem.nodeId ? [problem.nodeId] : [])))]
}
