import type { NodeProps } from '@xyflow/react'
import { memo } from 'react'
import type { GroupFlowNode, NoteFlowNode } from '../editor/annotations/flow'

// Notes and groups in the read-only graph views: drawn as in the editor
// (editor/annotations/, same CSS and colours), with nothing to edit, resize or drag.

function ReadOnlyNoteView({ data }: NodeProps<NoteFlowNode>) {
  return (
    <div className="note-node is-readonly" data-color={data.color ?? 'yellow'}>
      <div className="note-node-text">{data.text}</div>
    </div>
  )
}

function ReadOnlyGroupView({ data }: NodeProps<GroupFlowNode>) {
  const count = data.memberCount
  return (
    <div className="group-node is-readonly" data-color={data.color ?? 'gray'}>
      <div className="group-node-header">
        <span className={data.label ? 'group-node-label' : 'group-node-label is-placeholder'}>
          {data.label || 'Group'}
        </span>
        <span className="group-node-count">
          {count} {count === 1 ? 'node' : 'nodes'}
        </span>
      </div>
    </div>
  )
}

export const ReadOnlyNoteNode = memo(ReadOnlyNoteView)
export const ReadOnlyGroupNode = memo(ReadOnlyGroupView)
