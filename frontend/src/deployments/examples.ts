// Copy-paste examples of calling an endpoint deployment: curl, Python (the SDK) and
// JavaScript fetch, with the inputs its mappings take from the caller.

import type { Mappings } from '../api/deployments'
import { callerName } from './mappings'

export const TOKEN_PLACEHOLDER = '<your endpoint token>'

/** A sample value a caller could send for a step input of this type. */
export function sampleValue(type: string): unknown {
  switch (type) {
    case 'int':
      return 1
    case 'float':
      return 0.5
    case 'bool':
      return true
    case 'str':
      return 'text'
    default:
      return {}
  }
}

export interface CallShape {
  /** Caller name → sample value, for the JSON body. */
  values: Record<string, unknown>
  /** The caller name of the file field, if one input takes a file. */
  file: string | null
}

/** What a call sends, from the input mappings and the step inputs' types. */
export function callShape(mappings: Mappings, types: Record<string, string> = {}): CallShape {
  const values: Record<string, unknown> = {}
  let file: string | null = null
  for (const [key, mapping] of Object.entries(mappings)) {
    if (mapping.kind === 'endpoint_value') values[mapping.name ?? callerName(key)] = sampleValue(types[key] ?? 'json')
    else if (mapping.kind === 'endpoint_file') file ??= mapping.name ?? callerName(key)
  }
  return { values, file }
}

function origin(url: string): string {
  try {
    return new URL(url).origin
  } catch {
    return typeof window === 'undefined' ? '' : window.location.origin
  }
}

function quoteShell(text: string): string {
  return `'${text.replace(/'/g, `'\\''`)}'`
}

export function curlExample(url: string, token: string, shape: CallShape): string {
  const json = JSON.stringify(shape.values)
  const lines = [`curl -X POST ${quoteShell(url)}`, `  -H ${quoteShell(`Authorization: EndpointToken ${token}`)}`]
  if (shape.file) {
    lines.push(`  -F ${quoteShell(`inputs=${json}`)}`, `  -F ${quoteShell(`${shape.file}=@path/to/file`)}`)
  } else {
    lines.push(`  -H 'Content-Type: application/json'`, `  -d ${quoteShell(json)}`)
  }
  return lines.join(' \\\n')
}

function pythonLiteral(value: unknown): string {
  if (value === true) return 'True'
  if (value === false) return 'False'
  if (value === null) return 'None'
  if (Array.isArray(value)) return `[${value.map(pythonLiteral).join(', ')}]`
  if (typeof value === 'object') {
    return `{${Object.entries(value as Record<string, unknown>)
      .map(([key, inner]) => `${JSON.stringify(key)}: ${pythonLiteral(inner)}`)
      .join(', ')}}`
  }
  return JSON.stringify(value)
}

export function pythonExample(url: string, name: string, token: string, shape: CallShape): string {
  const args = [JSON.stringify(name), JSON.stringify(token), pythonLiteral(shape.values)]
  if (shape.file) args.push(`file=(${JSON.stringify(shape.file)}, "path/to/file")`)
  return [
    'import os',
    '',
    'from pipewright_sdk import trigger_endpoint',
    '',
    `os.environ.setdefault("PIPEWRIGHT_URL", ${JSON.stringify(origin(url))})`,
    'result = trigger_endpoint(',
    ...args.map((arg) => `    ${arg},`),
    ')',
    'print(result["outputs"])',
  ].join('\n')
}

export function javascriptExample(url: string, token: string, shape: CallShape): string {
  if (shape.file) {
    return [
      'const form = new FormData()',
      `form.append('inputs', JSON.stringify(${JSON.stringify(shape.values)}))`,
      `form.append(${JSON.stringify(shape.file)}, fileInput.files[0])`,
      `const response = await fetch(${JSON.stringify(url)}, {`,
      "  method: 'POST',",
      `  headers: { Authorization: ${JSON.stringify(`EndpointToken ${token}`)} },`,
      '  body: form,',
      '})',
      'const result = await response.json()',
    ].join('\n')
  }
  return [
    `const response = await fetch(${JSON.stringify(url)}, {`,
    "  method: 'POST',",
    '  headers: {',
    `    Authorization: ${JSON.stringify(`EndpointToken ${token}`)},`,
    "    'Content-Type': 'application/json',",
    '  },',
    `  body: JSON.stringify(${JSON.stringify(shape.values)}),`,
    '})',
    'const result = await response.json() // { run_id, state, outputs }',
  ].join('\n')
}
