// The pipeline editor's state: the document, the operations catalogue, selection,
// clipboard, undo/redo and the dirty flag. A vanilla zustand store (usable without
// React, and unit-tested so); `useEditorStore` reads it from components.

import { useStore } from 'zustand'
import { createStore, type StoreApi } from 'zustand/vanilla'
import type { AnnotationColor, GraphEdge, GraphGroup, GraphInput, GraphNode, GraphNote, Operation, PortType } from '../api/types'
import {
  EXTENT_MAX,
  EXTENT_MIN,
  GROUP_LABEL_MAX,
  NOTE_TEXT_MAX,
  canvasIds,
  cloneAnnotations,
  fitGroups,
  groupNodes,
  groupsOf,
  moveItems,
  movedIds,
  newNote,
  notesOf,
  regroup,
  removeAnnotations,
  ungroup,
  withAnnotations,
  type Rect,
  type Sizes,
} from './annotations/annotations'
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
import {
  INPUT_PORT,
  changeInput,
  findInput,
  freshInputName,
  inputNames,
  inputsOf,
  newInput,
  type InputChanges,
} from './inputs/inputs'
import { applyOverrides, sameOverrides, type OverrideChanges } from './overrides'
import { paramValueProblem, typesCompatible } from './typeCheck'

export type Result = { ok: true } | { ok: false; reason: string }
export type ImportOutcome = { ok: true } | { ok: false; problems: string[] }

export interface Position {
  x: number
  y: number
}

export interface Selection {
  /** Canvas node ids: operation nodes and pipeline inputs (by name). */
  nodes: string[]
  /** Edge keys (see `edgeKey`). */
  edges: string[]
  notes: string[]
  groups: string[]
}

const SELECTION_KINDS = ['nodes', 'edges', 'notes', 'groups'] as const

/** What a move is after, besides positions. */
export interface MoveOptions {
  /** Measured node sizes (React Flow's `measured`), for `regroup` and `fitGroups`. */
  sizes?: Sizes
  /** After a drag: each moved node belongs to the smallest group holding its centre, or none. */
  regroup?: boolean
  /** After a layout: every group is fitted around its members again. */
  fitGroups?: boolean
}

/** Nodes, pipeline inputs, the edges among them, notes and groups: what is copied, pasted and duplicated. */
interface Items {
  nodes: GraphNode[]
  inputs: GraphInput[]
  edges: GraphEdge[]
  notes: GraphNote[]
  groups: GraphGroup[]
}

export type SelectMode = 'replace' | 'add' | 'toggle'

interface Clipboard extends Items {
  pastes: number
}

export const PASTE_OFFSET = 40
/** Where a copied input without a position is put, left of x = 0. */
const INPUT_COLUMN_OFFSET = 280

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
  /**
   * Moves nodes, notes and groups (by id); a moved group takes its members along, and
   * the whole move is one undo step until `endMove`.
   */
  moveNodes(positions: Record<string, Position>, options?: MoveOptions): void
  /** Ends a drag: the next move becomes its own undo step. */
  endMove(): void
  setLabel(nodeId: string, label: string): Result
  connect(source: string, sourcePort: string, target: string, targetPort: string): Result
  setParam(nodeId: string, name: string, value: unknown): Result
  /**
   * Sets or clears a node's own resources, retries and timeout (`undefined`/`null` for a
   * field: back to the operation's or the run's value; `null` for all: every override).
   * Consecutive changes of the same fields are one undo step.
   */
  setOverrides(nodeId: string, changes: OverrideChanges | null): Result
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

  /** The note or group whose text is open for typing on the canvas, if any. */
  editing: string | null
  setEditing(id: string | null): void
  /** A new empty note at `position`, selected and open for typing. */
  addNote(position: Position, text?: string): Result & { id?: string }
  setNoteText(noteId: string, text: string): Result
  setGroupLabel(groupId: string, label: string): Result
  /** The colour of a note or group; null: the default. */
  setAnnotationColor(id: string, color: AnnotationColor | null): Result
  /** New bounds of a note or group (from a resize on the canvas). */
  resizeAnnotation(id: string, rect: Rect): Result
  /** Puts the selected nodes in a new group drawn around them (out of any other group). */
  groupSelection(sizes?: Sizes): Result & { id?: string }
  /** Dissolves the selected groups (their nodes stay) and takes selected nodes out of theirs. */
  ungroupSelection(): void

  /** A new pipeline input at `position` (a file input named `input`, `input_2`...), selected. */
  addInput(position: Position, type?: PortType): Result & { id?: string }
  /**
   * Changes a pipeline input's name, type, default or description (refused with the reason
   * when the server would refuse it); a rename takes its edges along. Consecutive changes of
   * one field of one input are one undo step.
   */
  setInput(name: string, changes: InputChanges): Result & { name?: string }
}

export type EditorStore = StoreApi<EditorState>

export interface EditorInit {
  document?: EditorDocument
  operations?: Operation[]
}

const NO_SELECTION: Selection = { nodes: [], edges: [], notes: [], groups: [] }

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

/**
 * The selection without ids that are no longer in `document`. A list that loses nothing is
 * kept (the same array), and only the kinds with something selected are looked up: a move in
 * a big graph costs no pass over its edges.
 */
function pruneSelection(selection: Selection, document: EditorDocument): Selection {
  const keep = (ids: string[] | undefined, present: () => Set<string>): string[] => {
    if (!ids?.length) return ids ?? []
    const known = present()
    return ids.every((id) => known.has(id)) ? ids : ids.filter((id) => known.has(id))
  }
  const next: Selection = {
    nodes: keep(selection.nodes, () => new Set([...document.nodes.map((node) => node.id), ...inputNames(document)])),
    edges: keep(selection.edges, () => new Set(document.edges.map(edgeKey))),
    notes: keep(selection.notes, () => new Set(notesOf(document).map((note) => note.id))),
    groups: keep(selection.groups, () => new Set(groupsOf(document).map((group) => group.id))),
  }
  return SELECTION_KINDS.every((kind) => next[kind] === selection[kind]) ? selection : next
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

    /** Copies of `nodes` and `inputs` (new ids and names, shifted) and of the edges among them. */
    const cloneNodes = (
      nodes: GraphNode[],
      inputs: GraphInput[],
      edges: GraphEdge[],
      offset: number,
    ): { nodes: GraphNode[]; inputs: GraphInput[]; edges: GraphEdge[]; ids: Map<string, string>; taken: Set<string> } => {
      const document = get().document
      const taken = canvasIds(document)
      const ids = new Map<string, string>()
      const inputCopies = inputs.map((input, index) => {
        const name = freshInputName(input.name, taken)
        taken.add(name)
        ids.set(input.name, name)
        const at = input.position ?? { x: -INPUT_COLUMN_OFFSET, y: index * 100 }
        return { ...structuredClone(input), name, position: { x: at.x + offset, y: at.y + offset } }
      })
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
      return { nodes: copies, inputs: inputCopies, edges: edgeCopies, ids, taken }
    }

    /** Copies of `items` with new ids, shifted by `offset`; copied groups name the copied nodes. */
    const cloneItems = (items: Items, offset: number): Items => {
      const { nodes, inputs, edges, ids, taken } = cloneNodes(items.nodes, items.inputs ?? [], items.edges, offset)
      return { nodes, inputs, edges, ...cloneAnnotations(items.notes, items.groups, ids, taken, offset, uniqueId) }
    }

    /** The selection's items; a selected group brings its member nodes. */
    const selectedSubgraph = (): Items => {
      const { document, selection } = get()
      const groupIds = new Set(selection.groups)
      const noteIds = new Set(selection.notes)
      const groups = groupsOf(document).filter((group) => groupIds.has(group.id))
      const ids = new Set([...selection.nodes, ...groups.flatMap((group) => group.nodes)])
      return {
        nodes: document.nodes.filter((node) => ids.has(node.id)),
        inputs: inputsOf(document).filter((input) => ids.has(input.name)),
        edges: document.edges.filter((edge) => ids.has(edge.source) && ids.has(edge.target)),
        notes: notesOf(document).filter((note) => noteIds.has(note.id)),
        groups,
      }
    }

    /** Adds copies to the document, selected; returns their ids. */
    const insert = (copies: Items): string[] => {
      if (!copies.nodes.length && !copies.inputs.length && !copies.notes.length && !copies.groups.length) return []
      const document = get().document
      const selection: Selection = {
        nodes: [...copies.nodes.map((node) => node.id), ...copies.inputs.map((input) => input.name)],
        edges: copies.edges.map(edgeKey),
        notes: copies.notes.map((note) => note.id),
        groups: copies.groups.map((group) => group.id),
      }
      commit(
        withAnnotations(
          {
            ...document,
            nodes: [...document.nodes, ...copies.nodes],
            inputs: [...inputsOf(document), ...copies.inputs],
            edges: [...document.edges, ...copies.edges],
          },
          [...notesOf(document), ...copies.notes],
          [...groupsOf(document), ...copies.groups],
        ),
        null,
        selection,
      )
      return [...selection.nodes, ...selection.notes, ...selection.groups]
    }

    /** Replaces a note or group by `change(it)`, as one undo step. */
    const updateAnnotation = (id: string, change: (item: GraphNote | GraphGroup) => Result | GraphNote | GraphGroup): Result => {
      const document = get().document
      const note = notesOf(document).find((candidate) => candidate.id === id)
      const group = groupsOf(document).find((candidate) => candidate.id === id)
      const item = note ?? group
      if (!item) return refuse(`unknown note or group ${id}`)
      const next = change(item)
      if ('ok' in next) return next
      if (JSON.stringify(next) === JSON.stringify(item)) return ok()
      commit(
        withAnnotations(
          document,
          notesOf(document).map((candidate) => (candidate.id === id ? (next as GraphNote) : candidate)),
          groupsOf(document).map((candidate) => (candidate.id === id ? (next as GraphGroup) : candidate)),
        ),
      )
      return ok()
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
      editing: null,

      setOperations(operations) {
        set({ operations })
      },

      load(document) {
        saved = cloneDocument(document)
        history = emptyHistory()
        clipboard = null
        set({ document: saved, selection: NO_SELECTION, dirty: false, editing: null, ...historyFlags() })
      },

      addNode(operationOrId, position) {
        const { operations, document } = get()
        const wanted = typeof operationOrId === 'number' ? operationOrId : operationOrId.id
        const operation = operations.find((candidate) => candidate.id === wanted)
        if (!operation) return refuse(`unknown operation ${wanted}`)
        const id = uniqueId(idBase(operation.slug), canvasIds(document))
        const node: GraphNode = {
          id,
          operation: operation.id,
          label: '',
          params: {},
          position: { x: position.x, y: position.y },
        }
        commit({ ...document, nodes: [...document.nodes, node] }, null, { ...NO_SELECTION, nodes: [id] })
        return { ok: true, id }
      },

      moveNodes(positions, options = {}) {
        const document = get().document
        const ids = movedIds(document, positions)
        if (!ids.length) return
        let next = moveItems(document, positions)
        // Nodes a moved group carried stay its members; nodes dragged themselves follow where they land.
        if (options.regroup) next = regroup(next, Object.keys(positions), options.sizes)
        if (options.fitGroups) next = fitGroups(next, options.sizes)
        commit(next, `move:${[...ids].sort().join('\u0000')}`)
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
        const feed = findInput(document, source)
        const from = document.nodes.find((node) => node.id === source)
        const to = document.nodes.find((node) => node.id === target)
        if (!from && !feed) return refuse(`unknown node ${source}`)
        if (!to) return refuse(findInput(document, target) ? 'a pipeline input cannot be fed by an edge' : `unknown node ${target}`)
        if (source === target) return refuse('a node cannot feed itself')
        const out = feed
          ? sourcePort === INPUT_PORT
            ? { name: INPUT_PORT, type: feed.type }
            : undefined
          : operationPorts(operationOf(from!)).outputs.find((port) => port.name === sourcePort)
        if (!out) return refuse(feed ? `pipeline input ${source} has one output, "${INPUT_PORT}"` : `node ${source} has no output port "${sourcePort}"`)
        const inp = operationPorts(operationOf(to)).inputs.find((port) => port.name === targetPort)
        if (!inp) return refuse(`node ${target} has no input port "${targetPort}"`)
        if (!typesCompatible(out.type, inp.type)) {
          const what = feed ? `${out.type} input ${feed.name}` : `${out.type} output`
          return refuse(`type mismatch: ${what} cannot feed a ${inp.type} input`)
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
        } else if (value !== null && paramValueProblem(param, value)) {
          return refuse(`parameter "${name}" ${paramValueProblem(param, value)}`)
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

      setOverrides(nodeId, changes) {
        const document = get().document
        const node = document.nodes.find((candidate) => candidate.id === nodeId)
        if (!node) return refuse(`unknown node ${nodeId}`)
        const result = applyOverrides(node, changes)
        if (!result.ok) return refuse(result.reason)
        if (sameOverrides(node, result.node)) return ok()
        const fields =
          changes === null
            ? null
            : [...Object.keys(changes.resources ?? {}), ...Object.keys(changes).filter((key) => key !== 'resources')]
                .sort()
                .join(',')
        commit(
          {
            ...document,
            nodes: document.nodes.map((candidate) => (candidate.id === nodeId ? result.node : candidate)),
          },
          fields === null ? null : `overrides:${nodeId}:${fields}`,
        )
        return ok()
      },

      select(selection, mode = 'replace') {
        const current = get().selection
        const nodes = selection.nodes ?? []
        const edges = selection.edges ?? []
        const wanted: Selection = { nodes, edges, notes: selection.notes ?? [], groups: selection.groups ?? [] }
        const next = { ...NO_SELECTION }
        for (const kind of SELECTION_KINDS) {
          if (mode === 'replace') next[kind] = wanted[kind]
          else if (mode === 'add') next[kind] = [...new Set([...current[kind], ...wanted[kind]])]
          else next[kind] = toggled(current[kind], wanted[kind])
        }
        set({ selection: pruneSelection(next, get().document) })
      },

      selectAll() {
        const document = get().document
        set({
          selection: {
            nodes: [...document.nodes.map((node) => node.id), ...inputNames(document)],
            edges: document.edges.map(edgeKey),
            notes: notesOf(document).map((note) => note.id),
            groups: groupsOf(document).map((group) => group.id),
          },
        })
      },

      clearSelection() {
        set({ selection: NO_SELECTION })
      },

      deleteSelection() {
        const { document, selection } = get()
        if (SELECTION_KINDS.every((kind) => !selection[kind].length)) return
        const nodes = new Set(selection.nodes)
        const edges = new Set(selection.edges)
        // A deleted group takes only its box: its nodes stay.
        commit(
          removeAnnotations(
            {
              ...document,
              nodes: document.nodes.filter((node) => !nodes.has(node.id)),
              inputs: inputsOf(document).filter((input) => !nodes.has(input.name)),
              edges: document.edges.filter(
                (edge) => !edges.has(edgeKey(edge)) && !nodes.has(edge.source) && !nodes.has(edge.target),
              ),
            },
            selection,
          ),
          null,
          NO_SELECTION,
        )
      },

      copy() {
        const subgraph = selectedSubgraph()
        if (!subgraph.nodes.length && !subgraph.inputs.length && !subgraph.notes.length && !subgraph.groups.length) return
        clipboard = { ...structuredClone(subgraph), pastes: 0 }
      },

      paste() {
        if (!clipboard) return []
        clipboard.pastes += 1
        return insert(cloneItems(clipboard, PASTE_OFFSET * clipboard.pastes))
      },

      duplicate() {
        return insert(cloneItems(selectedSubgraph(), PASTE_OFFSET))
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

      setEditing(id) {
        if (get().editing !== id) set({ editing: id })
      },

      addNote(position, text = '') {
        if (text.length > NOTE_TEXT_MAX) return refuse(`a note has at most ${NOTE_TEXT_MAX} characters`)
        const document = get().document
        const id = uniqueId('note', canvasIds(document))
        commit(withAnnotations(document, [...notesOf(document), newNote(id, position, text)]), null, {
          ...NO_SELECTION,
          notes: [id],
        })
        set({ editing: id })
        return { ok: true, id }
      },

      setNoteText(noteId, text) {
        if (!notesOf(get().document).some((note) => note.id === noteId)) return refuse(`unknown note ${noteId}`)
        if (typeof text !== 'string') return refuse('a note must be text')
        if (text.length > NOTE_TEXT_MAX) return refuse(`a note has at most ${NOTE_TEXT_MAX} characters`)
        return updateAnnotation(noteId, (note) => ({ ...note, text }))
      },

      setGroupLabel(groupId, label) {
        if (!groupsOf(get().document).some((group) => group.id === groupId)) return refuse(`unknown group ${groupId}`)
        if (typeof label !== 'string') return refuse('a label must be text')
        if (label.length > GROUP_LABEL_MAX) return refuse(`a label has at most ${GROUP_LABEL_MAX} characters`)
        return updateAnnotation(groupId, (group) => ({ ...group, label }))
      },

      setAnnotationColor(id, color) {
        return updateAnnotation(id, (item) => {
          const { color: _old, ...rest } = item
          return color ? { ...rest, color } : rest
        })
      },

      resizeAnnotation(id, rect) {
        const values = [rect.x, rect.y, rect.width, rect.height]
        if (!values.every(Number.isFinite)) return refuse('a size must be made of numbers')
        if ([rect.width, rect.height].some((value) => value < EXTENT_MIN || value > EXTENT_MAX)) {
          return refuse(`a width or height is from ${EXTENT_MIN} to ${EXTENT_MAX} pixels`)
        }
        return updateAnnotation(id, (item) => ({
          ...item,
          position: { x: rect.x, y: rect.y },
          width: rect.width,
          height: rect.height,
        }))
      },

      groupSelection(sizes) {
        const { document, selection } = get()
        const nodes = selection.nodes.filter((id) => document.nodes.some((node) => node.id === id))
        if (!nodes.length) return refuse('select the nodes to group first')
        const id = uniqueId('group', canvasIds(document))
        commit(groupNodes(document, nodes, id, sizes), null, { ...NO_SELECTION, groups: [id] })
        return { ok: true, id }
      },

      ungroupSelection() {
        const { document, selection } = get()
        const next = ungroup(document, selection.groups, selection.nodes)
        if (next === document) return
        commit(next, null, { ...selection, groups: [] })
      },

      addInput(position, type = 'file') {
        const document = get().document
        const name = freshInputName('input', canvasIds(document))
        commit({ ...document, inputs: [...inputsOf(document), newInput(name, position, type)] }, null, {
          ...NO_SELECTION,
          nodes: [name],
        })
        return { ok: true, id: name }
      },

      setInput(name, changes) {
        const { document, selection } = get()
        const index = inputsOf(document).findIndex((input) => input.name === name)
        if (index < 0) return refuse(`unknown input ${name}`)
        const taken = canvasIds(document)
        taken.delete(name)
        const portType = (nodeId: string, port: string) => {
          const node = document.nodes.find((candidate) => candidate.id === nodeId)
          return node ? operationPorts(operationOf(node)).inputs.find((candidate) => candidate.name === port)?.type : undefined
        }
        const result = changeInput(document, name, changes, taken, portType)
        if (!result.ok) return refuse(result.reason)
        if (JSON.stringify(result.document) === JSON.stringify(document)) return { ok: true, name }
        const renamed = result.name !== name
        const fields = Object.keys(changes).sort().join(',')
        commit(
          result.document,
          `input:${index}:${fields}`,
          renamed
            ? { ...selection, nodes: selection.nodes.map((id) => (id === name ? result.name : id)) }
            : undefined,
        )
        return { ok: true, name: result.name }
      },
    }
  })
}

/** Reads (a slice of) an editor store from a component; re-renders when it changes. */
export function useEditorStore<T>(store: EditorStore, selector: (state: EditorState) => T): T {
  return useStore(store, selector)
}
