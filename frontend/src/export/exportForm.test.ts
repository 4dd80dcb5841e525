import { describe, expect, it } from 'vitest'
import type { RunInput } from '../api/backends'
import { ApiError } from '../api/client'
import { filenameFromDisposition } from '../api/exports'
import { formatBytes } from '../lib/download'
import { argumentHint, buildStatic, exportErrors, initialModes } from './exportForm'

const INPUTS: RunInput[] = [
  { name: 'dataset', type: 'file', default: null, description: '', wired: true },
  { name: 'epochs', type: 'int', default: 3, description: '', wired: true },
  { name: 'rate', type: 'float', default: null, description: '', wired: true },
  { name: 'config', type: 'json', default: { a: 1 }, description: '', wired: false },
]

describe('buildStatic', () => {
  it('leaves command-line inputs out', () => {
    const states = { dataset: { artifact: 7, text: '' }, epochs: { artifact: null, text: '5' } }
    expect(buildStatic(INPUTS, initialModes(INPUTS), states)).toEqual({ static: {}, errors: {} })
  })

  it('ships the artifact, the typed value or else the default, and says what is missing or wrong', () => {
    const modes = { dataset: 'static', epochs: 'static', rate: 'static', config: 'static' } as const
    expect(
      buildStatic(INPUTS, modes, {
        dataset: { artifact: 7, text: '' },
        epochs: { artifact: null, text: '' },
        rate: { artifact: null, text: '0.5' },
        config: { artifact: null, text: '{"b": [1, 2]}' },
      }),
    ).toEqual({
      static: { dataset: { artifact: 7 }, epochs: { value: 3 }, rate: { value: 0.5 }, config: { value: { b: [1, 2] } } },
      errors: {},
    })
    const refused = buildStatic(INPUTS, modes, {
      dataset: { artifact: null, text: '' },
      epochs: { artifact: null, text: 'many' },
      rate: { artifact: null, text: ' ' },
      config: { artifact: null, text: '{' },
    })
    expect(refused.static).toEqual({})
    expect(Object.keys(refused.errors)).toEqual(['dataset', 'epochs', 'rate', 'config'])
    expect(refused.errors.dataset).toBe('Choose an artifact, or upload a file.')
    expect(refused.errors.rate).toBe('Type a value, or give it on the command line.')
  })
})

describe('argumentHint', () => {
  it('says whether the zip needs it when it runs', () => {
    expect(argumentHint(INPUTS[0]!)).toBe('Required when the zip runs: a path.')
    expect(argumentHint(INPUTS[1]!)).toBe('Optional when the zip runs (a value); left out, it is 3.')
    expect(argumentHint(INPUTS[3]!)).toBe('Not wired to a node: the zip does not use it.')
  })
})

describe('exportErrors', () => {
  it('sorts a refusal into fields, graph problems and general messages', () => {
    const error = new ApiError(400, {
      graph: ['node a, port b: not connected'],
      static: ['static.dataset: artifact 4 is not in this project', 'static.dataset.artifact: second', 'odd'],
      input_credentials: ['input_credentials.4.account: 9 is not one of your linked accounts'],
      non_field_errors: ['nope'],
    })
    expect(exportErrors(error)).toEqual({
      fields: {
        'static.dataset': 'artifact 4 is not in this project',
        'input_credentials.4.account': '9 is not one of your linked accounts',
      },
      graph: ['node a, port b: not connected'],
      general: ['odd', 'nope'],
    })
  })

  it('keeps any other error general', () => {
    expect(exportErrors(new ApiError(500, '<html>'))).toEqual({
      fields: {},
      graph: [],
      general: ['The server ran into a problem (500). Try again in a moment.'],
    })
  })
})

describe('filenameFromDisposition', () => {
  it('reads the quoted, bare and encoded forms, keeping a base name only', () => {
    expect(filenameFromDisposition('attachment; filename="churn-v3.zip"')).toBe('churn-v3.zip')
    expect(filenameFromDisposition('attachment; filename=churn-v3.zip')).toBe('churn-v3.zip')
    expect(filenameFromDisposition(`attachment; filename="x.zip"; filename*=UTF-8''%C3%A9t%C3%A9-v1.zip`)).toBe('été-v1.zip')
    expect(filenameFromDisposition('attachment; filename="../../etc/x.zip"')).toBe('x.zip')
    expect(filenameFromDisposition(null)).toBe('pipeline.zip')
    expect(filenameFromDisposition('attachment')).toBe('pipeline.zip')
  })
})

describe('formatBytes', () => {
  it('writes sizes for people', () => {
    expect(formatBytes(512)).toBe('512 B')
    expect(formatBytes(1536)).toBe('1.5 KB')
    expect(formatBytes(3 * 1024 * 1024)).toBe('3.0 MB')
  })
})
