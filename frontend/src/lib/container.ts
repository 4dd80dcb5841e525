// The contract of a container operation, as the server checks it (editor/containers.py):
// the image is a Docker reference; each `{{name}}` in the command or the args names a
// parameter (its value), an input (the path of its file) or an output (the path to write
// it to); the same reach the container as `PW_PARAM_<NAME>`, `PW_INPUT_<NAME>` and
// `PW_OUTPUT_<NAME>`. docs/editor.md describes it for authors.

const PATH_COMPONENT = '[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*'
const DOMAIN_COMPONENT = '(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])'
const DOMAIN = `(?:${DOMAIN_COMPONENT}(?:\\.${DOMAIN_COMPONENT})*|\\[[a-fA-F0-9:]+\\])(?::[0-9]+)?`
const NAME = `(?:${DOMAIN}/)?${PATH_COMPONENT}(?:/${PATH_COMPONENT})*`
const TAG = '[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}'
const DIGEST = '[A-Za-z][A-Za-z0-9]*(?:[-_+.][A-Za-z][A-Za-z0-9]*)*:[0-9a-fA-F]{32,}'
const IMAGE_REFERENCE = new RegExp(`^(${NAME})(?::${TAG})?(?:@${DIGEST})?$`)
const IMAGE_NAME_MAX = 255

export const IMAGE_EXAMPLE = 'python:3.12-slim'

/** Why `image` is not a Docker image reference, or null. Same wording as the server. */
export function imageProblem(image: string): string | null {
  if (!image) return 'A container operation needs an image.'
  if (/\s/.test(image)) return 'An image reference has no spaces.'
  const match = IMAGE_REFERENCE.exec(image)
  if (!match) {
    if (IMAGE_REFERENCE.test(image.toLowerCase())) return `'${image}': repository names must be lowercase.`
    return `'${image}' is not an image reference; write it like python:3.12-slim, ghcr.io/org/tool:1.2 or repo@sha256:<digest>.`
  }
  if ((match[1] ?? '').length > IMAGE_NAME_MAX) return `The repository name is longer than ${IMAGE_NAME_MAX} characters.`
  return null
}

/** The names of the `{{name}}` placeholders in `text`, in order (`''` for `{{}}`). */
export function placeholders(text: string): string[] {
  return [...text.matchAll(/\{\{\s*(.*?)\s*\}\}/g)].map((match) => match[1] ?? '')
}

/** A command or args list typed one item per line: lines trimmed, blank ones skipped. */
export function linesOf(text: string): string[] {
  return text
    .split('\n')
    .map((line) => line.trim())
    .filter(Boolean)
}

export type PlaceholderKind = 'parameter' | 'input' | 'output'

export interface PlaceholderName {
  name: string
  kind: PlaceholderKind
  /** The environment variable that carries the same value. */
  env: string
}

const ENV_PREFIX: Record<PlaceholderKind, string> = {
  parameter: 'PW_PARAM_',
  input: 'PW_INPUT_',
  output: 'PW_OUTPUT_',
}

export function envName(kind: PlaceholderKind, name: string): string {
  return ENV_PREFIX[kind] + name.toUpperCase()
}

const NAME_PATTERN = /^[A-Za-z_][A-Za-z0-9_]{0,63}$/

/** What `{{name}}` may name, given the declared parameters, inputs and outputs (unnamed rows left out). */
export function placeholderNames(interfaceNames: {
  parameters: readonly { name: string }[]
  inputs: readonly { name: string }[]
  outputs: readonly { name: string }[]
}): PlaceholderName[] {
  const rows: PlaceholderName[] = []
  for (const kind of ['parameter', 'input', 'output'] as const) {
    const items = kind === 'parameter' ? interfaceNames.parameters : kind === 'input' ? interfaceNames.inputs : interfaceNames.outputs
    for (const item of items) {
      if (NAME_PATTERN.test(item.name)) rows.push({ name: item.name, kind, env: envName(kind, item.name) })
    }
  }
  return rows
}

/** "Item 2: unknown placeholder {{x}}" for each placeholder of `items` that names nothing. */
export function unknownPlaceholders(items: readonly string[], known: readonly PlaceholderName[]): string[] {
  const names = new Set(known.map((row) => row.name))
  const listing = [...names].sort().map((name) => `{{${name}}}`).join(', ') || 'none (declare inputs or parameters)'
  const problems: string[] = []
  items.forEach((item, index) => {
    for (const name of placeholders(item)) {
      if (!names.has(name)) problems.push(`Item ${index + 1}: unknown placeholder {{${name}}}; known: ${listing}.`)
    }
  })
  return problems
}

/** The command line as a person would type it in a shell (for a preview; nothing runs a shell). */
export function shellPreview(items: readonly string[]): string {
  return items.map((item) => (/^[A-Za-z0-9_@%+=:,./{}-]+$/.test(item) ? item : `'${item.replace(/'/g, `'\\''`)}'`)).join(' ')
}
