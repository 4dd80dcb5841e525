// @vitest-environment node
import { describe, expect, it } from 'vitest'
import { sparklinePoints } from './sparkline'

describe('sparklinePoints', () => {
  it('fits a series into the box, high values at the top', () => {
    expect(sparklinePoints([[0, 1], [1, 0.5], [2, 0]], 100, 20, 0)).toBe('0,0 50,10 100,20')
  })

  it('places points by step when every point has one', () => {
    expect(sparklinePoints([[0, 0], [10, 1], [40, 2]], 40, 10, 0)).toBe('0,10 10,5 40,0')
  })

  it('falls back to the order when a step is missing', () => {
    expect(sparklinePoints([[null, 0], [5, 1], [null, 2]], 40, 10, 0)).toBe('0,10 20,5 40,0')
  })

  it('draws a flat series across the middle', () => {
    expect(sparklinePoints([[0, 3], [1, 3]], 10, 10, 0)).toBe('0,5 10,5')
  })

  it('is empty with fewer than two finite values', () => {
    expect(sparklinePoints([], 10, 10)).toBe('')
    expect(sparklinePoints([[0, 1]], 10, 10)).toBe('')
    expect(sparklinePoints([[0, 1], [1, Number.NaN]], 10, 10)).toBe('')
  })
})
