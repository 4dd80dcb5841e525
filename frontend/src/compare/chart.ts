// The geometry of the series chart (pure): nice axis ticks, scales, line paths, hover lookup.

import type { SeriesPoints } from './types'

/** About `count` round tick values covering [min, max] (1, 2 or 5 times a power of ten apart). */
export function niceTicks(min: number, max: number, count = 5): number[] {
  if (!Number.isFinite(min) || !Number.isFinite(max)) return []
  if (min === max) return [min]
  const rough = (max - min) / Math.max(1, count)
  const power = 10 ** Math.floor(Math.log10(rough))
  const step = [1, 2, 5, 10].map((m) => m * power).find((candidate) => candidate >= rough) ?? 10 * power
  const ticks: number[] = []
  for (let tick = Math.ceil(min / step) * step; tick <= max + step * 1e-9; tick += step) {
    ticks.push(Number(tick.toPrecision(12)))
  }
  return ticks
}

export interface Extent {
  min: number
  max: number
}

/** The range of steps (x) and values (y) over every run's points, padded when flat. */
export function extents(series: readonly (SeriesPoints | null)[]): { x: Extent; y: Extent } | null {
  const points = series.flatMap((line) => line ?? []).filter(([x, y]) => Number.isFinite(x) && Number.isFinite(y))
  if (points.length === 0) return null
  const xs = points.map(([x]) => x)
  const ys = points.map(([, y]) => y)
  const x = { min: Math.min(...xs), max: Math.max(...xs) }
  const y = { min: Math.min(...ys), max: Math.max(...ys) }
  if (x.min === x.max) x.max = x.min + 1
  if (y.min === y.max) {
    const pad = Math.abs(y.min) * 0.1 || 1
    y.min -= pad
    y.max += pad
  }
  return { x, y }
}

/** A linear map from `domain` onto [from, to] (pixels). */
export function scale(domain: Extent, from: number, to: number): (value: number) => number {
  const span = domain.max - domain.min || 1
  return (value) => from + ((value - domain.min) / span) * (to - from)
}

/** An SVG path through the points, in step order. */
export function linePath(points: SeriesPoints, x: (v: number) => number, y: (v: number) => number): string {
  return [...points]
    .filter(([px, py]) => Number.isFinite(px) && Number.isFinite(py))
    .sort((a, b) => a[0] - b[0])
    .map(([px, py], i) => `${i === 0 ? 'M' : 'L'}${round(x(px))},${round(y(py))}`)
    .join(' ')
}

function round(value: number): number {
  return Math.round(value * 10) / 10
}

/** Each run's point nearest to `step` (null where the run has no points). */
export function pointsNear(series: readonly (SeriesPoints | null)[], step: number): ([number, number] | null)[] {
  return series.map((points) => {
    if (!points || points.length === 0) return null
    let best = points[0]!
    for (const point of points) if (Math.abs(point[0] - step) < Math.abs(best[0] - step)) best = point
    return best
  })
}
