// A node's own resources, retries and timeout, over its operation's resources and the
// run's retry policy: the rules the server applies (editor/schemas.py `Node`,
// `NodeResources`; runs/policy.py), shared by the store, document import and the
// inspector. Pure.

import type { GraphNode, NodeOverrides, NodeResources, ResourceType, Resources } from '../api/types'

export const RESOURCE_TYPES: readonly ResourceType[] = ['job', 'PyTorchJob', 'TFJob', 'MPIJob', 'Pod', 'ElasticJob']
/** The kinds that run `workers` replicas (editor/yaml_pipelines.py `MULTI_WORKER_TYPES`). */
export const MULTI_WORKER_TYPES: readonly ResourceType[] = ['PyTorchJob', 'TFJob', 'MPIJob', 'ElasticJob']
export const MEMORY = /^[0-9]+(\.[0-9]+)?(Ki|Mi|Gi|Ti)?$/
export const MAX_RETRIES = 20
export const MAX_BACKOFF_SECONDS = 3600
export const MAX_TIMEOUT_SECONDS = 7 * 24 * 3600

/** What an operation asks for when it says nothing (editor/schemas.py `Resources`). */
export const DEFAULT_RESOURCES: Required<Resources> = {
  cpu: 1,
  memory: '1Gi',
  gpus: 0,
  cpu_fallback: false,
  resource_type: 'job',
  workers: 1,
}

/** The run's retry policy when its config says nothing (runs/config.py `RetryPolicy`). */
export const RUN_RETRY_DEFAULTS = { retries: 0, retry_backoff_seconds: 2 }

export const RESOURCE_FIELDS = ['cpu', 'memory', 'gpus', 'cpu_fallback', 'resource_type', 'workers'] as const
export type ResourceField = (typeof RESOURCE_FIELDS)[number]
export const POLICY_FIELDS = ['retries', 'retry_backoff_seconds', 'timeout_seconds'] as const
export type PolicyField = (typeof POLICY_FIELDS)[number]
export const OVERRIDE_KEYS: readonly string[] = ['resources', ...POLICY_FIELDS]

/**
 * Changes to a node's overrides: a field given a value sets it, a field given
 * `undefined` or `null` goes back to the operation's (or the run's) value, a field not
 * named stays as it is.
 */
export interface OverrideChanges {
  resources?: { [K in ResourceField]?: Resources[K] | null }
  retries?: number | null
  retry_backoff_seconds?: number | null
  timeout_seconds?: number | null
}

function isNumber(value: unknown): value is number {
  return typeof value === 'number' && Number.isFinite(value)
}

function wholeIn(value: unknown, min: number, max: number): boolean {
  return isNumber(value) && Number.isInteger(value) && value >= min && value <= max
}

/** Why `value` does not suit resource `field`, or null when it does. */
export function resourceProblem(field: ResourceField, value: unknown): string | null {
  switch (field) {
    case 'cpu':
      return isNumber(value) && value > 0 && value <= 512 ? null : 'cpu must be a number above 0, at most 512'
    case 'memory':
      return typeof value === 'string' && MEMORY.test(value)
        ? null
        : 'memory must be a quantity like 512Mi or 2Gi (bytes, Ki, Mi, Gi or Ti)'
    case 'gpus':
      return wholeIn(value, 0, 64) ? null : 'gpus must be a whole number from 0 to 64'
    case 'cpu_fallback':
      return typeof value === 'boolean' ? null : 'cpu_fallback must be true or false'
    case 'resource_type':
      return (RESOURCE_TYPES as readonly unknown[]).includes(value)
        ? null
        : `resource_type must be one of ${RESOURCE_TYPES.join(', ')}`
    case 'workers':
      return wholeIn(value, 1, 1024) ? null : 'workers must be a whole number from 1 to 1024'
  }
}

/** Why `value` does not suit `field` (retries, backoff, timeout), or null when it does. */
export function policyProblem(field: PolicyField, value: unknown): string | null {
  switch (field) {
    case 'retries':
      return wholeIn(value, 0, MAX_RETRIES) ? null : `retries must be a whole number from 0 to ${MAX_RETRIES}`
    case 'retry_backoff_seconds':
      return isNumber(value) && value >= 0 && value <= MAX_BACKOFF_SECONDS
        ? null
        : `retry_backoff_seconds must be a number of seconds from 0 to ${MAX_BACKOFF_SECONDS}`
    case 'timeout_seconds':
      return isNumber(value) && value > 0 && value <= MAX_TIMEOUT_SECONDS
        ? null
        : `timeout_seconds must be a number of seconds above 0, at most ${MAX_TIMEOUT_SECONDS} (7 days)`
  }
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}

/**
 * Problems of the overrides of an untrusted node (`where` names it, e.g. `nodes.2`):
 * unknown resource fields and values out of bounds, each naming its field as the server
 * does (`nodes.2.resources.memory: ...`). `null` counts as not set.
 */
export function overridesProblems(raw: Record<string, unknown>, where: string): string[] {
  const problems: string[] = []
  const resources = raw.resources
  if (resources !== undefined && resources !== null) {
    if (!isRecord(resources)) problems.push(`${where}.resources: must be an object`)
    else {
      for (const [key, value] of Object.entries(resources)) {
        if (!(RESOURCE_FIELDS as readonly string[]).includes(key)) {
          problems.push(`${where}.resources: unknown field ${JSON.stringify(key)}`)
          continue
        }
        const problem = value === null ? null : resourceProblem(key as ResourceField, value)
        if (problem) problems.push(`${where}.resources.${key}: ${problem}`)
      }
    }
  }
  for (const field of POLICY_FIELDS) {
    const value = raw[field]
    const problem = value === undefined || value === null ? null : policyProblem(field, value)
    if (problem) problems.push(`${where}.${field}: ${problem}`)
  }
  return problems
}

/** The set overrides of an already checked raw node, copied (nulls and empty resources left out). */
export function readOverrides(raw: Record<string, unknown>): NodeOverrides {
  const overrides: NodeOverrides = {}
  if (isRecord(raw.resources)) {
    const resources = Object.fromEntries(
      Object.entries(raw.resources).filter(([, value]) => value !== null && value !== undefined),
    ) as NodeResources
    if (Object.keys(resources).length) overrides.resources = resources
  }
  for (const field of POLICY_FIELDS) {
    const value = raw[field]
    if (isNumber(value)) overrides[field] = value
  }
  return overrides
}

/** Whether the node overrides anything. */
export function hasOverrides(node: NodeOverrides): boolean {
  return (
    Object.keys(node.resources ?? {}).length > 0 || POLICY_FIELDS.some((field) => node[field] !== undefined)
  )
}

/** The operation's resources (defaults filled in) with the node's own on top (runs/policy.py). */
export function effectiveResources(operation: Resources | undefined, node: NodeOverrides): Required<Resources> {
  return { ...DEFAULT_RESOURCES, ...(operation ?? {}), ...(node.resources ?? {}) }
}

export type ApplyResult = { ok: true; node: GraphNode } | { ok: false; reason: string }

/**
 * `node` with `changes` applied (`null`: every override removed), or why not. Unset
 * overrides are left out of the node entirely, as the server stores them.
 */
export function applyOverrides(node: GraphNode, changes: OverrideChanges | null): ApplyResult {
  const next: GraphNode = { ...node }
  for (const key of OVERRIDE_KEYS) delete (next as unknown as Record<string, unknown>)[key]
  if (changes === null) return { ok: true, node: next }
  const resources: Record<string, unknown> = { ...(node.resources ?? {}) }
  for (const [key, value] of Object.entries(changes.resources ?? {})) {
    if (!(RESOURCE_FIELDS as readonly string[]).includes(key)) return { ok: false, reason: `unknown resource "${key}"` }
    if (value === undefined || value === null) {
      delete resources[key]
      continue
    }
    const problem = resourceProblem(key as ResourceField, value)
    if (problem) return { ok: false, reason: problem }
    resources[key] = value
  }
  if (Object.keys(resources).length) next.resources = resources as NodeResources
  for (const field of POLICY_FIELDS) {
    const value = field in changes ? changes[field] : node[field]
    if (value === undefined || value === null) continue
    const problem = policyProblem(field, value)
    if (problem) return { ok: false, reason: problem }
    next[field] = value
  }
  return { ok: true, node: next }
}

/** Whether two nodes have the same overrides. */
export function sameOverrides(a: NodeOverrides, b: NodeOverrides): boolean {
  const pick = (node: NodeOverrides) =>
    JSON.stringify([
      Object.entries(node.resources ?? {}).sort(([x], [y]) => x.localeCompare(y)),
      POLICY_FIELDS.map((field) => node[field] ?? null),
    ])
  return pick(a) === pick(b)
}
