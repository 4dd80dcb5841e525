import {
  Background,
  Controls,
  MiniMap,
  ReactFlow,
  useNodesState,
  type NodeMouseHandler,
} from '@xyflow/react'
import { useEffect, useMemo } from 'react'
import type { Graph, Operation } from '../api/types'
import {
  minimapNodeColor,
  minimapNodeStroke,
  toAnnotationFlowNodes,
  type EditorFlowNode,
} from '../editor/annotations/flow'
import '../editor/annotations/annotations.css'
import { toInputFlowNodes } from '../editor/inputs/flow'
import { toFlowGraph } from '../lib/graph'
import { useTheme } from '../lib/theme'
import { nodeTypes } from './nodeTypes'

const FIT_VIEW_OPTIONS = { padding: 0.2, maxZoom: 1.1 }
const NO_PROBLEMS: readonly string[] = []

function miniMapColor(node: EditorFlowNode): string {
  return node.type === 'operation' && node.data.problem ? '#f3b7b2' : minimapNodeColor(node)
}

/** The pipeline graph, read-only, with its notes and groups: pan, zoom and click a node to inspect it. */
export function GraphPreview({
  graph,
  operations,
  selectedNodeId,
  onSelectNode,
  problemNodeIds = NO_PROBLEMS,
}: {
  graph: Graph
  operations: readonly Operation[]
  selectedNodeId: string | null
  onSelectNode: (nodeId: string | null) => void
  /** Nodes a refused run named: drawn in red. */
  problemNodeIds?: readonly string[]
}) {
  const { theme } = useTheme()
  const flow = useMemo(() => toFlowGraph(graph, operations), [graph, operations])
  // Groups behind the nodes, notes above them, as in the editor.
  const allNodes = useMemo((): EditorFlowNode[] => {
    const { groups, notes } = toAnnotationFlowNodes(graph)
    return [...groups, ...toInputFlowNodes(graph), ...flow.nodes, ...notes]
  }, [graph, flow.nodes])
  // Node state lets React Flow record each node's measured size (the MiniMap needs it).
  const [measuredNodes, setNodes, onNodesChange] = useNodesState<EditorFlowNode>(allNodes)
  useEffect(() => setNodes(allNodes), [allNodes, setNodes])
  const nodes = useMemo(() => {
    const problems = new Set(problemNodeIds)
    return measuredNodes.map((node) => {
      if (node.type !== 'operation') return node
      const selected = node.id === selectedNodeId
      const problem = problems.has(node.id)
      if (selected === Boolean(node.selected) && problem === Boolean(node.data.problem)) return node
      return { ...node, selected, data: { ...node.data, problem } }
    })
  }, [measuredNodes, selectedNodeId, problemNodeIds])
  const edges = useMemo(() => [...flow.inputEdges, ...flow.edges], [flow.inputEdges, flow.edges])
  const onNodeClick: NodeMouseHandler<EditorFlowNode> = (_event, node) => {
    if (node.type === 'operation') onSelectNode(node.id)
  }

  return (
    <div className="graph-canvas">
      <ReactFlow<EditorFlowNode>
        nodes={nodes}
        edges={edges}
        nodeTypes={nodeTypes}
        onNodesChange={onNodesChange}
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
        <MiniMap
          pannable
          zoomable
          position="bottom-right"
          ariaLabel="Graph overview"
          nodeColor={miniMapColor}
          nodeStrokeColor={minimapNodeStroke}
          nodeBorderRadius={6}
        />
      </ReactFlow>
      {flow.nodes.length === 0 && (
        <div className="graph-empty">
          <p>This pipeline has no nodes yet.</p>
        </div>
      )}
      {flow.problems.length > 0 && (
        <div className="graph-problems" role="note">
          {flow.problems.length === 1
            ? flow.problems[0]
            : `${flow.problems.length} edges connect nodes that are missing and are not drawn.`}
        </div>
      )}
    </div>
  )
}
