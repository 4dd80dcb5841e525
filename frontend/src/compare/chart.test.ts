import { describe, expect, it } from 'vitest'
import { extents, linePath, niceTicks, pointsNear, scale } from './chart'

describe('niceTicks', () => {
  it('steps by 1, 2 or 5 times a power of ten inside the range', () => {
    expect(niceTicks(0, 24, 5)).toEqual([0, 5, 10, 15, 20])
    expect(niceTicks(0.31, 0.69, 4)).toEqual([0.4, 0.5, 0.6])
    expect(niceTicks(0, 1, 5)).toEqual([0, 0.2, 0.4, 0.6, 0.8, 1])
  })

  it('gives one tick for a flat range and none for nonsense', () => {
    expect(niceTicks(3, 3)).toEqual([3])
    expect(niceTicks(Number.NaN, 1)).toEqual([])
  })
})

describe('extents', () => {
  it('spans every run, skipping runs without points', () => {
    expect(extents([[[0, 0.9], [10, 0.4]], null, [[0, 1.2], [24, 0.2]]])).toEqual({
      x: { min: 0, max: 24 },
      y: { min: 0.2, max: 1.2 },
    })
    expect(extents([null, []])).toBeNull()
  })

  it('pads a flat line so it can be drawn', () => {
    const flat = extents([[[0, 2], [1, 2]]])!
    expect(flat.y.min).toBeLessThan(2)
    expect(flat.y.max).toBeGreaterThan(2)
  })
})

describe('scale and linePath', () => {
  it('maps the domain onto pixels, y growing upwards when reversed', () => {
    const y = scale({ min: 0, max: 1 }, 100, 0)
    expect(y(0)).toBe(100)
    expect(y(1)).toBe(0)
  })

  it('draws the points in step order', () => {
    const x = scale({ min: 0, max: 2 }, 0, 200)
    const y = scale({ min: 0, max: 1 }, 100, 0)
    expect(linePath([[2, 0], [0, 1], [1, 0.5]], x, y)).toBe('M0,0 L100,50 L200,100')
  })
})

describe('pointsNear', () => {
  it('finds each run\u2019s point nearest the hovered step', () => {
    expect(pointsNear([[[0, 1], [10, 0.5]], null, [[0, 2], [4, 1], [9, 0.1]]], 7)).toEqual([
      [10, 0.5],
      null,
      [9, 0.1],
    ])
  })
})
