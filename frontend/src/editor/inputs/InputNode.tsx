import { Handle, Position, type NodeProps } from '@xyflow/react'
import { memo } from 'react'
import './inputs.css'
import type { InputFlowNode } from './flow'
import { INPUT_PORT } from './inputs'

function shownDefault(value: unknown): string {
  const text = JSON.stringify(value)
  return text.length > 24 ? `${text.slice(0, 23)}…` : text
}

/**
 * A pipeline input on the canvas: an "Input" badge, its name and type, what a run must give
 * (an artifact, a value, or its default), and one output handle ("value") to wire it.
 */
function InputNodeView({ data, selected }: NodeProps<InputFlowNode>) {
  const needs =
    data.given !== undefined
      ? data.given
      : data.artifact
        ? 'artifact chosen at run'
        : data.default === null
          ? 'required'
          : `default ${shownDefault(data.default)}`
  return (
    <div
      className={['op-node', 'input-node', selected ? 'is-selected' : ''].filter(Boolean).join(' ')}
      title={data.description || undefined}
    >
      <div className="input-node-header">
        <span className="input-node-badge">Input</span>
        <span className="input-node-name">{data.name}</span>
      </div>
      <div className="input-node-body">
        <span className="input-node-meta">
          <span className="input-node-type">{data.type}</span>
          <span className="input-node-needs">{needs}</span>
        </span>
        <span className="op-port op-port-out input-node-port" title={`output ${INPUT_PORT} (${data.type})`}>
          <Handle type="source" position={Position.Right} id={INPUT_PORT} data-port-type={data.type} />
        </span>
      </div>
    </div>
  )
}

export const InputNode = memo(InputNodeView)
