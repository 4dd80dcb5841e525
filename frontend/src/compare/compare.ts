// Pure helpers of the compare-runs page: which runs, which rows, which value is best.

import type { MetricRow, ParamRow } from './types'

export const MIN_COMPARE = 2
export const MAX_COMPARE = 10

/** `"3,1,3,x"` -> [3, 1]: positive whole numbers, each once, in the order given. */
export function parseRunIds(text: string | null): number[] {
  const ids: number[] = []
  for (const part of (text ?? '').split(',')) {
    const trimmed = part.trim()
    if (!/^\d+$/.test(trimmed)) continue
    const id = Number(trimmed)
    if (id > 0 && !ids.includes(id)) ids.push(id)
  }
  return ids
}

export function compareHref(ids: readonly number[]): string {
  return `/runs/compare/?ids=${ids.join(',')}`
}

/** Why the selection cannot be compared yet, or null when it can. */
export function selectionProblem(count: number): string | null {
  if (count > MAX_COMPARE) {
    const extra = count - MAX_COMPARE
    return `Compare up to ${MAX_COMPARE} runs at a time: unselect ${extra} run${extra === 1 ? '' : 's'}.`
  }
  if (count < MIN_COMPARE) return `Select ${MIN_COMPARE} to ${MAX_COMPARE} runs to compare them.`
  return null
}

/** Losses and errors are best low; everything else (accuracy, f1, reward…) best high. */
export function metricGoal(name: string): 'min' | 'max' {
  return /loss|err|mse|mae|rmse|perplexity|latency|time|duration|cost/i.test(name) ? 'min' : 'max'
}

/** The columns holding the best value (ties all count); none when fewer than two runs have one. */
export function bestColumns(values: readonly (number | null | undefined)[], goal: 'min' | 'max'): Set<number> {
  const numbers = values.filter((value): value is number => typeof value === 'number' && Number.isFinite(value))
  if (numbers.length < 2 || numbers.every((value) => value === numbers[0])) return new Set()
  const best = goal === 'min' ? Math.min(...numbers) : Math.max(...numbers)
  return new Set(values.flatMap((value, column) => (value === best ? [column] : [])))
}

/** A parameter value as a cell shows it: strings bare, the rest as JSON, missing as null. */
export function formatValue(value: unknown): string | null {
  if (value === undefined || value === null) return null
  if (typeof value === 'string') return value
  if (typeof value === 'number' || typeof value === 'boolean') return String(value)
  return JSON.stringify(value)
}

export function onlyDifferences<T extends { differs: boolean }>(rows: readonly T[], only: boolean): T[] {
  return only ? rows.filter((row) => row.differs) : [...rows]
}

/** Rows grouped by node, in the order the nodes first appear. */
export function byNode<T extends { node: string }>(rows: readonly T[]): [string, T[]][] {
  const groups = new Map<string, T[]>()
  for (const row of rows) {
    const group = groups.get(row.node)
    if (group) group.push(row)
    else groups.set(row.node, [row])
  }
  return [...groups]
}

/** Metrics worth a chart: some run logged more than one point. */
export function chartedMetrics(rows: readonly MetricRow[]): MetricRow[] {
  return rows.filter((row) => row.series.some((points) => (points?.length ?? 0) > 1))
}

export function differingCount(rows: readonly ParamRow[]): number {
  return rows.filter((row) => row.differs).length
}

/** Distinct line colours (Tableau 10), readable on the light and the dark surface. */
export const RUN_COLORS = [
  '#4e79a7',
  '#f28e2b',
  '#e15759',
  '#59a14f',
  '#b07aa1',
  '#76b7b2',
  '#edc948',
  '#ff9da7',
  '#9c755f',
  '#bab0ac',
] as const

export function runColor(column: number): string {
  return RUN_COLORS[column % RUN_COLORS.length]!
}
