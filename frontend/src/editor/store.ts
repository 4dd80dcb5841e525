// The pipeline editor's state: the document, the operations catalogue, selection,
// clipboard, undo/redo and the dirty flag. A vanilla zustand store (usable without
// React, and unit-tested so); `useEditorStore` reads it from components.

import { useStore } from 'zustand'
import { createStore, type StoreApi } from 'zustand/vanilla'
import type { GraphEdge, GraphNode, Operation } from '../api/types'
import { cycleCreatedBy, formatCycle } from './cycles'
import {
  LABEL_MAX,
  cloneDocument,
  edgeKey,
  emptyDocument,
  idBase,
  operationPorts,
  parseDocument,
  uniqueId,
  type EditorDocument,
} from './document'
import { emptyHistory, record, redo, seal, undo, type History } from './history'
import { isParamType, paramValueOk, typesCompatible } from './typeCheck'

export type Result = { ok: true } | { ok: false; reason: string }
export type ImportOutcome = { ok: true } | { ok: false; problems: string[] }

export interface Position {
  x: number
  y: number
}

export interface Selection {
  nodes: string[]
  /** Edge keys (see `edgeKey`). */
  edges: string[]
}

export type SelectMode = 'replace' | 'add' | 'toggle'

interface Clipboard {
  nodes: GraphNode[]
  edges: GraphEdge[]
  pastes: number
}

export const PASTE_OFFSET = 40

export interface EditorState {
  document: EditorDocument
  operations: Operation[]
  selection: Selection
  /** True when the document differs from the last saved (or loaded) one. */
  dirty: boolean
  canUndo: boolean
  canRedo: boolean

  setOperations(operations: Operation[]): void
  /** Replaces the document as saved on the server: clears history, selection and dirty. */
  load(document: EditorDocument): void
  addNode(operation: Operation | number, position: Position): Result & { id?: string }
  moveNodes(positions: Record<string, Position>): void
  /** Ends a drag: the next move becomes its own undo step. */
  endMove(): void
  setLabel(nodeId: string, label: string): Result
  connect(source: string, sourcePort: string, target: string, targetPort: string): Result
  setParam(nodeId: string, name: string, value: unknown): Result
  select(selection: Partial<Selection>, mode?: SelectMode): void
  selectAll(): void
  clearSelection(): void
  deleteSelection(): void
  copy(): void
  paste(): string[]
  duplicate(): string[]
  undo(): void
  redo(): void
  markSaved(): void
  importDocument(json: unknown): ImportOutcome
  exportDocument(): EditorDocument
}

export type EditorStore = StoreApi<EditorState>

export interface EditorInit {
  document?: EditorDocument
  operations?: Operation[]
}

const NO_SELECTION: Selection = { nodes: [], edges: [] }

function ok(): Result {
  return { ok: true }
}

function refuse(reason: string): { ok: false; reason: string } {
  return { ok: false, reason }
}

function toggled(current: string[], ids: string[]): string[] {
  const result = new Set(current)
  for (const id of ids) {
    if (result.has(id)) result.delete(id)
    else result.add(id)
  }
  return [...result]
}

/** The selection without ids that are no longer in `document`. */
function pruneSelection(selection: Selection, document: EditorDocument): Selection {
  const nodes = new Set(document.nodes.map((node) => node.id))
  const edges = new Set(document.edges.map(edgeKey))
  return {
    nodes: selection.nodes.filter((id) => nodes.has(id)),
    edges: selection.edges.filter((key) => edges.has(key)),
  }
}

export function createEditorStore(initial: EditorInit = {}): EditorStore {
  let history: History<EditorDocument> = emptyHistory()
  let saved: EditorDocument = initial.document ? cloneDocument(initial.document) : emptyDocument()
  let clipboard: Clipboard | null = null

  return createStore<EditorState>()((set, get) => {
    const historyFlags = () => ({
      canUndo: history.past.length > 0,
      canRedo: history.future.length > 0,
    })

    /** Replaces the document as one undoable step (merged with the last when keys match). */
    const commit = (
      document: EditorDocument,
      key: string | null = null,
      selection?: Selection,
    ): void => {
      const state = get()
      history = record(history, state.document, key)
      set({
        document,
        dirty: document !== saved,
        selection: selection ?? pruneSelection(state.selection, document),
        ...historyFlags(),
      })
    }

    const operationOf = (node: GraphNode) =>
      get().operations.find((operation) => operation.id === node.operation)

    /** Copies of `nodes` (new ids, shifted) and of the edges among them. */
    const cloneNodes = (
      nodes: GraphNode[],
      edges: GraphEdge[],
      offset: number,
    ): { nodes: GraphNode[]; edges: GraphEdge[] } => {
      const document = get().document
      const taken = new Set(document.nodes.map((node) => node.id))
      const ids = new Map<string, string>()
      const copies = nodes.map((node) => {
        const operation = operationOf(node)
        const id = uniqueId(idBase(operation?.slug ?? node.id.replace(/_\d+$/, '')), taken)
        taken.add(id)
        ids.set(node.id, id)
        return {
          ...structuredClone(node),
          id,
          position: { x: node.position.x + offset, y: node.position.y + offset },
        }
      })
      const edgeCopies = edges.flatMap((edge) => {
        const source = ids.get(edge.source)
        const target = ids.get(edge.target)
        if (!source || !target) return []
        const copy = { ...edge, source, target, id: '' }
        return [{ ...copy, id: edgeKey(copy) }]
      })
      return { nodes: copies, edges: edgeCopies }
    }

    const selectedSubgraph = (): { nodes: GraphNode[]; edges: GraphEdge[] } => {
      const { document, selection } = get()
      const ids = new Set(selection.nodes)
      return {
        nodes: document.nodes.filter((node) => ids.has(node.id)),
        edges: document.edges.filter((edge) => ids.has(edge.source) && ids.has(edge.target)),
      }
    }

    const insert = (copies: { nodes: GraphNode[]; edges: GraphEdge[] }): string[] => {
      if (!copies.nodes.length) return []
      const document = get().document
      commit(
        {
          ...document,
          nodes: [...document.nodes, ...copies.nodes],
          edges: [...document.edges, ...copies.edges],
        },
        null,
        { nodes: copies.nodes.map((node) => node.id), edges: copies.edges.map(edgeKey) },
      )
      return copies.nodes.map((node) => node.id)
    }


    /** Take an undo or redo step, if there is one. */
    const travel = (step: { history: History<EditorDocument>; value: EditorDocument } | null) => {
      if (!step) return
      history = step.history
      set({
        document: step.value,
        dirty: step.value !== saved,
        selection: pruneSelection(get().selection, step.value),
        ...historyFlags(),
      })
    }
    return {
      document: saved,
      operations: initial.operations ?? [],
      selection: NO_SELECTION,
      dirty: false,
      canUndo: false,
      canRedo: false,

      setOperations(operations) {
        set({ operations })
      },

      load(document) {
        saved = cloneDocument(document)
        history = emptyHistory()
        clipboard = null
        set({ document: saved, selection: NO_SELECTION, dirty: false, ...historyFlags() })
      },

      addNode(operationOrId, position) {
        const { operations, document } = get()
        const wanted = typeof operationOrId === 'number' ? operationOrId : operationOrId.id
        const operation = operations.find((candidate) => candidate.id === wanted)
        if (!operation) return refuse(`unknown operation ${wanted}`)
        const id = uniqueId(idBase(operation.slug), new Set(document.nodes.map((node) => node.id)))
        const node: GraphNode = {
          id,
          operation: operation.id,
          label: '',
          params: {},
          position: { x: position.x, y: position.y },
        }
        commit({ ...document, nodes: [...document.nodes, node] }, null, { nodes: [id], edges: [] })
        return { ok: true, id }
      },

      moveNodes(positions) {
        const document = get().document
        const ids = Object.keys(positions).filter((id) =>
          document.nodes.some((node) => node.id === id),
        )
        if (!ids.length) return
        const nodes = document.nodes.map((node) => {
          const position = positions[node.id]
          return position ? { ...node, position: { x: position.x, y: position.y } } : node
        })
        commit({ ...document, nodes }, `move:${[...ids].sort().join('\u0000')}`)
      },

      endMove() {
        history = seal(history)
      },

      setLabel(nodeId, label) {
        const document = get().document
        if (!document.nodes.some((node) => node.id === nodeId)) return refuse(`unknown node ${nodeId}`)
        if (typeof label !== 'string') return refuse('a label must be text')
        if (label.length > LABEL_MAX) return refuse(`a label has at most ${LABEL_MAX} characters`)
        commit({
          ...document,
          nodes: document.nodes.map((node) => (node.id === nodeId ? { ...node, label } : node)),
        })
        return ok()
      },

      connect(source, sourcePort, target, targetPort) {
        const document = get().document
        const from = document.nodes.find((node) => node.id === source)
        const to = document.nodes.find((node) => node.id === target)
        if (!from) return refuse(`unknown node ${source}`)
        if (!to) return refuse(`unknown node ${target}`)
        if (source === target) return refuse('a node cannot feed itself')
        const out = operationPorts(operationOf(from)).outputs.find((port) => port.name === sourcePort)
        if (!out) return refuse(`node ${source} has no output port "${sourcePort}"`)
        const inp = operationPorts(operationOf(to)).inputs.find((port) => port.name === targetPort)
        if (!inp) return refuse(`node ${target} has no input port "${targetPort}"`)
        if (!typesCompatible(out.type, inp.type)) {
          return refuse(`type mismatch: ${out.type} output cannot feed a ${inp.type} input`)
        }
        const existing = document.edges.find(
          (edge) => edge.target === target && edge.target_port === targetPort,
        )
        if (existing) {
          return refuse(
            `input ${target}.${targetPort} is already connected (from ${existing.source}.${existing.source_port})`,
          )
        }
        const cycle = cycleCreatedBy(source, target, document.edges)
        if (cycle) return refuse(`would create a cycle: ${formatCycle(cycle)}`)
        const edge: GraphEdge = {
          id: '',
          source,
          source_port: sourcePort,
          target,
          target_port: targetPort,
        }
        edge.id = edgeKey(edge)
        commit({ ...document, edges: [...document.edges, edge] })
        return ok()
      },

      setParam(nodeId, name, value) {
        const document = get().document
        const node = document.nodes.find((candidate) => candidate.id === nodeId)
        if (!node) return refuse(`unknown node ${nodeId}`)
        const param = operationOf(node)?.latest_version?.parameters.find((p) => p.name === name)
        if (!param) return refuse(`unknown parameter "${name}"`)
        const params = { ...node.params }
        if (value === undefined) {
          // Back to the operation's default.
          delete params[name]
        } else if (value !== null && !(isParamType(param.type) && paramValueOk(param.type, value))) {
          return refuse(`parameter "${name}" must be of type ${param.type}`)
        } else {
          params[name] = structuredClone(value)
        }
        commit({
          ...document,
          nodes: document.nodes.map((candidate) =>
            candidate.id === nodeId ? { ...candidate, params } : candidate,
          ),
        })
        return ok()
      },

      select(selection, mode = 'replace') {
        const current = get().selection
        const nodes = selection.nodes ?? []
        const edges = selection.edges ?? []
        let next: Selection
        if (mode === 'replace') next = { nodes, edges }
        else if (mode === 'add') {
          next = {
            nodes: [...new Set([...current.nodes, ...nodes])],
            edges: [...new Set([...current.edges, ...edges])],
          }
        } else next = { nodes: toggled(current.nodes, nodes), edges: toggled(current.edges, edges) }
        set({ selection: pruneSelection(next, get().document) })
      },

      selectAll() {
        const document = get().document
        set({
          selection: { nodes: document.nodes.map((node) => node.id), edges: document.edges.map(edgeKey) },
        })
      },

      clearSelection() {
        set({ selection: NO_SELECTION })
      },

      deleteSelection() {
        const { document, selection } = get()
        if (!selection.nodes.length && !selection.edges.length) return
        const nodes = new Set(selection.nodes)
        const edges = new Set(selection.edges)
        commit(
          {
            ...document,
            nodes: document.nodes.filter((node) => !nodes.has(node.id)),
            edges: document.edges.filter(
              (edge) => !edges.has(edgeKey(edge)) && !nodes.has(edge.source) && !nodes.has(edge.target),
            ),
          },
          null,
          NO_SELECTION,
        )
      },

      copy() {
        const subgraph = selectedSubgraph()
        if (!subgraph.nodes.length) return
        clipboard = { ...structuredClone(subgraph), pastes: 0 }
      },

      paste() {
        if (!clipboard) return []
        clipboard.pastes += 1
        return insert(cloneNodes(clipboard.nodes, clipboard.edges, PASTE_OFFSET * clipboard.pastes))
      },

      duplicate() {
        const subgraph = selectedSubgraph()
        return insert(cloneNodes(subgraph.nodes, subgraph.edges, PASTE_OFFSET))
      },

      undo() {
        travel(undo(history, get().document))
      },

      redo() {
        travel(redo(history, get().document))
      },

      markSaved() {
        saved = get().document
        history = seal(history)
        set({ dirty: false })
      },

      importDocument(json) {
        const result = parseDocument(json, get().operations)
        if (!result.ok) return { ok: false, problems: result.problems }
        commit(result.document, null, NO_SELECTION)
        return { ok: true }
      },

      exportDocument() {
        return cloneDocument(get().document)
      },
    }
  })
}

/** Reads (a slice of) an editor store from a component; re-renders when it changes. */
export function useEditorStore<T>(store: EditorStore, selector: (state: EditorState) => T): T {
  return useStore(store, selector)
}
