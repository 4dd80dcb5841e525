// Previews of small text-like file outputs (pure): which files get one, a tiny CSV/TSV
// parser, and the cut of the text shown before "Show all".

/** Files up to this size are fetched for a preview. */
export const PREVIEW_MAX_BYTES = 256 * 1024
/** A text preview shows this many characters before "Show all". */
export const PREVIEW_TEXT_CHARS = 4096
/** A table preview shows this many rows after the header. */
export const PREVIEW_TABLE_ROWS = 20

export type PreviewKind = 'csv' | 'tsv' | 'text'

/** How a file output is previewed, or null when it is not (unknown kind, too big, no name). */
export function previewKind(name: string | undefined, size: number | undefined): PreviewKind | null {
  if (!name || typeof size !== 'number' || size > PREVIEW_MAX_BYTES) return null
  const extension = /\.([a-z]+)$/i.exec(name)?.[1]?.toLowerCase()
  if (extension === 'csv') return 'csv'
  if (extension === 'tsv') return 'tsv'
  return extension && ['txt', 'log', 'md', 'json'].includes(extension) ? 'text' : null
}

/**
 * Rows of delimited text: fields may be quoted (`"a, b"`), a doubled quote inside quotes is
 * one quote, and quoted fields may span lines. CRLF and LF both end rows; a final newline
 * does not add an empty row.
 */
export function parseDelimited(text: string, delimiter = ','): string[][] {
  const rows: string[][] = []
  let row: string[] = []
  let field = ''
  let quoted = false
  /** Something of the current row was read (so the end of the text ends a row). */
  let started = false
  let i = 0
  const endRow = () => {
    row.push(field)
    rows.push(row)
    row = []
    field = ''
    started = false
  }
  while (i < text.length) {
    const char = text[i]!
    const newline = !quoted && (char === '\n' || char === '\r')
    if (!newline) started = true
    if (quoted) {
      if (char === '"') {
        if (text[i + 1] === '"') {
          field += '"'
          i += 1
        } else {
          quoted = false
        }
      } else {
        field += char
      }
    } else if (char === '"' && field === '') {
      quoted = true
    } else if (char === delimiter) {
      row.push(field)
      field = ''
    } else if (char === '\n' || char === '\r') {
      if (char === '\r' && text[i + 1] === '\n') i += 1
      endRow()
    } else {
      field += char
    }
    i += 1
  }
  if (started) endRow()
  return rows
}

export interface TablePreview {
  header: string[]
  rows: string[][]
  /** Data rows in the whole file (after the header). */
  total: number
}

/** The header and the first `limit` rows of a CSV (or TSV) file. */
export function tablePreview(text: string, kind: 'csv' | 'tsv', limit = PREVIEW_TABLE_ROWS): TablePreview {
  const [header = [], ...rows] = parseDelimited(text, kind === 'tsv' ? '\t' : ',')
  return { header, rows: rows.slice(0, limit), total: rows.length }
}

/** The text shown before "Show all", and whether some was left out. */
export function textPreview(text: string, limit = PREVIEW_TEXT_CHARS): { text: string; truncated: boolean } {
  return text.length > limit ? { text: `${text.slice(0, limit)}…`, truncated: true } : { text, truncated: false }
}
