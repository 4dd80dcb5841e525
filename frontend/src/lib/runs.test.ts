// @vitest-environment node
import { describe, expect, it } from 'vitest'
import { countNodeStates, isActiveRun } from './runs'

describe('isActiveRun', () => {
  it('is true only for runs that can still change', () => {
    expect(isActiveRun('pending')).toBe(true)
    expect(isActiveRun('running')).toBe(true)
    expect(isActiveRun('succeeded')).toBe(false)
    expect(isActiveRun('failed')).toBe(false)
    expect(isActiveRun('cancelled')).toBe(false)
  })
})

describe('countNodeStates', () => {
  it('counts states in reading order, leaving out zeros', () => {
    expect(
      countNodeStates([
        { state: 'succeeded' },
        { state: 'failed' },
        { state: 'succeeded' },
        { state: 'running' },
      ]),
    ).toEqual([
      ['running', 1],
      ['failed', 1],
      ['succeeded', 2],
    ])
  })

  it('is empty for no node runs', () => {
    expect(countNodeStates([])).toEqual([])
  })
})
