import { describe, expect, it } from 'vitest'
import { parseOffset, rangeLabel } from './listPage'

describe('list pages', () => {
  it('reads the offset from the URL, 0 when missing or bad', () => {
    expect(parseOffset('50')).toBe(50)
    expect(parseOffset(null)).toBe(0)
    expect(parseOffset('-5')).toBe(0)
    expect(parseOffset('abc')).toBe(0)
  })

  it('labels the rows shown', () => {
    expect(rangeLabel(0, 50, 213)).toBe('1–50 of 213')
    expect(rangeLabel(200, 13, 213)).toBe('201–213 of 213')
    expect(rangeLabel(0, 0, 0)).toBe('0 of 0')
  })
})
