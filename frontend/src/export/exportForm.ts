// The export dialog's pure part: how each pipeline input is given (shipped in the zip, or on
// the command line), the request's `static` from the dialog's states, and a 400 as messages
// by field.

import type { RunInput } from '../api/backends'
import type { StaticInputs } from '../api/exports'
import { CREDENTIALS_MESSAGE } from '../execute/executeErrors'
import { buildInputs, isArtifactInput, type InputStates } from '../execute/InputsSection'
import { errorMessages, flattenMessages, isErrorLike } from '../lib/errors'

/** `static`: its current value ships in the zip; `argument`: given with `--input name=...`. */
export type InputMode = 'static' | 'argument'
export type InputModes = Record<string, InputMode>

/** Every input starts as a command-line argument: the zip then needs nothing picked. */
export function initialModes(inputs: readonly RunInput[]): InputModes {
  return Object.fromEntries(inputs.map((input) => [input.name, 'argument' as const]))
}

export function staticInputs(inputs: readonly RunInput[], modes: InputModes): RunInput[] {
  return inputs.filter((input) => modes[input.name] === 'static')
}

function hasDefault(input: RunInput): boolean {
  return input.default !== null && input.default !== undefined
}

/** What running the zip asks for an input given on the command line. */
export function argumentHint(input: RunInput): string {
  const what = input.type === 'file' ? 'a path' : input.type === 'directory' ? 'a folder' : 'a value'
  if (!input.wired) return `Not wired to a node: the zip does not use it.`
  if (hasDefault(input)) return `Optional when the zip runs (${what}); left out, it is ${JSON.stringify(input.default)}.`
  return `Required when the zip runs: ${what}.`
}

/**
 * The request's `static` (an artifact, or a value: the typed one, else the default), or the
 * problems by input name. Inputs given on the command line are left out.
 */
export function buildStatic(
  inputs: readonly RunInput[],
  modes: InputModes,
  states: InputStates,
): { static: StaticInputs; errors: Record<string, string> } {
  const result: StaticInputs = {}
  const errors: Record<string, string> = {}
  for (const input of staticInputs(inputs, modes)) {
    const state = states[input.name] ?? { artifact: null, text: '' }
    if (isArtifactInput(input)) {
      if (state.artifact === null) errors[input.name] = 'Choose an artifact, or upload a file.'
      else result[input.name] = { artifact: state.artifact }
      continue
    }
    const empty = state.text === '' || (input.type !== 'str' && state.text.trim() === '')
    if (empty) {
      if (hasDefault(input)) result[input.name] = { value: input.default }
      else errors[input.name] = 'Type a value, or give it on the command line.'
      continue
    }
    // One input at a time, as required: typed text must fit the input's type.
    const built = buildInputs([{ ...input, wired: true, default: null }], { [input.name]: state })
    const message = built.errors[input.name]
    const given = built.inputs[input.name]
    if (message) errors[input.name] = message
    else if (given) result[input.name] = given
  }
  return { static: result, errors }
}

export interface ExportErrors {
  /** `static.<input name>`, `input_credentials.<artifact id>[.account|.options.<field>]`. */
  fields: Record<string, string>
  /** Problems of the pipeline's graph (`node x, port y: ...`). */
  graph: string[]
  general: string[]
}

export const NO_EXPORT_ERRORS: ExportErrors = { fields: {}, graph: [], general: [] }

const STATIC_MESSAGE = /^static\.([A-Za-z_][A-Za-z0-9_]*)(?:\.[A-Za-z0-9_.]+)?: (.*)$/s

/** A refused export (400) as messages by field; any other error as general messages. */
export function exportErrors(error: unknown): ExportErrors {
  const result: ExportErrors = { fields: {}, graph: [], general: [] }
  const body = isErrorLike(error) && error.status === 400 ? error.body : null
  if (body === null || typeof body !== 'object' || Array.isArray(body)) {
    result.general = errorMessages(error)
    return result
  }
  for (const [key, value] of Object.entries(body as Record<string, unknown>)) {
    for (const message of flattenMessages(value)) {
      const input = STATIC_MESSAGE.exec(message)
      const credentials = CREDENTIALS_MESSAGE.exec(message)
      if (key === 'graph') result.graph.push(message)
      else if (input) result.fields[`static.${input[1]}`] ??= input[2]!
      else if (credentials) result.fields[`input_credentials.${credentials[1]}`] ??= credentials[2]!
      else result.general.push(message)
    }
  }
  return result
}
