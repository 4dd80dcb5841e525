// Fake API answers for the deployment pages' tests.

import type { CreatedDeployment, DeploymentDetail, DeploySetup, EnvironmentVariable } from '../api/deployments'

export function deploySetup(overrides: Partial<DeploySetup> = {}): DeploySetup {
  return {
    pipeline: 4,
    pipeline_name: 'Classify blobs',
    project: 1,
    versions: [
      { id: 9, number: 2 },
      { id: 8, number: 1 },
    ],
    version: { id: 9, number: 2 },
    step_inputs: [
      { key: 'threshold', type: 'float', pipeline_input: true },
      { key: 'load.path', type: 'str', pipeline_input: false },
    ],
    step_outputs: [
      { key: 'describe.stats', type: 'json' },
      { key: 'report.chart', type: 'file' },
    ],
    input_kinds: {
      endpoint: ['constant', 'endpoint_value', 'endpoint_file', 'env', 'datastore', 'none'],
      periodic: ['constant', 'env', 'datastore', 'none'],
    },
    output_kinds: { endpoint: ['endpoint_value', 'datastore', 'none'], periodic: ['datastore', 'none'] },
    environment_variables: [{ name: 'DATA_PATH', secret: false }],
    ...overrides,
  }
}

export function deploymentDetail(overrides: Partial<DeploymentDetail> = {}): DeploymentDetail {
  return {
    id: 7,
    project: 1,
    pipeline: 4,
    pipeline_name: 'Classify blobs',
    pipeline_version: 9,
    version_number: 2,
    name: 'blobs-api',
    rule: 'endpoint',
    enabled: true,
    url: 'http://testserver/endpoints/blobs-api',
    schedule: null,
    wait_seconds: 30,
    rate_limit_per_minute: 60,
    max_body_bytes: 1048576,
    created_by: 'ada',
    created_at: '2026-01-01T10:00:00Z',
    updated_at: '2026-01-01T10:00:00Z',
    input_mappings: { threshold: { kind: 'endpoint_value' } },
    output_mappings: { 'describe.stats': { kind: 'endpoint_value' } },
    config: {},
    tokens: [{ id: 3, prefix: 'pw_AbCd', created_at: '2026-01-01T10:00:00Z', revoked_at: null, last_used_at: null }],
    recent_calls: [],
    ...overrides,
  }
}

export function createdDeployment(token: string | null, overrides: Partial<DeploymentDetail> = {}): CreatedDeployment {
  return { ...deploymentDetail(overrides), token }
}

export function variable(overrides: Partial<EnvironmentVariable> = {}): EnvironmentVariable {
  return {
    id: 1,
    project: 1,
    name: 'API_URL',
    secret: false,
    value: 'https://example.test',
    has_value: true,
    created_at: '2026-01-01T10:00:00Z',
    updated_at: '2026-01-01T10:00:00Z',
    ...overrides,
  }
}
