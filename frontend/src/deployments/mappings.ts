// The Deploy form's state and what it sends: one mapping row per step input and output (kind
// plus the kind's own field), the name, the rule, the endpoint limits; and where a refusal's
// messages go (`inputs.<key>` / `outputs.<key>` to their row, the rest to their field).

import type {
  DeploymentRule,
  InputKind,
  Mapping,
  Mappings,
  NewDeployment,
  StepInput,
  StepOutput,
} from '../api/deployments'
import { isParamType, parseParamInput } from '../editor/typeCheck'
import { flattenMessages } from '../lib/errors'

export const NAME_PATTERN = /^[a-z0-9][a-z0-9-]{1,62}$/
export const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]{0,63}$/
export const MAX_WAIT_SECONDS = 300
export const MAX_RATE_PER_MINUTE = 100_000
export const MAX_BODY_MB = 100
const MB = 1024 * 1024

/** Types whose value is an artifact (a constant is an artifact id, a caller sends a file). */
export const FILE_TYPES: readonly string[] = ['file', 'directory']
/** Types that may also take a file from the caller (`object` takes either). */
export const TAKES_FILE: readonly string[] = ['file', 'directory', 'object']

export const KIND_LABELS: Record<InputKind, string> = {
  constant: 'Constant',
  endpoint_value: 'Endpoint value',
  endpoint_file: 'Endpoint file',
  env: 'Environment variable',
  datastore: 'Datastore file',
  none: 'None',
}

/** What a row holds: every kind's field, as typed, so switching kinds loses nothing. */
export interface MappingDraft {
  kind: InputKind
  /** constant: the typed value (value types). */
  value: string
  /** constant: the artifact (file types). */
  artifact: number | null
  /** endpoint_value / endpoint_file: the name the caller uses. */
  name: string
  /** env: the variable's name. */
  variable: string
  /** datastore: the storage path. */
  path: string
}

export type MappingDrafts = Record<string, MappingDraft>

/** The name a caller uses for a step input or output by default: `node.port` → `node_port`. */
export function callerName(key: string): string {
  return key.replace(/[.-]/g, '_')
}

/** The kinds a row may choose: the rule's, less those the type cannot take. */
export function kindsFor(side: 'input' | 'output', type: string, allowed: readonly InputKind[]): InputKind[] {
  return allowed.filter((kind) => {
    if (side === 'output') return true
    if (kind === 'endpoint_value' || kind === 'env') return !FILE_TYPES.includes(type)
    if (kind === 'endpoint_file') return TAKES_FILE.includes(type)
    return true
  })
}

function preferredKind(side: 'input' | 'output', type: string, rule: DeploymentRule, kinds: readonly InputKind[]) {
  const order: InputKind[] =
    side === 'output'
      ? rule === 'endpoint'
        ? ['endpoint_value', 'none']
        : ['none']
      : rule === 'endpoint'
        ? FILE_TYPES.includes(type)
          ? ['endpoint_file', 'constant']
          : ['endpoint_value', 'constant']
        : ['constant']
  return order.find((kind) => kinds.includes(kind)) ?? kinds[0] ?? 'none'
}

export function defaultDraft(
  side: 'input' | 'output',
  key: string,
  type: string,
  rule: DeploymentRule,
  kinds: readonly InputKind[],
): MappingDraft {
  return {
    kind: preferredKind(side, type, rule, kindsFor(side, type, kinds)),
    value: '',
    artifact: null,
    name: callerName(key),
    variable: '',
    path: '',
  }
}

/** Keeps what was typed; a kind the new rule does not allow goes back to the default. */
export function adaptDrafts(
  side: 'input' | 'output',
  rows: readonly { key: string; type: string }[],
  drafts: MappingDrafts,
  rule: DeploymentRule,
  kinds: readonly InputKind[],
): MappingDrafts {
  const result: MappingDrafts = {}
  for (const row of rows) {
    const fresh = defaultDraft(side, row.key, row.type, rule, kinds)
    const current = drafts[row.key]
    if (!current) result[row.key] = fresh
    else if (!kindsFor(side, row.type, kinds).includes(current.kind)) result[row.key] = { ...current, kind: fresh.kind }
    else result[row.key] = current
  }
  return result
}

/** One row's mapping, or why it cannot be sent. */
export function buildMapping(
  key: string,
  type: string,
  draft: MappingDraft,
): { mapping: Mapping; error?: undefined } | { mapping?: undefined; error: string } {
  switch (draft.kind) {
    case 'constant': {
      if (FILE_TYPES.includes(type)) {
        return draft.artifact === null ? { error: 'Choose an artifact.' } : { mapping: { kind: 'constant', artifact: draft.artifact } }
      }
      if (type === 'object' && draft.artifact !== null) return { mapping: { kind: 'constant', artifact: draft.artifact } }
      const as = isParamType(type) ? type : 'json'
      if (draft.value.trim() === '' && as !== 'str') return { error: 'Enter a value.' }
      const parsed = parseParamInput(as, draft.value)
      return parsed.ok ? { mapping: { kind: 'constant', value: parsed.value } } : { error: `The value ${parsed.reason}.` }
    }
    case 'endpoint_value':
    case 'endpoint_file': {
      const name = draft.name.trim()
      if (!name) return { error: 'Enter the name the caller uses.' }
      if (!IDENTIFIER.test(name)) return { error: 'Use letters, digits and _ (not starting with a digit).' }
      return { mapping: name === callerName(key) ? { kind: draft.kind } : { kind: draft.kind, name } }
    }
    case 'env':
      return draft.variable ? { mapping: { kind: 'env', variable: draft.variable } } : { error: 'Choose a variable.' }
    case 'datastore': {
      const path = draft.path.trim()
      if (!path) return { error: 'Enter a storage path, e.g. data/input.csv.' }
      if (path.startsWith('/') || path.split('/').includes('..')) return { error: 'Use a relative path without “..”.' }
      return { mapping: { kind: 'datastore', path } }
    }
    case 'none':
      return { mapping: { kind: 'none' } }
  }
}

export function buildMappings(
  rows: readonly { key: string; type: string }[],
  drafts: MappingDrafts,
): { mappings: Mappings; errors: Record<string, string> } {
  const mappings: Mappings = {}
  const errors: Record<string, string> = {}
  const callers = new Map<string, string>()
  for (const row of rows) {
    const draft = drafts[row.key]
    if (!draft) {
      errors[row.key] = 'Choose how this is mapped.'
      continue
    }
    const built = buildMapping(row.key, row.type, draft)
    if (built.error !== undefined) {
      errors[row.key] = built.error
      continue
    }
    mappings[row.key] = built.mapping
    if (built.mapping.kind === 'endpoint_value' || built.mapping.kind === 'endpoint_file') {
      const name = built.mapping.name ?? callerName(row.key)
      const other = callers.get(name)
      if (other) errors[row.key] = `The name ${name} is already used by ${other}.`
      else callers.set(name, row.key)
    }
  }
  const files = rows.filter((row) => drafts[row.key]?.kind === 'endpoint_file')
  for (const row of files.slice(1)) errors[row.key] ??= `A call takes one file, and ${files[0]!.key} already takes it.`
  return { mappings, errors }
}

/** What the form holds besides the mappings. */
export interface DeployDraft {
  version: number | null
  name: string
  rule: DeploymentRule
  waitSeconds: string
  ratePerMinute: string
  maxBodyMb: string
}

export type DeployField = 'name' | 'rule' | 'version' | 'waitSeconds' | 'ratePerMinute' | 'maxBodyMb'

export function initialDeployDraft(version: number | null): DeployDraft {
  return { version, name: '', rule: 'endpoint', waitSeconds: '30', ratePerMinute: '60', maxBodyMb: '1' }
}

/** The slug the name field suggests from the pipeline's name. */
export function suggestName(pipelineName: string): string {
  const slug = pipelineName
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 63)
  return slug.length >= 2 ? slug : `${slug || 'pipeline'}-api`
}

export function nameProblem(name: string): string | null {
  if (!name) return 'Enter a name: it is part of the endpoint’s URL.'
  if (/[A-Z]/.test(name)) return 'Use lower case letters.'
  if (!/^[a-z0-9]/.test(name)) return 'Start with a letter or a digit.'
  if (name.length < 2) return 'Use at least 2 characters.'
  if (name.length > 63) return 'Use at most 63 characters.'
  if (!NAME_PATTERN.test(name)) return 'Use only a-z, 0-9 and -.'
  return null
}

const WHOLE = /^\s*\d+\s*$/

function whole(text: string, min: number, max: number): number | null {
  if (!WHOLE.test(text)) return null
  const value = Number(text)
  return value >= min && value <= max ? value : null
}

export interface LimitsDraft {
  waitSeconds: string
  ratePerMinute: string
  maxBodyMb: string
}

/** The limits to send, or the problems by field. */
export function buildLimits(draft: LimitsDraft): {
  limits: { wait_seconds?: number; rate_limit_per_minute?: number; max_body_bytes?: number }
  errors: Partial<Record<DeployField, string>>
} {
  const limits: { wait_seconds?: number; rate_limit_per_minute?: number; max_body_bytes?: number } = {}
  const errors: Partial<Record<DeployField, string>> = {}
  const wait = whole(draft.waitSeconds, 0, MAX_WAIT_SECONDS)
  if (wait === null) errors.waitSeconds = `Enter whole seconds from 0 to ${MAX_WAIT_SECONDS}.`
  else limits.wait_seconds = wait
  const rate = whole(draft.ratePerMinute, 1, MAX_RATE_PER_MINUTE)
  if (rate === null) errors.ratePerMinute = `Enter a whole number from 1 to ${MAX_RATE_PER_MINUTE.toLocaleString('en')}.`
  else limits.rate_limit_per_minute = rate
  const mb = Number(draft.maxBodyMb)
  if (draft.maxBodyMb.trim() === '' || !Number.isFinite(mb) || mb <= 0 || mb > MAX_BODY_MB) {
    errors.maxBodyMb = `Enter a size in MB, more than 0 and at most ${MAX_BODY_MB}.`
  } else {
    limits.max_body_bytes = Math.max(1, Math.round(mb * MB))
  }
  return { limits, errors }
}

/** `1048576` → `"1"`, `1572864` → `"1.5"` (MB, as the limits field shows it). */
export function bytesToMb(bytes: number): string {
  return String(Math.round((bytes / MB) * 1000) / 1000)
}

export function formatBytes(bytes: number): string {
  if (bytes >= MB) return `${bytesToMb(bytes)} MB`
  if (bytes >= 1024) return `${Math.round((bytes / 1024) * 10) / 10} KB`
  return `${bytes} B`
}

/** The request body; `schedule` is the periodic rule's (from the schedule fields). */
export function deployBody(options: {
  pipeline: number
  draft: DeployDraft
  inputs: readonly StepInput[]
  outputs: readonly StepOutput[]
  inputDrafts: MappingDrafts
  outputDrafts: MappingDrafts
  schedule?: NewDeployment['schedule']
}): {
  body: NewDeployment
  errors: { fields: Partial<Record<DeployField, string>>; inputs: Record<string, string>; outputs: Record<string, string> }
} {
  const { draft } = options
  const fields: Partial<Record<DeployField, string>> = {}
  const name = draft.name.trim()
  const problem = nameProblem(name)
  if (problem) fields.name = problem
  const inputs = buildMappings(options.inputs, options.inputDrafts)
  const outputs = buildMappings(options.outputs, options.outputDrafts)
  const body: NewDeployment = {
    pipeline: options.pipeline,
    pipeline_version: draft.version,
    name,
    rule: draft.rule,
    input_mappings: inputs.mappings,
    output_mappings: outputs.mappings,
  }
  if (draft.rule === 'endpoint') {
    const limits = buildLimits(draft)
    Object.assign(fields, limits.errors)
    Object.assign(body, limits.limits)
  } else if (options.schedule) {
    body.schedule = options.schedule
  }
  return { body, errors: { fields, inputs: inputs.errors, outputs: outputs.errors } }
}

const SERVER_FIELDS: Record<string, DeployField> = {
  name: 'name',
  rule: 'rule',
  pipeline_version: 'version',
  wait_seconds: 'waitSeconds',
  rate_limit_per_minute: 'ratePerMinute',
  max_body_bytes: 'maxBodyMb',
}

export interface PlacedErrors {
  fields: Partial<Record<DeployField, string>>
  inputs: Record<string, string>
  outputs: Record<string, string>
  /** `schedule.<field>` messages, by schedule field (`cron`, `timezone`...). */
  schedule: Record<string, string>
  /** Messages that name nothing the form shows. */
  other: string[]
}

/**
 * Where a 400's messages go: `inputs.<key>` / `outputs.<key>` to the row of that key
 * (keys hold dots: `node.port`), `input_mappings.<key>` likewise, `schedule.<field>` to the
 * schedule, known fields to theirs, the rest (`detail`, compute...) to the top of the form.
 */
export function placeErrors(
  body: unknown,
  inputKeys: readonly string[],
  outputKeys: readonly string[],
): PlacedErrors {
  const placed: PlacedErrors = { fields: {}, inputs: {}, outputs: {}, schedule: {}, other: [] }
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    placed.other.push(...flattenMessages(body))
    return placed
  }
  const add = (target: Record<string, string>, key: string, messages: string[]) => {
    target[key] = target[key] ? `${target[key]} ${messages.join(' ')}` : messages.join(' ')
  }
  for (const [key, value] of Object.entries(body as Record<string, unknown>)) {
    const messages = flattenMessages(value)
    if (!messages.length) continue
    const side = /^(inputs|input_mappings)\.(.+)$/.exec(key) ?? null
    const out = /^(outputs|output_mappings)\.(.+)$/.exec(key) ?? null
    if (side && inputKeys.includes(side[2]!)) add(placed.inputs, side[2]!, messages)
    else if (out && outputKeys.includes(out[2]!)) add(placed.outputs, out[2]!, messages)
    else if (key.startsWith('schedule.')) add(placed.schedule, key.slice('schedule.'.length), messages)
    else if (key === 'schedule' && typeof value === 'object' && value !== null && !Array.isArray(value)) {
      for (const [field, inner] of Object.entries(value as Record<string, unknown>)) {
        const innerMessages = flattenMessages(inner)
        if (innerMessages.length) add(placed.schedule, field, innerMessages)
      }
    } else if (SERVER_FIELDS[key]) placed.fields[SERVER_FIELDS[key]] ??= messages.join(' ')
    else if (key === 'detail' || key === 'non_field_errors') placed.other.push(...messages)
    else {
      // A mapping for a key the form has no row for, a compute/storage field...: named.
      const label = side ? `Input ${side[2]}` : out ? `Output ${out[2]}` : key
      placed.other.push(...messages.map((message) => `${label}: ${message}`))
    }
  }
  return placed
}

/** "Constant 3", "Endpoint value x", "Datastore data/in.csv": a mapping in a few words. */
export function describeMapping(key: string, mapping: Mapping | undefined): string {
  if (!mapping) return 'None'
  switch (mapping.kind) {
    case 'constant':
      return 'artifact' in mapping ? `Constant: artifact #${mapping.artifact}` : `Constant: ${JSON.stringify(mapping.value)}`
    case 'endpoint_value':
      return `Endpoint value “${mapping.name ?? callerName(key)}”`
    case 'endpoint_file':
      return `Endpoint file “${mapping.name ?? callerName(key)}”`
    case 'env':
      return `Environment variable ${mapping.variable}`
    case 'datastore':
      return `Datastore file ${mapping.path}`
    case 'none':
      return 'None'
  }
}

