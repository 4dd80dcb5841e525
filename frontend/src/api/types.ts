// Shapes of the Pipewright REST API (Django REST framework, session auth).
// Timestamps are ISO 8601 strings.

export type IsoDate = string

/** A DRF paginated list: `{count, next, previous, results}`. */
export interface Paginated<T> {
  count: number
  next: string | null
  previous: string | null
  results: T[]
}

export type ProjectRole = 'viewer' | 'editor' | 'owner'

export interface Project {
  id: number
  name: string
  slug: string
  description: string
  role: ProjectRole
  created_at: IsoDate
}

export type PortType = 'int' | 'float' | 'str' | 'bool' | 'json' | 'file' | 'directory' | 'object'
export type ParamType = 'int' | 'float' | 'str' | 'bool' | 'json'

export interface Port {
  name: string
  type: PortType
  description: string
  optional: boolean
}

export interface Param {
  name: string
  type: ParamType
  default: unknown
  description: string
}

export interface Resources {
  cpu: number
  memory: string
  gpus: number
  cpu_fallback: boolean
}

export interface OperationVersion {
  id: number
  number: number
  content_hash: string
  kind: 'python' | 'container'
  inputs: Port[]
  outputs: Port[]
  parameters: Param[]
  resources: Resources
  created_at: IsoDate
}

export interface Operation {
  id: number
  /** `null` for the built-in library. */
  project: number | null
  name: string
  slug: string
  description: string
  category: string
  builtin: boolean
  latest_version: OperationVersion | null
}

export interface GraphNode {
  id: string
  /** Operation id. */
  operation: number
  label: string
  params: Record<string, unknown>
  position: { x: number; y: number }
}

export interface GraphEdge {
  id: string
  source: string
  source_port: string
  target: string
  target_port: string
}

export interface GraphInput {
  name: string
  type: string
  default: unknown
}

export interface Graph {
  nodes: GraphNode[]
  edges: GraphEdge[]
  inputs: GraphInput[]
}

export interface VersionSummary {
  id: number
  number: number
  content_hash: string
  created_at: IsoDate
}

export interface Pipeline {
  id: number
  project: number
  project_name: string
  name: string
  description: string
  node_count: number
  latest_version: VersionSummary | null
  created_by: string | null
  created_at: IsoDate
  updated_at: IsoDate
}

export interface PipelineDetail extends Pipeline {
  graph: Graph
}

export interface PipelineVersion {
  id: number
  pipeline: number
  number: number
  content_hash: string
  tags: string[]
  created_by: string | null
  created_at: IsoDate
}

export interface NewPipeline {
  project: number
  name: string
  description: string
}

export type RunState = 'pending' | 'running' | 'succeeded' | 'failed' | 'cancelled'
export type NodeRunState =
  | 'pending'
  | 'queued'
  | 'running'
  | 'succeeded'
  | 'failed'
  | 'skipped'
  | 'cancelled'
  | 'cached'

export interface Run {
  id: number
  project: number
  pipeline: number
  pipeline_name: string
  /** Id of the frozen pipeline version this run executes. */
  pipeline_version: number
  name: string
  state: RunState
  debug: boolean
  created_by: string | null
  created_at: IsoDate
  started_at: IsoDate | null
  finished_at: IsoDate | null
}

export interface NodeRun {
  id: number
  node_id: string
  state: NodeRunState
  attempt: number
  started_at: IsoDate | null
  finished_at: IsoDate | null
  error: string
}

export interface RunDetail extends Run {
  node_runs: NodeRun[]
}
