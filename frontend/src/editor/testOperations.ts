// Operations used by the editor tests (not imported by app code).

import type { Operation, Param, Port, PortType } from '../api/types'

function port(name: string, type: PortType, optional = false): Port {
  return { name, type, description: '', optional }
}

function operation(
  id: number,
  slug: string,
  inputs: Port[],
  outputs: Port[],
  parameters: Param[] = [],
): Operation {
  return {
    id,
    project: null,
    name: slug,
    slug,
    description: '',
    category: 'test',
    builtin: true,
    latest_version: {
      id: id * 10,
      number: 1,
      content_hash: `hash-${slug}`,
      kind: 'python',
      inputs,
      outputs,
      parameters,
      resources: { cpu: 1, memory: '1Gi', gpus: 0, cpu_fallback: false },
      created_at: '2024-01-01T00:00:00Z',
    },
  }
}

export const LOAD = operation(1, 'load', [], [port('data', 'file'), port('count', 'int')])
export const TRAIN = operation(
  2,
  'train',
  [port('data', 'file'), port('epochs', 'float', true)],
  [port('model', 'object'), port('score', 'float')],
  [
    { name: 'epochs', type: 'int', default: 1, description: '' },
    { name: 'lr', type: 'float', default: 0.1, description: '' },
    { name: 'name', type: 'str', default: '', description: '' },
    { name: 'shuffle', type: 'bool', default: true, description: '' },
    { name: 'extra', type: 'json', default: null, description: '' },
  ],
)
export const STEP = operation(3, 'step', [port('value', 'json', true)], [port('value', 'json')])
export const OPERATIONS = [LOAD, TRAIN, STEP]
