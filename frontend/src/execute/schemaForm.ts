// Backend option forms are rendered from the backend's JSON Schema (the execute dialog
// needs no change when a backend is added). These helpers turn a schema into fields,
// form text into typed values, and pick the values to send.

import type { JsonSchema, JsonSchemaProperty } from '../api/backends'

export type FieldKind = 'text' | 'secret' | 'number' | 'integer' | 'boolean' | 'choice' | 'list' | 'map' | 'json'

export interface SchemaField {
  name: string
  label: string
  description: string
  kind: FieldKind
  required: boolean
  choices: string[]
  /** What the field shows when the user has typed nothing. */
  placeholder: string
  minimum?: number
  maximum?: number
}

/** Form state: what the user typed, one string (or boolean) per field. */
export type FormValues = Record<string, string | boolean>

function kindOf(property: JsonSchemaProperty): FieldKind {
  if (property.enum?.length) return 'choice'
  if (property.writeOnly) return 'secret'
  switch (property.type) {
    case 'boolean':
      return 'boolean'
    case 'integer':
      return 'integer'
    case 'number':
      return 'number'
    case 'array':
      // Lists of plain values are typed one per line; lists of objects as JSON.
      return property.items?.type === 'object' ? 'json' : 'list'
    case 'object':
      return 'map'
    default:
      return 'text'
  }
}

function describeDefault(value: unknown): string {
  if (value === undefined || value === null || value === '') return ''
  if (Array.isArray(value)) return value.join(', ')
  if (typeof value === 'object') return JSON.stringify(value)
  return String(value)
}

export function schemaFields(schema: JsonSchema | undefined): SchemaField[] {
  const required = new Set(schema?.required ?? [])
  return Object.entries(schema?.properties ?? {}).map(([name, property]) => ({
    name,
    label: property.title ?? name,
    description: property.description ?? '',
    kind: kindOf(property),
    required: required.has(name),
    choices: (property.enum ?? []).map(String),
    placeholder: describeDefault(property.default),
    minimum: property.minimum,
    maximum: property.maximum,
  }))
}

/** The form's starting values: saved options where there are some, else empty (defaults show as placeholders). */
export function initialValues(fields: SchemaField[], saved: Record<string, unknown> = {}): FormValues {
  const values: FormValues = {}
  for (const field of fields) {
    const value = saved[field.name]
    if (field.kind === 'boolean') values[field.name] = value === true
    else if (value === undefined || value === null) values[field.name] = ''
    else if (field.kind === 'list' && Array.isArray(value)) values[field.name] = value.join(', ')
    else if (field.kind === 'json') values[field.name] = Array.isArray(value) && !value.length ? '' : JSON.stringify(value, null, 2)
    else if (field.kind === 'map' && typeof value === 'object') values[field.name] = mapText(value as Record<string, unknown>)
    else values[field.name] = String(value)
  }
  return values
}

function mapText(value: Record<string, unknown>): string {
  return Object.entries(value)
    .map(([key, inner]) => `${key}=${String(inner)}`)
    .join('\n')
}

export interface Parsed {
  options: Record<string, unknown>
  /** Field name -> message, for values the form can already tell are wrong. */
  errors: Record<string, string>
}

/**
 * Typed options from the form. Empty fields are left out (the backend's default applies),
 * except booleans, which are always sent. `optionalRequired` lists required fields that may
 * stay empty because a linked account supplies them.
 */
export function parseValues(fields: SchemaField[], values: FormValues, optionalRequired: ReadonlySet<string> = new Set()): Parsed {
  const options: Record<string, unknown> = {}
  const errors: Record<string, string> = {}
  for (const field of fields) {
    const raw = values[field.name]
    if (field.kind === 'boolean') {
      options[field.name] = raw === true
      continue
    }
    const text = typeof raw === 'string' ? raw.trim() : ''
    if (!text) {
      if (field.required && !optionalRequired.has(field.name)) errors[field.name] = 'This field is required.'
      continue
    }
    if (field.kind === 'number' || field.kind === 'integer') {
      const number = Number(text)
      if (!Number.isFinite(number) || (field.kind === 'integer' && !Number.isInteger(number))) {
        errors[field.name] = field.kind === 'integer' ? 'Enter a whole number.' : 'Enter a number.'
      } else if (field.minimum !== undefined && number < field.minimum) {
        errors[field.name] = `Must be at least ${field.minimum}.`
      } else if (field.maximum !== undefined && number > field.maximum) {
        errors[field.name] = `Must be at most ${field.maximum}.`
      } else options[field.name] = number
    } else if (field.kind === 'list') {
      options[field.name] = text
        .split(/[,\n]/)
        .map((item) => item.trim())
        .filter(Boolean)
    } else if (field.kind === 'json') {
      try {
        options[field.name] = JSON.parse(text)
      } catch {
        errors[field.name] = 'Enter valid JSON, e.g. [{"key": "gpu", "operator": "Exists"}].'
      }
    } else if (field.kind === 'map') {
      const entries: Record<string, string> = {}
      for (const line of text.split('\n').map((item) => item.trim()).filter(Boolean)) {
        const at = line.indexOf('=')
        if (at <= 0) {
          errors[field.name] = `Write one key=value per line ("${line}" has no "=").`
          break
        }
        entries[line.slice(0, at).trim()] = line.slice(at + 1).trim()
      }
      options[field.name] = entries
    } else options[field.name] = text
  }
  return { options, errors }
}

/** How many fields a backend shows before the rest fold under "More options". */
export const MAIN_FIELDS = 6

/** Fields shown at once (required, secret, or among the first few) and the rest. */
export function splitFields(fields: SchemaField[]): { main: SchemaField[]; more: SchemaField[] } {
  const main: SchemaField[] = []
  const more: SchemaField[] = []
  for (const field of fields) {
    if (field.required || field.kind === 'secret' || main.length < MAIN_FIELDS) main.push(field)
    else more.push(field)
  }
  return { main, more }
}
