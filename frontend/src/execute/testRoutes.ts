// Fake API answers for the execute dialog, shared by its tests and the pages that open it.

import type { BackendInfo, LinkedAccount, RunSetup } from '../api/backends'
import { paginated, type Routes } from '../test/fakeApi'

export const s3Backend: BackendInfo = {
  kind: 'storage',
  name: 's3',
  label: 'S3 / MinIO',
  description: 'Artifacts in an S3 bucket.',
  secret_fields: ['access_key', 'secret_key'],
  options_schema: {
    type: 'object',
    required: ['endpoint', 'bucket'],
    properties: {
      endpoint: { type: 'string', title: 'Endpoint', description: 'URL of the S3 service.' },
      bucket: { type: 'string', title: 'Bucket' },
      prefix: { type: 'string', title: 'Prefix', default: '' },
      access_key: { type: 'string', title: 'Access key', writeOnly: true },
      secret_key: { type: 'string', title: 'Secret key', writeOnly: true },
    },
  },
}

export const localStorageBackend: BackendInfo = {
  kind: 'storage',
  name: 'local',
  label: 'Local disk',
  description: 'Files in the data dir.',
  secret_fields: [],
  options_schema: { type: 'object', properties: {} },
}

export const localCompute: BackendInfo = {
  kind: 'compute',
  name: 'local',
  label: 'This machine',
  description: 'A process per node on the workers.',
  secret_fields: [],
  options_schema: { type: 'object', properties: {} },
}

export const kubernetesCompute: BackendInfo = {
  kind: 'compute',
  name: 'kubernetes',
  label: 'Kubernetes',
  description: 'A Job per node.',
  secret_fields: [],
  options_schema: {
    type: 'object',
    properties: {
      namespace: { type: 'string', title: 'Namespace', default: 'default' },
      gpu_count: { type: 'integer', title: 'GPUs', minimum: 0, maximum: 8 },
      node_selector: { type: 'object', title: 'Node selector' },
    },
  },
}

export function account(overrides: Partial<LinkedAccount> = {}): LinkedAccount {
  return {
    id: 5,
    kind: 'storage',
    backend: 's3',
    label: 'Team MinIO',
    options: { endpoint: 'http://minio:9000' },
    secret_fields_set: ['access_key', 'secret_key'],
    created_at: '2026-01-01T00:00:00Z',
    updated_at: '2026-01-01T00:00:00Z',
    last_checked_at: null,
    last_check_ok: null,
    ...overrides,
  }
}

export function executeRoutes(
  pipelineId: number,
  options: { setup?: Partial<RunSetup>; accounts?: LinkedAccount[] } = {},
): Routes {
  return {
    [`GET /api/pipelines/${pipelineId}/run-setup/`]: (call) => {
      const name = call.search.get('name') ?? options.setup?.name ?? 'run'
      return {
        body: {
          name,
          run_name: name === 'test' ? 'test_2' : name,
          preset: null,
          ...options.setup,
          ...(call.search.get('name') ? { name, run_name: name === 'test' ? 'test_2' : name } : {}),
        },
      }
    },
    'GET /api/backends/compute/': { body: [localCompute, kubernetesCompute] },
    'GET /api/backends/storage/': { body: [localStorageBackend, s3Backend] },
    'GET /api/accounts/': { body: paginated(options.accounts ?? []) },
    'GET /api/experiments/': { body: paginated([{ id: 3, project: 1, name: 'Baseline', archived: false }]) },
  }
}
