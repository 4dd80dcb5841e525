// Notes and groups: the canvas's annotations, drawn only and never run. Pure functions over
// the editor document (the store turns each into one undoable step); the rules match
// editor/schemas.py (`Note`, `Group`).
//
// A group names its member nodes (`nodes`). Positions are absolute, as for nodes: moving a
// group moves its members by the same amount; a node dropped after a drag belongs to the
// smallest group that holds its centre (or to none).

import type { AnnotationColor, GraphGroup, GraphNode, GraphNote } from '../../api/types'
import type { EditorDocument } from '../document'

export const NOTE_TEXT_MAX = 5000
export const GROUP_LABEL_MAX = 200
export const ANNOTATION_COLORS: readonly AnnotationColor[] = ['yellow', 'blue', 'green', 'pink', 'purple', 'gray']
/** The bounds the server accepts for a width or height. */
export const EXTENT_MIN = 20
export const EXTENT_MAX = 20000

export const NOTE_SIZE = { width: 240, height: 140 }
/** The smallest a note or group can be resized to on the canvas. */
export const NOTE_MIN = { width: 140, height: 70 }
export const GROUP_MIN = { width: 180, height: 110 }
/** A node not measured yet (unit tests, a node off screen) is taken to be this big. */
export const DEFAULT_NODE_SIZE = { width: 220, height: 90 }
/** Room around the members of a new group; the label sits in the top band. */
export const GROUP_PADDING = { side: 30, top: 54, bottom: 30 }

export interface Point {
  x: number
  y: number
}

export interface Size {
  width: number
  height: number
}

export interface Rect extends Point, Size {}

/** Measured node sizes by id (React Flow's `measured`); missing ones get `DEFAULT_NODE_SIZE`. */
export type Sizes = Readonly<Record<string, Partial<Size> | undefined>>

export function notesOf(document: EditorDocument): GraphNote[] {
  return document.notes ?? []
}

export function groupsOf(document: EditorDocument): GraphGroup[] {
  return document.groups ?? []
}

/** `document` with these notes and groups; an empty list is left out, as the server does. */
export function withAnnotations(
  document: EditorDocument,
  notes: GraphNote[] = notesOf(document),
  groups: GraphGroup[] = groupsOf(document),
): EditorDocument {
  const { notes: _notes, groups: _groups, ...rest } = document
  return { ...rest, ...(notes.length ? { notes } : {}), ...(groups.length ? { groups } : {}) }
}

/** Every id in use on the canvas: nodes, pipeline inputs, notes and groups share one namespace. */
export function canvasIds(document: EditorDocument): Set<string> {
  return new Set([
    ...document.nodes.map((node) => node.id),
    ...(document.inputs ?? []).map((input) => input.name),
    ...notesOf(document).map((note) => note.id),
    ...groupsOf(document).map((group) => group.id),
  ])
}

export function isAnnotationColor(value: unknown): value is AnnotationColor {
  return typeof value === 'string' && (ANNOTATION_COLORS as readonly string[]).includes(value)
}

export function nodeRect(node: GraphNode, sizes: Sizes = {}): Rect {
  const size = sizes[node.id]
  return {
    x: node.position.x,
    y: node.position.y,
    width: size?.width ?? DEFAULT_NODE_SIZE.width,
    height: size?.height ?? DEFAULT_NODE_SIZE.height,
  }
}

export function groupRect(group: GraphGroup): Rect {
  return { x: group.position.x, y: group.position.y, width: group.width, height: group.height }
}

function centre(rect: Rect): Point {
  return { x: rect.x + rect.width / 2, y: rect.y + rect.height / 2 }
}

function holds(rect: Rect, point: Point): boolean {
  return point.x >= rect.x && point.x <= rect.x + rect.width && point.y >= rect.y && point.y <= rect.y + rect.height
}

function clampExtent(value: number, min: number): number {
  return Math.min(EXTENT_MAX, Math.max(min, Math.round(value)))
}

/** The box a new group gets around `nodes`: their bounds, padded, with a band for the label. */
export function rectAround(nodes: readonly GraphNode[], sizes: Sizes = {}): Rect {
  const rects = nodes.map((node) => nodeRect(node, sizes))
  const left = Math.min(...rects.map((rect) => rect.x))
  const top = Math.min(...rects.map((rect) => rect.y))
  const right = Math.max(...rects.map((rect) => rect.x + rect.width))
  const bottom = Math.max(...rects.map((rect) => rect.y + rect.height))
  const x = left - GROUP_PADDING.side
  const y = top - GROUP_PADDING.top
  return {
    x,
    y,
    width: clampExtent(right + GROUP_PADDING.side - x, GROUP_MIN.width),
    height: clampExtent(bottom + GROUP_PADDING.bottom - y, GROUP_MIN.height),
  }
}

/**
 * Positions applied to nodes, pipeline inputs, notes and groups (ids it does not know are ignored). A group
 * that moves takes its members along by the same amount, unless they are given a position
 * of their own (they were dragged with it).
 */
export function moveItems(document: EditorDocument, positions: Readonly<Record<string, Point>>): EditorDocument {
  const at = (id: string): Point | undefined => positions[id]
  const shift = new Map<string, Point>()
  const groups = groupsOf(document).map((group) => {
    const next = at(group.id)
    if (!next) return group
    const dx = next.x - group.position.x
    const dy = next.y - group.position.y
    for (const member of group.nodes) if (!at(member)) shift.set(member, { x: dx, y: dy })
    return { ...group, position: { x: next.x, y: next.y } }
  })
  const nodes = document.nodes.map((node) => {
    const next = at(node.id)
    if (next) return { ...node, position: { x: next.x, y: next.y } }
    const delta = shift.get(node.id)
    if (!delta || (delta.x === 0 && delta.y === 0)) return node
    return { ...node, position: { x: node.position.x + delta.x, y: node.position.y + delta.y } }
  })
  const notes = notesOf(document).map((note) => {
    const next = at(note.id)
    return next ? { ...note, position: { x: next.x, y: next.y } } : note
  })
  const inputs = (document.inputs ?? []).map((input) => {
    const next = at(input.name)
    return next ? { ...input, position: { x: next.x, y: next.y } } : input
  })
  return withAnnotations({ ...document, nodes, inputs }, notes, groups)
}

/** Ids of the items `moveItems` would change: those given and the members of moved groups. */
export function movedIds(document: EditorDocument, positions: Readonly<Record<string, Point>>): string[] {
  const known = canvasIds(document)
  const ids = new Set(Object.keys(positions).filter((id) => known.has(id)))
  for (const group of groupsOf(document)) if (positions[group.id]) for (const member of group.nodes) ids.add(member)
  return [...ids]
}

/** Removes `nodeIds` from every group's members. */
function withoutMembers(groups: GraphGroup[], nodeIds: ReadonlySet<string>): GraphGroup[] {
  return groups.map((group) =>
    group.nodes.some((id) => nodeIds.has(id)) ? { ...group, nodes: group.nodes.filter((id) => !nodeIds.has(id)) } : group,
  )
}

/**
 * Each of `nodeIds` joins the smallest group that holds its centre, or leaves its group
 * when none does (after a drag, nodes follow what the person sees).
 */
export function regroup(document: EditorDocument, nodeIds: readonly string[], sizes: Sizes = {}): EditorDocument {
  const groups = groupsOf(document)
  if (!groups.length || !nodeIds.length) return document
  const wanted = new Set(nodeIds)
  const owner = new Map<string, string>()
  for (const group of groups) for (const member of group.nodes) owner.set(member, group.id)
  const moves = new Map<string, string | null>()
  for (const node of document.nodes) {
    if (!wanted.has(node.id)) continue
    const point = centre(nodeRect(node, sizes))
    let best: GraphGroup | null = null
    for (const group of groups) {
      if (!holds(groupRect(group), point)) continue
      if (!best || group.width * group.height < best.width * best.height) best = group
    }
    const target = best?.id ?? null
    if ((owner.get(node.id) ?? null) !== target) moves.set(node.id, target)
  }
  if (!moves.size) return document
  const moving = new Set(moves.keys())
  const next = withoutMembers(groups, moving).map((group) => {
    const joining = [...moves].filter(([, target]) => target === group.id).map(([id]) => id)
    return joining.length ? { ...group, nodes: [...group.nodes, ...joining] } : group
  })
  return withAnnotations(document, notesOf(document), next)
}

/** Each group with members fitted around them again (after a layout moved them). */
export function fitGroups(document: EditorDocument, sizes: Sizes = {}): EditorDocument {
  const byId = new Map(document.nodes.map((node) => [node.id, node]))
  let changed = false
  const groups = groupsOf(document).map((group) => {
    const members = group.nodes.flatMap((id) => byId.get(id) ?? [])
    if (!members.length) return group
    const rect = rectAround(members, sizes)
    const same =
      rect.x === group.position.x && rect.y === group.position.y && rect.width === group.width && rect.height === group.height
    if (same) return group
    changed = true
    return { ...group, position: { x: rect.x, y: rect.y }, width: rect.width, height: rect.height }
  })
  return changed ? withAnnotations(document, notesOf(document), groups) : document
}

/** A new group `id` around `nodeIds` (taken out of any group they were in). */
export function groupNodes(
  document: EditorDocument,
  nodeIds: readonly string[],
  id: string,
  sizes: Sizes = {},
): EditorDocument {
  const wanted = new Set(nodeIds)
  const members = document.nodes.filter((node) => wanted.has(node.id))
  if (!members.length) return document
  const rect = rectAround(members, sizes)
  const group: GraphGroup = {
    id,
    label: '',
    position: { x: rect.x, y: rect.y },
    width: rect.width,
    height: rect.height,
    nodes: members.map((node) => node.id),
  }
  const memberIds = new Set(group.nodes)
  // Behind every other group: a group made inside another one stays clickable.
  return withAnnotations(document, notesOf(document), [...withoutMembers(groupsOf(document), memberIds), group])
}

/** Dissolves the groups `groupIds` (their nodes stay) and takes `nodeIds` out of theirs. */
export function ungroup(
  document: EditorDocument,
  groupIds: readonly string[],
  nodeIds: readonly string[] = [],
): EditorDocument {
  const dissolved = new Set(groupIds)
  const leaving = new Set(nodeIds)
  const groups = groupsOf(document)
  const touched = groups.some((group) => dissolved.has(group.id) || group.nodes.some((id) => leaving.has(id)))
  if (!touched) return document
  const kept = withoutMembers(
    groups.filter((group) => !dissolved.has(group.id)),
    leaving,
  )
  return withAnnotations(document, notesOf(document), kept)
}

/** Notes and groups without the deleted ones, and groups without deleted member nodes. */
export function removeAnnotations(
  document: EditorDocument,
  deleted: { nodes: readonly string[]; notes: readonly string[]; groups: readonly string[] },
): EditorDocument {
  const notes = new Set(deleted.notes)
  const groups = new Set(deleted.groups)
  const nodes = new Set(deleted.nodes)
  return withAnnotations(
    document,
    notesOf(document).filter((note) => !notes.has(note.id)),
    withoutMembers(
      groupsOf(document).filter((group) => !groups.has(group.id)),
      nodes,
    ),
  )
}

export function newNote(id: string, position: Point, text = ''): GraphNote {
  return { id, text, position: { x: position.x, y: position.y }, width: NOTE_SIZE.width, height: NOTE_SIZE.height }
}

/**
 * Copies of `notes` and `groups` with ids not in `taken` (which grows), shifted by `offset`;
 * group members are renamed through `nodeIds` (copied nodes), and those not copied dropped.
 */
export function cloneAnnotations(
  notes: readonly GraphNote[],
  groups: readonly GraphGroup[],
  nodeIds: ReadonlyMap<string, string>,
  taken: Set<string>,
  offset: number,
  uniqueId: (base: string, taken: ReadonlySet<string>) => string,
): { notes: GraphNote[]; groups: GraphGroup[] } {
  const fresh = (old: string, fallback: string) => {
    const id = uniqueId(old.replace(/_\d+$/, '') || fallback, taken)
    taken.add(id)
    return id
  }
  const shifted = (position: Point) => ({ x: position.x + offset, y: position.y + offset })
  return {
    notes: notes.map((note) => ({ ...structuredClone(note), id: fresh(note.id, 'note'), position: shifted(note.position) })),
    groups: groups.map((group) => ({
      ...structuredClone(group),
      id: fresh(group.id, 'group'),
      position: shifted(group.position),
      nodes: group.nodes.flatMap((id) => nodeIds.get(id) ?? []),
    })),
  }
}
