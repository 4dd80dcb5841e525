// The points of a tiny line chart of a metric's series (pure; drawn as an SVG polyline).

export type Series = readonly (readonly [number | null, number])[]

/**
 * SVG polyline points fitting the series into `width` x `height` (with `pad` around).
 * Steps place the points when every point has one, else the order does. Empty for fewer
 * than two finite values. A flat series is drawn across the middle.
 */
export function sparklinePoints(series: Series, width: number, height: number, pad = 1.5): string {
  const points = series.filter(([, value]) => typeof value === 'number' && Number.isFinite(value))
  if (points.length < 2) return ''
  const useSteps = points.every(([step]) => typeof step === 'number' && Number.isFinite(step))
  const xs = points.map(([step], index) => (useSteps ? (step as number) : index))
  const ys = points.map(([, value]) => value)
  const minX = Math.min(...xs)
  const maxX = Math.max(...xs)
  const minY = Math.min(...ys)
  const maxY = Math.max(...ys)
  const spanX = maxX - minX || 1
  const innerW = width - 2 * pad
  const innerH = height - 2 * pad
  const round = (n: number) => Math.round(n * 100) / 100
  return xs
    .map((x, i) => {
      const px = pad + ((x - minX) / spanX) * innerW
      const py = maxY === minY ? height / 2 : pad + (1 - (ys[i]! - minY) / (maxY - minY)) * innerH
      return `${round(px)},${round(py)}`
    })
    .join(' ')
}
