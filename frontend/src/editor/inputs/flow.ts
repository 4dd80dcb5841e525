// Pipeline inputs as React Flow nodes (pure; tested alone).

import type { Node } from '@xyflow/react'
import type { EditorDocument } from '../document'
import { ARTIFACT_TYPES, inputPosition, inputsOf } from './inputs'

export type InputNodeData = {
  name: string
  type: string
  /** The default, shown on the node; null: required. */
  default: unknown
  description: string
  /** True for file and directory inputs: an artifact is chosen when a run starts. */
  artifact: boolean
  /** On a run's graph: what the run gave it ("artifact 12", "42"). */
  given?: string
}

/** Not "input": React Flow has a built-in node type of that name. */
export type InputFlowNode = Node<InputNodeData, 'pipelineInput'>

export function toInputFlowNodes(document: EditorDocument): InputFlowNode[] {
  return inputsOf(document).map((input, index) => ({
    id: input.name,
    type: 'pipelineInput',
    position: inputPosition(document, input, index),
    ariaLabel: `Pipeline input ${input.name} (${input.type})`,
    data: {
      name: input.name,
      type: input.type,
      default: input.default ?? null,
      description: input.description ?? '',
      artifact: ARTIFACT_TYPES.includes(input.type),
    },
  }))
}
