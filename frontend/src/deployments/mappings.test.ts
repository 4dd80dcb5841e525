import { describe, expect, it } from 'vitest'
import type { InputKind } from '../api/deployments'
import { callShape, curlExample, pythonExample } from './examples'
import {
  adaptDrafts,
  buildLimits,
  buildMappings,
  callerName,
  defaultDraft,
  deployBody,
  describeMapping,
  initialDeployDraft,
  kindsFor,
  nameProblem,
  placeErrors,
  suggestName,
  type MappingDraft,
} from './mappings'

const ENDPOINT_INPUT_KINDS: InputKind[] = ['constant', 'endpoint_value', 'endpoint_file', 'env', 'datastore', 'none']
const PERIODIC_INPUT_KINDS: InputKind[] = ['constant', 'env', 'datastore', 'none']

function draft(overrides: Partial<MappingDraft>): MappingDraft {
  return { kind: 'none', value: '', artifact: null, name: '', variable: '', path: '', ...overrides }
}

describe('mapping rows', () => {
  it('names a node port the way a caller writes it', () => {
    expect(callerName('train.model-path')).toBe('train_model_path')
  })

  it('offers only the kinds a type can take', () => {
    expect(kindsFor('input', 'file', ENDPOINT_INPUT_KINDS)).toEqual(['constant', 'endpoint_file', 'datastore', 'none'])
    expect(kindsFor('input', 'int', ENDPOINT_INPUT_KINDS)).toEqual(['constant', 'endpoint_value', 'env', 'datastore', 'none'])
    expect(kindsFor('input', 'object', PERIODIC_INPUT_KINDS)).toEqual(['constant', 'env', 'datastore', 'none'])
  })

  it('defaults an endpoint input to what the caller sends and a periodic one to a constant', () => {
    expect(defaultDraft('input', 'threshold', 'float', 'endpoint', ENDPOINT_INPUT_KINDS).kind).toBe('endpoint_value')
    expect(defaultDraft('input', 'load.data', 'file', 'endpoint', ENDPOINT_INPUT_KINDS)).toMatchObject({
      kind: 'endpoint_file',
      name: 'load_data',
    })
    expect(defaultDraft('input', 'threshold', 'float', 'periodic', PERIODIC_INPUT_KINDS).kind).toBe('constant')
    expect(defaultDraft('output', 'a.b', 'json', 'periodic', ['datastore', 'none']).kind).toBe('none')
  })

  it('keeps what was typed when the rule changes, and drops a kind the new rule refuses', () => {
    const rows = [
      { key: 'x', type: 'int' },
      { key: 'y', type: 'str' },
    ]
    const drafts = {
      x: draft({ kind: 'endpoint_value', name: 'ex' }),
      y: draft({ kind: 'env', variable: 'API_URL' }),
    }
    const adapted = adaptDrafts('input', rows, drafts, 'periodic', PERIODIC_INPUT_KINDS)
    expect(adapted.x).toMatchObject({ kind: 'constant', name: 'ex' })
    expect(adapted.y).toEqual(drafts.y)
  })
})

describe('buildMappings', () => {
  it('turns each row into the mapping the server stores', () => {
    const rows = [
      { key: 'n', type: 'int' },
      { key: 'flag', type: 'bool' },
      { key: 'config', type: 'json' },
      { key: 'data', type: 'file' },
      { key: 'node.port', type: 'str' },
      { key: 'renamed', type: 'float' },
      { key: 'key', type: 'str' },
      { key: 'csv', type: 'file' },
      { key: 'unused', type: 'str' },
    ]
    const { mappings, errors } = buildMappings(rows, {
      n: draft({ kind: 'constant', value: '3' }),
      flag: draft({ kind: 'constant', value: 'true' }),
      config: draft({ kind: 'constant', value: '{"a": [1]}' }),
      data: draft({ kind: 'constant', artifact: 12 }),
      'node.port': draft({ kind: 'endpoint_value', name: 'node_port' }),
      renamed: draft({ kind: 'endpoint_value', name: 'rate' }),
      key: draft({ kind: 'env', variable: 'API_KEY' }),
      csv: draft({ kind: 'datastore', path: 'data/in.csv' }),
      unused: draft({ kind: 'none' }),
    })
    expect(errors).toEqual({})
    expect(mappings).toEqual({
      n: { kind: 'constant', value: 3 },
      flag: { kind: 'constant', value: true },
      config: { kind: 'constant', value: { a: [1] } },
      data: { kind: 'constant', artifact: 12 },
      // The default caller name is left out; a renamed one is sent.
      'node.port': { kind: 'endpoint_value' },
      renamed: { kind: 'endpoint_value', name: 'rate' },
      key: { kind: 'env', variable: 'API_KEY' },
      csv: { kind: 'datastore', path: 'data/in.csv' },
      unused: { kind: 'none' },
    })
  })

  it('names every row that cannot be sent', () => {
    const rows = [
      { key: 'n', type: 'int' },
      { key: 'data', type: 'file' },
      { key: 'a', type: 'str' },
      { key: 'b', type: 'str' },
      { key: 'f1', type: 'file' },
      { key: 'f2', type: 'file' },
      { key: 'env', type: 'str' },
      { key: 'path', type: 'str' },
    ]
    const { errors } = buildMappings(rows, {
      n: draft({ kind: 'constant', value: 'three' }),
      data: draft({ kind: 'constant' }),
      a: draft({ kind: 'endpoint_value', name: 'same' }),
      b: draft({ kind: 'endpoint_value', name: 'same' }),
      f1: draft({ kind: 'endpoint_file', name: 'f1' }),
      f2: draft({ kind: 'endpoint_file', name: 'f2' }),
      env: draft({ kind: 'env' }),
      path: draft({ kind: 'datastore', path: '../etc/passwd' }),
    })
    expect(errors).toEqual({
      n: 'The value must be a whole number.',
      data: 'Choose an artifact.',
      b: 'The name same is already used by a.',
      f2: 'A call takes one file, and f1 already takes it.',
      env: 'Choose a variable.',
      path: 'Use a relative path without “..”.',
    })
  })
})

describe('the deploy form', () => {
  it('checks the name as a slug', () => {
    expect(nameProblem('')).toMatch(/Enter a name/)
    expect(nameProblem('Blobs')).toBe('Use lower case letters.')
    expect(nameProblem('-blobs')).toBe('Start with a letter or a digit.')
    expect(nameProblem('b')).toBe('Use at least 2 characters.')
    expect(nameProblem('blobs_api')).toBe('Use only a-z, 0-9 and -.')
    expect(nameProblem('blobs-api-2')).toBeNull()
    expect(suggestName('Classify synthetic blobs!')).toBe('classify-synthetic-blobs')
  })

  it('sends the endpoint limits in the units the server takes', () => {
    expect(buildLimits({ waitSeconds: '120', ratePerMinute: '30', maxBodyMb: '1.5' })).toEqual({
      limits: { wait_seconds: 120, rate_limit_per_minute: 30, max_body_bytes: 1572864 },
      errors: {},
    })
    expect(Object.keys(buildLimits({ waitSeconds: '301', ratePerMinute: '0', maxBodyMb: '0' }).errors)).toEqual([
      'waitSeconds',
      'ratePerMinute',
      'maxBodyMb',
    ])
  })

  it('builds an endpoint body with the limits and a periodic one with the schedule', () => {
    const common = {
      pipeline: 4,
      inputs: [{ key: 'x', type: 'int', pipeline_input: true }],
      outputs: [{ key: 'report.chart', type: 'file' }],
      inputDrafts: { x: draft({ kind: 'endpoint_value', name: 'x' }) },
      outputDrafts: { 'report.chart': draft({ kind: 'endpoint_value', name: 'chart' }) },
    }
    const endpoint = deployBody({ ...common, draft: { ...initialDeployDraft(9), name: 'blobs' } })
    expect(endpoint.body).toEqual({
      pipeline: 4,
      pipeline_version: 9,
      name: 'blobs',
      rule: 'endpoint',
      input_mappings: { x: { kind: 'endpoint_value' } },
      output_mappings: { 'report.chart': { kind: 'endpoint_value', name: 'chart' } },
      wait_seconds: 30,
      rate_limit_per_minute: 60,
      max_body_bytes: 1048576,
    })
    const periodic = deployBody({
      ...common,
      inputDrafts: { x: draft({ kind: 'constant', value: '2' }) },
      outputDrafts: { 'report.chart': draft({ kind: 'datastore', path: 'reports/{run_id}.png' }) },
      draft: { ...initialDeployDraft(9), name: 'nightly', rule: 'periodic' },
      schedule: { cron: '0 2 * * *', timezone: 'UTC' },
    })
    expect(periodic.body).toEqual({
      pipeline: 4,
      pipeline_version: 9,
      name: 'nightly',
      rule: 'periodic',
      input_mappings: { x: { kind: 'constant', value: 2 } },
      output_mappings: { 'report.chart': { kind: 'datastore', path: 'reports/{run_id}.png' } },
      schedule: { cron: '0 2 * * *', timezone: 'UTC' },
    })
  })

  it('puts the server’s messages on the row or field they name', () => {
    const placed = placeErrors(
      {
        'inputs.load.path': ["step input 'load.path' (str) is not mapped"],
        'outputs.report.chart': ['bad path'],
        'inputs.ghost': ['the pipeline version has no step input'],
        name: ["The name 'x' is taken: deployment names are unique."],
        'schedule.cron': ['Use five fields.'],
        wait_seconds: ['Input should be less than or equal to 300'],
        detail: 'Something else.',
      },
      ['load.path'],
      ['report.chart'],
    )
    expect(placed).toEqual({
      fields: { name: "The name 'x' is taken: deployment names are unique.", waitSeconds: 'Input should be less than or equal to 300' },
      inputs: { 'load.path': "step input 'load.path' (str) is not mapped" },
      outputs: { 'report.chart': 'bad path' },
      schedule: { cron: 'Use five fields.' },
      other: ['Input ghost: the pipeline version has no step input', 'Something else.'],
    })
  })

  it('describes a mapping in a few words', () => {
    expect(describeMapping('a.b', { kind: 'endpoint_value' })).toBe('Endpoint value “a_b”')
    expect(describeMapping('x', { kind: 'constant', value: 3 })).toBe('Constant: 3')
    expect(describeMapping('x', { kind: 'env', variable: 'API_KEY' })).toBe('Environment variable API_KEY')
  })
})

describe('usage examples', () => {
  const mappings = {
    threshold: { kind: 'endpoint_value' as const, name: 'cutoff' },
    data: { kind: 'endpoint_file' as const },
    constant: { kind: 'constant' as const, value: 1 },
  }

  it('sends what the endpoint mappings take from the caller', () => {
    expect(callShape(mappings, { threshold: 'float' })).toEqual({ values: { cutoff: 0.5 }, file: 'data' })
  })

  it('writes curl with the token and a multipart body when a file is taken', () => {
    const curl = curlExample('https://pw.test/endpoints/x', 'tok', callShape(mappings, { threshold: 'float' }))
    expect(curl).toContain("-H 'Authorization: EndpointToken tok'")
    expect(curl).toContain(`-F 'inputs={"cutoff":0.5}'`)
    expect(curl).toContain("-F 'data=@path/to/file'")
  })

  it('calls the SDK with Python literals', () => {
    const python = pythonExample('https://pw.test/endpoints/x', 'x', 'tok', {
      values: { on: true, nothing: null },
      file: null,
    })
    expect(python).toContain('from pipewright_sdk import trigger_endpoint')
    expect(python).toContain('os.environ.setdefault("PIPEWRIGHT_URL", "https://pw.test")')
    expect(python).toContain('{"on": True, "nothing": None}')
  })
})
