// Cycle detection over node ids and edges (same idea as editor/graph.py find_cycle). Pure.

interface EdgeLike {
  source: string
  target: string
}

function adjacency(nodeIds: readonly string[], edges: readonly EdgeLike[]): Map<string, string[]> {
  const children = new Map<string, string[]>(nodeIds.map((id) => [id, []]))
  for (const edge of edges) {
    const list = children.get(edge.source)
    if (list && children.has(edge.target)) list.push(edge.target)
  }
  return children
}

/** One cycle as node ids (first repeated at the end), or []. */
export function findCycle(nodeIds: readonly string[], edges: readonly EdgeLike[]): string[] {
  const children = adjacency(nodeIds, edges)
  const state = new Map<string, 1 | 2>() // 1 = on the current path, 2 = finished
  for (const root of children.keys()) {
    if (state.has(root)) continue
    const path = [root]
    const stack = [children.get(root)![Symbol.iterator]()]
    state.set(root, 1)
    while (stack.length) {
      const next = stack[stack.length - 1]!.next()
      if (next.done) {
        state.set(path.pop()!, 2)
        stack.pop()
        continue
      }
      const child = next.value
      const seen = state.get(child)
      if (seen === 1) return [...path.slice(path.indexOf(child)), child]
      if (seen === undefined) {
        state.set(child, 1)
        path.push(child)
        stack.push(children.get(child)![Symbol.iterator]())
      }
    }
  }
  return []
}

/** A path of node ids from `from` to `to` following edges (breadth first), or null. */
export function findPath(
  from: string,
  to: string,
  edges: readonly EdgeLike[],
): string[] | null {
  const parent = new Map<string, string | null>([[from, null]])
  const queue = [from]
  while (queue.length) {
    const current = queue.shift()!
    if (current === to) {
      const path = [current]
      let step = parent.get(current)
      while (step != null) {
        path.unshift(step)
        step = parent.get(step)
      }
      return path
    }
    for (const edge of edges) {
      if (edge.source === current && !parent.has(edge.target)) {
        parent.set(edge.target, current)
        queue.push(edge.target)
      }
    }
  }
  return null
}

/**
 * The cycle an edge `source -> target` would close, as `[source, target, ..., source]`,
 * or null when it closes none.
 */
export function cycleCreatedBy(
  source: string,
  target: string,
  edges: readonly EdgeLike[],
): string[] | null {
  if (source === target) return [source, source]
  const back = findPath(target, source, edges)
  return back ? [source, ...back] : null
}

export function formatCycle(cycle: readonly string[]): string {
  return cycle.join(' → ')
}
