import { describe, expect, it } from 'vitest'
import { findCycle, cycleCreatedBy } from './cycles'
import { paramValueOk, paramValueProblem, parseParamInput, typesCompatible } from './typeCheck'

describe('typesCompatible (same table as editor/graph.py)', () => {
  it('lets numbers widen and anything plain flow into json and object', () => {
    expect(typesCompatible('int', 'float')).toBe(true)
    expect(typesCompatible('int', 'json')).toBe(true)
    expect(typesCompatible('str', 'object')).toBe(true)
    expect(typesCompatible('bool', 'json')).toBe(true)
  })

  it('refuses narrowing, bools as numbers and files into values', () => {
    expect(typesCompatible('float', 'int')).toBe(false)
    expect(typesCompatible('bool', 'int')).toBe(false)
    expect(typesCompatible('file', 'object')).toBe(false)
    expect(typesCompatible('object', 'json')).toBe(false)
    expect(typesCompatible('file', 'directory')).toBe(false)
    expect(typesCompatible('unknown', 'object')).toBe(false)
  })
})

describe('paramValueOk', () => {
  it('does not take bools for numbers, nor fractions for ints', () => {
    expect(paramValueOk('int', 3)).toBe(true)
    expect(paramValueOk('int', 3.5)).toBe(false)
    expect(paramValueOk('int', true)).toBe(false)
    expect(paramValueOk('float', 3)).toBe(true)
    expect(paramValueOk('float', Number.NaN)).toBe(false)
    expect(paramValueOk('str', 3)).toBe(false)
    expect(paramValueOk('bool', 'true')).toBe(false)
  })

  it('takes only JSON-able values for json', () => {
    expect(paramValueOk('json', { a: [1, 'x', null] })).toBe(true)
    expect(paramValueOk('json', () => 1)).toBe(false)
    expect(paramValueOk('json', { a: Infinity })).toBe(false)
    expect(paramValueOk('json', new Date())).toBe(false)
  })
})

describe('parseParamInput', () => {
  it('parses typed text or says why not', () => {
    expect(parseParamInput('int', ' 42 ')).toEqual({ ok: true, value: 42 })
    expect(parseParamInput('int', '4.2')).toEqual({ ok: false, reason: 'must be a whole number' })
    expect(parseParamInput('float', '')).toEqual({ ok: false, reason: 'must be a number' })
    expect(parseParamInput('bool', 'false')).toEqual({ ok: true, value: false })
    expect(parseParamInput('json', '{"a":1}')).toEqual({ ok: true, value: { a: 1 } })
    expect(parseParamInput('json', '{')).toEqual({ ok: false, reason: 'must be valid JSON' })
    expect(parseParamInput('str', ' x ')).toEqual({ ok: true, value: ' x ' })
  })
})

describe('cycles', () => {
  const edges = [
    { source: 'a', target: 'b' },
    { source: 'b', target: 'c' },
  ]

  it('finds no cycle in a chain and names one when there is', () => {
    expect(findCycle(['a', 'b', 'c'], edges)).toEqual([])
    expect(findCycle(['a', 'b', 'c'], [...edges, { source: 'c', target: 'a' }])).toEqual([
      'a',
      'b',
      'c',
      'a',
    ])
  })

  it('names the cycle a new edge would close, starting at its source', () => {
    expect(cycleCreatedBy('c', 'a', edges)).toEqual(['c', 'a', 'b', 'c'])
    expect(cycleCreatedBy('a', 'c', edges)).toBeNull()
  })
})

describe('paramValueProblem', () => {
  it('words type, bound and choice problems as the server does', () => {
    const epochs = { type: 'int', minimum: 1, maximum: 100 }
    expect(paramValueProblem(epochs, 5)).toBeNull()
    expect(paramValueProblem(epochs, 0)).toBe('must be at least 1')
    expect(paramValueProblem(epochs, 101)).toBe('must be at most 100')
    expect(paramValueProblem(epochs, 1.5)).toBe('must be of type int')
    expect(paramValueProblem({ type: 'str', choices: ['a', 'b'] }, 'c')).toBe('must be one of "a", "b"')
    expect(paramValueProblem({ type: 'str', choices: ['a', 'b'] }, 'b')).toBeNull()
  })
})
