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
  /** Inclusive bounds of an int or float parameter. */
  minimum?: number | null
  maximum?: number | null
  /** The only values an int, float or str parameter may take. */
  choices?: unknown[] | null
}

/** How a node runs on Kubernetes: a plain Job, or a Kubeflow training job with `workers` replicas. */
export type ResourceType = 'job' | 'Pod' | 'PyTorchJob' | 'TFJob' | 'MPIJob' | 'ElasticJob'

export interface Resources {
  cpu: number
  memory: string
  gpus: number
  cpu_fallback: boolean
  /** Left out by the server at its default, "job". */
  resource_type?: ResourceType
  /** Left out by the server at its default, 1. */
  workers?: number
}

/** A node's own resources: each field set overrides the operation's (editor/schemas.py `NodeResources`). */
export type NodeResources = Partial<Resources>

/** What a node may override: its operation's resources, the run's retries and timeout. */
export interface NodeOverrides {
  resources?: NodeResources
  retries?: number
  retry_backoff_seconds?: number
  timeout_seconds?: number
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

/**
 * The content of an operation version that the author writes (POST `/api/operations/<id>/versions/`).
 * A Python operation has `source`, `entrypoint` and `requirements`; a container one `image`,
 * `command` and `args` (the server empties the fields of the other kind).
 */
export interface OperationContent {
  kind: 'python' | 'container'
  source: string
  entrypoint: string
  inputs: Port[]
  outputs: Port[]
  parameters: Param[]
  resources: Resources
  requirements: string[]
  image?: string
  command?: string[]
  args?: string[]
  /** Safe to run twice: a node whose worker was lost is retried (docs/engine.md, "Lost workers"). */
  idempotent?: boolean
}

/** One full operation version, as listed by `/api/operations/<id>/versions/`. */
export interface OperationVersionDetail extends OperationVersion, OperationContent {
  operation: number
  image: string
  command: string[]
  args: string[]
}

/** POST `/api/operations/<id>/duplicate/`: the project to copy into, and the copy's name (default "<name> (copy)"). */
export interface DuplicateOperation {
  project: number
  name?: string
}

/** POST `/api/operations/`. */
export interface NewOperation {
  project: number
  name: string
  slug: string
  description: string
  category: string
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

/** A node of a graph; its overrides (`NodeOverrides`) are absent when not set. */
export interface GraphNode extends NodeOverrides {
  id: string
  /** Operation id. */
  operation: number
  /** Operation version id; present in frozen graphs (pipeline versions). */
  operation_version?: number
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

/**
 * A pipeline input: an artifact (file, directory) or a value chosen when a run starts. It
 * feeds node inputs through edges whose `source` is its name and `source_port` "value".
 */
export interface GraphInput {
  name: string
  type: string
  /** null: required (a run must give it when it is wired). Files and directories have none. */
  default: unknown
  description?: string
  /** Where the editor draws it; absent in graphs saved before inputs were drawn. */
  position?: { x: number; y: number }
}

/** The colours a note or group may have (editor/schemas.py `AnnotationColor`); none: the default. */
export type AnnotationColor = 'yellow' | 'blue' | 'green' | 'pink' | 'purple' | 'gray'

/** A sticky note on the editor's canvas: drawn only, never run. */
export interface GraphNote {
  id: string
  /** Plain text, shown as text (never as HTML). */
  text: string
  position: { x: number; y: number }
  width: number
  height: number
  color?: AnnotationColor | null
}

/** A labelled box around some nodes on the editor's canvas: drawn only, never run. */
export interface GraphGroup {
  id: string
  label: string
  position: { x: number; y: number }
  width: number
  height: number
  color?: AnnotationColor | null
  /** Ids of the member nodes: they move with the group. */
  nodes: string[]
}

export interface Graph {
  nodes: GraphNode[]
  edges: GraphEdge[]
  inputs: GraphInput[]
  /** Absent when there are none (the server leaves empty lists out). */
  notes?: GraphNote[]
  groups?: GraphGroup[]
  /** Files beside a YAML pipeline's main.yml (base64), found under ${WORK_PATH} at run time. */
  files?: { path: string; content: string }[]
}

export interface VersionSummary {
  id: number
  number: number
  content_hash: string
  /** The git commit the version was imported from (a YAML pipeline in a repository), or "". */
  git_commit?: string
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
  /** Bumped by every saved graph change; a save must send the revision it started from. */
  revision: number
}

/** What the editor saves: the graph and the revision it was edited from. */
export interface SavePipeline {
  graph: Graph
  revision: number
}

/** The answer to freezing a pipeline: the version (new: 201, unchanged: 200). */
export type FreezeAnswer = PipelineVersion

export interface PipelineVersion {
  id: number
  pipeline: number
  number: number
  content_hash: string
  /** The git commit the version was imported from (a YAML pipeline in a repository), or "". */
  git_commit?: string
  tags: string[]
  created_by: string | null
  created_at: IsoDate
}

export interface PipelineVersionDetail extends PipelineVersion {
  /** The frozen graph a run executes. */
  graph: Graph
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
  /** The git commit of the pipeline version it runs, or "". */
  git_commit?: string
  experiment?: number | null
  name: string
  state: RunState
  debug: boolean
  /** Why the run failed or was cancelled; empty otherwise. */
  error?: string
  created_by: string | null
  created_at: IsoDate
  started_at: IsoDate | null
  finished_at: IsoDate | null
  /** Set while the run is archived (it leaves the default lists). */
  archived_at?: IsoDate | null
  /** The run this one was cloned from. */
  cloned_from?: number | null
  /** The recurring run whose tick started it. */
  recurring_run?: number | null
  /** With `?metric=<name>` on the list: the run's last value of that metric. */
  metric?: number | null
}

export interface MetricValue {
  last: number | null
  /** `[step or null, value]` pairs, in the order they were logged. */
  series: [number | null, number][]
}

export interface NodeOutput {
  /** Artifact id: `/api/artifacts/<id>/download/` streams it. */
  artifact: number
  checksum: string
  type: PortType | string
  size: number
  /** The artifact's file name and content type (live stream, newer servers). */
  name?: string
  content_type?: string
  /** The value itself, for small JSON-able outputs only. */
  value?: unknown
}

export interface NodeRun {
  id: number
  node_id: string
  operation_version?: number | null
  state: NodeRunState
  attempt: number
  /** 0..1 */
  progress?: number | null
  started_at: IsoDate | null
  finished_at: IsoDate | null
  exit_code?: number | null
  error: string
  metrics?: Record<string, MetricValue>
  outputs?: Record<string, NodeOutput>
  /** The run whose outputs a cached node reuses (from the live stream's `cached_from`). */
  cached_from?: number | null
  /** Why a claimed node has not started yet, when the server says so. */
  waiting_reason?: string | null
  /** The worker that ran (or runs) the node; empty before one claimed it. */
  worker?: string
  /** Device ids of the GPUs given to the node (empty without GPUs). */
  gpus?: string[]
}

/** One node run with its log (stdout + stderr; `[pipewright]` lines are engine notes). */
export interface NodeRunDetail extends NodeRun {
  log: string
  /** The run's event sequence number the log is consistent with: append `node_log` events after it. */
  log_seq?: number
}

export interface RunDetail extends Run {
  /** The name of the run this one was cloned from. */
  cloned_from_name?: string | null
  recurring_run_name?: string | null
  config?: Record<string, unknown>
  last_event_seq?: number
  node_runs: NodeRun[]
}

export type RunEventKind =
  | 'run_state'
  | 'node_state'
  | 'node_log'
  | 'node_progress'
  | 'node_waiting'
  | 'node_metrics'

/**
 * One change to a run (`GET /api/runs/<id>/events/` and the live stream): numbered per run,
 * 1, 2, 3… without gaps. `node_id` is empty for run-level events.
 */
export interface RunEvent {
  seq: number
  kind: RunEventKind | string
  node_id: string
  payload: Record<string, unknown>
  created_at: IsoDate
}

/** What the live run stream (`/ws/runs/<id>/`) sends. */
export type RunStreamMessage =
  | { type: 'snapshot'; seq: number; run: RunDetail }
  | { type: 'events'; events: RunEvent[] }

/** The body of `POST /api/runs/` (the execution config). */
export interface SubmitRun {
  pipeline: number
  name?: string
  cache?: boolean
  debug?: boolean
  params?: Record<string, Record<string, unknown>>
  nodes?: string[]
  until?: string
  experiment?: number | null
  compute?: { backend: string; options: Record<string, unknown>; account: number | null }
  storage?: { backend: string; options: Record<string, unknown>; account: number | null }
  /** Pipeline input name -> the artifact or value it gives this run. */
  inputs?: Record<string, { artifact: number } | { value: unknown }>
  /**
   * Pipeline input name -> a project environment variable or a path in the run's storage to
   * take it from (the mapping JSON deployments use); an input is in `inputs` or here, not both.
   */
  input_mappings?: Record<string, { kind: 'env'; variable: string } | { kind: 'datastore'; path: string }>
  /** Artifact id -> your credentials for an input artifact kept in someone else's storage. */
  input_credentials?: Record<string, { account: number } | { options: Record<string, unknown> }>
  /** Remember name, debug, experiment and backend choices (never secrets) for this pipeline. */
  save_for_future?: boolean
  /** Run this frozen version instead of freezing the current graph. */
  pipeline_version?: number
  /** The run this one clones (a run of the same pipeline). */
  cloned_from?: number
}

export interface Artifact {
  id: number
  project: number
  name: string
  storage_backend: string
  size: number
  checksum: string
  content_type: string
  created_by: string | null
  produced_by: number | null
  created_at: IsoDate
  download_url: string
  /** A run of yours with it as an input must bring your own credentials for its storage. */
  needs_credentials?: boolean
  /** The run and node that made it (null for uploads). */
  run?: number | null
  run_name?: string | null
  node_id?: string | null
}

/** A node run in the list across runs (`/api/node-runs/`). */
export interface NodeRunListItem {
  id: number
  run: number
  run_name: string
  pipeline: number
  pipeline_name: string
  node_id: string
  operation: number
  operation_name: string
  operation_version: number
  state: NodeRunState
  attempt: number
  started_at: IsoDate | null
  finished_at: IsoDate | null
  exit_code: number | null
  worker: string
}

/** A pipeline as a restore answers it: the draft graph and its new `revision`. */
export interface RestoredPipeline extends PipelineDetail {
  revision: number
}

/** The 409 body of a save, freeze or restore made from a stale `revision`. */
export interface StaleRevisionBody {
  detail: string
  current_revision: number
}
