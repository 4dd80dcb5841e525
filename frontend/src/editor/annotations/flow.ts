// Notes and groups as React Flow nodes (pure; tested alone), and what the minimap draws.

import type { Node, NodeChange } from '@xyflow/react'
import type { AnnotationColor } from '../../api/types'
import type { OperationFlowNode } from '../../lib/graph'
import type { EditorDocument } from '../document'
import type { InputFlowNode } from '../inputs/flow'
import { groupsOf, notesOf } from './annotations'

export type NoteNodeData = { text: string; color: AnnotationColor | null }
export type NoteFlowNode = Node<NoteNodeData, 'note'>

export type GroupNodeData = { label: string; color: AnnotationColor | null; memberCount: number }
/** Not "group": React Flow has a built-in node type of that name. */
export type GroupFlowNode = Node<GroupNodeData, 'nodeGroup'>

export type EditorFlowNode = OperationFlowNode | InputFlowNode | NoteFlowNode | GroupFlowNode

/**
 * Groups are drawn behind nodes and edges, even when selected (React Flow lifts a selected
 * node by 1000).
 */
export const GROUP_Z_INDEX = -2000

export function toAnnotationFlowNodes(document: EditorDocument): { groups: GroupFlowNode[]; notes: NoteFlowNode[] } {
  return {
    groups: groupsOf(document).map((group) => ({
      id: group.id,
      type: 'nodeGroup',
      position: { x: group.position.x, y: group.position.y },
      width: group.width,
      height: group.height,
      zIndex: GROUP_Z_INDEX,
      dragHandle: '.group-node-header',
      ariaLabel: `Group ${group.label || group.id}`,
      data: { label: group.label, color: group.color ?? null, memberCount: group.nodes.length },
    })),
    notes: notesOf(document).map((note) => ({
      id: note.id,
      type: 'note',
      position: { x: note.position.x, y: note.position.y },
      width: note.width,
      height: note.height,
      ariaLabel: `Note: ${note.text.slice(0, 80) || 'empty'}`,
      data: { text: note.text, color: note.color ?? null },
    })),
  }
}

/**
 * The changes of a drag, plus the moves of the members of a dragged group (by the group's
 * step), so that they follow it on screen. Members dragged themselves are left alone.
 */
export function withMembersFollowing<N extends Node>(
  changes: NodeChange<N>[],
  nodes: readonly N[],
  document: EditorDocument,
): NodeChange<N>[] {
  const groups = groupsOf(document)
  if (!groups.length) return changes
  const moving = new Set(changes.flatMap((change) => (change.type === 'position' && change.position ? [change.id] : [])))
  const byId = new Map(nodes.map((node) => [node.id, node]))
  const extra: NodeChange<N>[] = []
  for (const change of changes) {
    if (change.type !== 'position' || !change.position) continue
    const group = groups.find((candidate) => candidate.id === change.id)
    const before = group && byId.get(group.id)
    if (!group || !before) continue
    const dx = change.position.x - before.position.x
    const dy = change.position.y - before.position.y
    if (!dx && !dy) continue
    for (const id of group.nodes) {
      const member = byId.get(id)
      if (!member || moving.has(id)) continue
      extra.push({
        type: 'position',
        id,
        position: { x: member.position.x + dx, y: member.position.y + dy },
        dragging: change.dragging,
      })
    }
  }
  return extra.length ? [...changes, ...extra] : changes
}

/** Minimap fill of a canvas node: theme colours (CSS variables), so dark mode follows. */
export function minimapNodeColor(node: Node): string {
  const color = (node.data as { color?: AnnotationColor | null } | undefined)?.color
  if (node.type === 'note') return `var(--annotation-${color ?? 'yellow'}-bg)`
  if (node.type === 'nodeGroup') return `var(--annotation-${color ?? 'gray'}-head)`
  if (node.type === 'pipelineInput') return 'var(--accent-soft)'
  return 'var(--minimap-node)'
}

export function minimapNodeStroke(node: Node): string {
  const color = (node.data as { color?: AnnotationColor | null } | undefined)?.color
  if (node.type === 'note') return `var(--annotation-${color ?? 'yellow'}-border)`
  if (node.type === 'nodeGroup') return `var(--annotation-${color ?? 'gray'}-border)`
  if (node.type === 'pipelineInput') return 'var(--accent)'
  return 'var(--minimap-node-stroke)'
}
