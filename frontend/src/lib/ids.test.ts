import { describe, expect, it } from 'vitest'
import { parseId } from './ids'

describe('parseId', () => {
  it('reads whole numbers and refuses anything else', () => {
    expect(parseId('42')).toBe(42)
    expect(parseId('4x')).toBeNull()
    expect(parseId('-1')).toBeNull()
    expect(parseId('')).toBeNull()
    expect(parseId(null)).toBeNull()
    expect(parseId(undefined)).toBeNull()
  })
})
