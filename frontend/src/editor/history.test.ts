import { describe, expect, it } from 'vitest'
import { emptyHistory, record, redo, seal, undo } from './history'

describe('history', () => {
  it('undoes and redoes snapshots in order', () => {
    let history = record(emptyHistory<number>(), 0)
    history = record(history, 1)
    const back = undo(history, 2)!
    expect(back.value).toBe(1)
    const forward = redo(back.history, back.value)!
    expect(forward.value).toBe(2)
    expect(undo(emptyHistory<number>(), 0)).toBeNull()
  })

  it('merges steps with the same key until sealed', () => {
    let history = record(emptyHistory<number>(), 0, 'move:a')
    history = record(history, 1, 'move:a')
    expect(history.past).toEqual([0])
    history = record(seal(history), 2, 'move:a')
    expect(history.past).toEqual([0, 2])
  })

  it('keeps at most the limit, dropping the oldest', () => {
    let history = emptyHistory<number>()
    for (let i = 0; i < 5; i++) history = record(history, i, null, 3)
    expect(history.past).toEqual([2, 3, 4])
  })
})
