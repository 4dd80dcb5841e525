// @vitest-environment node
import { describe, expect, it } from 'vitest'
import { isModEnter, modEnterLabel } from './keys'

const key = (overrides: Partial<Parameters<typeof isModEnter>[0]>) => ({
  key: 'Enter',
  ctrlKey: false,
  metaKey: false,
  altKey: false,
  shiftKey: false,
  ...overrides,
})

describe('isModEnter', () => {
  it('is Ctrl+Enter or Cmd+Enter', () => {
    expect(isModEnter(key({ ctrlKey: true }))).toBe(true)
    expect(isModEnter(key({ metaKey: true }))).toBe(true)
  })

  it('is not Enter alone, with other modifiers, or another key', () => {
    expect(isModEnter(key({}))).toBe(false)
    expect(isModEnter(key({ ctrlKey: true, shiftKey: true }))).toBe(false)
    expect(isModEnter(key({ ctrlKey: true, altKey: true }))).toBe(false)
    expect(isModEnter(key({ key: 'a', ctrlKey: true }))).toBe(false)
  })
})

describe('modEnterLabel', () => {
  it('speaks the platform language', () => {
    expect(modEnterLabel('MacIntel')).toBe('⌘ Enter')
    expect(modEnterLabel('Linux x86_64')).toBe('Ctrl+Enter')
    expect(modEnterLabel('')).toBe('Ctrl+Enter')
  })
})
