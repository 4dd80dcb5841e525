// Deployments: a pipeline version started by a call to its endpoint (token-authenticated) or
// on a cron schedule, with every step input and output mapped; and the project's environment
// variables the mappings may read (secret values are write-only).

import { api, withQuery } from './client'
import type { Paginated } from './types'

export type DeploymentRule = 'endpoint' | 'periodic'
export type InputKind = 'constant' | 'endpoint_value' | 'endpoint_file' | 'env' | 'datastore' | 'none'
export type OutputKind = 'endpoint_value' | 'datastore' | 'none'

/** One mapping as the server stores it (runs/mappings.py). */
export type Mapping =
  | { kind: 'constant'; value: unknown }
  | { kind: 'constant'; artifact: number }
  | { kind: 'endpoint_value'; name?: string }
  | { kind: 'endpoint_file'; name?: string }
  | { kind: 'env'; variable: string }
  | { kind: 'datastore'; path: string }
  | { kind: 'none' }

export type Mappings = Record<string, Mapping>

export interface StepInput {
  /** A pipeline input's name, or `node.port` for a required node input no edge feeds. */
  key: string
  type: string
  pipeline_input: boolean
}

export interface StepOutput {
  /** `node.port` of a node output no edge reads. */
  key: string
  type: string
}

export interface DeploySetup {
  pipeline: number
  pipeline_name: string
  project: number
  versions: { id: number; number: number }[]
  version: { id: number; number: number } | null
  step_inputs: StepInput[]
  step_outputs: StepOutput[]
  input_kinds: Record<DeploymentRule, InputKind[]>
  output_kinds: Record<DeploymentRule, OutputKind[]>
  environment_variables: { name: string; secret: boolean }[]
}

export interface DeploymentSchedule {
  recurring_run: number
  cron: string
  timezone: string
  enabled: boolean
  next_fire_at: string | null
}

export interface EndpointToken {
  id: number
  prefix: string
  created_at: string
  revoked_at: string | null
  last_used_at: string | null
}

export interface NewEndpointToken extends EndpointToken {
  /** The whole token: in this answer only. */
  token: string
}

export interface DeploymentCall {
  id: number
  created_at: string
  status_code: number
  latency_ms: number | null
  error: string
  run: number | null
  run_name: string | null
  run_state: string | null
}

export interface Limits {
  wait_seconds: number
  rate_limit_per_minute: number
  max_body_bytes: number
}

export interface Deployment extends Limits {
  id: number
  project: number
  pipeline: number
  pipeline_name: string
  pipeline_version: number
  version_number: number
  name: string
  rule: DeploymentRule
  enabled: boolean
  /** Where callers POST (endpoint deployments); null for periodic ones. */
  url: string | null
  schedule: DeploymentSchedule | null
  created_by: string | null
  created_at: string
  updated_at: string
  /** The list leaves these out; the list page reads the last call from the detail. */
  last_call?: DeploymentCall | null
}

export interface DeploymentDetail extends Deployment {
  input_mappings: Mappings
  output_mappings: Mappings
  config: Record<string, unknown>
  tokens: EndpointToken[]
  recent_calls: DeploymentCall[]
}

export interface CreatedDeployment extends DeploymentDetail {
  /** Shown once; null for a periodic deployment. */
  token: string | null
}

export interface NewDeployment extends Partial<Limits> {
  pipeline: number
  pipeline_version?: number | null
  name: string
  rule: DeploymentRule
  input_mappings: Mappings
  output_mappings: Mappings
  schedule?: { cron?: string; timezone?: string; start_at?: string | null; end_at?: string | null; max_concurrent?: number }
  enabled?: boolean
}

export type DeploymentChanges = Partial<Limits> & { enabled?: boolean }

export function getDeploySetup(pipelineId: number, version: number | null, signal?: AbortSignal) {
  return api.get<DeploySetup>(withQuery(`/api/pipelines/${pipelineId}/deploy-setup/`, { version }), signal)
}

export function listDeployments(query: { pipeline?: number } = {}, signal?: AbortSignal) {
  return api.get<Paginated<Deployment>>(withQuery('/api/deployments/', { ...query, limit: 200 }), signal)
}

export function getDeployment(id: number, signal?: AbortSignal) {
  return api.get<DeploymentDetail>(`/api/deployments/${id}/`, signal)
}

export function createDeployment(body: NewDeployment, signal?: AbortSignal) {
  return api.post<CreatedDeployment>('/api/deployments/', body, signal)
}

export function updateDeployment(id: number, changes: DeploymentChanges, signal?: AbortSignal) {
  return api.patch<DeploymentDetail>(`/api/deployments/${id}/`, changes, signal)
}

export function deleteDeployment(id: number, signal?: AbortSignal) {
  return api.delete(`/api/deployments/${id}/`, signal)
}

/** A new token, shown in this answer only; `revokeOthers` regenerates (revokes the rest). */
export function createToken(id: number, revokeOthers = false, signal?: AbortSignal) {
  return api.post<NewEndpointToken>(`/api/deployments/${id}/tokens/`, { revoke_others: revokeOthers }, signal)
}

export function revokeToken(id: number, tokenId: number, signal?: AbortSignal) {
  return api.post<EndpointToken>(`/api/deployments/${id}/tokens/${tokenId}/revoke/`, {}, signal)
}

export function listCalls(id: number, signal?: AbortSignal, limit = 50) {
  return api.get<Paginated<DeploymentCall>>(withQuery(`/api/deployments/${id}/calls/`, { limit }), signal)
}

// --- environment variables --------------------------------------------------------

export interface EnvironmentVariable {
  id: number
  project: number
  name: string
  secret: boolean
  /** Null for a secret variable: its value is never sent back. */
  value: string | null
  has_value: boolean
  created_at: string
  updated_at: string
}

export function listEnvironmentVariables(project: number | null, signal?: AbortSignal) {
  return api.get<Paginated<EnvironmentVariable>>(
    withQuery('/api/environment-variables/', { project, limit: 500 }),
    signal,
  )
}

export function createEnvironmentVariable(
  body: { project: number; name: string; value: string; secret: boolean },
  signal?: AbortSignal,
) {
  return api.post<EnvironmentVariable>('/api/environment-variables/', body, signal)
}

export function updateEnvironmentVariable(
  id: number,
  changes: { value?: string; secret?: boolean },
  signal?: AbortSignal,
) {
  return api.patch<EnvironmentVariable>(`/api/environment-variables/${id}/`, changes, signal)
}

export function deleteEnvironmentVariable(id: number, signal?: AbortSignal) {
  return api.delete(`/api/environment-variables/${id}/`, signal)
}
