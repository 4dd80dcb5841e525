import {
  Background,
  Controls,
  MiniMap,
  ReactFlow,
  applyEdgeChanges,
  applyNodeChanges,
  useReactFlow,
  type Connection,
  type Edge,
  type EdgeChange,
  type NodeChange,
} from '@xyflow/react'
import { useCallback, useEffect, useMemo, useState, type DragEvent } from 'react'
import { toFlowGraph, type OperationFlowNode } from '../lib/graph'
import { useTheme } from '../lib/theme'
import { editorNodeTypes } from './EditorNode'
import { OPERATION_MIME } from './Palette'
import { useEditorStore, type EditorStore, type Position } from './store'

export const GRID: [number, number] = [20, 20]
const FIT_VIEW_OPTIONS = { padding: 0.2, maxZoom: 1.1 }
/**
 * Past this many nodes only those in view are rendered. Smaller graphs render whole: no
 * pop-in while panning, and every node stays in the DOM (browser tests find them).
 */
export const VISIBLE_ONLY_ABOVE = 150

/** How many nodes the first view shows of a big graph. */
export const FIRST_VIEW_NODES = 40

function initialFit(nodes: readonly OperationFlowNode[]) {
  if (nodes.length <= VISIBLE_ONLY_ABOVE) return FIT_VIEW_OPTIONS
  const first = [...nodes]
    .sort((a, b) => a.position.x - b.position.x || a.position.y - b.position.y)
    .slice(0, FIRST_VIEW_NODES)
    .map((node) => ({ id: node.id }))
  return { ...FIT_VIEW_OPTIONS, nodes: first, minZoom: 0.5 }
}

function sameIds(a: readonly string[], b: readonly string[]): boolean {
  if (a.length !== b.length) return false
  const set = new Set(a)
  return b.every((id) => set.has(id))
}

/**
 * The editable graph: React Flow drawn from the store. Local node state only carries what
 * React Flow measures and in-progress drags; every edit goes through the store.
 */
export function EditorCanvas({
  store,
  onRefusal,
  onDropOperation,
}: {
  store: EditorStore
  /** A connection the store refused, with its reason. */
  onRefusal: (reason: string) => void
  onDropOperation: (operationId: number, position: Position) => void
}) {
  const { theme } = useTheme()
  const document = useEditorStore(store, (state) => state.document)
  const operations = useEditorStore(store, (state) => state.operations)
  const selection = useEditorStore(store, (state) => state.selection)
  const { screenToFlowPosition } = useReactFlow()
  const flow = useMemo(() => toFlowGraph(document, operations), [document, operations])

  // A big graph opens on its top-left corner at a readable zoom, not as a thousand specks:
  // the rest is a pan (or a click on the minimap) away, and far fewer nodes render at once.
  const fitView = useMemo(() => initialFit(flow.nodes), [flow.nodes])

  const [nodes, setNodes] = useState<OperationFlowNode[]>([])
  const [edges, setEdges] = useState<Edge[]>([])

  useEffect(() => {
    const selected = new Set(selection.nodes)
    setNodes((previous) => {
      const before = new Map(previous.map((node) => [node.id, node]))
      return flow.nodes.map((node) => {
        const old = before.get(node.id)
        return {
          ...node,
          selected: selected.has(node.id),
          measured: old?.measured,
          // A node being dragged keeps where the pointer has it until the drag ends.
          ...(old?.dragging ? { position: old.position, dragging: true } : {}),
        }
      })
    })
  }, [flow.nodes, selection.nodes])

  useEffect(() => {
    const selected = new Set(selection.edges)
    setEdges(flow.edges.map((edge) => ({ ...edge, selected: selected.has(edge.id) })))
  }, [flow.edges, selection.edges])

  // Selection lives in the store alone: React Flow's select changes become store selections,
  // and the effects above draw them. (Keeping a second copy in React Flow makes the two race.)
  const applySelect = useCallback(
    (kind: 'nodes' | 'edges', changes: { type: string; id?: string; selected?: boolean }[]) => {
      const selects = changes.filter((change) => change.type === 'select' && change.id !== undefined)
      if (!selects.length) return
      const current = store.getState().selection
      const next = new Set(current[kind])
      for (const change of selects) {
        if (change.selected) next.add(change.id!)
        else next.delete(change.id!)
      }
      const ids = [...next]
      if (sameIds(ids, current[kind])) return
      store.getState().select({ ...current, [kind]: ids })
    },
    [store],
  )

  const onNodesChange = useCallback(
    (changes: NodeChange<OperationFlowNode>[]) => {
      applySelect('nodes', changes)
      // Removal is the store's business (Delete key), never React Flow's own.
      const local = changes.filter((change) => change.type !== 'remove' && change.type !== 'select')
      if (local.length) setNodes((current) => applyNodeChanges(local, current))
    },
    [applySelect],
  )

  const onEdgesChange = useCallback(
    (changes: EdgeChange[]) => {
      applySelect('edges', changes)
      const local = changes.filter((change) => change.type !== 'remove' && change.type !== 'select')
      if (local.length) setEdges((current) => applyEdgeChanges(local, current))
    },
    [applySelect],
  )

  const onNodeDragStop = useCallback(
    (_event: unknown, _node: OperationFlowNode, dragged: OperationFlowNode[]) => {
      const positions: Record<string, Position> = {}
      for (const node of dragged) positions[node.id] = { x: node.position.x, y: node.position.y }
      setNodes((current) => current.map((node) => (node.dragging ? { ...node, dragging: false } : node)))
      store.getState().moveNodes(positions)
      store.getState().endMove()
    },
    [store],
  )

  const onConnect = useCallback(
    (connection: Connection) => {
      const result = store
        .getState()
        .connect(connection.source, connection.sourceHandle ?? '', connection.target, connection.targetHandle ?? '')
      if (!result.ok) onRefusal(result.reason)
    },
    [store, onRefusal],
  )

  const onDragOver = useCallback((event: DragEvent<HTMLDivElement>) => {
    if (!event.dataTransfer.types.includes(OPERATION_MIME)) return
    event.preventDefault()
    event.dataTransfer.dropEffect = 'copy'
  }, [])

  const onDrop = useCallback(
    (event: DragEvent<HTMLDivElement>) => {
      const raw = event.dataTransfer.getData(OPERATION_MIME)
      if (!/^\d+$/.test(raw)) return
      event.preventDefault()
      const position = screenToFlowPosition({ x: event.clientX, y: event.clientY })
      onDropOperation(Number(raw), position)
    },
    [screenToFlowPosition, onDropOperation],
  )

  return (
    <div className="editor-canvas" onDragOver={onDragOver} onDrop={onDrop}>
      <ReactFlow<OperationFlowNode>
        nodes={nodes}
        edges={edges}
        nodeTypes={editorNodeTypes}
        onNodesChange={onNodesChange}
        onEdgesChange={onEdgesChange}
        onNodeDragStop={onNodeDragStop}
        onConnect={onConnect}
        deleteKeyCode={null}
        selectionKeyCode="Shift"
        multiSelectionKeyCode={['Meta', 'Control']}
        snapToGrid
        snapGrid={GRID}
        onlyRenderVisibleElements={nodes.length > VISIBLE_ONLY_ABOVE}
        fitView
        fitViewOptions={fitView}
        minZoom={0.15}
        maxZoom={2}
        attributionPosition="top-right"
        colorMode={theme}
      >
        <Background gap={GRID[0]} size={1.2} />
        <Controls position="bottom-left" fitViewOptions={FIT_VIEW_OPTIONS} showInteractive={false} />
        {nodes.length <= VISIBLE_ONLY_ABOVE && <MiniMap pannable zoomable position="bottom-right" ariaLabel="Graph overview" nodeColor="#dfe4ee" nodeStrokeColor="#aab3c3" nodeBorderRadius={6} />}
      </ReactFlow>
      {flow.nodes.length === 0 && (
        <div className="graph-empty editor-empty">
          <div>
            <p className="editor-empty-title">This pipeline is empty</p>
            <p className="muted">Drag an operation from the palette onto the canvas to start.</p>
          </div>
        </div>
      )}
    </div>
  )
}
