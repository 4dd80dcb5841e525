// The editor store with pipeline inputs: adding, wiring, editing, undo/redo, delete,
// clipboard, import and export.

import { describe, expect, it } from 'vitest'
import type { Graph } from '../../api/types'
import { parseDocument } from '../document'
import { PASTE_OFFSET, createEditorStore } from '../store'
import { OPERATIONS } from '../testOperations'
import { toInputFlowNodes } from './flow'

/** A train node (data: file, epochs: optional float) fed by two pipeline inputs. */
function inputDocument(): Graph {
  return {
    nodes: [{ id: 'train', operation: 2, label: '', params: {}, position: { x: 300, y: 0 } }],
    edges: [
      { id: 'dataset.value->train.data', source: 'dataset', source_port: 'value', target: 'train', target_port: 'data' },
      { id: 'epochs.value->train.epochs', source: 'epochs', source_port: 'value', target: 'train', target_port: 'epochs' },
    ],
    inputs: [
      { name: 'dataset', type: 'file', default: null, description: 'CSV', position: { x: 0, y: 0 } },
      { name: 'epochs', type: 'int', default: 5, description: '', position: { x: 0, y: 120 } },
    ],
  }
}

function editor(document: Graph = { nodes: [], edges: [], inputs: [] }) {
  return createEditorStore({ operations: OPERATIONS, document })
}

describe('pipeline inputs', () => {
  it('adds an input selected, wires it to a node input and undoes both steps', () => {
    // given
    const store = editor()
    store.getState().addNode(2, { x: 300, y: 0 })
    // when
    const added = store.getState().addInput({ x: 0, y: 40 })
    const wired = store.getState().connect('input', 'value', 'train', 'data')
    // then
    expect(added).toEqual({ ok: true, id: 'input' })
    expect(wired).toEqual({ ok: true })
    expect(store.getState().document.inputs).toEqual([
      { name: 'input', type: 'file', default: null, description: '', position: { x: 0, y: 40 } },
    ])
    expect(store.getState().document.edges.map((edge) => `${edge.source}.${edge.source_port}->${edge.target}.${edge.target_port}`)).toEqual([
      'input.value->train.data',
    ])
    expect(store.getState().selection.nodes).toEqual(['input'])
    expect(store.getState().dirty).toBe(true)
    store.getState().undo()
    expect(store.getState().document.edges).toEqual([])
    store.getState().undo()
    expect(store.getState().document.inputs).toEqual([])
    store.getState().redo()
    expect(store.getState().document.inputs.map((input) => input.name)).toEqual(['input'])
  })

  it('names a new input so that it clashes with no node, input, note or group', () => {
    const store = editor({ ...inputDocument(), notes: [{ id: 'input', text: '', position: { x: 0, y: 0 }, width: 240, height: 140 }] })
    expect(store.getState().addInput({ x: 0, y: 0 })).toEqual({ ok: true, id: 'input_2' })
  })

  it('refuses wiring an input to a port of another type, a second time, or as a target', () => {
    const store = editor(inputDocument())
    store.getState().setInput('epochs', { type: 'str' })
    expect(store.getState().document.inputs[1]!.type).toBe('int')
    store.getState().addInput({ x: 0, y: 300 })
    store.getState().setInput('input', { type: 'int' })
    expect(store.getState().connect('input', 'value', 'train', 'epochs')).toEqual({
      ok: false,
      reason: 'input train.epochs is already connected (from epochs.value)',
    })
    store.getState().addNode(3, { x: 600, y: 0 })
    expect(store.getState().connect('dataset', 'value', 'step', 'value')).toEqual({
      ok: false,
      reason: 'type mismatch: file input dataset cannot feed a json input',
    })
    expect(store.getState().connect('dataset', 'other', 'step', 'value')).toEqual({
      ok: false,
      reason: 'pipeline input dataset has one output, "value"',
    })
    expect(store.getState().connect('step', 'value', 'dataset', 'value')).toEqual({
      ok: false,
      reason: 'a pipeline input cannot be fed by an edge',
    })
  })

  it('edits name, type, default and description with the server’s rules; a rename takes its edges', () => {
    // given
    const store = editor(inputDocument())
    // when the name is typed letter by letter
    expect(store.getState().setInput('epochs', { name: 'e' }).ok).toBe(true)
    expect(store.getState().setInput('e', { name: 'ep' }).ok).toBe(true)
    // then the edge follows, and the typing is one undo step
    expect(store.getState().document.edges[1]).toEqual({
      id: 'ep.value->train.epochs',
      source: 'ep',
      source_port: 'value',
      target: 'train',
      target_port: 'epochs',
    })
    store.getState().undo()
    expect(store.getState().document.inputs[1]!.name).toBe('epochs')
    expect(store.getState().document.edges[1]!.source).toBe('epochs')
    // and refused values say why and change nothing
    const before = store.getState().document
    expect(store.getState().setInput('epochs', { name: 'train' })).toEqual({
      ok: false,
      reason: 'the name "train" is already used on the canvas',
    })
    expect(store.getState().setInput('epochs', { name: '2x' }).ok).toBe(false)
    expect(store.getState().setInput('epochs', { default: 'many' })).toEqual({
      ok: false,
      reason: 'default must be of type int',
    })
    expect(store.getState().setInput('dataset', { default: 'a.csv' })).toEqual({
      ok: false,
      reason: 'a file input has no default: its artifact is chosen when a run starts',
    })
    expect(store.getState().setInput('dataset', { type: 'int' })).toEqual({
      ok: false,
      reason: 'it feeds train.data (file), which a int input cannot feed: disconnect it first',
    })
    expect(store.getState().document).toBe(before)
    // and a type the port accepts keeps a fitting default, a description is kept
    expect(store.getState().setInput('epochs', { type: 'float' }).ok).toBe(true)
    expect(store.getState().setInput('epochs', { default: 2.5, description: 'how long' }).ok).toBe(true)
    expect(store.getState().document.inputs[1]).toEqual({
      name: 'epochs',
      type: 'float',
      default: 2.5,
      description: 'how long',
      position: { x: 0, y: 120 },
    })
  })

  it('moves, deletes (with its edges), copies and pastes inputs', () => {
    const store = editor(inputDocument())
    store.getState().moveNodes({ dataset: { x: -100, y: 20 } })
    store.getState().endMove()
    expect(store.getState().document.inputs[0]!.position).toEqual({ x: -100, y: 20 })
    // copy the input and the node it feeds: the edge between them comes along, renamed
    store.getState().select({ nodes: ['dataset', 'train'] })
    store.getState().copy()
    const pasted = store.getState().paste()
    expect(pasted).toEqual(['train_2', 'dataset_2'])
    const copy = store.getState().document.inputs.find((input) => input.name === 'dataset_2')!
    expect(copy.position).toEqual({ x: -100 + PASTE_OFFSET, y: 20 + PASTE_OFFSET })
    expect(store.getState().document.edges.some((edge) => edge.source === 'dataset_2' && edge.target === 'train_2')).toBe(true)
    // delete the original input: its edge goes too
    store.getState().select({ nodes: ['dataset'] })
    store.getState().deleteSelection()
    expect(store.getState().document.inputs.map((input) => input.name)).toEqual(['epochs', 'dataset_2'])
    expect(store.getState().document.edges.some((edge) => edge.source === 'dataset')).toBe(false)
    store.getState().undo()
    expect(store.getState().document.inputs.map((input) => input.name)).toEqual(['dataset', 'epochs', 'dataset_2'])
  })

  it('exports and imports inputs, and refuses an imported document with input problems', () => {
    const store = editor(inputDocument())
    const exported = store.getState().exportDocument()
    expect(parseDocument(JSON.stringify(exported), OPERATIONS)).toEqual({ ok: true, document: exported })
    const fresh = editor()
    expect(fresh.getState().importDocument(exported)).toEqual({ ok: true })
    expect(fresh.getState().document.inputs).toEqual(exported.inputs)
    const bad = {
      ...exported,
      inputs: [...exported.inputs, { name: 'train', type: 'int', default: 'x' }, { name: 'epochs', type: 'str' }],
      edges: [...exported.edges, { id: '', source: 'ghost', source_port: 'value', target: 'train', target_port: 'data' }],
    }
    const refused = fresh.getState().importDocument(bad)
    expect(refused.ok).toBe(false)
    expect(!refused.ok && refused.problems).toEqual(
      expect.arrayContaining([
        'inputs.2.default: default must be of type int',
        'input name "epochs" is used twice',
        'edge ghost.value->train.data: refers to missing node "ghost"',
      ]),
    )
  })

  it('draws each input as an input node, at its position or left of the nodes', () => {
    const document = inputDocument()
    document.inputs[1] = { name: 'epochs', type: 'int', default: 5 }
    expect(toInputFlowNodes(document).map((node) => [node.id, node.type, node.position, node.data.artifact])).toEqual([
      ['dataset', 'pipelineInput', { x: 0, y: 0 }, true],
      ['epochs', 'pipelineInput', { x: 20, y: 110 }, false],
    ])
  })
})
