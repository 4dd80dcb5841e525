import type { NodeTypes } from '@xyflow/react'
import { InputNode } from '../editor/inputs/InputNode'
import { ReadOnlyGroupNode, ReadOnlyNoteNode } from './AnnotationNodes'
import { OperationNode } from './OperationNode'
import { RunNode } from './RunNode'

/**
 * The node kinds React Flow can draw. Defined once at module level: a new object on every
 * render would make React Flow re-create every node.
 */
export const nodeTypes = {
  operation: OperationNode,
  run: RunNode,
  note: ReadOnlyNoteNode,
  nodeGroup: ReadOnlyGroupNode,
  pipelineInput: InputNode,
} satisfies NodeTypes
