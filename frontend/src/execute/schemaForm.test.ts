import { describe, expect, it } from 'vitest'
import type { JsonSchema } from '../api/backends'
import { initialValues, parseValues, schemaFields, splitFields } from './schemaForm'

const schema: JsonSchema = {
  type: 'object',
  required: ['image'],
  properties: {
    namespace: { type: 'string', title: 'Namespace', default: 'default' },
    image: { type: 'string', title: 'Image' },
    token: { type: 'string', title: 'Token', writeOnly: true },
    in_cluster: { type: 'boolean', title: 'In cluster' },
    workers: { type: 'integer', title: 'Workers', minimum: 1, maximum: 8 },
    policy: { type: 'string', enum: ['', 'Always'], title: 'Policy' },
    secrets: { type: 'array', items: { type: 'string' }, title: 'Secrets' },
    node_selector: { type: 'object', title: 'Node selector' },
    tolerations: { type: 'array', items: { type: 'object' }, title: 'Tolerations' },
  },
}

describe('schemaFields', () => {
  it('gives each property a widget kind, its label, whether it is required and its default as placeholder', () => {
    const fields = schemaFields(schema)
    expect(fields.map((field) => [field.name, field.kind])).toEqual([
      ['namespace', 'text'],
      ['image', 'text'],
      ['token', 'secret'],
      ['in_cluster', 'boolean'],
      ['workers', 'integer'],
      ['policy', 'choice'],
      ['secrets', 'list'],
      ['node_selector', 'map'],
      ['tolerations', 'json'],
    ])
    expect(fields[0]!.placeholder).toBe('default')
    expect(fields[1]!.required).toBe(true)
  })
})

describe('parseValues', () => {
  const fields = schemaFields(schema)

  it('types what was typed and leaves empty fields to the backend’s defaults', () => {
    const values = {
      ...initialValues(fields),
      image: ' python:3.12 ',
      workers: '4',
      secrets: 'a, b\nc',
      node_selector: 'pool=gpu\nzone = a',
      tolerations: '[{"key": "gpu", "operator": "Exists"}]',
    }
    expect(parseValues(fields, values)).toEqual({
      options: {
        image: 'python:3.12',
        in_cluster: false,
        workers: 4,
        secrets: ['a', 'b', 'c'],
        node_selector: { pool: 'gpu', zone: 'a' },
        tolerations: [{ key: 'gpu', operator: 'Exists' }],
      },
      errors: {},
    })
  })

  it('says what is wrong next to each field', () => {
    const values = { ...initialValues(fields), workers: '2.5', node_selector: 'pool', tolerations: '[oops' }
    const { errors } = parseValues(fields, values)
    expect(errors).toEqual({
      image: 'This field is required.',
      workers: 'Enter a whole number.',
      node_selector: 'Write one key=value per line ("pool" has no "=").',
      tolerations: expect.stringMatching(/^Enter valid JSON/),
    })
    expect(parseValues(fields, { ...values, workers: '9' }).errors.workers).toBe('Must be at most 8.')
  })

  it('lets a linked account supply required fields', () => {
    expect(parseValues(fields, initialValues(fields), new Set(['image'])).errors).toEqual({})
  })

  it('shows saved options again in the form', () => {
    const values = initialValues(fields, { node_selector: { pool: 'gpu' }, tolerations: [{ key: 'k' }], secrets: ['x', 'y'] })
    expect(values.node_selector).toBe('pool=gpu')
    expect(values.secrets).toBe('x, y')
    expect(JSON.parse(values.tolerations as string)).toEqual([{ key: 'k' }])
  })
})

describe('splitFields', () => {
  it('keeps required and secret fields in view and folds the rest after the first few', () => {
    const { main, more } = splitFields(schemaFields(schema))
    expect(main.map((field) => field.name)).toEqual(['namespace', 'image', 'token', 'in_cluster', 'workers', 'policy'])
    expect(more.map((field) => field.name)).toEqual(['secrets', 'node_selector', 'tolerations'])
  })
})
