import type { NodeTypes } from '@xyflow/react'
import { OperationNode } from './OperationNode'

/**
 * The node kinds React Flow can draw. Defined once at module level: a new object on every
 * render would make React Flow re-create every node.
 */
export const nodeTypes = {
  operation: OperationNode,
} satisfies NodeTypes
