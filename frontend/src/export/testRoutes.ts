// Fake API answers for the export dialog, shared by its tests and the pages that open it.

import type { LinkedAccount, RunInput } from '../api/backends'
import type { Artifact } from '../api/types'
import { account, localStorageBackend, s3Backend } from '../execute/testRoutes'
import { paginated, type FakeResponse, type Routes } from '../test/fakeApi'

export const ZIP_BYTES = 'PK\u0003\u0004 a zip, as far as this test cares'

export function artifact(overrides: Partial<Artifact> = {}): Artifact {
  return {
    id: 7,
    project: 1,
    name: 'blobs.csv',
    storage_backend: 'local',
    size: 2048,
    checksum: 'c'.repeat(64),
    content_type: 'text/csv',
    created_by: 'ted',
    produced_by: null,
    created_at: '2026-01-01T00:00:00Z',
    download_url: '/api/artifacts/7/download/',
    needs_credentials: false,
    ...overrides,
  }
}

/** A successful export: the zip's bytes, named by Content-Disposition. */
export function zipAnswer(filename = 'train-churn-model-v3.zip'): FakeResponse {
  return {
    text: ZIP_BYTES,
    headers: { 'Content-Type': 'application/zip', 'Content-Disposition': `attachment; filename="${filename}"` },
  }
}

export function exportRoutes(
  pipelineId: number,
  options: { inputs?: RunInput[]; artifacts?: Artifact[]; accounts?: LinkedAccount[]; answer?: Routes[string] } = {},
): Routes {
  return {
    [`GET /api/pipelines/${pipelineId}/run-setup/`]: {
      body: { name: 'run', run_name: 'run', preset: null, inputs: options.inputs ?? [] },
    },
    'GET /api/artifacts/': { body: paginated(options.artifacts ?? []) },
    'GET /api/backends/storage/': { body: [localStorageBackend, s3Backend] },
    'GET /api/accounts/': { body: paginated(options.accounts ?? [account()]) },
    [`POST /api/pipelines/${pipelineId}/export/`]: options.answer ?? zipAnswer(),
  }
}
