import { NodeResizer, type NodeProps } from '@xyflow/react'
import { memo, useEffect, useRef, useState, type KeyboardEvent } from 'react'
import { useEditorStore } from '../store'
import { useEditorStoreApi } from '../storeContext'
import { AnnotationToolbar, focusCanvasNode } from './AnnotationToolbar'
import { NOTE_MIN, NOTE_TEXT_MAX } from './annotations'
import type { NoteFlowNode } from './flow'

/** The note's text open for typing: Escape or Ctrl+Enter (⌘Enter) closes it, as does leaving it. */
function NoteEditor({ id, text }: { id: string; text: string }) {
  const store = useEditorStoreApi()
  const [draft, setDraft] = useState(text)
  const ref = useRef<HTMLTextAreaElement>(null)
  const done = useRef(false)

  useEffect(() => {
    const element = ref.current
    if (!element) return
    element.focus({ preventScroll: true })
    element.setSelectionRange(element.value.length, element.value.length)
  }, [])

  const finish = (refocus: boolean) => {
    if (done.current) return
    done.current = true
    const state = store.getState()
    state.setNoteText(id, ref.current?.value ?? draft)
    if (state.editing === id) state.setEditing(null)
    if (refocus) focusCanvasNode(ref.current)
  }

  const onKeyDown = (event: KeyboardEvent<HTMLTextAreaElement>) => {
    if (event.key === 'Escape' || (event.key === 'Enter' && (event.ctrlKey || event.metaKey))) {
      event.preventDefault()
      event.stopPropagation()
      finish(true)
    }
  }

  return (
    <textarea
      ref={ref}
      className="note-node-text note-node-input nodrag nowheel nopan"
      aria-label="Note text"
      value={draft}
      maxLength={NOTE_TEXT_MAX}
      spellCheck
      onChange={(event) => setDraft(event.target.value)}
      onKeyDown={onKeyDown}
      onBlur={() => finish(false)}
    />
  )
}

/**
 * A sticky note: plain text (never HTML), wrapped, resizable. Double-click or Enter opens
 * the text for typing.
 */
function NoteNodeView({ id, data, selected }: NodeProps<NoteFlowNode>) {
  const store = useEditorStoreApi()
  const editing = useEditorStore(store, (state) => state.editing === id)
  const color = data.color ?? 'yellow'
  return (
    <div
      className={['note-node', selected ? 'is-selected' : '', editing ? 'is-editing' : ''].filter(Boolean).join(' ')}
      data-color={color}
      onDoubleClick={(event) => {
        event.stopPropagation()
        store.getState().setEditing(id)
      }}
    >
      <NodeResizer
        isVisible={selected}
        minWidth={NOTE_MIN.width}
        minHeight={NOTE_MIN.height}
        lineClassName="annotation-resize-line"
        handleClassName="annotation-resize-handle"
        onResizeEnd={(_event, rect) => store.getState().resizeAnnotation(id, rect)}
      />
      {!editing && <AnnotationToolbar id={id} kind="note" color={data.color} defaultColor="yellow" />}
      {editing ? (
        <NoteEditor id={id} text={data.text} />
      ) : data.text ? (
        <div className="note-node-text">{data.text}</div>
      ) : (
        <div className="note-node-text note-node-placeholder">Double-click to write a note</div>
      )}
    </div>
  )
}

export const NoteNode = memo(NoteNodeView)
