// The editor store with notes and groups: editing, grouping, undo/redo, clipboard, import
// and export.

import { describe, expect, it } from 'vitest'
import type { Graph } from '../../api/types'
import { parseDocument } from '../document'
import { PASTE_OFFSET, createEditorStore } from '../store'
import { OPERATIONS } from '../testOperations'
import { DEFAULT_NODE_SIZE, GROUP_PADDING } from './annotations'

/** load -> train, with a note, and a group around both. */
function annotatedDocument(): Graph {
  return {
    nodes: [
      { id: 'load', operation: 1, label: '', params: {}, position: { x: 0, y: 0 } },
      { id: 'train', operation: 2, label: '', params: { epochs: 3 }, position: { x: 300, y: 0 } },
    ],
    edges: [{ id: 'e1', source: 'load', source_port: 'data', target: 'train', target_port: 'data' }],
    inputs: [],
    notes: [
      {
        id: 'note',
        text: 'Check <script>alert(1)</script> later',
        position: { x: 0, y: -200 },
        width: 240,
        height: 140,
        color: 'pink',
      },
    ],
    groups: [
      {
        id: 'group',
        label: 'Training',
        position: { x: -40, y: -60 },
        width: 620,
        height: 200,
        nodes: ['load', 'train'],
      },
    ],
  }
}

function plainDocument(): Graph {
  const { notes: _notes, groups: _groups, ...graph } = annotatedDocument()
  return graph
}

function editor(document: Graph = annotatedDocument()) {
  return createEditorStore({ operations: OPERATIONS, document })
}

describe('notes', () => {
  it('adds a note selected and open for typing, edits it, and undoes both steps', () => {
    // given
    const store = editor(plainDocument())
    // when
    const added = store.getState().addNote({ x: 100, y: 80 })
    // then
    expect(added).toEqual({ ok: true, id: 'note' })
    expect(store.getState().document.notes).toEqual([
      { id: 'note', text: '', position: { x: 100, y: 80 }, width: 240, height: 140 },
    ])
    expect(store.getState().selection.notes).toEqual(['note'])
    expect(store.getState().editing).toBe('note')
    expect(store.getState().dirty).toBe(true)

    expect(store.getState().setNoteText('note', 'Hello <b>world</b>')).toEqual({ ok: true })
    expect(store.getState().document.notes![0]!.text).toBe('Hello <b>world</b>')
    store.getState().undo()
    expect(store.getState().document.notes![0]!.text).toBe('')
    store.getState().undo()
    expect(store.getState().document.notes).toBeUndefined()
    expect(store.getState().dirty).toBe(false)
    store.getState().redo()
    store.getState().redo()
    expect(store.getState().document.notes![0]!.text).toBe('Hello <b>world</b>')
  })

  it('gives notes ids no node, note or group has', () => {
    const store = editor({ ...plainDocument(), nodes: [{ id: 'note', operation: 1, label: '', params: {}, position: { x: 0, y: 0 } }] })
    expect(store.getState().addNote({ x: 0, y: 0 })).toMatchObject({ id: 'note_2' })
    expect(store.getState().addNote({ x: 0, y: 0 })).toMatchObject({ id: 'note_3' })
    // and a node added later does not take a note's id
    expect(editor().getState().addNode(1, { x: 0, y: 0 })).toMatchObject({ id: 'load_2' })
  })

  it('refuses text that is too long, and a change to nothing is no step', () => {
    const store = editor()
    expect(store.getState().setNoteText('note', 'x'.repeat(5001))).toEqual({
      ok: false,
      reason: 'a note has at most 5000 characters',
    })
    expect(store.getState().setNoteText('ghost', 'hi')).toMatchObject({ ok: false })
    store.getState().setNoteText('note', annotatedDocument().notes![0]!.text)
    expect(store.getState().canUndo).toBe(false)
    expect(store.getState().dirty).toBe(false)
  })

  it('sets and clears a colour, and resizes within bounds', () => {
    const store = editor()
    store.getState().setAnnotationColor('note', 'green')
    expect(store.getState().document.notes![0]!.color).toBe('green')
    store.getState().setAnnotationColor('note', null)
    expect(store.getState().document.notes![0]).not.toHaveProperty('color')
    expect(store.getState().resizeAnnotation('note', { x: -20, y: -220, width: 300, height: 180 })).toEqual({ ok: true })
    expect(store.getState().document.notes![0]).toMatchObject({ position: { x: -20, y: -220 }, width: 300, height: 180 })
    expect(store.getState().resizeAnnotation('note', { x: 0, y: 0, width: 5, height: 180 })).toMatchObject({ ok: false })
  })

  it('deletes selected notes and groups, keeping the grouped nodes', () => {
    // given
    const store = editor()
    store.getState().select({ notes: ['note'], groups: ['group'] })
    // when
    store.getState().deleteSelection()
    // then
    const { document, selection } = store.getState()
    expect(document.notes).toBeUndefined()
    expect(document.groups).toBeUndefined()
    expect(document.nodes.map((node) => node.id)).toEqual(['load', 'train'])
    expect(selection).toEqual({ nodes: [], edges: [], notes: [], groups: [] })
    store.getState().undo()
    expect(store.getState().document).toEqual(annotatedDocument())
  })

  it('takes a deleted node out of its group', () => {
    const store = editor()
    store.getState().select({ nodes: ['load'] })
    store.getState().deleteSelection()
    expect(store.getState().document.groups![0]!.nodes).toEqual(['train'])
  })
})

describe('groups', () => {
  it('groups the selected nodes in a box around them, and ungroups', () => {
    // given
    const store = editor(plainDocument())
    store.getState().select({ nodes: ['load', 'train'] })
    // when
    const grouped = store.getState().groupSelection({ load: { width: 200, height: 80 } })
    // then: train is not measured, so it has the default size
    expect(grouped).toEqual({ ok: true, id: 'group' })
    const [group] = store.getState().document.groups!
    expect(group).toEqual({
      id: 'group',
      label: '',
      position: { x: -GROUP_PADDING.side, y: -GROUP_PADDING.top },
      width: 300 + DEFAULT_NODE_SIZE.width + 2 * GROUP_PADDING.side,
      height: DEFAULT_NODE_SIZE.height + GROUP_PADDING.top + GROUP_PADDING.bottom,
      nodes: ['load', 'train'],
    })
    expect(store.getState().selection.groups).toEqual(['group'])

    store.getState().ungroupSelection()
    expect(store.getState().document.groups).toBeUndefined()
    expect(store.getState().document.nodes).toHaveLength(2)
    store.getState().undo()
    expect(store.getState().document.groups).toHaveLength(1)
  })

  it('refuses to group without selected nodes', () => {
    const store = editor(plainDocument())
    expect(store.getState().groupSelection()).toEqual({ ok: false, reason: 'select the nodes to group first' })
    expect(store.getState().canUndo).toBe(false)
  })

  it('moves a node into a new group out of its old one, and ungroups selected nodes alone', () => {
    const store = editor()
    store.getState().select({ nodes: ['train'] })
    store.getState().groupSelection()
    expect(store.getState().document.groups!.map((group) => [group.id, group.nodes])).toEqual([
      ['group', ['load']],
      ['group_2', ['train']],
    ])
    store.getState().select({ nodes: ['load'] })
    store.getState().ungroupSelection()
    expect(store.getState().document.groups!.map((group) => [group.id, group.nodes])).toEqual([
      ['group', []],
      ['group_2', ['train']],
    ])
  })

  it('renames a group, refusing a label that is too long', () => {
    const store = editor()
    expect(store.getState().setGroupLabel('group', 'Model')).toEqual({ ok: true })
    expect(store.getState().document.groups![0]!.label).toBe('Model')
    expect(store.getState().setGroupLabel('group', 'x'.repeat(201))).toMatchObject({ ok: false })
    expect(store.getState().setGroupLabel('note', 'x')).toEqual({ ok: false, reason: 'unknown group note' })
  })

  it('moves its members when the group moves, as one undo step', () => {
    // given
    const store = editor()
    // when the group is dragged in two steps
    store.getState().moveNodes({ group: { x: 60, y: -60 } })
    store.getState().moveNodes({ group: { x: 160, y: 40 } })
    store.getState().endMove()
    // then the nodes moved by as much
    const { document } = store.getState()
    expect(document.groups![0]!.position).toEqual({ x: 160, y: 40 })
    expect(document.nodes.map((node) => node.position)).toEqual([
      { x: 200, y: 100 },
      { x: 500, y: 100 },
    ])
    expect(document.notes![0]!.position).toEqual({ x: 0, y: -200 })
    store.getState().undo()
    expect(store.getState().document).toEqual(annotatedDocument())
  })

  it('does not move a member twice when it was dragged along with its group', () => {
    const store = editor()
    store.getState().moveNodes({ group: { x: 60, y: -60 }, load: { x: 100, y: 0 } })
    expect(store.getState().document.nodes.map((node) => node.position)).toEqual([
      { x: 100, y: 0 },
      { x: 400, y: 0 },
    ])
  })

  it('after a drag, a node joins the group it lands in and leaves the one it left', () => {
    const store = editor(plainDocument())
    store.getState().select({ nodes: ['load'] })
    store.getState().groupSelection()
    // train dropped inside the group joins it
    store.getState().moveNodes({ train: { x: 20, y: 40 } }, { regroup: true })
    expect(store.getState().document.groups![0]!.nodes).toEqual(['load', 'train'])
    // load dropped far away leaves it
    store.getState().moveNodes({ load: { x: 2000, y: 2000 } }, { regroup: true })
    expect(store.getState().document.groups![0]!.nodes).toEqual(['train'])
  })

  it('fits groups around their members after a layout', () => {
    const store = editor()
    store.getState().moveNodes({ load: { x: 1000, y: 1000 }, train: { x: 1300, y: 1000 } }, { fitGroups: true })
    expect(store.getState().document.groups![0]).toMatchObject({
      position: { x: 1000 - GROUP_PADDING.side, y: 1000 - GROUP_PADDING.top },
      nodes: ['load', 'train'],
    })
  })
})

describe('copy, paste and duplicate', () => {
  it('pastes a copied group with its nodes and the edges among them', () => {
    // given
    const store = editor()
    store.getState().select({ groups: ['group'] })
    store.getState().copy()
    // when
    const pasted = store.getState().paste()
    // then
    expect(pasted).toEqual(['load_2', 'train_2', 'group_2'])
    const { document, selection } = store.getState()
    const copy = document.groups!.find((group) => group.id === 'group_2')!
    expect(copy).toMatchObject({
      label: 'Training',
      position: { x: -40 + PASTE_OFFSET, y: -60 + PASTE_OFFSET },
      nodes: ['load_2', 'train_2'],
    })
    expect(document.edges.map((edge) => `${edge.source}->${edge.target}`)).toEqual(['load->train', 'load_2->train_2'])
    expect(selection).toEqual({
      nodes: ['load_2', 'train_2'],
      edges: ['load_2.data->train_2.data'],
      notes: [],
      groups: ['group_2'],
    })
    expect(parseDocument(document, OPERATIONS)).toMatchObject({ ok: true })
    store.getState().undo()
    expect(store.getState().document).toEqual(annotatedDocument())
  })

  it('duplicates selected notes, and copies a node without the group it is in', () => {
    const store = editor()
    store.getState().select({ notes: ['note'], nodes: ['train'] })
    expect(store.getState().duplicate()).toEqual(['train_2', 'note_2'])
    const { document } = store.getState()
    expect(document.notes!.map((note) => [note.id, note.text, note.color])).toEqual([
      ['note', 'Check <script>alert(1)</script> later', 'pink'],
      ['note_2', 'Check <script>alert(1)</script> later', 'pink'],
    ])
    expect(document.groups!.map((group) => group.nodes)).toEqual([['load', 'train']])
  })

  it('selects all nodes, edges, notes and groups', () => {
    const store = editor()
    store.getState().selectAll()
    expect(store.getState().selection).toEqual({
      nodes: ['load', 'train'],
      edges: ['e1'],
      notes: ['note'],
      groups: ['group'],
    })
  })

  it('adds notes and groups to the selection with modifiers', () => {
    const store = editor()
    store.getState().select({ nodes: ['load'] })
    store.getState().select({ notes: ['note', 'ghost'] }, 'add')
    store.getState().select({ groups: ['group'], nodes: ['load'] }, 'toggle')
    expect(store.getState().selection).toEqual({ nodes: [], edges: [], notes: ['note'], groups: ['group'] })
  })
})

describe('the document with notes and groups', () => {
  it('exports and imports them unchanged, and leaves them out when there are none', () => {
    // given
    const store = editor()
    const exported = store.getState().exportDocument()
    // when
    const other = editor(plainDocument())
    const outcome = other.getState().importDocument(JSON.stringify(exported))
    // then
    expect(exported).toEqual(annotatedDocument())
    expect(outcome).toEqual({ ok: true })
    expect(other.getState().document).toEqual(annotatedDocument())
    expect(other.getState().dirty).toBe(true)
    expect(Object.keys(editor(plainDocument()).getState().exportDocument())).toEqual(['nodes', 'edges', 'inputs'])
  })

  it('refuses an import with bad notes or groups, listing every problem', () => {
    // given
    const store = editor(plainDocument())
    const bad = {
      ...annotatedDocument(),
      notes: [
        { id: 'note', text: 'x'.repeat(5001), position: { x: 'left', y: 0 }, width: 240, height: 140, html: '<b>' },
        { id: 'n1', text: '', position: { x: 0, y: 0 }, width: 240, height: 140, color: 'red' },
        { id: 'train', text: '', position: { x: 0, y: 0 }, width: 240, height: 140 },
        { id: 'sticky', text: '', position: { x: 0, y: 0 }, width: 240, height: 140 },
      ],
      groups: [
        { id: 'group', label: '', position: { x: 0, y: 0 }, width: 5, height: 100, nodes: ['load'] },
        { id: 'sticky', label: '', position: { x: 0, y: 0 }, width: 300, height: 100, nodes: ['load'] },
        { id: 'other', label: '', position: { x: 0, y: 0 }, width: 300, height: 100, nodes: ['load', 'train'] },
      ],
    }
    // when
    const outcome = store.getState().importDocument(bad)
    // then
    expect(outcome).toEqual({
      ok: false,
      problems: [
        'notes.0: unknown field "html"',
        'notes.0.position: x and y must be numbers',
        'notes.0.text: must be text of at most 5000 characters',
        'notes.1.color: unknown colour "red"',
        'groups.0.width: must be a number from 20 to 20000',
        'note id "train" is also a node id',
        'group id "sticky" is also a note id',
        'node "load" is in two groups: "sticky" and "other"',
      ],
    })
    expect(store.getState().document).toEqual(plainDocument())
    expect(store.getState().canUndo).toBe(false)
  })

  it('refuses groups naming unknown nodes or a node twice', () => {
    const result = parseDocument(
      {
        ...plainDocument(),
        groups: [{ id: 'g', label: '', position: { x: 0, y: 0 }, width: 300, height: 200, nodes: ['load', 'load', 'ghost'] }],
      },
      OPERATIONS,
    )
    expect(result).toEqual({
      ok: false,
      problems: ['group "g" names node "load" twice', 'group "g" names unknown node "ghost"'],
    })
  })
})
