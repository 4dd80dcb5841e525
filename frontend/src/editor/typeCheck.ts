// Type rules shared with the backend (editor/graph.py): which outputs may feed which
// inputs, and which values suit a parameter. Pure; tested alone.

import type { ParamType, PortType } from '../api/types'

export const PORT_TYPES: readonly PortType[] = [
  'int',
  'float',
  'str',
  'bool',
  'json',
  'file',
  'directory',
  'object',
]
export const PARAM_TYPES: readonly ParamType[] = ['int', 'float', 'str', 'bool', 'json']

// `object` (pickled Python values) accepts anything Python can hold; files only flow into files.
const COMPATIBLE: Record<string, readonly string[]> = {
  int: ['int', 'float', 'json', 'object'],
  float: ['float', 'json', 'object'],
  str: ['str', 'json', 'object'],
  bool: ['bool', 'json', 'object'],
  json: ['json', 'object'],
  file: ['file'],
  directory: ['directory'],
  object: ['object'],
}

/** Whether an output of `outputType` may feed an input of `inputType` (same table as the server). */
export function typesCompatible(outputType: string, inputType: string): boolean {
  return (COMPATIBLE[outputType] ?? []).includes(inputType)
}

export function isPortType(value: unknown): value is PortType {
  return typeof value === 'string' && (PORT_TYPES as readonly string[]).includes(value)
}

export function isParamType(value: unknown): value is ParamType {
  return typeof value === 'string' && (PARAM_TYPES as readonly string[]).includes(value)
}

/** Whether `value` survives JSON (no functions, undefined, NaN/Infinity, cycles...). */
export function isJsonValue(value: unknown, seen: Set<object> = new Set()): boolean {
  if (value === null) return true
  switch (typeof value) {
    case 'string':
    case 'boolean':
      return true
    case 'number':
      return Number.isFinite(value)
    case 'object': {
      if (seen.has(value)) return false
      seen.add(value)
      const ok = Array.isArray(value)
        ? value.every((item) => isJsonValue(item, seen))
        : Object.getPrototypeOf(value) === Object.prototype &&
          Object.values(value).every((item) => isJsonValue(item, seen))
      seen.delete(value)
      return ok
    }
    default:
      return false
  }
}

/** Whether `value` suits a parameter of `type` (bools are not numbers here, as on the server). */
export function paramValueOk(type: ParamType, value: unknown): boolean {
  switch (type) {
    case 'int':
      return typeof value === 'number' && Number.isInteger(value)
    case 'float':
      return typeof value === 'number' && Number.isFinite(value)
    case 'str':
      return typeof value === 'string'
    case 'bool':
      return typeof value === 'boolean'
    case 'json':
      return isJsonValue(value)
  }
}

/**
 * Why `value` does not fit `param` (its type, bounds, choices), worded as the server words
 * it ("must be at most 100"), or null when it fits.
 */
export function paramValueProblem(
  param: { type: string; minimum?: number | null; maximum?: number | null; choices?: unknown[] | null },
  value: unknown,
): string | null {
  if (!isParamType(param.type) || !paramValueOk(param.type, value)) return `must be of type ${param.type}`
  if (typeof value === 'number') {
    if (param.minimum != null && value < param.minimum) return `must be at least ${param.minimum}`
    if (param.maximum != null && value > param.maximum) return `must be at most ${param.maximum}`
  }
  if (param.choices && !param.choices.some((choice) => JSON.stringify(choice) === JSON.stringify(value))) {
    return `must be one of ${param.choices.map((choice) => JSON.stringify(choice)).join(', ')}`
  }
  return null
}

export type ParseResult = { ok: true; value: unknown } | { ok: false; reason: string }

/** Text typed into a form field, as a value of `type` (for a parameter editor). */
export function parseParamInput(type: ParamType, text: string): ParseResult {
  const trimmed = text.trim()
  switch (type) {
    case 'str':
      return { ok: true, value: text }
    case 'int': {
      if (!/^[-+]?\d+$/.test(trimmed)) return { ok: false, reason: 'must be a whole number' }
      return { ok: true, value: Number(trimmed) }
    }
    case 'float': {
      const value = Number(trimmed)
      if (trimmed === '' || !Number.isFinite(value)) return { ok: false, reason: 'must be a number' }
      return { ok: true, value }
    }
    case 'bool':
      if (trimmed === 'true') return { ok: true, value: true }
      if (trimmed === 'false') return { ok: true, value: false }
      return { ok: false, reason: 'must be true or false' }
    case 'json':
      try {
        return { ok: true, value: JSON.parse(text) as unknown }
      } catch {
        return { ok: false, reason: 'must be valid JSON' }
      }
  }
}
