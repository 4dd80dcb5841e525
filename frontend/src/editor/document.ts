// The pipeline document the editor works on, and the checks that guard it: the same
// shape and wiring rules the server applies (editor/schemas.py, editor/graph.py). Pure.

import type { Graph, GraphEdge, GraphGroup, GraphInput, GraphNode, GraphNote, Operation, Port } from '../api/types'
import {
  EXTENT_MAX,
  EXTENT_MIN,
  GROUP_LABEL_MAX,
  NOTE_TEXT_MAX,
  isAnnotationColor,
  withAnnotations,
} from './annotations/annotations'
import { findCycle, formatCycle } from './cycles'
import { INPUT_DESCRIPTION_MAX, INPUT_PORT, defaultProblem, inputProblems } from './inputs/inputs'
import { OVERRIDE_KEYS, overridesProblems, readOverrides } from './overrides'
import { isParamType, isPortType, paramValueOk, typesCompatible } from './typeCheck'

export type EditorDocument = Graph

export const NODE_ID = /^[A-Za-z0-9_][A-Za-z0-9_.-]{0,63}$/
export const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]{0,63}$/
export const LABEL_MAX = 200

export function emptyDocument(): EditorDocument {
  return { nodes: [], edges: [], inputs: [] }
}

/** The key an edge is selected by: its id, or a stable name made from its ends. */
export function edgeKey(edge: GraphEdge): string {
  return edge.id || `${edge.source}.${edge.source_port}->${edge.target}.${edge.target_port}`
}

export function operationPorts(
  operation: Operation | undefined,
): { inputs: Port[]; outputs: Port[] } {
  const version = operation?.latest_version
  return { inputs: version?.inputs ?? [], outputs: version?.outputs ?? [] }
}

/** A node id base made from an operation slug (`Train model!` -> `Train_model_`). */
export function idBase(slug: string): string {
  let base = slug.replace(/[^A-Za-z0-9_.-]/g, '_').slice(0, 56)
  if (!/^[A-Za-z0-9_]/.test(base)) base = `_${base}`.slice(0, 56)
  return base || 'node'
}

/** `base`, or `base_2`, `base_3`... whichever is not taken yet. */
export function uniqueId(base: string, taken: ReadonlySet<string>): string {
  if (!taken.has(base)) return base
  for (let n = 2; ; n++) {
    const candidate = `${base}_${n}`
    if (!taken.has(candidate)) return candidate
  }
}

export function cloneDocument(document: EditorDocument): EditorDocument {
  return structuredClone(document)
}

export type ImportResult =
  | { ok: true; document: EditorDocument }
  | { ok: false; problems: string[] }

const NODE_KEYS = new Set(['id', 'operation', 'operation_version', 'label', 'params', 'position', ...OVERRIDE_KEYS])
const EDGE_KEYS = new Set(['id', 'source', 'source_port', 'target', 'target_port'])
const INPUT_KEYS = new Set(['name', 'type', 'default', 'description', 'position'])
const NOTE_KEYS = new Set(['id', 'text', 'position', 'width', 'height', 'color'])
const GROUP_KEYS = new Set(['id', 'label', 'position', 'width', 'height', 'color', 'nodes'])
const GRAPH_KEYS = new Set(['nodes', 'edges', 'inputs', 'notes', 'groups', 'files'])

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}

function extraKeys(
  value: Record<string, unknown>,
  allowed: ReadonlySet<string>,
  where: string,
  problems: string[],
): void {
  for (const key of Object.keys(value)) {
    if (!allowed.has(key)) problems.push(`${where}: unknown field ${JSON.stringify(key)}`)
  }
}

function parseNode(raw: unknown, index: number, problems: string[]): GraphNode | null {
  const where = `nodes.${index}`
  if (!isRecord(raw)) {
    problems.push(`${where}: must be an object`)
    return null
  }
  const before = problems.length
  extraKeys(raw, NODE_KEYS, where, problems)
  const { id, operation, operation_version, label = '', params = {}, position = { x: 0, y: 0 } } =
    raw
  if (typeof id !== 'string' || !NODE_ID.test(id)) {
    problems.push(`${where}.id: must be 1-64 letters, digits, "_", "." or "-"`)
  }
  if (typeof operation !== 'number' || !Number.isInteger(operation)) {
    problems.push(`${where}.operation: must be an operation id`)
  }
  if (
    operation_version !== undefined &&
    (typeof operation_version !== 'number' || !Number.isInteger(operation_version))
  ) {
    problems.push(`${where}.operation_version: must be an operation version id`)
  }
  if (typeof label !== 'string' || label.length > LABEL_MAX) {
    problems.push(`${where}.label: must be text of at most ${LABEL_MAX} characters`)
  }
  if (!isRecord(params)) problems.push(`${where}.params: must be an object`)
  if (!isRecord(position)) {
    problems.push(`${where}.position: must be an object with x and y`)
  } else {
    extraKeys(position, new Set(['x', 'y']), `${where}.position`, problems)
    const { x = 0, y = 0 } = position
    if (typeof x !== 'number' || !Number.isFinite(x) || typeof y !== 'number' || !Number.isFinite(y)) {
      problems.push(`${where}.position: x and y must be numbers`)
    }
  }
  problems.push(...overridesProblems(raw, where))
  if (problems.length > before) return null
  const pos = position as { x?: number; y?: number }
  const node: GraphNode = {
    id: id as string,
    operation: operation as number,
    label: label as string,
    params: structuredClone(params as Record<string, unknown>),
    position: { x: pos.x ?? 0, y: pos.y ?? 0 },
    ...readOverrides(raw),
  }
  if (operation_version !== undefined) node.operation_version = operation_version as number
  return node
}

function parseEdge(raw: unknown, index: number, problems: string[]): GraphEdge | null {
  const where = `edges.${index}`
  if (!isRecord(raw)) {
    problems.push(`${where}: must be an object`)
    return null
  }
  const before = problems.length
  extraKeys(raw, EDGE_KEYS, where, problems)
  const { id = '' } = raw
  if (typeof id !== 'string' || id.length > 200) {
    problems.push(`${where}.id: must be text of at most 200 characters`)
  }
  for (const field of ['source', 'source_port', 'target', 'target_port'] as const) {
    if (typeof raw[field] !== 'string') problems.push(`${where}.${field}: must be text`)
  }
  if (problems.length > before) return null
  return {
    id: id as string,
    source: raw.source as string,
    source_port: raw.source_port as string,
    target: raw.target as string,
    target_port: raw.target_port as string,
  }
}

function parseInput(raw: unknown, index: number, problems: string[]): GraphInput | null {
  const where = `inputs.${index}`
  if (!isRecord(raw)) {
    problems.push(`${where}: must be an object`)
    return null
  }
  const before = problems.length
  extraKeys(raw, INPUT_KEYS, where, problems)
  if (typeof raw.name !== 'string' || !IDENTIFIER.test(raw.name)) {
    problems.push(`${where}.name: must be an identifier`)
  }
  if (!isPortType(raw.type)) problems.push(`${where}.type: unknown type ${JSON.stringify(raw.type)}`)
  if (
    raw.description !== undefined &&
    (typeof raw.description !== 'string' || raw.description.length > INPUT_DESCRIPTION_MAX)
  ) {
    problems.push(`${where}.description: must be text of at most ${INPUT_DESCRIPTION_MAX} characters`)
  }
  const position = raw.position === undefined || raw.position === null ? null : parsePosition(raw.position, `${where}.position`, problems)
  if (problems.length > before) return null
  const problem = defaultProblem(raw.type as string, raw.default ?? null)
  if (problem) {
    problems.push(`${where}.default: ${problem}`)
    return null
  }
  const input: GraphInput = {
    name: raw.name as string,
    type: raw.type as string,
    default: raw.default === undefined ? null : structuredClone(raw.default),
  }
  if (typeof raw.description === 'string') input.description = raw.description
  if (position) input.position = position
  return input
}

/** A position `{x, y}` (both optional, default 0), or null with a problem listed. */
function parsePosition(value: unknown, where: string, problems: string[]): { x: number; y: number } | null {
  if (!isRecord(value)) {
    problems.push(`${where}: must be an object with x and y`)
    return null
  }
  extraKeys(value, new Set(['x', 'y']), where, problems)
  const { x = 0, y = 0 } = value
  if (typeof x !== 'number' || !Number.isFinite(x) || typeof y !== 'number' || !Number.isFinite(y)) {
    problems.push(`${where}: x and y must be numbers`)
    return null
  }
  return { x, y }
}

/** The shape notes and groups share: id, position, width, height and colour. */
function parseBox(
  raw: Record<string, unknown>,
  where: string,
  defaults: { width: number; height: number },
  problems: string[],
) {
  const { id, position = { x: 0, y: 0 }, width = defaults.width, height = defaults.height, color = null } = raw
  if (typeof id !== 'string' || !NODE_ID.test(id)) {
    problems.push(`${where}.id: must be 1-64 letters, digits, "_", "." or "-"`)
  }
  const pos = parsePosition(position, `${where}.position`, problems)
  for (const [field, value] of [['width', width], ['height', height]] as const) {
    if (typeof value !== 'number' || !Number.isFinite(value) || value < EXTENT_MIN || value > EXTENT_MAX) {
      problems.push(`${where}.${field}: must be a number from ${EXTENT_MIN} to ${EXTENT_MAX}`)
    }
  }
  if (color !== null && !isAnnotationColor(color)) {
    problems.push(`${where}.color: unknown colour ${JSON.stringify(color)}`)
  }
  return {
    id: id as string,
    position: pos ?? { x: 0, y: 0 },
    width: width as number,
    height: height as number,
    ...(color === null ? {} : { color: color as GraphNote['color'] }),
  }
}

function parseNote(raw: unknown, index: number, problems: string[]): GraphNote | null {
  const where = `notes.${index}`
  if (!isRecord(raw)) {
    problems.push(`${where}: must be an object`)
    return null
  }
  const before = problems.length
  extraKeys(raw, NOTE_KEYS, where, problems)
  const box = parseBox(raw, where, { width: 240, height: 160 }, problems)
  const { text = '' } = raw
  if (typeof text !== 'string' || text.length > NOTE_TEXT_MAX) {
    problems.push(`${where}.text: must be text of at most ${NOTE_TEXT_MAX} characters`)
  }
  if (problems.length > before) return null
  return { ...box, text: text as string }
}

function parseGroup(raw: unknown, index: number, problems: string[]): GraphGroup | null {
  const where = `groups.${index}`
  if (!isRecord(raw)) {
    problems.push(`${where}: must be an object`)
    return null
  }
  const before = problems.length
  extraKeys(raw, GROUP_KEYS, where, problems)
  const box = parseBox(raw, where, { width: 400, height: 300 }, problems)
  const { label = '', nodes = [] } = raw
  if (typeof label !== 'string' || label.length > GROUP_LABEL_MAX) {
    problems.push(`${where}.label: must be text of at most ${GROUP_LABEL_MAX} characters`)
  }
  if (!Array.isArray(nodes) || !nodes.every((id) => typeof id === 'string')) {
    problems.push(`${where}.nodes: must be a list of node ids`)
  }
  if (problems.length > before) return null
  return { ...box, label: label as string, nodes: [...(nodes as string[])] }
}

/**
 * Problems of a document's notes and groups: ids used twice (nodes, notes and groups share
 * one namespace), groups naming missing nodes, or a node twice, or a node in two groups.
 */
export function annotationProblems(document: EditorDocument): string[] {
  const problems: string[] = []
  const kinds = new Map<string, string>(document.nodes.map((node) => [node.id, 'node']))
  for (const input of document.inputs ?? []) if (!kinds.has(input.name)) kinds.set(input.name, 'input')
  const claim = (id: string, kind: string) => {
    const taken = kinds.get(id)
    if (taken === kind) problems.push(`${kind} id ${JSON.stringify(id)} is used twice`)
    else if (taken === 'input') problems.push(`${kind} id ${JSON.stringify(id)} is also an input name`)
    else if (taken) problems.push(`${kind} id ${JSON.stringify(id)} is also a ${taken} id`)
    else kinds.set(id, kind)
  }
  for (const note of document.notes ?? []) claim(note.id, 'note')
  for (const group of document.groups ?? []) claim(group.id, 'group')
  const owner = new Map<string, string>()
  for (const group of document.groups ?? []) {
    const seen = new Set<string>()
    for (const member of group.nodes) {
      if (kinds.get(member) !== 'node') {
        problems.push(`group ${JSON.stringify(group.id)} names unknown node ${JSON.stringify(member)}`)
      } else if (seen.has(member)) {
        problems.push(`group ${JSON.stringify(group.id)} names node ${JSON.stringify(member)} twice`)
      } else if (owner.has(member)) {
        problems.push(
          `node ${JSON.stringify(member)} is in two groups: ${JSON.stringify(owner.get(member))} and ${JSON.stringify(group.id)}`,
        )
      }
      seen.add(member)
      if (!owner.has(member)) owner.set(member, group.id)
    }
  }
  return problems
}

function parseList<T>(
  value: unknown,
  field: string,
  parse: (raw: unknown, index: number, problems: string[]) => T | null,
  problems: string[],
): T[] {
  if (value === undefined) return []
  if (!Array.isArray(value)) {
    problems.push(`${field}: must be a list`)
    return []
  }
  return value.flatMap((raw, index) => {
    const item = parse(raw, index, problems)
    return item ? [item] : []
  })
}

/**
 * Wiring problems of a well-shaped document: unknown operations, parameters and ports,
 * bad parameter values, self-loops, inputs connected twice, type mismatches and cycles.
 */
export function wiringProblems(
  document: EditorDocument,
  operations: readonly Operation[],
): string[] {
  const problems: string[] = []
  const byId = new Map(operations.map((operation) => [operation.id, operation]))
  const nodes = new Map<string, GraphNode>()
  for (const node of document.nodes) {
    if (nodes.has(node.id)) problems.push(`node id ${JSON.stringify(node.id)} is used twice`)
    nodes.set(node.id, node)
  }
  for (const node of document.nodes) {
    const operation = byId.get(node.operation)
    if (!operation) {
      problems.push(`node ${node.id}: unknown operation ${node.operation}`)
      continue
    }
    const params = new Map(
      (operation.latest_version?.parameters ?? []).map((param) => [param.name, param]),
    )
    for (const [name, value] of Object.entries(node.params)) {
      const param = params.get(name)
      if (!param) problems.push(`node ${node.id}: unknown parameter ${JSON.stringify(name)}`)
      else if (value !== null && isParamType(param.type) && !paramValueOk(param.type, value)) {
        problems.push(`node ${node.id}: parameter ${JSON.stringify(name)} must be of type ${param.type}`)
      }
    }
  }
  const wired = new Set<string>()
  const inputs = new Map((document.inputs ?? []).map((input) => [input.name, input]))
  for (const edge of document.edges) {
    const where = `edge ${edgeKey(edge)}`
    const feed = inputs.get(edge.source)
    const source = nodes.get(edge.source)
    const target = nodes.get(edge.target)
    if (inputs.has(edge.target)) {
      problems.push(`${where}: pipeline input ${JSON.stringify(edge.target)} cannot be fed by an edge`)
      continue
    }
    if ((!source && !feed) || !target) {
      problems.push(`${where}: refers to missing node ${JSON.stringify(source || feed ? edge.target : edge.source)}`)
      continue
    }
    if (edge.source === edge.target) {
      problems.push(`${where}: a node cannot feed itself`)
      continue
    }
    const sourceOp = source ? byId.get(source.operation) : undefined
    const targetOp = byId.get(target.operation)
    if ((source && !sourceOp) || !targetOp) continue
    if (feed && edge.source_port !== INPUT_PORT) {
      problems.push(`${where}: pipeline input ${feed.name} has one output, "${INPUT_PORT}"`)
      continue
    }
    const out = feed ? { name: INPUT_PORT, type: feed.type } : operationPorts(sourceOp).outputs.find((port) => port.name === edge.source_port)
    const inp = operationPorts(targetOp).inputs.find((port) => port.name === edge.target_port)
    if (!out) problems.push(`${where}: node ${edge.source} has no output port ${JSON.stringify(edge.source_port)}`)
    if (!inp) problems.push(`${where}: node ${edge.target} has no input port ${JSON.stringify(edge.target_port)}`)
    if (!out || !inp) continue
    const slot = `${edge.target}\u0000${edge.target_port}`
    if (wired.has(slot)) problems.push(`${where}: input ${edge.target}.${edge.target_port} is connected twice`)
    wired.add(slot)
    if (!typesCompatible(out.type, inp.type)) {
      const what = feed ? `${out.type} input ${feed.name}` : `${out.type} output`
      problems.push(`${where}: type mismatch: ${what} cannot feed a ${inp.type} input`)
    }
  }
  const cycle = findCycle([...nodes.keys()], document.edges)
  if (cycle.length) problems.push(`the graph has a cycle: ${formatCycle(cycle)}`)
  return problems
}

/**
 * A document from untrusted JSON (text or parsed), checked fully: every problem is
 * listed, and nothing is returned unless there are none.
 */
export function parseDocument(json: unknown, operations: readonly Operation[]): ImportResult {
  let data = json
  if (typeof json === 'string') {
    try {
      data = JSON.parse(json) as unknown
    } catch {
      return { ok: false, problems: ['the document is not valid JSON'] }
    }
  }
  if (!isRecord(data)) return { ok: false, problems: ['the document must be an object'] }
  const problems: string[] = []
  extraKeys(data, GRAPH_KEYS, 'document', problems)
  const document: EditorDocument = withAnnotations(
    {
      nodes: parseList(data.nodes, 'nodes', parseNode, problems),
      edges: parseList(data.edges, 'edges', parseEdge, problems),
      inputs: parseList(data.inputs, 'inputs', parseInput, problems),
    },
    parseList(data.notes, 'notes', parseNote, problems),
    parseList(data.groups, 'groups', parseGroup, problems),
  )
  problems.push(...inputProblems(document))
  problems.push(...wiringProblems(document, operations))
  problems.push(...annotationProblems(document))
  return problems.length ? { ok: false, problems } : { ok: true, document }
}
