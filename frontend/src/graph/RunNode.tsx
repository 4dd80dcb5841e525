import type { NodeProps } from '@xyflow/react'
import { memo } from 'react'
import { stateLabel } from '../components/StateBadge'
import { nodeStateClass } from '../lib/runs'
import type { RunFlowNode } from '../lib/runGraph'
import { NodeHeading, NodePorts } from './OperationNode'

/** A node of the run graph: the operation node with its run state, timing and progress. */
function RunNodeView({ data, selected }: NodeProps<RunFlowNode>) {
  const { state, progress, progressText, duration, attempt, waiting } = data
  const classes = ['op-node', 'run-node', nodeStateClass(state), selected ? 'is-selected' : '']
  return (
    <div className={classes.filter(Boolean).join(' ')} data-state={state}>
      <NodeHeading data={data}>
        {state === 'cached' && (
          <span className="run-node-tag" title="Outputs reused from an earlier run">
            cached
          </span>
        )}
        {attempt > 1 && (
          <span className="run-node-attempt" title={`Attempt ${attempt}`}>
            ×{attempt}
          </span>
        )}
      </NodeHeading>
      <NodePorts inputs={data.inputs} outputs={data.outputs} />
      <div className="run-node-status">
        <span className="run-node-state">
          <span className="run-node-dot" aria-hidden="true" />
          {stateLabel(state)}
        </span>
        <span className="run-node-timing">
          {progressText && <span>{progressText}</span>}
          {duration && <span>{duration}</span>}
        </span>
        {state === 'running' && (
          <span
            className={`run-node-progress${progress === null ? ' is-indeterminate' : ''}`}
            role="progressbar"
            aria-label={`${data.label} progress`}
            aria-valuemin={0}
            aria-valuemax={100}
            aria-valuenow={progress === null ? undefined : Math.round(progress * 100)}
          >
            <span style={progress === null ? undefined : { width: `${Math.max(2, progress * 100)}%` }} />
          </span>
        )}
      </div>
      {waiting && (
        <div className="run-node-waiting" title={waiting}>
          <HourglassIcon />
          <span>{waiting}</span>
        </div>
      )}
    </div>
  )
}

function HourglassIcon() {
  return (
    <svg width="11" height="11" viewBox="0 0 16 16" fill="none" stroke="currentColor" strokeWidth="1.6" strokeLinecap="round" strokeLinejoin="round" aria-hidden="true">
      <path d="M4 2h8M4 14h8M5 2c0 3 6 4 6 6s-6 3-6 6M11 2c0 3-6 4-6 6s6 3 6 6" />
    </svg>
  )
}

export const RunNode = memo(RunNodeView)
