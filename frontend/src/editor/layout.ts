// Auto-layout ("Tidy up"): lays the graph out left to right by layers with elkjs's
// layered algorithm. The pure parts (graph → ELK input, ELK output → positions) live
// here; the ELK run itself happens in a Web Worker (layout.worker.ts), or on the main
// thread where `Worker` does not exist (jsdom tests, very old browsers).

import type { ElkNode } from 'elkjs/lib/elk-api'
import type { GraphEdge, GraphNode } from '../api/types'

export interface Size {
  width: number
  height: number
}

export type Positions = Record<string, { x: number; y: number }>

/** The size of a node React Flow has not measured (yet). */
export const DEFAULT_NODE_SIZE: Size = { width: 220, height: 110 }

/** Space between layers (horizontal) and between nodes of one layer (vertical). */
export const LAYER_GAP = 80
export const NODE_GAP = 40

export const ELK_OPTIONS: Record<string, string> = {
  'elk.algorithm': 'layered',
  'elk.direction': 'RIGHT',
  'elk.edgeRouting': 'SPLINES',
  'elk.layered.spacing.nodeNodeBetweenLayers': String(LAYER_GAP),
  'elk.spacing.nodeNode': String(NODE_GAP),
  'elk.layered.nodePlacement.strategy': 'BRANDES_KOEPF',
  'elk.layered.considerModelOrder.strategy': 'NODES_AND_EDGES',
  'elk.layered.cycleBreaking.strategy': 'DEPTH_FIRST',
}

/** A usable measured size, else the default (unmeasured or stubbed 0/1-pixel sizes). */
export function nodeSize(measured?: Partial<Size> | null): Size {
  const width = measured?.width
  const height = measured?.height
  return {
    width: typeof width === 'number' && width >= 20 ? width : DEFAULT_NODE_SIZE.width,
    height: typeof height === 'number' && height >= 20 ? height : DEFAULT_NODE_SIZE.height,
  }
}

/** The ELK graph for `nodes` and `edges`; sizes by node id (missing ones get the default). */
export function toElkGraph(
  nodes: Pick<GraphNode, 'id' | 'position'>[],
  edges: Pick<GraphEdge, 'source' | 'target'>[],
  sizes: Record<string, Partial<Size> | undefined> = {},
): ElkNode {
  const ids = new Set(nodes.map((node) => node.id))
  // Model order follows the current top-to-bottom placement, so a tidy-up keeps the user's ordering.
  const ordered = [...nodes].sort((a, b) => a.position.y - b.position.y || a.position.x - b.position.x)
  const seen = new Set<string>()
  return {
    id: 'root',
    layoutOptions: ELK_OPTIONS,
    children: ordered.map((node) => ({ id: node.id, ...nodeSize(sizes[node.id]) })),
    edges: edges.flatMap((edge, index) => {
      if (!ids.has(edge.source) || !ids.has(edge.target) || edge.source === edge.target) return []
      const key = `${edge.source}\u0000${edge.target}`
      if (seen.has(key)) return []
      seen.add(key)
      return [{ id: `e${index}`, sources: [edge.source], targets: [edge.target] }]
    }),
  }
}

/** Node positions from ELK's answer, rounded to whole pixels. */
export function positionsFromElk(result: ElkNode): Positions {
  const positions: Positions = {}
  for (const child of result.children ?? []) {
    positions[child.id] = { x: Math.round(child.x ?? 0), y: Math.round(child.y ?? 0) }
  }
  return positions
}

/** Runs ELK on the main thread (the worker does the same). */
export async function layoutWithElk(graph: ElkNode): Promise<ElkNode> {
  const { default: ELK } = await import('elkjs/lib/elk.bundled.js')
  return new ELK().layout(graph)
}

interface WorkerAnswer {
  id: number
  result?: ElkNode
  error?: string
}

let worker: Worker | null = null
let nextRequest = 1
const pending = new Map<number, { resolve: (result: ElkNode) => void; reject: (error: Error) => void }>()

function layoutWorker(): Worker | null {
  if (typeof Worker === 'undefined') return null
  if (!worker) {
    try {
      worker = new Worker(new URL('./layout.worker.ts', import.meta.url), { type: 'module' })
    } catch {
      return null
    }
    worker.onmessage = (event: MessageEvent<WorkerAnswer>) => {
      const request = pending.get(event.data.id)
      if (!request) return
      pending.delete(event.data.id)
      if (event.data.result) request.resolve(event.data.result)
      else request.reject(new Error(event.data.error ?? 'Layout failed'))
    }
    worker.onerror = (event) => {
      const error = new Error(event.message || 'Layout worker failed')
      for (const request of pending.values()) request.reject(error)
      pending.clear()
      worker?.terminate()
      worker = null
    }
  }
  return worker
}

/** Lays out `graph` off the main thread when possible. */
export function runElk(graph: ElkNode): Promise<ElkNode> {
  const target = layoutWorker()
  if (!target) return layoutWithElk(graph)
  const id = nextRequest++
  return new Promise<ElkNode>((resolve, reject) => {
    pending.set(id, { resolve, reject })
    target.postMessage({ id, graph })
  })
}

/** New positions for every node, laid out left to right by layers. */
export async function computeLayout(
  nodes: Pick<GraphNode, 'id' | 'position'>[],
  edges: Pick<GraphEdge, 'source' | 'target'>[],
  sizes: Record<string, Partial<Size> | undefined> = {},
): Promise<Positions> {
  if (!nodes.length) return {}
  return positionsFromElk(await runElk(toElkGraph(nodes, edges, sizes)))
}
