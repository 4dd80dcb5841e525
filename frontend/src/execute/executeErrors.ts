// A refused run (400) as messages per dialog field: `name`, `experiment`,
// `compute.backend`, `storage.options.bucket`, `storage.account`, `inputs.<input name>`,
// `input_credentials.<artifact id>` (and `.account`, `.options.<field>`); the rest stay general.

import { flattenMessages, isErrorLike, errorMessages } from '../lib/errors'

export interface DialogErrors {
  fields: Record<string, string>
  general: string[]
}

const BACKEND_MESSAGE = /^(compute|storage)\.(options\.[A-Za-z0-9_]+|account): (.*)$/s
const INPUT_MESSAGE = /^inputs\.([A-Za-z_][A-Za-z0-9_]*): (.*)$/s
export const CREDENTIALS_MESSAGE = /^input_credentials\.(\d+(?:\.account|\.options\.[A-Za-z0-9_]+)?): (.*)$/s

export function dialogErrors(error: unknown): DialogErrors {
  const result: DialogErrors = { fields: {}, general: [] }
  const body = isErrorLike(error) && error.status === 400 ? error.body : null
  if (body === null || typeof body !== 'object' || Array.isArray(body)) {
    result.general = errorMessages(error)
    return result
  }
  for (const [key, value] of Object.entries(body as Record<string, unknown>)) {
    for (const message of flattenMessages(value)) {
      const backend = BACKEND_MESSAGE.exec(message)
      const input = INPUT_MESSAGE.exec(message)
      const credentials = CREDENTIALS_MESSAGE.exec(message)
      if (backend) result.fields[`${backend[1]}.${backend[2]}`] ??= backend[3]!
      else if (input) result.fields[`inputs.${input[1]}`] ??= input[2]!
      else if (credentials) result.fields[`input_credentials.${credentials[1]}`] ??= credentials[2]!
      else if (key === 'compute' || key === 'storage') result.fields[`${key}.backend`] ??= message.replace(/^(compute|storage): /, '')
      else if (key === 'name' || key === 'experiment') result.fields[key] ??= message.replace(/^experiment: /, '')
      else if (key === 'inputs') result.general.push(message.replace(/^inputs: /, ''))
      else result.general.push(message)
    }
  }
  return result
}

/** A 400 whose problems are about the pipeline's graph (not the dialog's fields). */
export function isGraphRefusal(error: unknown): boolean {
  if (!isErrorLike(error) || error.status !== 400) return false
  const body = error.body
  return typeof body === 'object' && body !== null && !Array.isArray(body) && 'graph' in body
}
