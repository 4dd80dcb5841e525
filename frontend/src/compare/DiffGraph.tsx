// The union of two pipeline versions, read-only: added nodes and edges green, removed ones red
// and dashed, changed nodes amber.

import { Background, Controls, ReactFlow } from '@xyflow/react'
import { useMemo } from 'react'
import { nodeTypes } from '../graph/nodeTypes'
import { useTheme } from '../lib/theme'
import { diffFlow } from './diffFlow'
import type { GraphDiff } from './types'

const FIT_VIEW_OPTIONS = { padding: 0.15, maxZoom: 1 }

export function DiffGraph({ diff }: { diff: GraphDiff }) {
  const { theme } = useTheme()
  const { nodes, edges } = useMemo(() => diffFlow(diff), [diff])
  return (
    <div className="diff-graph" aria-label={`Graph of version ${diff.version.number} against version ${diff.base.number}`}>
      <ReactFlow
        nodes={nodes}
        edges={edges}
        nodeTypes={nodeTypes}
        nodesDraggable={false}
        nodesConnectable={false}
        elementsSelectable={false}
        edgesFocusable={false}
        fitView
        fitViewOptions={FIT_VIEW_OPTIONS}
        minZoom={0.15}
        maxZoom={2}
        attributionPosition="top-right"
        colorMode={theme}
      >
        <Background gap={20} size={1.2} />
        <Controls showInteractive={false} position="bottom-left" />
      </ReactFlow>
    </div>
  )
}
