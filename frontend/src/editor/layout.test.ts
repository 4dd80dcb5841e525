import { describe, expect, it } from 'vitest'
import {
  DEFAULT_NODE_SIZE,
  computeLayout,
  nodeSize,
  positionsFromElk,
  toElkGraph,
  type Positions,
  type Size,
} from './layout'

const at = (id: string, x = 0, y = 0) => ({ id, position: { x, y } })
const edge = (source: string, target: string) => ({ source, target })

function overlaps(positions: Positions, size: (id: string) => Size): string[] {
  const ids = Object.keys(positions)
  const clashes: string[] = []
  for (let i = 0; i < ids.length; i++) {
    for (let j = i + 1; j < ids.length; j++) {
      const a = positions[ids[i]!]!
      const b = positions[ids[j]!]!
      const sa = size(ids[i]!)
      const sb = size(ids[j]!)
      if (a.x < b.x + sb.width && b.x < a.x + sa.width && a.y < b.y + sb.height && b.y < a.y + sa.height) {
        clashes.push(`${ids[i]}/${ids[j]}`)
      }
    }
  }
  return clashes
}

describe('nodeSize', () => {
  it('uses measured sizes, else the default', () => {
    expect(nodeSize({ width: 300, height: 90 })).toEqual({ width: 300, height: 90 })
    expect(nodeSize(undefined)).toEqual(DEFAULT_NODE_SIZE)
    expect(nodeSize({ width: 1, height: 1 })).toEqual(DEFAULT_NODE_SIZE)
  })
})

describe('toElkGraph', () => {
  it('asks for a left-to-right layered layout with sized nodes and valid edges only', () => {
    const graph = toElkGraph(
      [at('b', 0, 100), at('a', 0, 0)],
      [edge('a', 'b'), edge('a', 'b'), edge('a', 'gone'), edge('b', 'b')],
      { a: { width: 250, height: 80 } },
    )
    expect(graph.layoutOptions).toMatchObject({ 'elk.algorithm': 'layered', 'elk.direction': 'RIGHT' })
    // Model order follows the current vertical order.
    expect(graph.children).toEqual([
      { id: 'a', width: 250, height: 80 },
      { id: 'b', ...DEFAULT_NODE_SIZE },
    ])
    expect(graph.edges).toEqual([{ id: 'e0', sources: ['a'], targets: ['b'] }])
  })
})

describe('positionsFromElk', () => {
  it('reads rounded child positions', () => {
    expect(positionsFromElk({ id: 'root', children: [{ id: 'a', x: 12.4, y: 7.6 }, { id: 'b' }] })).toEqual({
      a: { x: 12, y: 8 },
      b: { x: 0, y: 0 },
    })
  })
})

describe('computeLayout (ELK on the main thread: no Worker in jsdom)', () => {
  it('returns nothing for an empty graph', async () => {
    expect(await computeLayout([], [])).toEqual({})
  })

  it('puts layers left to right, edges pointing rightward, without overlaps', async () => {
    // A diamond plus a tail and an unconnected node, all stacked on one spot.
    const nodes = ['load', 'clean', 'split', 'train', 'score', 'report', 'lonely'].map((id) => at(id))
    const edges = [
      edge('load', 'clean'),
      edge('load', 'split'),
      edge('clean', 'train'),
      edge('split', 'train'),
      edge('split', 'score'),
      edge('train', 'score'),
      edge('score', 'report'),
    ]
    const sizes = { train: { width: 320, height: 160 } }
    const positions = await computeLayout(nodes, edges, sizes)
    expect(Object.keys(positions).sort()).toEqual(nodes.map((node) => node.id).sort())

    const size = (id: string) => nodeSize(sizes[id as keyof typeof sizes])
    for (const { source, target } of edges) {
      // The target starts right of where the source ends.
      expect(positions[target]!.x).toBeGreaterThanOrEqual(positions[source]!.x + size(source).width)
    }
    // Longest-path layers: load < clean, split < train < score < report.
    const x = (id: string) => positions[id]!.x
    expect(x('load')).toBeLessThan(x('clean'))
    expect(x('clean')).toBe(x('split'))
    expect(x('train')).toBeLessThan(x('score'))
    expect(x('score')).toBeLessThan(x('report'))
    expect(overlaps(positions, size)).toEqual([])
  })

  it('handles a cycle without crashing', async () => {
    const positions = await computeLayout([at('a'), at('b')], [edge('a', 'b'), edge('b', 'a')])
    expect(overlaps(positions, () => DEFAULT_NODE_SIZE)).toEqual([])
  })
})
