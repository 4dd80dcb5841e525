import { formatNumber } from '../lib/format'
import { sparklinePoints, type Series } from '../lib/sparkline'

/** A tiny line chart of a metric's series, with its range in the tooltip. */
export function Sparkline({
  series,
  label,
  width = 96,
  height = 24,
}: {
  series: Series
  label: string
  width?: number
  height?: number
}) {
  const points = sparklinePoints(series, width, height)
  if (!points) return null
  const values = series.map(([, value]) => value).filter((value) => Number.isFinite(value))
  const first = values[0]
  const last = values[values.length - 1]
  const description = `${label}: ${values.length} points, from ${formatNumber(first)} to ${formatNumber(last)}`
  const end = points.split(' ').pop()!.split(',')
  return (
    <svg
      className="sparkline"
      width={width}
      height={height}
      viewBox={`0 0 ${width} ${height}`}
      role="img"
      aria-label={description}
    >
      <title>{description}</title>
      <polyline points={points} fill="none" stroke="currentColor" strokeWidth="1.5" strokeLinejoin="round" strokeLinecap="round" />
      <circle cx={end[0]} cy={end[1]} r="2" fill="currentColor" />
    </svg>
  )
}
