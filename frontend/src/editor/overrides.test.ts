import { describe, expect, it } from 'vitest'
import type { Graph } from '../api/types'
import { parseDocument } from './document'
import { effectiveResources, overridesProblems } from './overrides'
import { createEditorStore } from './store'
import { OPERATIONS } from './testOperations'

function sampleDocument(): Graph {
  return {
    nodes: [
      { id: 'load', operation: 1, label: '', params: {}, position: { x: 0, y: 0 } },
      { id: 'train', operation: 2, label: '', params: {}, position: { x: 200, y: 0 } },
    ],
    edges: [],
    inputs: [],
  }
}

function editor(document: Graph = sampleDocument()) {
  return createEditorStore({ operations: OPERATIONS, document })
}

function train(store: ReturnType<typeof editor>) {
  return store.getState().document.nodes.find((node) => node.id === 'train')!
}

describe('setOverrides', () => {
  it('sets resources field by field, and retries and timeout, as undoable steps', () => {
    const store = editor()
    expect(store.getState().setOverrides('train', { resources: { gpus: 1 } })).toEqual({ ok: true })
    expect(store.getState().setOverrides('train', { resources: { memory: '2Gi' }, retries: 2 })).toEqual({
      ok: true,
    })
    expect(store.getState().setOverrides('train', { timeout_seconds: 30 })).toEqual({ ok: true })
    expect(train(store)).toMatchObject({
      resources: { gpus: 1, memory: '2Gi' },
      retries: 2,
      timeout_seconds: 30,
    })
    expect(store.getState().dirty).toBe(true)

    store.getState().undo()
    expect(train(store).timeout_seconds).toBeUndefined()
    expect(train(store).retries).toBe(2)
    store.getState().undo()
    store.getState().undo()
    expect(train(store)).toEqual(sampleDocument().nodes[1])
    // back to the saved document: clean again
    expect(store.getState().dirty).toBe(false)
    store.getState().redo()
    expect(train(store).resources).toEqual({ gpus: 1 })
  })

  it('merges consecutive changes of the same field into one undo step', () => {
    const store = editor()
    for (const memory of ['5', '51', '512', '512Mi']) store.getState().setOverrides('train', { resources: { memory } })
    expect(train(store).resources).toEqual({ memory: '512Mi' })
    store.getState().undo()
    expect(train(store).resources).toBeUndefined()
  })

  it('clears one field with undefined or null, and everything with null', () => {
    const store = editor()
    store.getState().setOverrides('train', { resources: { gpus: 2, cpu: 4 }, retries: 1, retry_backoff_seconds: 0.5 })
    store.getState().setOverrides('train', { resources: { gpus: undefined }, retries: null })
    expect(train(store)).toMatchObject({ resources: { cpu: 4 }, retry_backoff_seconds: 0.5 })
    expect('retries' in train(store)).toBe(false)
    store.getState().setOverrides('train', { resources: { cpu: null } })
    // an emptied resources object goes away entirely, as the server stores it
    expect('resources' in train(store)).toBe(false)

    store.getState().setOverrides('train', { resources: { resource_type: 'PyTorchJob', workers: 4 } })
    expect(store.getState().setOverrides('train', null)).toEqual({ ok: true })
    expect(train(store)).toEqual(sampleDocument().nodes[1])
    store.getState().undo()
    expect(train(store).resources).toEqual({ resource_type: 'PyTorchJob', workers: 4 })
  })

  it('refuses bad values, naming the field, and changes nothing', () => {
    const store = editor()
    const s = store.getState()
    expect(s.setOverrides('train', { resources: { memory: '2GB' } })).toEqual({
      ok: false,
      reason: 'memory must be a quantity like 512Mi or 2Gi (bytes, Ki, Mi, Gi or Ti)',
    })
    expect(s.setOverrides('train', { resources: { cpu: 0 } })).toMatchObject({ ok: false, reason: /^cpu must/ })
    expect(s.setOverrides('train', { resources: { gpus: 1.5 } })).toMatchObject({ ok: false, reason: /^gpus must/ })
    expect(s.setOverrides('train', { resources: { workers: 0 } })).toMatchObject({ ok: false, reason: /^workers/ })
    expect(
      s.setOverrides('train', { resources: { resource_type: 'SparkJob' as never } }),
    ).toMatchObject({ ok: false, reason: /^resource_type must be one of job, PyTorchJob/ })
    expect(s.setOverrides('train', { retries: 21 })).toMatchObject({ ok: false, reason: /^retries must/ })
    expect(s.setOverrides('train', { retry_backoff_seconds: -1 })).toMatchObject({ ok: false })
    expect(s.setOverrides('train', { timeout_seconds: 0 })).toMatchObject({ ok: false, reason: /^timeout_seconds/ })
    expect(s.setOverrides('train', { timeout_seconds: 8 * 24 * 3600 })).toMatchObject({ ok: false })
    expect(s.setOverrides('nope', { retries: 1 })).toEqual({ ok: false, reason: 'unknown node nope' })
    expect(store.getState().document).toEqual(sampleDocument())
    expect(store.getState().canUndo).toBe(false)
  })

  it('is no step at all when nothing changes', () => {
    const store = editor()
    expect(store.getState().setOverrides('train', null)).toEqual({ ok: true })
    expect(store.getState().setOverrides('train', { retries: undefined })).toEqual({ ok: true })
    expect(store.getState().canUndo).toBe(false)
    expect(store.getState().dirty).toBe(false)
  })

  it('travels with copies and survives an export and import', () => {
    const store = editor()
    store.getState().setOverrides('train', { resources: { gpus: 1, cpu_fallback: true }, timeout_seconds: 60 })
    store.getState().select({ nodes: ['train'] })
    const [copy] = store.getState().duplicate()
    const duplicated = store.getState().document.nodes.find((node) => node.id === copy)!
    expect(duplicated).toMatchObject({ resources: { gpus: 1, cpu_fallback: true }, timeout_seconds: 60 })

    const exported = JSON.stringify(store.getState().exportDocument())
    const other = editor({ nodes: [], edges: [], inputs: [] })
    expect(other.getState().importDocument(exported)).toEqual({ ok: true })
    expect(other.getState().document).toEqual(JSON.parse(exported))
  })
})

describe('document import of overrides', () => {
  it('lists every bad override naming its field as the server does', () => {
    const document = sampleDocument()
    const raw = {
      ...document,
      nodes: [
        { ...document.nodes[0], resources: { memory: 'lots', disk: '1Gi' } },
        { ...document.nodes[1], retries: -1, timeout_seconds: 'soon' },
      ],
    }
    const result = parseDocument(raw, OPERATIONS)
    expect(result).toEqual({
      ok: false,
      problems: [
        'nodes.0.resources.memory: memory must be a quantity like 512Mi or 2Gi (bytes, Ki, Mi, Gi or Ti)',
        'nodes.0.resources: unknown field "disk"',
        'nodes.1.retries: retries must be a whole number from 0 to 20',
        'nodes.1.timeout_seconds: timeout_seconds must be a number of seconds above 0, at most 604800 (7 days)',
      ],
    })
  })

  it('leaves unset (null) overrides out', () => {
    const document = sampleDocument()
    const raw = { ...document, nodes: [{ ...document.nodes[0], resources: { gpus: null }, retries: null }] }
    const result = parseDocument(raw, OPERATIONS)
    expect(result.ok && result.document.nodes[0]).toEqual(document.nodes[0])
    expect(overridesProblems({ resources: [] }, 'nodes.0')).toEqual(['nodes.0.resources: must be an object'])
  })
})

describe('effectiveResources', () => {
  it('lays the node over its operation over the defaults', () => {
    expect(effectiveResources({ cpu: 2, memory: '4Gi', gpus: 0, cpu_fallback: false }, { resources: { gpus: 1 } })).toEqual({
      cpu: 2,
      memory: '4Gi',
      gpus: 1,
      cpu_fallback: false,
      resource_type: 'job',
      workers: 1,
    })
  })
})
