// The shape of `GET /api/runs/compare/?ids=…` (runs/compare.py): one column per run.

import type { RunState } from '../api/types'

export interface CompareRun {
  id: number
  name: string
  state: RunState
  pipeline: number
  pipeline_name: string
  pipeline_version: number
  version_number: number
  created_at: string
  started_at: string | null
  finished_at: string | null
  duration_seconds: number | null
}

/** One (node, parameter) row: the value each run ran with (null where the node is missing). */
export interface ParamRow {
  node: string
  name: string
  values: unknown[]
  differs: boolean
}

export type SeriesPoints = [number, number][]

export interface MetricRow {
  node: string
  name: string
  last: (number | null)[]
  /** Each run's logged points ([step, value]); null where the run did not log this metric. */
  series: (SeriesPoints | null)[]
  differs: boolean
}

export type OutputCell =
  | {
      kind: 'artifact'
      id: number
      name?: string
      size?: number
      content_type?: string
      checksum?: string
      download_url?: string
      /** The artifact was deleted since. */
      missing?: boolean
    }
  | { kind: 'value'; value: unknown }

export interface OutputRow {
  node: string
  port: string
  values: (OutputCell | null)[]
  differs: boolean
}

export type DiffStatus = 'added' | 'removed' | 'changed' | 'same'

export interface DiffNode {
  id: string
  label: string
  operation: string | null
  status: DiffStatus
  changes: { field: string; old: unknown; new: unknown }[]
  position: { x: number; y: number }
  inputs: string[]
  outputs: string[]
}

export interface DiffEdge {
  source: string
  source_port: string
  target: string
  target_port: string
  status: DiffStatus
}

export interface ParamChange {
  node: string
  name: string
  old: unknown
  new: unknown
  status: DiffStatus
}

export interface GraphDiff {
  base: { id: number; number: number; pipeline: number }
  version: { id: number; number: number; pipeline: number }
  /** The runs that used this version. */
  runs: number[]
  nodes: DiffNode[]
  edges: DiffEdge[]
  params: ParamChange[]
  counts: Record<
    'nodes_added' | 'nodes_removed' | 'nodes_changed' | 'edges_added' | 'edges_removed' | 'params_changed',
    number
  >
}

export interface Comparison {
  runs: CompareRun[]
  /** Node id -> its label. */
  nodes: Record<string, string>
  params: ParamRow[]
  metrics: MetricRow[]
  outputs: OutputRow[]
  graph_diffs: GraphDiff[]
}
