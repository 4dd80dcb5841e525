import { Handle, Position, type NodeProps } from '@xyflow/react'
import { memo, type ReactNode } from 'react'
import type { OperationFlowNode, OperationNodeData, PortView } from '../lib/graph'

function portTitle(port: PortView): string {
  if (!port.declared) return `${port.name} — not declared by the operation`
  const type = port.type ? `: ${port.type}` : ''
  const optional = port.optional ? ' (optional)' : ''
  return `${port.name}${type}${optional}${port.description ? ` — ${port.description}` : ''}`
}

function portClass(port: PortView, side: 'in' | 'out'): string {
  return ['op-port', `op-port-${side}`, port.declared ? '' : 'is-undeclared', port.optional ? 'is-optional' : '']
    .filter(Boolean)
    .join(' ')
}

/** Title, operation name and category of a node. */
export function NodeHeading({ data, children }: { data: OperationNodeData; children?: ReactNode }) {
  const { label, operationName, category } = data
  return (
    <div className="op-node-header">
      <div className="op-node-title-row">
        <div className="op-node-title" title={label}>
          {label}
        </div>
        {children}
      </div>
      <div className="op-node-subtitle">
        {operationName === null ? (
          <span className="op-node-warning">Unknown operation</span>
        ) : (
          <>
            {operationName !== label && <span>{operationName}</span>}
            {category && <span className="op-node-category">{category}</span>}
          </>
        )}
      </div>
    </div>
  )
}

/** Input ports left, output ports right, one React Flow handle per port. */
export function NodePorts({ inputs, outputs }: { inputs: PortView[]; outputs: PortView[] }) {
  if (inputs.length === 0 && outputs.length === 0) return null
  return (
    <div className="op-node-ports">
      <div className="op-node-column">
        {inputs.map((port) => (
          <div className={portClass(port, 'in')} key={port.name} title={portTitle(port)}>
            <Handle type="target" position={Position.Left} id={port.name} isConnectable={false} />
            <span className="op-port-name">{port.name}</span>
          </div>
        ))}
      </div>
      <div className="op-node-column op-node-column-out">
        {outputs.map((port) => (
          <div className={portClass(port, 'out')} key={port.name} title={portTitle(port)}>
            <span className="op-port-name">{port.name}</span>
            <Handle type="source" position={Position.Right} id={port.name} isConnectable={false} />
          </div>
        ))}
      </div>
    </div>
  )
}

/** A read-only operation node: title, operation name, input ports left, output ports right. */
function OperationNodeView({ data, selected }: NodeProps<OperationFlowNode>) {
  const classes = [
    'op-node',
    selected ? 'is-selected' : '',
    data.operationName ? '' : 'is-unknown',
    data.problem ? 'has-problem' : '',
  ]
  return (
    <div className={classes.filter(Boolean).join(' ')} data-problem={data.problem ? 'true' : undefined}>
      <NodeHeading data={data}>
        {data.problem && (
          <span className="op-node-problem" title="A problem stops this node from running">
            !
          </span>
        )}
      </NodeHeading>
      <NodePorts inputs={data.inputs} outputs={data.outputs} />
    </div>
  )
}

export const OperationNode = memo(OperationNodeView)
