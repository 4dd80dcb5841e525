import { describe, expect, it } from 'vitest'
import type { Graph } from '../api/types'
import { HISTORY_LIMIT } from './history'
import { createEditorStore, PASTE_OFFSET } from './store'
import { LOAD, OPERATIONS, STEP, TRAIN } from './testOperations'

function editor(document?: Graph) {
  return createEditorStore({ operations: OPERATIONS, document })
}

/** load -> train, with train's epochs param set. */
function sampleDocument(): Graph {
  return {
    nodes: [
      { id: 'load', operation: 1, label: 'Load <b>data</b>', params: {}, position: { x: 0, y: 0 } },
      { id: 'train', operation: 2, label: '', params: { epochs: 3 }, position: { x: 200, y: 0 } },
    ],
    edges: [{ id: 'e1', source: 'load', source_port: 'data', target: 'train', target_port: 'data' }],
    inputs: [{ name: 'seed', type: 'int', default: 1 }],
  }
}

describe('addNode', () => {
  it('derives unique ids from the operation slug', () => {
    const store = editor()
    expect(store.getState().addNode(TRAIN, { x: 0, y: 0 })).toEqual({ ok: true, id: 'train' })
    expect(store.getState().addNode(TRAIN, { x: 10, y: 0 })).toMatchObject({ id: 'train_2' })
    expect(store.getState().addNode(2, { x: 20, y: 0 })).toMatchObject({ id: 'train_3' })
    const [node] = store.getState().document.nodes
    expect(node).toEqual({ id: 'train', operation: 2, label: '', params: {}, position: { x: 0, y: 0 } })
    expect(store.getState().selection.nodes).toEqual(['train_3'])
  })

  it('refuses an operation missing from the catalogue', () => {
    const store = editor()
    expect(store.getState().addNode(99, { x: 0, y: 0 })).toEqual({
      ok: false,
      reason: 'unknown operation 99',
    })
    expect(store.getState().document.nodes).toEqual([])
  })
})

describe('connect', () => {
  function threeNodes() {
    const store = editor()
    const s = store.getState()
    s.addNode(LOAD, { x: 0, y: 0 })
    s.addNode(TRAIN, { x: 0, y: 0 })
    s.addNode(STEP, { x: 0, y: 0 })
    s.addNode(STEP, { x: 0, y: 0 })
    return store
  }

  it('adds an edge between compatible ports', () => {
    const store = threeNodes()
    expect(store.getState().connect('load', 'data', 'train', 'data')).toEqual({ ok: true })
    expect(store.getState().document.edges).toEqual([
      { id: 'load.data->train.data', source: 'load', source_port: 'data', target: 'train', target_port: 'data' },
    ])
  })

  it('allows widening (int output into a float input)', () => {
    const store = threeNodes()
    expect(store.getState().connect('load', 'count', 'train', 'epochs')).toEqual({ ok: true })
  })

  it('refuses unknown nodes and ports', () => {
    const s = threeNodes().getState()
    expect(s.connect('nope', 'data', 'train', 'data')).toEqual({ ok: false, reason: 'unknown node nope' })
    expect(s.connect('load', 'nope', 'train', 'data')).toEqual({
      ok: false,
      reason: 'node load has no output port "nope"',
    })
    expect(s.connect('load', 'data', 'train', 'nope')).toEqual({
      ok: false,
      reason: 'node train has no input port "nope"',
    })
    // An input name is not an output.
    expect(s.connect('train', 'data', 'step', 'value')).toMatchObject({ ok: false })
  })

  it('refuses incompatible port types', () => {
    const s = threeNodes().getState()
    expect(s.connect('load', 'data', 'step', 'value')).toEqual({
      ok: false,
      reason: 'type mismatch: file output cannot feed a json input',
    })
    expect(s.connect('train', 'score', 'train_2' as string, 'data')).toMatchObject({ ok: false })
  })

  it('refuses a second edge into the same input port', () => {
    const store = threeNodes()
    store.getState().connect('step', 'value', 'step_2', 'value')
    store.getState().addNode(STEP, { x: 0, y: 0 })
    expect(store.getState().connect('step_3', 'value', 'step_2', 'value')).toEqual({
      ok: false,
      reason: 'input step_2.value is already connected (from step.value)',
    })
    expect(store.getState().document.edges).toHaveLength(1)
  })

  it('refuses self-loops and cycles, naming the cycle', () => {
    const store = threeNodes()
    expect(store.getState().connect('step', 'value', 'step', 'value')).toEqual({
      ok: false,
      reason: 'a node cannot feed itself',
    })
    store.getState().addNode(STEP, { x: 0, y: 0 })
    store.getState().connect('step', 'value', 'step_2', 'value')
    store.getState().connect('step_2', 'value', 'step_3', 'value')
    expect(store.getState().connect('step_3', 'value', 'step', 'value')).toEqual({
      ok: false,
      reason: 'would create a cycle: step_3 → step → step_2 → step_3',
    })
    expect(store.getState().document.edges).toHaveLength(2)
  })

  it('does not change history when refused', () => {
    const store = threeNodes()
    const before = store.getState().document
    store.getState().connect('load', 'data', 'step', 'value')
    expect(store.getState().document).toBe(before)
  })
})

describe('setParam', () => {
  function withTrain() {
    const store = editor()
    store.getState().addNode(TRAIN, { x: 0, y: 0 })
    return store
  }

  it('stores values that suit the parameter type', () => {
    const store = withTrain()
    const s = store.getState()
    expect(s.setParam('train', 'epochs', 5)).toEqual({ ok: true })
    expect(s.setParam('train', 'lr', 0.01)).toEqual({ ok: true })
    expect(s.setParam('train', 'name', 'run')).toEqual({ ok: true })
    expect(s.setParam('train', 'shuffle', false)).toEqual({ ok: true })
    expect(s.setParam('train', 'extra', { layers: [1, 2] })).toEqual({ ok: true })
    expect(store.getState().document.nodes[0]!.params).toEqual({
      epochs: 5,
      lr: 0.01,
      name: 'run',
      shuffle: false,
      extra: { layers: [1, 2] },
    })
  })

  it('refuses values of the wrong type with a reason', () => {
    const s = withTrain().getState()
    expect(s.setParam('train', 'epochs', 2.5)).toEqual({
      ok: false,
      reason: 'parameter "epochs" must be of type int',
    })
    expect(s.setParam('train', 'epochs', true)).toMatchObject({ ok: false })
    expect(s.setParam('train', 'lr', '0.1')).toMatchObject({ ok: false })
    expect(s.setParam('train', 'name', 1)).toMatchObject({ ok: false })
    expect(s.setParam('train', 'shuffle', 'yes')).toMatchObject({ ok: false })
    expect(s.setParam('train', 'extra', () => 1)).toMatchObject({ ok: false })
  })

  it('refuses unknown nodes and parameters', () => {
    const s = withTrain().getState()
    expect(s.setParam('nope', 'epochs', 1)).toEqual({ ok: false, reason: 'unknown node nope' })
    expect(s.setParam('train', 'nope', 1)).toEqual({ ok: false, reason: 'unknown parameter "nope"' })
  })

  it('returns to the default when given undefined', () => {
    const store = withTrain()
    store.getState().setParam('train', 'epochs', 5)
    store.getState().setParam('train', 'epochs', undefined)
    expect(store.getState().document.nodes[0]!.params).toEqual({})
  })
})

describe('selection and deleteSelection', () => {
  it('deletes selected nodes together with their edges', () => {
    const store = editor(sampleDocument())
    store.getState().select({ nodes: ['load'] })
    store.getState().deleteSelection()
    const { document, selection } = store.getState()
    expect(document.nodes.map((node) => node.id)).toEqual(['train'])
    expect(document.edges).toEqual([])
    expect(selection).toEqual({ nodes: [], edges: [], notes: [], groups: [] })
  })

  it('deletes selected edges only', () => {
    const store = editor(sampleDocument())
    store.getState().select({ edges: ['e1'] })
    store.getState().deleteSelection()
    expect(store.getState().document.nodes).toHaveLength(2)
    expect(store.getState().document.edges).toEqual([])
  })

  it('adds to, toggles and ignores unknown ids in the selection', () => {
    const store = editor(sampleDocument())
    const s = store.getState()
    s.select({ nodes: ['load', 'ghost'] })
    expect(store.getState().selection.nodes).toEqual(['load'])
    s.select({ nodes: ['train'] }, 'add')
    expect(store.getState().selection.nodes).toEqual(['load', 'train'])
    s.select({ nodes: ['load'] }, 'toggle')
    expect(store.getState().selection.nodes).toEqual(['train'])
    s.selectAll()
    expect(store.getState().selection).toEqual({ nodes: ['load', 'train', 'seed'], edges: ['e1'], notes: [], groups: [] })
    s.clearSelection()
    expect(store.getState().selection).toEqual({ nodes: [], edges: [], notes: [], groups: [] })
  })

  it('keeps the same selection through an edit that leaves it whole', () => {
    // given
    const store = editor(sampleDocument())
    store.getState().select({ nodes: ['load'], edges: ['e1'] })
    const before = store.getState().selection

    // when
    store.getState().moveNodes({ load: { x: 40, y: 20 } })

    // then: the canvas has nothing to redraw for the selection
    expect(store.getState().selection).toBe(before)
  })
})

describe('copy, paste and duplicate', () => {
  it('pastes copies with new ids, offset positions and their internal edges', () => {
    const store = editor(sampleDocument())
    store.getState().selectAll()
    store.getState().copy()
    const ids = store.getState().paste()
    // The pipeline input `seed` is copied too, under a new name.
    expect(ids).toEqual(['load_2', 'train_2', 'seed_2'])
    const { document, selection } = store.getState()
    const pasted = document.nodes.find((node) => node.id === 'train_2')!
    expect(pasted.position).toEqual({ x: 200 + PASTE_OFFSET, y: PASTE_OFFSET })
    expect(pasted.params).toEqual({ epochs: 3 })
    expect(document.edges.at(-1)).toMatchObject({ source: 'load_2', target: 'train_2' })
    expect(selection.nodes).toEqual(['load_2', 'train_2', 'seed_2'])
    // A second paste goes further.
    expect(store.getState().paste()).toEqual(['load_3', 'train_3', 'seed_3'])
    expect(store.getState().document.nodes.at(-1)!.position).toEqual({
      x: 200 + 2 * PASTE_OFFSET,
      y: 2 * PASTE_OFFSET,
    })
  })

  it('drops edges that leave the copied selection', () => {
    const store = editor(sampleDocument())
    store.getState().select({ nodes: ['train'] })
    expect(store.getState().duplicate()).toEqual(['train_2'])
    expect(store.getState().document.edges).toHaveLength(1)
  })

  it('does nothing without a selection or clipboard', () => {
    const store = editor(sampleDocument())
    expect(store.getState().paste()).toEqual([])
    expect(store.getState().duplicate()).toEqual([])
    expect(store.getState().canUndo).toBe(false)
  })

  it('keeps pasted copies independent of the originals', () => {
    const store = editor(sampleDocument())
    store.getState().select({ nodes: ['train'] })
    store.getState().duplicate()
    store.getState().setParam('train_2', 'epochs', 9)
    expect(store.getState().document.nodes[1]!.params).toEqual({ epochs: 3 })
  })
})

describe('undo and redo', () => {
  it('steps back and forth through changes', () => {
    const store = editor()
    const s = store.getState()
    s.addNode(LOAD, { x: 0, y: 0 })
    s.addNode(TRAIN, { x: 0, y: 0 })
    s.connect('load', 'data', 'train', 'data')
    s.undo()
    expect(store.getState().document.edges).toEqual([])
    s.undo()
    expect(store.getState().document.nodes.map((n) => n.id)).toEqual(['load'])
    s.redo()
    s.redo()
    expect(store.getState().document.edges).toHaveLength(1)
    expect(store.getState().canRedo).toBe(false)
  })

  it('restores deleted nodes and their edges', () => {
    const store = editor(sampleDocument())
    store.getState().select({ nodes: ['load'] })
    store.getState().deleteSelection()
    store.getState().undo()
    expect(store.getState().document).toEqual(sampleDocument())
  })

  it('forgets redo steps after a new change', () => {
    const store = editor()
    store.getState().addNode(LOAD, { x: 0, y: 0 })
    store.getState().undo()
    store.getState().addNode(TRAIN, { x: 0, y: 0 })
    expect(store.getState().canRedo).toBe(false)
    store.getState().redo()
    expect(store.getState().document.nodes.map((n) => n.id)).toEqual(['train'])
  })

  it('merges consecutive moves of the same nodes into one step', () => {
    const store = editor(sampleDocument())
    const s = store.getState()
    for (let x = 1; x <= 10; x++) s.moveNodes({ load: { x, y: 0 } })
    expect(store.getState().document.nodes[0]!.position).toEqual({ x: 10, y: 0 })
    s.undo()
    expect(store.getState().document.nodes[0]!.position).toEqual({ x: 0, y: 0 })
    expect(store.getState().canUndo).toBe(false)
  })

  it('keeps moves of different nodes, or separate drags, as separate steps', () => {
    const store = editor(sampleDocument())
    const s = store.getState()
    s.moveNodes({ load: { x: 5, y: 5 } })
    s.moveNodes({ train: { x: 5, y: 5 } })
    s.endMove()
    s.moveNodes({ train: { x: 9, y: 9 } })
    s.undo()
    expect(store.getState().document.nodes[1]!.position).toEqual({ x: 5, y: 5 })
    s.undo()
    expect(store.getState().document.nodes[1]!.position).toEqual({ x: 200, y: 0 })
    s.undo()
    expect(store.getState().document.nodes[0]!.position).toEqual({ x: 0, y: 0 })
  })

  it(`keeps at most ${HISTORY_LIMIT} steps`, () => {
    const store = editor()
    for (let i = 0; i < HISTORY_LIMIT + 20; i++) store.getState().addNode(STEP, { x: i, y: 0 })
    let undone = 0
    while (store.getState().canUndo) {
      store.getState().undo()
      undone++
    }
    expect(undone).toBe(HISTORY_LIMIT)
    expect(store.getState().document.nodes).toHaveLength(20)
  })
})

describe('dirty tracking', () => {
  it('is dirty after a change and clean after markSaved', () => {
    const store = editor(sampleDocument())
    expect(store.getState().dirty).toBe(false)
    store.getState().setLabel('train', 'Fit')
    expect(store.getState().dirty).toBe(true)
    store.getState().markSaved()
    expect(store.getState().dirty).toBe(false)
  })

  it('is clean again when undo returns to the saved document, dirty when redone', () => {
    const store = editor(sampleDocument())
    store.getState().moveNodes({ load: { x: 1, y: 1 } })
    store.getState().undo()
    expect(store.getState().dirty).toBe(false)
    store.getState().redo()
    expect(store.getState().dirty).toBe(true)
  })

  it('is not changed by selection or refused actions', () => {
    const store = editor(sampleDocument())
    store.getState().selectAll()
    store.getState().setParam('train', 'epochs', 'three')
    store.getState().connect('train', 'model', 'load', 'data')
    expect(store.getState().dirty).toBe(false)
  })

  it('load replaces the document and clears history and dirty', () => {
    const store = editor()
    store.getState().addNode(LOAD, { x: 0, y: 0 })
    store.getState().load(sampleDocument())
    expect(store.getState()).toMatchObject({ dirty: false, canUndo: false, canRedo: false })
    expect(store.getState().document).toEqual(sampleDocument())
  })
})

describe('labels', () => {
  it('keeps labels as plain text and refuses overlong ones', () => {
    const store = editor(sampleDocument())
    expect(store.getState().setLabel('train', '<img src=x onerror=alert(1)>')).toEqual({ ok: true })
    expect(store.getState().document.nodes[1]!.label).toBe('<img src=x onerror=alert(1)>')
    expect(store.getState().setLabel('train', 'x'.repeat(201))).toMatchObject({ ok: false })
  })
})

describe('importDocument and exportDocument', () => {
  it('round-trips a document losslessly', () => {
    const store = editor()
    const original = sampleDocument()
    expect(store.getState().importDocument(original)).toEqual({ ok: true })
    const exported = store.getState().exportDocument()
    expect(exported).toEqual(original)
    const again = editor()
    expect(again.getState().importDocument(JSON.stringify(exported))).toEqual({ ok: true })
    expect(again.getState().exportDocument()).toEqual(original)
  })

  it('exports a copy that cannot change the store', () => {
    const store = editor(sampleDocument())
    const exported = store.getState().exportDocument()
    exported.nodes[0]!.label = 'changed'
    expect(store.getState().document.nodes[0]!.label).toBe('Load <b>data</b>')
  })

  it('fills defaults for omitted optional fields', () => {
    const store = editor()
    expect(store.getState().importDocument({ nodes: [{ id: 'a', operation: 3 }] })).toEqual({ ok: true })
    expect(store.getState().exportDocument()).toEqual({
      nodes: [{ id: 'a', operation: 3, label: '', params: {}, position: { x: 0, y: 0 } }],
      edges: [],
      inputs: [],
    })
  })

  it('is undoable and makes the document dirty', () => {
    const store = editor()
    store.getState().importDocument(sampleDocument())
    expect(store.getState().dirty).toBe(true)
    store.getState().undo()
    expect(store.getState().document.nodes).toEqual([])
  })

  it('refuses text that is not JSON or not an object', () => {
    const s = editor().getState()
    expect(s.importDocument('{')).toEqual({ ok: false, problems: ['the document is not valid JSON'] })
    expect(s.importDocument([])).toEqual({ ok: false, problems: ['the document must be an object'] })
  })

  it('lists every problem and leaves the state unchanged', () => {
    const store = editor(sampleDocument())
    const before = store.getState().document
    const result = store.getState().importDocument({
      nodes: [
        { id: 'a', operation: 3 },
        { id: 'a', operation: 3 },
        { id: 'b', operation: 3 },
        { id: 'c', operation: 77 },
        { id: 'bad id!', operation: 3 },
        { id: 'l', operation: 1, position: { x: 'left', y: 0 } },
        { id: 't', operation: 2, params: { epochs: 'many', nope: 1 } },
      ],
      edges: [
        { source: 'a', source_port: 'value', target: 'b', target_port: 'value' },
        { source: 'b', source_port: 'value', target: 'a', target_port: 'value' },
        { source: 'b', source_port: 'value', target: 'ghost', target_port: 'value' },
        { source: 'b', source_port: 'value', target: 'b', target_port: 'value' },
        { source: 'b', source_port: 'nope', target: 't', target_port: 'data' },
        { source: 'b', source_port: 'value', target: 't', target_port: 'data' },
        { source: 'b', source_port: 'value', target: 't', target_port: 'data' },
      ],
      inputs: [{ name: '1x', type: 'tensor' }],
      extra: true,
    })
    expect(result.ok).toBe(false)
    const problems = result.ok ? [] : result.problems
    expect(problems).toEqual([
      'document: unknown field "extra"',
      'nodes.4.id: must be 1-64 letters, digits, "_", "." or "-"',
      'nodes.5.position: x and y must be numbers',
      'inputs.0.name: must be an identifier',
      'inputs.0.type: unknown type "tensor"',
      'node id "a" is used twice',
      'node c: unknown operation 77',
      'node t: parameter "epochs" must be of type int',
      'node t: unknown parameter "nope"',
      'edge b.value->ghost.value: refers to missing node "ghost"',
      'edge b.value->b.value: a node cannot feed itself',
      'edge b.nope->t.data: node b has no output port "nope"',
      'edge b.value->t.data: type mismatch: json output cannot feed a file input',
      'edge b.value->t.data: input t.data is connected twice',
      'edge b.value->t.data: type mismatch: json output cannot feed a file input',
      'the graph has a cycle: a → b → a',
    ])
    expect(store.getState().document).toBe(before)
    expect(store.getState().canUndo).toBe(false)
  })

  it('refuses edges to unknown input ports and wrong field types', () => {
    const s = editor().getState()
    const result = s.importDocument({
      nodes: [{ id: 'a', operation: 3, label: 5, params: [] }, { id: 'b', operation: 3 }],
      edges: [{ source: 'b', source_port: 'value', target: 'a', target_port: 'missing' }, { source: 1 }],
    })
    expect(result).toEqual({
      ok: false,
      problems: [
        'nodes.0.label: must be text of at most 200 characters',
        'nodes.0.params: must be an object',
        'edges.1.source: must be text',
        'edges.1.source_port: must be text',
        'edges.1.target: must be text',
        'edges.1.target_port: must be text',
        'edge b.value->a.missing: refers to missing node "a"',
      ],
    })
  })
})
