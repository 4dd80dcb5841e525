import { describe, expect, it } from 'vitest'
import {
  bestColumns,
  byNode,
  chartedMetrics,
  compareHref,
  formatValue,
  metricGoal,
  onlyDifferences,
  parseRunIds,
  RUN_COLORS,
  runColor,
  selectionProblem,
} from './compare'
import type { MetricRow } from './types'

describe('parseRunIds', () => {
  it('keeps whole numbers once, in the order given', () => {
    expect(parseRunIds('3, 1,3,x,,0,-2,7')).toEqual([3, 1, 7])
    expect(parseRunIds(null)).toEqual([])
  })

  it('round-trips through the compare link', () => {
    expect(compareHref([4, 9])).toBe('/runs/compare/?ids=4,9')
    expect(parseRunIds(new URL(compareHref([4, 9]), 'http://x').searchParams.get('ids'))).toEqual([4, 9])
  })
})

describe('selectionProblem', () => {
  it('asks for two to ten runs, and says how many to unselect above ten', () => {
    expect(selectionProblem(1)).toBe('Select 2 to 10 runs to compare them.')
    expect(selectionProblem(2)).toBeNull()
    expect(selectionProblem(10)).toBeNull()
    expect(selectionProblem(11)).toBe('Compare up to 10 runs at a time: unselect 1 run.')
    expect(selectionProblem(13)).toBe('Compare up to 10 runs at a time: unselect 3 runs.')
  })
})

describe('best values', () => {
  it('takes losses and errors as best low, the rest as best high', () => {
    expect(metricGoal('loss')).toBe('min')
    expect(metricGoal('val_loss')).toBe('min')
    expect(metricGoal('error_rate')).toBe('min')
    expect(metricGoal('accuracy')).toBe('max')
    expect(metricGoal('f1')).toBe('max')
  })

  it('marks every column holding the best value, and none when all agree or one has a value', () => {
    expect([...bestColumns([0.5, 0.2, null, 0.2], 'min')]).toEqual([1, 3])
    expect([...bestColumns([0.5, 0.9, 0.7], 'max')]).toEqual([1])
    expect(bestColumns([0.5, 0.5], 'min').size).toBe(0)
    expect(bestColumns([0.5, null], 'min').size).toBe(0)
  })
})

describe('formatValue', () => {
  it('shows strings bare and the rest as JSON; missing as null', () => {
    expect(formatValue('adam')).toBe('adam')
    expect(formatValue(0.25)).toBe('0.25')
    expect(formatValue(false)).toBe('false')
    expect(formatValue({ a: [1, 2] })).toBe('{"a":[1,2]}')
    expect(formatValue(null)).toBeNull()
    expect(formatValue(undefined)).toBeNull()
  })
})

describe('rows', () => {
  const rows = [
    { node: 'train', name: 'epochs', differs: true },
    { node: 'data', name: 'n', differs: false },
    { node: 'train', name: 'rate', differs: false },
  ]

  it('keeps only the rows that differ when asked', () => {
    expect(onlyDifferences(rows, true).map((row) => row.name)).toEqual(['epochs'])
    expect(onlyDifferences(rows, false)).toHaveLength(3)
  })

  it('groups rows by node in first-seen order', () => {
    expect(byNode(rows).map(([node, group]) => [node, group.map((row) => row.name)])).toEqual([
      ['train', ['epochs', 'rate']],
      ['data', ['n']],
    ])
  })

  it('charts a metric only when some run logged more than one point', () => {
    const metric = (name: string, series: MetricRow['series']): MetricRow => ({
      node: 'train',
      name,
      last: [],
      series,
      differs: false,
    })
    const charted = chartedMetrics([
      metric('loss', [[[0, 1], [1, 0.5]], null]),
      metric('accuracy', [[[0, 0.9]], [[0, 0.8]]]),
    ])
    expect(charted.map((row) => row.name)).toEqual(['loss'])
  })
})

describe('runColor', () => {
  it('gives ten distinct colours, then starts again', () => {
    expect(new Set(RUN_COLORS).size).toBe(10)
    expect(runColor(0)).not.toBe(runColor(1))
    expect(runColor(10)).toBe(runColor(0))
  })
})
