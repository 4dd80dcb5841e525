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
  type NodeTypes,
} from '@xyflow/react'
import {
  useCallback,
  useEffect,
  useLayoutEffect,
  useMemo,
  useRef,
  useState,
  type DragEvent,
  type KeyboardEvent,
  type PointerEvent,
} from 'react'
import { flowGraphCache, type OperationFlowNode } from '../lib/graph'
import { useTheme } from '../lib/theme'
import { groupsOf, notesOf } from './annotations/annotations'
import { GroupNode } from './annotations/GroupNode'
import { NoteNode } from './annotations/NoteNode'
import './annotations/annotations.css'
import {
  minimapNodeColor,
  minimapNodeStroke,
  toAnnotationFlowNodes,
  withMembersFollowing,
  type EditorFlowNode,
} from './annotations/flow'
import type { EditorDocument } from './document'
import { editorNodeTypes } from './EditorNode'
import { toInputFlowNodes } from './inputs/flow'
import { InputNode } from './inputs/InputNode'
import './inputs/inputs.css'
import { OPERATION_MIME } from './Palette'
import { redraw } from './redraw'
import { useEditorStore, type EditorStore, type Position, type Selection } from './store'
import { EditorStoreContext } from './storeContext'

/** Operation nodes, pipeline inputs, notes and groups; defined once at module level. */
const canvasNodeTypes = {
  ...editorNodeTypes,
  pipelineInput: InputNode,
  note: NoteNode,
  nodeGroup: GroupNode,
} satisfies NodeTypes

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

/** Which selection list each canvas node's id belongs in. */
function selectionKinds(document: EditorDocument): (id: string) => 'nodes' | 'notes' | 'groups' {
  const notes = new Set(notesOf(document).map((note) => note.id))
  const groups = new Set(groupsOf(document).map((group) => group.id))
  return (id) => (notes.has(id) ? 'notes' : groups.has(id) ? 'groups' : 'nodes')
}

/** Measured sizes of the canvas's nodes, by id. */
function measuredSizes(nodes: readonly EditorFlowNode[]) {
  return Object.fromEntries(nodes.map((node) => [node.id, node.measured]))
}

function drawNode(node: EditorFlowNode, old: EditorFlowNode | undefined, selected: boolean): EditorFlowNode {
  return {
    ...node,
    selected,
    measured: old?.measured,
    // A node being dragged keeps where the pointer has it until the drag ends.
    ...(old?.dragging ? { position: old.position, dragging: true } : {}),
  } as EditorFlowNode
}

function drawEdge(edge: Edge, _old: Edge | undefined, selected: boolean): Edge {
  return { ...edge, selected }
}

function notDragging(node: EditorFlowNode): boolean {
  return !node.dragging
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
  const { screenToFlowPosition } = useReactFlow<EditorFlowNode>()
  // Nodes and edges that did not change keep their objects from one document to the next.
  const [flowGraphOf] = useState(flowGraphCache)
  const flow = useMemo(() => flowGraphOf(document, operations), [flowGraphOf, document, operations])
  const annotations = useMemo(() => toAnnotationFlowNodes(document), [document])
  const inputNodes = useMemo(() => toInputFlowNodes(document), [document])

  // A big graph opens on its top-left corner at a readable zoom, not as a thousand specks:
  // the rest is a pan (or a click on the minimap) away, and far fewer nodes render at once.
  const fitView = useMemo(() => initialFit(flow.nodes), [flow.nodes])

  const [nodes, setNodes] = useState<EditorFlowNode[]>([])
  const [edges, setEdges] = useState<Edge[]>([])
  const nodesRef = useRef(nodes)
  useLayoutEffect(() => {
    nodesRef.current = nodes
  })
  /** True while an arrow key press is handled: React Flow moves the selected nodes then. */
  const arrowKeyRef = useRef(false)
  /** What each node and edge React Flow has was drawn from (see `redraw`). */
  const nodesDrawnFrom = useRef(new WeakMap<EditorFlowNode, EditorFlowNode>())
  const edgesDrawnFrom = useRef(new WeakMap<Edge, Edge>())

  useEffect(() => {
    const selected = new Set([...selection.nodes, ...selection.notes, ...selection.groups])
    // Groups first: drawn behind everything (see GROUP_Z_INDEX); notes on top.
    const all: EditorFlowNode[] = [...annotations.groups, ...inputNodes, ...flow.nodes, ...annotations.notes]
    setNodes((previous) => redraw(previous, all, selected, nodesDrawnFrom.current, drawNode, notDragging))
  }, [flow.nodes, inputNodes, annotations, selection.nodes, selection.notes, selection.groups])

  useEffect(() => {
    const selected = new Set(selection.edges)
    const all = [...flow.inputEdges, ...flow.edges]
    setEdges((previous) => redraw(previous, all, selected, edgesDrawnFrom.current, drawEdge))
  }, [flow.edges, flow.inputEdges, selection.edges])

  // Selection lives in the store alone: React Flow's select changes become store selections,
  // and the effects above draw them. (Keeping a second copy in React Flow makes the two race.)
  const applySelect = useCallback(
    (kindOf: (id: string) => keyof Selection, changes: { type: string; id?: string; selected?: boolean }[]) => {
      const selects = changes.filter((change) => change.type === 'select' && change.id !== undefined)
      if (!selects.length) return
      const current = store.getState().selection
      const next: Selection = {
        nodes: [...current.nodes],
        edges: [...current.edges],
        notes: [...current.notes],
        groups: [...current.groups],
      }
      for (const change of selects) {
        const kind = kindOf(change.id!)
        const ids = new Set(next[kind])
        if (change.selected) ids.add(change.id!)
        else ids.delete(change.id!)
        next[kind] = [...ids]
      }
      const kinds = ['nodes', 'edges', 'notes', 'groups'] as const
      if (kinds.every((kind) => sameIds(next[kind], current[kind]))) return
      store.getState().select(next)
    },
    [store],
  )

  const onNodesChange = useCallback(
    (changes: NodeChange<EditorFlowNode>[]) => {
      if (changes.some((change) => change.type === 'select')) {
        applySelect(selectionKinds(store.getState().document), changes)
      }
      // Removal is the store's business (Delete key), never React Flow's own.
      const local = changes.filter((change) => change.type !== 'remove' && change.type !== 'select')
      if (!local.length) return
      // A dragged group takes its members along on screen (the store does the same on drop).
      const document = store.getState().document
      setNodes((current) => applyNodeChanges(withMembersFollowing(local, current, document), current))
      // The arrow keys move selected nodes without a drag: each press is an undo step.
      const keyed = local.flatMap((change) => (change.type === 'position' && change.position ? [change] : []))
      if (keyed.length && arrowKeyRef.current) {
        const positions: Record<string, Position> = {}
        for (const change of keyed) positions[change.id] = { x: change.position!.x, y: change.position!.y }
        store.getState().endMove()
        store.getState().moveNodes(positions)
        store.getState().endMove()
      }
    },
    [applySelect, store],
  )

  const onEdgesChange = useCallback(
    (changes: EdgeChange[]) => {
      applySelect(() => 'edges', changes)
      const local = changes.filter((change) => change.type !== 'remove' && change.type !== 'select')
      if (local.length) setEdges((current) => applyEdgeChanges(local, current))
    },
    [applySelect],
  )

  const onNodeDragStop = useCallback(
    (_event: unknown, _node: EditorFlowNode, dragged: EditorFlowNode[]) => {
      const positions: Record<string, Position> = {}
      for (const node of dragged) positions[node.id] = { x: node.position.x, y: node.position.y }
      setNodes((current) => current.map((node) => (node.dragging ? { ...node, dragging: false } : node)))
      // A node dropped in a group joins it; one dragged out of its group leaves it (by the
      // dropped nodes' sizes).
      const ids = new Set(Object.keys(positions))
      const sizes = measuredSizes(nodesRef.current.filter((node) => ids.has(node.id)))
      store.getState().moveNodes(positions, { sizes, regroup: true })
      store.getState().endMove()
    },
    [store],
  )

  const onPointerDown = useCallback((event: PointerEvent<HTMLDivElement>) => {
    arrowKeyRef.current = false
    if ((event.target as Element).classList?.contains('react-flow__pane')) {
      event.currentTarget.focus({ preventScroll: true })
    }
  }, [])

  const onKeyDownCapture = useCallback((event: KeyboardEvent<HTMLDivElement>) => {
    arrowKeyRef.current = event.key.startsWith('Arrow')
  }, [])

  /** Enter on a focused note or group opens its text for typing. */
  const onKeyDown = useCallback(
    (event: KeyboardEvent<HTMLDivElement>) => {
      arrowKeyRef.current = false
      if (event.key !== 'Enter' || event.ctrlKey || event.metaKey || event.altKey) return
      const target = event.target as HTMLElement
      if (!target.classList?.contains('react-flow__node')) return
      const id = target.dataset.id
      if (!id || selectionKinds(store.getState().document)(id) === 'nodes') return
      event.preventDefault()
      store.getState().setEditing(id)
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
    <EditorStoreContext.Provider value={store}>
      <div
        className="editor-canvas"
        // Focusable, and focused by a click on the empty canvas: keys like N are for the canvas then.
        tabIndex={-1}
        onPointerDown={onPointerDown}
        onDragOver={onDragOver}
        onDrop={onDrop}
        onKeyDownCapture={onKeyDownCapture}
        onKeyDown={onKeyDown}
      >
        <ReactFlow<EditorFlowNode>
          nodes={nodes}
          edges={edges}
          nodeTypes={canvasNodeTypes}
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
          {nodes.length <= VISIBLE_ONLY_ABOVE && (
            <MiniMap
              pannable
              zoomable
              position="bottom-right"
              ariaLabel="Graph overview"
              nodeColor={minimapNodeColor}
              nodeStrokeColor={minimapNodeStroke}
              nodeBorderRadius={6}
            />
          )}
        </ReactFlow>
        {flow.nodes.length === 0 && !inputNodes.length && !annotations.notes.length && !annotations.groups.length && (
          <div className="graph-empty editor-empty">
            <div>
              <p className="editor-empty-title">This pipeline is empty</p>
              <p className="muted">Drag an operation from the palette onto the canvas to start.</p>
            </div>
          </div>
        )}
      </div>
    </EditorStoreContext.Provider>
  )
}
