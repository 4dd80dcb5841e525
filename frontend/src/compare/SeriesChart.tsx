// A line chart of one metric over steps: one line per run, in the run's colour, with axes,
// a legend and a readout of every run's value at the step under the pointer.

import { useId, useMemo, useState, type MouseEvent } from 'react'
import { formatNumber } from '../lib/format'
import { extents, linePath, niceTicks, pointsNear, scale } from './chart'
import type { SeriesPoints } from './types'

const WIDTH = 560
const HEIGHT = 240
const PAD = { left: 56, right: 16, top: 12, bottom: 34 }
// Dots on the points while they are few enough to tell apart.
const MAX_DOTS = 40

export interface ChartLine {
  name: string
  color: string
  points: SeriesPoints | null
}

export function SeriesChart({ title, lines }: { title: string; lines: readonly ChartLine[] }) {
  const titleId = useId()
  const [hoverStep, setHoverStep] = useState<number | null>(null)
  const series = useMemo(() => lines.map((line) => line.points), [lines])
  const bounds = useMemo(() => extents(series), [series])
  if (!bounds) return null
  const x = scale(bounds.x, PAD.left, WIDTH - PAD.right)
  const y = scale(bounds.y, HEIGHT - PAD.bottom, PAD.top)
  const xTicks = niceTicks(bounds.x.min, bounds.x.max, 6).filter((t) => t >= bounds.x.min && t <= bounds.x.max)
  const yTicks = niceTicks(bounds.y.min, bounds.y.max, 5)
  const yTickValues = yTicks.filter((t) => t >= bounds.y.min && t <= bounds.y.max)
  const near = hoverStep === null ? null : pointsNear(series, hoverStep)

  const onMove = (event: MouseEvent<SVGRectElement>) => {
    const box = event.currentTarget.ownerSVGElement?.getBoundingClientRect()
    if (!box || box.width === 0) return
    const px = ((event.clientX - box.left) / box.width) * WIDTH
    const fraction = (px - PAD.left) / (WIDTH - PAD.left - PAD.right)
    setHoverStep(bounds.x.min + Math.min(1, Math.max(0, fraction)) * (bounds.x.max - bounds.x.min))
  }
  const hoverX = near ? near.find((point) => point !== null)?.[0] : undefined

  return (
    <figure className="series-chart card" aria-labelledby={titleId}>
      <figcaption id={titleId} className="series-chart-title">
        {title}
      </figcaption>
      <div className="series-chart-plot">
        <svg
          viewBox={`0 0 ${WIDTH} ${HEIGHT}`}
          role="img"
          aria-label={`${title} by step, one line per run`}
          preserveAspectRatio="xMidYMid meet"
        >
          <g className="series-chart-grid">
            {yTickValues.map((tick) => (
              <line key={tick} x1={PAD.left} x2={WIDTH - PAD.right} y1={y(tick)} y2={y(tick)} />
            ))}
          </g>
          <g className="series-chart-axis">
            <line x1={PAD.left} x2={WIDTH - PAD.right} y1={HEIGHT - PAD.bottom} y2={HEIGHT - PAD.bottom} />
            <line x1={PAD.left} x2={PAD.left} y1={PAD.top} y2={HEIGHT - PAD.bottom} />
            {xTicks.map((tick) => (
              <g key={tick} transform={`translate(${x(tick)},${HEIGHT - PAD.bottom})`}>
                <line y2={4} />
                <text y={16} textAnchor="middle">
                  {formatNumber(tick)}
                </text>
              </g>
            ))}
            {yTickValues.map((tick) => (
              <g key={tick} transform={`translate(${PAD.left},${y(tick)})`}>
                <line x2={-4} />
                <text x={-7} dy="0.32em" textAnchor="end">
                  {formatNumber(tick)}
                </text>
              </g>
            ))}
            <text className="series-chart-axis-label" x={(PAD.left + WIDTH - PAD.right) / 2} y={HEIGHT - 2}>
              step
            </text>
          </g>
          {lines.map((line) =>
            line.points && line.points.length > 0 ? (
              <g key={line.name} className="series-chart-line" data-run={line.name}>
                <path d={linePath(line.points, x, y)} stroke={line.color}>
                  <title>{line.name}</title>
                </path>
                {line.points.length <= MAX_DOTS &&
                  line.points.map(([px, py]) => (
                    <circle key={px} cx={x(px)} cy={y(py)} r={2.6} fill={line.color} />
                  ))}
              </g>
            ) : null,
          )}
          {hoverX !== undefined && near && (
            <g className="series-chart-hover" aria-hidden="true">
              <line x1={x(hoverX)} x2={x(hoverX)} y1={PAD.top} y2={HEIGHT - PAD.bottom} />
              {near.map((point, i) =>
                point ? <circle key={lines[i]!.name} cx={x(point[0])} cy={y(point[1])} r={4} fill={lines[i]!.color} /> : null,
              )}
            </g>
          )}
          <rect
            className="series-chart-overlay"
            x={PAD.left}
            y={PAD.top}
            width={WIDTH - PAD.left - PAD.right}
            height={HEIGHT - PAD.top - PAD.bottom}
            onMouseMove={onMove}
            onMouseLeave={() => setHoverStep(null)}
          />
        </svg>
      </div>
      <ul className="series-chart-legend" aria-label={`Legend of ${title}`}>
        {lines.map((line, i) => {
          const point = near?.[i]
          return (
            <li key={line.name}>
              <span className="series-chart-swatch" style={{ background: line.color }} aria-hidden="true" />
              <span className="series-chart-run">{line.name}</span>
              {point ? (
                <span className="series-chart-readout numeric">
                  step {formatNumber(point[0])}: {formatNumber(point[1])}
                </span>
              ) : (
                !line.points?.length && <span className="muted"> (not logged)</span>
              )}
            </li>
          )
        })}
      </ul>
    </figure>
  )
}
