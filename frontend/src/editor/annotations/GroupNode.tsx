import { NodeResizer, type NodeProps } from '@xyflow/react'
import { memo, useEffect, useRef, useState, type KeyboardEvent } from 'react'
import { useEditorStore } from '../store'
import { useEditorStoreApi } from '../storeContext'
import { AnnotationToolbar, focusCanvasNode } from './AnnotationToolbar'
import { GROUP_LABEL_MAX, GROUP_MIN } from './annotations'
import type { GroupFlowNode } from './flow'

/** The label open for typing: Enter keeps it, Escape puts the old one back. */
function LabelEditor({ id, label }: { id: string; label: string }) {
  const store = useEditorStoreApi()
  const ref = useRef<HTMLInputElement>(null)
  const [draft, setDraft] = useState(label)
  const done = useRef(false)

  useEffect(() => {
    ref.current?.focus({ preventScroll: true })
    ref.current?.select()
  }, [])

  const finish = (keep: boolean, refocus: boolean) => {
    if (done.current) return
    done.current = true
    const state = store.getState()
    if (keep) state.setGroupLabel(id, (ref.current?.value ?? draft).trim())
    if (state.editing === id) state.setEditing(null)
    if (refocus) focusCanvasNode(ref.current)
  }

  const onKeyDown = (event: KeyboardEvent<HTMLInputElement>) => {
    if (event.key !== 'Enter' && event.key !== 'Escape') return
    event.preventDefault()
    event.stopPropagation()
    finish(event.key === 'Enter', true)
  }

  return (
    <input
      ref={ref}
      className="group-node-label-input nodrag"
      aria-label="Group label"
      value={draft}
      maxLength={GROUP_LABEL_MAX}
      placeholder="Group"
      onChange={(event) => setDraft(event.target.value)}
      onKeyDown={onKeyDown}
      onBlur={() => finish(true, false)}
    />
  )
}

/**
 * A labelled box drawn behind the nodes it holds. Its header drags it (and its members);
 * its body lets clicks through to the canvas and the nodes on it.
 */
function GroupNodeView({ id, data, selected }: NodeProps<GroupFlowNode>) {
  const store = useEditorStoreApi()
  const editing = useEditorStore(store, (state) => state.editing === id)
  const count = data.memberCount
  return (
    <div
      className={['group-node', selected ? 'is-selected' : ''].filter(Boolean).join(' ')}
      data-color={data.color ?? 'gray'}
    >
      <NodeResizer
        isVisible={selected}
        minWidth={GROUP_MIN.width}
        minHeight={GROUP_MIN.height}
        lineClassName="annotation-resize-line"
        handleClassName="annotation-resize-handle"
        onResizeEnd={(_event, rect) => store.getState().resizeAnnotation(id, rect)}
      />
      {!editing && <AnnotationToolbar id={id} kind="group" color={data.color} defaultColor="gray" />}
      <div
        className="group-node-header"
        onDoubleClick={(event) => {
          event.stopPropagation()
          store.getState().setEditing(id)
        }}
      >
        {editing ? (
          <LabelEditor id={id} label={data.label} />
        ) : (
          <span className={data.label ? 'group-node-label' : 'group-node-label is-placeholder'}>
            {data.label || 'Group'}
          </span>
        )}
        <span className="group-node-count">
          {count} {count === 1 ? 'node' : 'nodes'}
        </span>
      </div>
    </div>
  )
}

export const GroupNode = memo(GroupNodeView)
