// @vitest-environment node
import { describe, expect, it } from 'vitest'
import { isEngineLine, logTail } from './log'

describe('logTail', () => {
  it('splits a log into lines without a trailing empty one', () => {
    expect(logTail('one\ntwo\n')).toEqual({ lines: ['one', 'two'], hidden: 0 })
    expect(logTail('a\r\nb')).toEqual({ lines: ['a', 'b'], hidden: 0 })
  })

  it('keeps the last lines of a long log and says how many it left out', () => {
    const log = Array.from({ length: 10 }, (_, i) => `line ${i + 1}`).join('\n')
    expect(logTail(log, 3)).toEqual({ lines: ['line 8', 'line 9', 'line 10'], hidden: 7 })
  })

  it('is empty for no log', () => {
    expect(logTail('')).toEqual({ lines: [], hidden: 0 })
    expect(logTail(null)).toEqual({ lines: [], hidden: 0 })
  })

  it('keeps blank lines inside the log', () => {
    expect(logTail('a\n\nb\n').lines).toEqual(['a', '', 'b'])
  })
})

describe('isEngineLine', () => {
  it('recognises the engine notes', () => {
    expect(isEngineLine('[pipewright] cached: outputs reused from run 3, node train')).toBe(true)
    expect(isEngineLine('epoch 3 loss 0.2')).toBe(false)
    expect(isEngineLine(' [pipewright] indented')).toBe(false)
  })
})
