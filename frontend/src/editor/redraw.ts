// React Flow's copies of the canvas's nodes and edges, redrawn from the store's (pure; tested alone).

/**
 * React Flow's copy of `items`, each marked selected or not. An item that is the same as when
 * it was last drawn (`drawnFrom` remembers what each copy was drawn from) and that `keep`
 * allows keeps its object, so that React Flow skips it; the list keeps its identity when
 * nothing changed. A drop or a click in a big graph then redraws a node or two, not a thousand.
 */
export function redraw<T extends { id: string; selected?: boolean }>(
  previous: T[],
  items: readonly T[],
  selected: ReadonlySet<string>,
  drawnFrom: WeakMap<T, T>,
  draw: (item: T, old: T | undefined, selected: boolean) => T,
  keep: (old: T) => boolean = () => true,
): T[] {
  const before = new Map(previous.map((item) => [item.id, item]))
  let changed = items.length !== previous.length
  const next = items.map((item, index) => {
    const old = before.get(item.id)
    const isSelected = selected.has(item.id)
    if (old && drawnFrom.get(old) === item && Boolean(old.selected) === isSelected && keep(old)) {
      if (previous[index] !== old) changed = true
      return old
    }
    changed = true
    const drawn = draw(item, old, isSelected)
    drawnFrom.set(drawn, item)
    return drawn
  })
  return changed ? next : previous
}
