import type { NodeRun, Pipeline, Project, Run, RunDetail } from '../api/types'

export function project(overrides: Partial<Project> = {}): Project {
  return {
    id: 1,
    name: 'Forecasting',
    slug: 'forecasting',
    description: '',
    role: 'owner',
    created_at: '2025-01-01T09:00:00Z',
    ...overrides,
  }
}

export function pipeline(overrides: Partial<Pipeline> = {}): Pipeline {
  return {
    id: 1,
    project: 1,
    project_name: 'Forecasting',
    name: 'Train churn model',
    description: 'Gradient boosting on customer events',
    node_count: 4,
    latest_version: {
      id: 11,
      number: 3,
      content_hash: 'sha256:0123456789abcdef',
      created_at: '2025-03-01T10:00:00Z',
    },
    created_by: 'ada',
    created_at: '2025-02-01T10:00:00Z',
    updated_at: new Date(Date.now() - 5 * 60_000).toISOString(),
    ...overrides,
  }
}

export function run(overrides: Partial<Run> = {}): Run {
  return {
    id: 1,
    project: 1,
    pipeline: 1,
    pipeline_name: 'Train churn model',
    pipeline_version: 11,
    name: 'nightly',
    state: 'succeeded',
    debug: false,
    created_by: 'ada',
    created_at: '2025-03-01T10:00:00Z',
    started_at: '2025-03-01T10:00:02Z',
    finished_at: '2025-03-01T10:03:07Z',
    ...overrides,
  }
}

export function runDetail(overrides: Partial<RunDetail> = {}): RunDetail {
  return {
    ...run(),
    node_runs: [
      {
        id: 1,
        node_id: 'load',
        state: 'succeeded',
        attempt: 1,
        started_at: '2025-03-01T10:00:02Z',
        finished_at: '2025-03-01T10:00:12Z',
        error: '',
      },
      {
        id: 2,
        node_id: 'train',
        state: 'failed',
        attempt: 2,
        started_at: '2025-03-01T10:00:12Z',
        finished_at: '2025-03-01T10:03:07Z',
        error: 'ValueError: features contain NaN',
      },
    ],
    ...overrides,
  }
}

export function nodeRun(overrides: Partial<NodeRun> = {}): NodeRun {
  return {
    id: 1,
    node_id: 'load',
    operation_version: 101,
    state: 'succeeded',
    attempt: 1,
    progress: 1,
    started_at: '2025-03-01T10:00:02Z',
    finished_at: '2025-03-01T10:00:12Z',
    exit_code: 0,
    error: '',
    metrics: {},
    outputs: {},
    ...overrides,
  }
}
