// @vitest-environment node
import { describe, expect, it } from 'vitest'
import { formatBytes, formatNumber, formatProgress, previewValue } from './format'

describe('formatBytes', () => {
  it('reads like a file manager', () => {
    expect(formatBytes(0)).toBe('0 B')
    expect(formatBytes(812)).toBe('812 B')
    expect(formatBytes(1536)).toBe('1.5 KB')
    expect(formatBytes(32_768)).toBe('32 KB')
    expect(formatBytes(4.2 * 1024 * 1024)).toBe('4.2 MB')
    expect(formatBytes(3 * 1024 ** 3)).toBe('3.0 GB')
  })

  it('gives a dash for nonsense', () => {
    expect(formatBytes(null)).toBe('—')
    expect(formatBytes(-1)).toBe('—')
    expect(formatBytes(Number.NaN)).toBe('—')
  })
})

describe('formatNumber', () => {
  it('keeps integers and rounds the rest to 4 significant digits', () => {
    expect(formatNumber(600)).toBe('600')
    expect(formatNumber(0.987654)).toBe('0.9877')
    expect(formatNumber(12.5)).toBe('12.5')
    expect(formatNumber(0)).toBe('0')
  })

  it('writes tiny and huge values in exponent form', () => {
    expect(formatNumber(0.0000123)).toBe('1.23e-5')
    expect(formatNumber(12_345_678.9)).toBe('1.23e+7')
  })

  it('gives a dash for missing values', () => {
    expect(formatNumber(null)).toBe('—')
    expect(formatNumber(undefined)).toBe('—')
  })
})

describe('formatProgress', () => {
  it('is a clamped whole percentage', () => {
    expect(formatProgress(0.456)).toBe('46%')
    expect(formatProgress(1.2)).toBe('100%')
    expect(formatProgress(-1)).toBe('0%')
    expect(formatProgress(null)).toBeNull()
  })
})

describe('previewValue', () => {
  it('pretty-prints JSON and shows strings as they are', () => {
    expect(previewValue({ accuracy: 0.99 })).toEqual({ text: '{\n  "accuracy": 0.99\n}', truncated: false })
    expect(previewValue('hello')).toEqual({ text: 'hello', truncated: false })
    expect(previewValue(3)).toEqual({ text: '3', truncated: false })
  })

  it('cuts long values by characters or lines and says so', () => {
    const long = previewValue('x'.repeat(50), 10)
    expect(long.truncated).toBe(true)
    expect(long.text).toBe(`${'x'.repeat(10)}\n…`)
    const many = previewValue(Array.from({ length: 100 }, (_, i) => i), 10_000, 5)
    expect(many.truncated).toBe(true)
    expect(many.text.split('\n')).toHaveLength(6)
  })
})
