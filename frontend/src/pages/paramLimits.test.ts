import { describe, expect, it } from 'vitest'
import { allowedText, parseAllowed } from './OperationEditorPage'

const row = (type: 'int' | 'float' | 'str' | 'bool' | 'json', allowed: string) => ({
  name: 'p',
  type,
  defaultText: '',
  description: '',
  allowedText: allowed,
})

describe('the "Allowed" column of a parameter', () => {
  it('reads bounds and choices as the API wants them', () => {
    expect(parseAllowed(row('int', '1..100'))).toEqual({ limits: { minimum: 1, maximum: 100 } })
    expect(parseAllowed(row('float', '0.. '))).toEqual({ limits: { minimum: 0 } })
    expect(parseAllowed(row('int', '8, 16,32'))).toEqual({ limits: { choices: [8, 16, 32] } })
    expect(parseAllowed(row('str', 'fast, exact'))).toEqual({ limits: { choices: ['fast', 'exact'] } })
    expect(parseAllowed(row('str', ''))).toEqual({ limits: {} })
  })

  it('says what is wrong', () => {
    expect(parseAllowed(row('int', '1..x'))).toEqual({ error: '“p”: write bounds as 1..100 (either side may be left out).' })
    expect(parseAllowed(row('int', 'a, b'))).toHaveProperty('error')
    expect(parseAllowed(row('bool', 'x'))).toEqual({ error: '“p”: bool parameters take no limits.' })
  })

  it('shows stored limits back', () => {
    expect(allowedText({ minimum: 1, maximum: 100 })).toBe('1..100')
    expect(allowedText({ maximum: 5 })).toBe('..5')
    expect(allowedText({ choices: ['a', 'b'] })).toBe('a, b')
    expect(allowedText({})).toBe('')
  })
})
