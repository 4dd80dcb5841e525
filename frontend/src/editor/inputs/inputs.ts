// Pipeline inputs on the canvas: what a run is given when it starts (an artifact for file
// and directory inputs, a value for the others), drawn as input nodes and wired to node
// inputs like an output. Pure functions over the editor document; the rules match
// editor/schemas.py (`PipelineInput`) and editor/graph.py.
//
// An edge from a pipeline input has the input's name as `source` and "value" as
// `source_port`. Input names share one namespace with node, note and group ids, and the
// store keeps selected inputs in `selection.nodes` (React Flow draws them as nodes).

import type { GraphEdge, GraphInput, PortType } from '../../api/types'
import type { EditorDocument } from '../document'
import { isJsonValue, typesCompatible } from '../typeCheck'

/** The one output handle of an input node. */
export const INPUT_PORT = 'value'
export const INPUT_DESCRIPTION_MAX = 2000
export const INPUT_NAME = /^[A-Za-z_][A-Za-z0-9_]{0,63}$/
/** Inputs whose value is an artifact chosen when the run starts: they have no default. */
export const ARTIFACT_TYPES: readonly string[] = ['file', 'directory']
/** Where an input without a stored position is drawn: a column left of the nodes. */
export const INPUT_COLUMN_GAP = 280
export const INPUT_ROW_GAP = 110
/** The size of an input node not measured yet (for centring a new one). */
export const INPUT_SIZE = { width: 190, height: 76 }

export function inputsOf(document: EditorDocument): GraphInput[] {
  return document.inputs ?? []
}

export function inputNames(document: EditorDocument): Set<string> {
  return new Set(inputsOf(document).map((input) => input.name))
}

export function findInput(document: EditorDocument, name: string): GraphInput | undefined {
  return inputsOf(document).find((input) => input.name === name)
}

/** Edges whose source is a pipeline input. */
export function inputEdges(document: EditorDocument): GraphEdge[] {
  const names = inputNames(document)
  return document.edges.filter((edge) => names.has(edge.source))
}

/** Why `value` cannot be the default of an input of `type`, or null (null is no default). */
export function defaultProblem(type: string, value: unknown): string | null {
  if (value === null || value === undefined) return null
  if (ARTIFACT_TYPES.includes(type)) return `a ${type} input has no default: its artifact is chosen when a run starts`
  const fits =
    type === 'int'
      ? typeof value === 'number' && Number.isInteger(value)
      : type === 'float'
        ? typeof value === 'number' && Number.isFinite(value)
        : type === 'str'
          ? typeof value === 'string'
          : type === 'bool'
            ? typeof value === 'boolean'
            : isJsonValue(value)
  return fits ? null : `default must be of type ${type}`
}

/** Where an input is drawn: its own position, else stacked left of the leftmost node. */
export function inputPosition(document: EditorDocument, input: GraphInput, index: number): { x: number; y: number } {
  if (input.position && Number.isFinite(input.position.x) && Number.isFinite(input.position.y)) return input.position
  const left = document.nodes.length ? Math.min(...document.nodes.map((node) => node.position.x)) : 0
  return { x: left - INPUT_COLUMN_GAP, y: index * INPUT_ROW_GAP }
}

export function newInput(name: string, position: { x: number; y: number }, type: PortType = 'file'): GraphInput {
  return { name, type, default: null, description: '', position: { x: position.x, y: position.y } }
}

/** A fresh input name (`input`, `input_2`...) not taken by a node, input, note or group. */
export function freshInputName(base: string, taken: ReadonlySet<string>): string {
  let stem = base.replace(/[^A-Za-z0-9_]/g, '_').replace(/_\d+$/, '').slice(0, 56)
  if (!/^[A-Za-z_]/.test(stem)) stem = `input_${stem}`.slice(0, 56)
  if (!taken.has(stem)) return stem
  for (let n = 2; ; n++) {
    const candidate = `${stem}_${n}`
    if (!taken.has(candidate)) return candidate
  }
}

export interface InputChanges {
  name?: string
  type?: string
  /** null: no default (required). */
  default?: unknown
  description?: string
}

export type InputChangeResult = { ok: true; document: EditorDocument; name: string } | { ok: false; reason: string }

/**
 * The document with input `name` changed, or why not: a name that is not an identifier or
 * is taken, a type that an edge from it cannot feed (`portType` answers the type of a node
 * input port), a default that does not fit the type, a description too long. A renamed
 * input takes its edges along; a type change drops a default that no longer fits.
 */
export function changeInput(
  document: EditorDocument,
  name: string,
  changes: InputChanges,
  taken: ReadonlySet<string>,
  portType: (node: string, port: string) => string | undefined,
): InputChangeResult {
  const input = findInput(document, name)
  if (!input) return { ok: false, reason: `unknown input ${name}` }
  const next: GraphInput = { ...input }
  if (changes.name !== undefined && changes.name !== name) {
    if (!INPUT_NAME.test(changes.name)) {
      return { ok: false, reason: 'a name starts with a letter or "_" and has only letters, digits and "_" (at most 64)' }
    }
    if (taken.has(changes.name)) return { ok: false, reason: `the name "${changes.name}" is already used on the canvas` }
    next.name = changes.name
  }
  if (changes.type !== undefined && changes.type !== input.type) {
    for (const edge of document.edges) {
      if (edge.source !== name) continue
      const target = portType(edge.target, edge.target_port)
      if (target !== undefined && !typesCompatible(changes.type, target)) {
        return {
          ok: false,
          reason: `it feeds ${edge.target}.${edge.target_port} (${target}), which a ${changes.type} input cannot feed: disconnect it first`,
        }
      }
    }
    next.type = changes.type
    if (defaultProblem(next.type, next.default)) next.default = null
  }
  if (changes.default !== undefined) {
    const problem = defaultProblem(next.type, changes.default)
    if (problem) return { ok: false, reason: problem }
    next.default = changes.default === null ? null : structuredClone(changes.default)
  }
  if (changes.description !== undefined) {
    if (changes.description.length > INPUT_DESCRIPTION_MAX) {
      return { ok: false, reason: `a description has at most ${INPUT_DESCRIPTION_MAX} characters` }
    }
    next.description = changes.description
  }
  const renamed = next.name !== name
  const edges = renamed
    ? document.edges.map((edge) => {
        if (edge.source !== name) return edge
        const automatic = edge.id === '' || edge.id === `${edge.source}.${edge.source_port}->${edge.target}.${edge.target_port}`
        const moved = { ...edge, source: next.name }
        return automatic ? { ...moved, id: `${moved.source}.${moved.source_port}->${moved.target}.${moved.target_port}` } : moved
      })
    : document.edges
  return {
    ok: true,
    name: next.name,
    document: {
      ...document,
      edges,
      inputs: inputsOf(document).map((candidate) => (candidate.name === name ? next : candidate)),
    },
  }
}

/** Problems of a document's inputs: names used twice or also used by a node (import check). */
export function inputProblems(document: EditorDocument): string[] {
  const problems: string[] = []
  const nodes = new Set(document.nodes.map((node) => node.id))
  const seen = new Set<string>()
  for (const input of inputsOf(document)) {
    if (seen.has(input.name)) problems.push(`input name ${JSON.stringify(input.name)} is used twice`)
    else if (nodes.has(input.name)) problems.push(`input name ${JSON.stringify(input.name)} is also a node id`)
    seen.add(input.name)
    const problem = defaultProblem(input.type, input.default)
    if (problem) problems.push(`input ${input.name}: ${problem}`)
  }
  return problems
}
