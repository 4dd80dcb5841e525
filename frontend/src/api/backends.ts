// API calls and types of the execute dialog: backends, linked accounts, run set-up.

import { api, withQuery } from './client'
import type { Paginated } from './types'

export type BackendKind = 'compute' | 'storage'

/** The part of JSON Schema the backends use for their options. */
export interface JsonSchemaProperty {
  type?: 'string' | 'number' | 'integer' | 'boolean' | 'array' | 'object'
  title?: string
  description?: string
  default?: unknown
  enum?: unknown[]
  minimum?: number
  maximum?: number
  minLength?: number
  maxLength?: number
  /** Secret: sent, never shown back. */
  writeOnly?: boolean
  items?: JsonSchemaProperty
}

export interface JsonSchema {
  type?: 'object'
  required?: string[]
  properties?: Record<string, JsonSchemaProperty>
}

export interface BackendInfo {
  kind: BackendKind
  name: string
  label: string
  description: string
  options_schema: JsonSchema
  secret_fields: string[]
}

export interface LinkedAccount {
  id: number
  kind: BackendKind
  backend: string
  label: string
  options: Record<string, unknown>
  secret_fields_set: string[]
  created_at: string
  updated_at: string
  last_checked_at: string | null
  last_check_ok: boolean | null
}

export interface BackendChoice {
  backend: string
  options: Record<string, unknown>
  account: number | null
}

export interface ExecutionPreset {
  name?: string
  debug?: boolean
  experiment?: number | null
  compute?: BackendChoice
  storage?: BackendChoice
}

export interface RunSetup {
  name: string
  /** The name the run would get now: `test` becomes `test_2` when taken. */
  run_name: string
  preset: ExecutionPreset | null
  /** The pipeline's inputs, asked for when a run starts (absent from older servers). */
  inputs?: RunInput[]
}

/** A pipeline input as the execute dialog asks for it. */
export interface RunInput {
  name: string
  type: string
  default: unknown
  description: string
  /** True when an edge feeds a node from it (an unwired input is not needed). */
  wired: boolean
}

export interface CheckResult {
  ok: boolean
  message: string
}

export interface Experiment {
  id: number
  project: number
  name: string
  archived?: boolean
}

export function listBackends(kind: BackendKind, signal?: AbortSignal) {
  return api.get<BackendInfo[]>(`/api/backends/${kind}/`, signal)
}

export function checkBackend(
  kind: BackendKind,
  name: string,
  body: { options: Record<string, unknown>; account: number | null },
  signal?: AbortSignal,
) {
  return api.post<CheckResult>(`/api/backends/${kind}/${name}/check/`, body, signal)
}

export function listAccounts(signal?: AbortSignal) {
  return api.get<Paginated<LinkedAccount> | LinkedAccount[]>(withQuery('/api/accounts/', { limit: 200 }), signal)
}

export function createAccount(
  body: { kind: BackendKind; backend: string; label: string; options: Record<string, unknown> },
  signal?: AbortSignal,
) {
  return api.post<LinkedAccount>('/api/accounts/', body, signal)
}

export function getRunSetup(pipelineId: number, name: string | null, signal?: AbortSignal) {
  const query = name === null ? {} : { name }
  return api.get<RunSetup>(withQuery(`/api/pipelines/${pipelineId}/run-setup/`, query), signal)
}

export function listExperiments(project: number, signal?: AbortSignal) {
  return api.get<Paginated<Experiment> | Experiment[]>(withQuery('/api/experiments/', { project, limit: 200 }), signal)
}
