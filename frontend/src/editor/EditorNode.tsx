import { Handle, Position, type NodeProps, type NodeTypes } from '@xyflow/react'
import { memo } from 'react'
import { NodeHeading } from '../graph/OperationNode'
import type { OperationFlowNode, PortView } from '../lib/graph'

function portTitle(port: PortView, side: 'in' | 'out'): string {
  if (!port.declared) return `${port.name} — not declared by the operation`
  const type = port.type ? ` (${port.type})` : ''
  const optional = port.optional ? ', optional' : ''
  const what = side === 'in' ? 'input' : 'output'
  return `${what} ${port.name}${type}${optional}${port.description ? ` — ${port.description}` : ''}`
}

function portClass(port: PortView, side: 'in' | 'out'): string {
  return ['op-port', `op-port-${side}`, port.declared ? '' : 'is-undeclared', port.optional ? 'is-optional' : '']
    .filter(Boolean)
    .join(' ')
}

/** The type of a port, as a small tag after its name. */
function PortType({ port }: { port: PortView }) {
  if (!port.type) return null
  return <span className="editor-port-type">{port.type}</span>
}

/**
 * An editable operation node: the look of the read-only node, with connectable handles
 * (handle id = port name) and each port's type shown.
 */
function EditorNodeView({ data, selected }: NodeProps<OperationFlowNode>) {
  const classes = ['op-node', 'editor-node', selected ? 'is-selected' : '', data.operationName ? '' : 'is-unknown']
  return (
    <div className={classes.filter(Boolean).join(' ')}>
      <NodeHeading data={data} />
      {(data.inputs.length > 0 || data.outputs.length > 0) && (
        <div className="op-node-ports">
          <div className="op-node-column">
            {data.inputs.map((port) => (
              <div className={portClass(port, 'in')} key={port.name} title={portTitle(port, 'in')}>
                <Handle type="target" position={Position.Left} id={port.name} data-port-type={port.type} />
                <span className="op-port-name">{port.name}</span>
                <PortType port={port} />
              </div>
            ))}
          </div>
          <div className="op-node-column op-node-column-out">
            {data.outputs.map((port) => (
              <div className={portClass(port, 'out')} key={port.name} title={portTitle(port, 'out')}>
                <PortType port={port} />
                <span className="op-port-name">{port.name}</span>
                <Handle type="source" position={Position.Right} id={port.name} data-port-type={port.type} />
              </div>
            ))}
          </div>
        </div>
      )}
    </div>
  )
}

/**
 * Drawn again only when its data or selection changes: not on each step of a drag, which
 * moves the node's wrapper (React Flow's) but leaves its content as it was.
 */
export const EditorNode = memo(
  EditorNodeView,
  (before: NodeProps<OperationFlowNode>, after: NodeProps<OperationFlowNode>) =>
    before.id === after.id && before.data === after.data && before.selected === after.selected,
)

/** Defined once at module level (a new object each render would re-create every node). */
export const editorNodeTypes = { operation: EditorNode } satisfies NodeTypes
