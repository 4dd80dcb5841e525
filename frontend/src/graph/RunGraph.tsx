import {
  Background,
  Controls,
  MiniMap,
  ReactFlow,
  useNodesState,
  useReactFlow,
  useStore,
  type NodeMouseHandler,
} from '@xyflow/react'
import { useEffect, useMemo, useRef } from 'react'
import type { Graph, NodeRun, Operation } from '../api/types'
import { toFlowGraph, type OperationFlowNode } from '../lib/graph'
import { nodeRunsById, toRunEdges, toRunNodes, type RunFlowNode } from '../lib/runGraph'
import { nodeStateColor } from '../lib/runs'
import { useTheme } from '../lib/theme'
import { toAnnotationFlowNodes } from '../editor/annotations/flow'
import { toInputFlowNodes } from '../editor/inputs/flow'
import { nodeTypes } from './nodeTypes'

const FIT_VIEW_OPTIONS = { padding: 0.18, maxZoom: 1.1 }
/** Small graphs fit on screen whole; a minimap would only cover nodes. */
const MINIMAP_FROM_NODES = 12

/** Fits the graph again when the canvas changes size (the node panel opens or closes). */
function FitOnResize() {
  const width = useStore((state) => state.width)
  const height = useStore((state) => state.height)
  const { fitView } = useReactFlow()
  const previous = useRef<{ width: number; height: number } | null>(null)
  useEffect(() => {
    const last = previous.current
    previous.current = { width, height }
    if (!last || !width || !height || (last.width === width && last.height === height)) return
    const timer = setTimeout(() => void fitView({ ...FIT_VIEW_OPTIONS, duration: 180 }), 60)
    return () => clearTimeout(timer)
  }, [width, height, fitView])
  return null
}

function miniMapColor(node: RunFlowNode): string {
  return nodeStateColor(node.data.state)
}

/** Fits the graph again when the nodes shown change (a filter was turned on or off). */
function FitOnFilter({ filterKey }: { filterKey: string }) {
  const { fitView } = useReactFlow()
  const previous = useRef(filterKey)
  useEffect(() => {
    if (previous.current === filterKey) return
    previous.current = filterKey
    const timer = setTimeout(() => void fitView({ ...FIT_VIEW_OPTIONS, duration: 180 }), 30)
    return () => clearTimeout(timer)
  }, [filterKey, fitView])
  return null
}

const NO_WAITING: Readonly<Record<string, string>> = {}
const NO_INPUTS: Readonly<Record<string, unknown>> = {}

/** `{"artifact": 12}` -> "artifact 12"; `{"value": 3}` -> "3"; nothing given -> undefined. */
export function givenText(given: unknown): string | undefined {
  if (typeof given !== 'object' || given === null) return undefined
  if ('artifact' in given) return `artifact ${String((given as { artifact: unknown }).artifact)}`
  if ('value' in given) {
    const text = JSON.stringify((given as { value: unknown }).value)
    return text.length > 24 ? `${text.slice(0, 23)}…` : text
  }
  return undefined
}

/**
 * The frozen graph of a run, each node coloured by its node run; click a node to inspect it.
 * `waiting` says why nodes have not started; `visibleNodeIds` (a filter) hides the others.
 */
export function RunGraph({
  graph,
  operations,
  nodeRuns,
  now,
  selectedNodeId,
  onSelectNode,
  waiting = NO_WAITING,
  visibleNodeIds = null,
  emptyFilterText = 'No node matches the filter.',
  inputsGiven = NO_INPUTS,
}: {
  graph: Graph
  operations: readonly Operation[]
  nodeRuns: readonly NodeRun[]
  now: number
  selectedNodeId: string | null
  onSelectNode: (nodeId: string | null) => void
  waiting?: Readonly<Record<string, string>>
  visibleNodeIds?: ReadonlySet<string> | null
  emptyFilterText?: string
  /** What the run gave each pipeline input (its config's `inputs`), shown on the input nodes. */
  inputsGiven?: Readonly<Record<string, unknown>>
}) {
  const { theme } = useTheme()
  const flow = useMemo(() => toFlowGraph(graph, operations), [graph, operations])
  // Node state lets React Flow record each node's measured size (the MiniMap needs it).
  const [measuredNodes, setNodes, onNodesChange] = useNodesState<OperationFlowNode>(flow.nodes)
  useEffect(() => setNodes(flow.nodes), [flow.nodes, setNodes])
  const runs = useMemo(() => nodeRunsById(nodeRuns), [nodeRuns])
  const nodes = useMemo(
    () =>
      toRunNodes(measuredNodes, runs, now, waiting, visibleNodeIds).map((node) =>
        node.id === selectedNodeId ? { ...node, selected: true } : { ...node, selected: false },
      ),
    [measuredNodes, runs, now, waiting, visibleNodeIds, selectedNodeId],
  )
  // Pipeline inputs (with what this run gave them), notes and groups: drawn, never run.
  const extras = useMemo(() => {
    const inputs = toInputFlowNodes(graph).map((node) => ({
      ...node,
      data: { ...node.data, given: givenText(inputsGiven[node.id]) },
    }))
    const { groups, notes } = toAnnotationFlowNodes(graph)
    return { before: [...groups, ...inputs], after: notes }
  }, [graph, inputsGiven])
  const shown = useMemo(
    () => [...extras.before, ...nodes, ...extras.after] as RunFlowNode[],
    [extras, nodes],
  )
  const filterKey = visibleNodeIds === null ? 'all' : [...visibleNodeIds].sort().join('\n')
  const edges = useMemo(
    () => [...flow.inputEdges, ...toRunEdges(flow.edges, runs)],
    [flow.inputEdges, flow.edges, runs],
  )
  const onNodeClick: NodeMouseHandler<RunFlowNode> = (_event, node) => {
    if (node.type === 'run') onSelectNode(node.id)
  }

  return (
    <div className="graph-canvas">
      <ReactFlow<RunFlowNode>
        nodes={shown}
        edges={edges}
        nodeTypes={nodeTypes}
        onNodesChange={(changes) => onNodesChange(changes as Parameters<typeof onNodesChange>[0])}
        onNodeClick={onNodeClick}
        onPaneClick={() => onSelectNode(null)}
        nodesDraggable={false}
        nodesConnectable={false}
        elementsSelectable={false}
        edgesFocusable={false}
        fitView
        fitViewOptions={FIT_VIEW_OPTIONS}
        minZoom={0.15}
        maxZoom={2}
        attributionPosition="top-right"
        colorMode={theme}
      >
        <Background gap={20} size={1.2} />
        <Controls showInteractive={false} position="bottom-left" />
        <FitOnResize />
        <FitOnFilter filterKey={filterKey} />
        {flow.nodes.length >= MINIMAP_FROM_NODES && (
          <MiniMap
            pannable
            zoomable
            position="bottom-right"
            ariaLabel="Graph overview"
            nodeColor={miniMapColor}
            nodeStrokeColor="#aab3c3"
            nodeBorderRadius={6}
          />
        )}
      </ReactFlow>
      {flow.nodes.length === 0 ? (
        <div className="graph-empty">
          <p>This run's graph has no nodes.</p>
        </div>
      ) : (
        visibleNodeIds !== null &&
        !flow.nodes.some((node) => visibleNodeIds.has(node.id)) && (
          <div className="graph-empty">
            <p>{emptyFilterText}</p>
          </div>
        )
      )}
    </div>
  )
}
