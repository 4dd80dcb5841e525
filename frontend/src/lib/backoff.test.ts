// @vitest-environment node
import { describe, expect, it } from 'vitest'
import { RECONNECT_MAX_MS, reconnectDelay } from './backoff'

describe('reconnectDelay', () => {
  it('starts at half a second and doubles up to ten seconds', () => {
    const most = () => 1
    expect([0, 1, 2, 3, 4, 5, 6, 20].map((failures) => reconnectDelay(failures, most))).toEqual([
      500, 1000, 2000, 4000, 8000, 10_000, 10_000, 10_000,
    ])
  })

  it('waits between half and all of each step', () => {
    expect(reconnectDelay(0, () => 0)).toBe(250)
    expect(reconnectDelay(3, () => 0.5)).toBe(3000)
    expect(reconnectDelay(50, () => 0)).toBe(RECONNECT_MAX_MS / 2)
    expect(reconnectDelay(-1, () => 2)).toBe(500)
  })
})
