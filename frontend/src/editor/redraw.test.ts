// @vitest-environment node
import { describe, expect, it } from 'vitest'
import { redraw } from './redraw'

interface Item {
  id: string
  label: string
  selected?: boolean
  dragging?: boolean
}

function draw(item: Item, _old: Item | undefined, selected: boolean): Item {
  return { ...item, selected }
}

describe('redraw', () => {
  it('draws each item with its selection', () => {
    const items = [{ id: 'a', label: 'A' }, { id: 'b', label: 'B' }]
    const drawn = redraw([], items, new Set(['b']), new WeakMap(), draw)
    expect(drawn).toEqual([
      { id: 'a', label: 'A', selected: false },
      { id: 'b', label: 'B', selected: true },
    ])
  })

  it('keeps the list when nothing changed', () => {
    // given
    const drawnFrom = new WeakMap<Item, Item>()
    const items = [{ id: 'a', label: 'A' }, { id: 'b', label: 'B' }]
    const first = redraw([], items, new Set(), drawnFrom, draw)

    // then
    expect(redraw(first, items, new Set(), drawnFrom, draw)).toBe(first)
  })

  it('draws again only the items that changed or changed selection', () => {
    // given
    const drawnFrom = new WeakMap<Item, Item>()
    const a = { id: 'a', label: 'A' }
    const b = { id: 'b', label: 'B' }
    const c = { id: 'c', label: 'C' }
    const first = redraw([], [a, b, c], new Set(), drawnFrom, draw)

    // when
    const next = redraw(first, [a, { ...b, label: 'B2' }, c], new Set(['c']), drawnFrom, draw)

    // then
    expect(next[0]).toBe(first[0])
    expect(next[1]).toEqual({ id: 'b', label: 'B2', selected: false })
    expect(next[2]).toEqual({ id: 'c', label: 'C', selected: true })
  })

  it('draws again an item React Flow changed since (a new object)', () => {
    const drawnFrom = new WeakMap<Item, Item>()
    const a = { id: 'a', label: 'A' }
    const first = redraw([], [a], new Set(), drawnFrom, draw)
    const measured = [{ ...first[0]!, label: 'measured' }]
    expect(redraw(measured, [a], new Set(), drawnFrom, draw)).toEqual([{ id: 'a', label: 'A', selected: false }])
  })

  it('draws again an item that keep refuses', () => {
    const drawnFrom = new WeakMap<Item, Item>()
    const a: Item = { id: 'a', label: 'A' }
    const first = redraw([], [a], new Set(), drawnFrom, draw)
    const dragging = [first[0]!]
    dragging[0]!.dragging = true
    const next = redraw(dragging, [a], new Set(), drawnFrom, draw, (old) => !old.dragging)
    expect(next).not.toBe(dragging)
    expect(next[0]).not.toBe(dragging[0])
  })

  it('follows the order and the membership of the new items', () => {
    const drawnFrom = new WeakMap<Item, Item>()
    const a = { id: 'a', label: 'A' }
    const b = { id: 'b', label: 'B' }
    const first = redraw([], [a, b], new Set(), drawnFrom, draw)
    const next = redraw(first, [b], new Set(), drawnFrom, draw)
    expect(next).toEqual([{ id: 'b', label: 'B', selected: false }])
    expect(next[0]).toBe(first[1])
  })
})
