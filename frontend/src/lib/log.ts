// Node logs: the tail worth showing, and which lines are the engine's own notes.

export interface LogTail {
  lines: string[]
  /** Lines left out before the first one shown. */
  hidden: number
}

/** The last `maxLines` lines of a log (one trailing newline does not make an empty line). */
export function logTail(log: string | null | undefined, maxLines = 2000): LogTail {
  if (!log) return { lines: [], hidden: 0 }
  const text = log.replace(/\r\n?/g, '\n').replace(/\n$/, '')
  const lines = text.split('\n')
  if (lines.length <= maxLines) return { lines, hidden: 0 }
  return { lines: lines.slice(lines.length - maxLines), hidden: lines.length - maxLines }
}

/** Lines the engine writes into a node's log start with `[pipewright]`. */
export function isEngineLine(line: string): boolean {
  return line.startsWith('[pipewright]')
}
