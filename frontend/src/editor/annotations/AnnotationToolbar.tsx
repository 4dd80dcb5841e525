import { NodeToolbar, Position } from '@xyflow/react'
import type { AnnotationColor } from '../../api/types'
import { useEditorStoreApi } from '../storeContext'
import { ANNOTATION_COLORS } from './annotations'

const COLOR_NAMES: Record<AnnotationColor, string> = {
  yellow: 'Yellow',
  blue: 'Blue',
  green: 'Green',
  pink: 'Pink',
  purple: 'Purple',
  gray: 'Grey',
}

/** Above everything: a group's own z-index would put its toolbar under the canvas. */
const TOOLBAR_STYLE = { zIndex: 1001 }

/**
 * Above a selected note or group: its colour swatches and an edit button (the same as a
 * double-click or Enter).
 */
export function AnnotationToolbar({
  id,
  kind,
  color,
  defaultColor,
}: {
  id: string
  kind: 'note' | 'group'
  color: AnnotationColor | null
  defaultColor: AnnotationColor
}) {
  const store = useEditorStoreApi()
  const current = color ?? defaultColor
  return (
    <NodeToolbar position={Position.Top} offset={8} className="annotation-toolbar nodrag nopan" style={TOOLBAR_STYLE}>
      <div className="annotation-swatches" role="group" aria-label={`${kind === 'note' ? 'Note' : 'Group'} colour`}>
        {ANNOTATION_COLORS.map((option) => (
          <button
            key={option}
            type="button"
            className="annotation-swatch"
            data-color={option}
            aria-label={COLOR_NAMES[option]}
            aria-pressed={option === current}
            title={COLOR_NAMES[option]}
            onClick={() => store.getState().setAnnotationColor(id, option === defaultColor ? null : option)}
          />
        ))}
      </div>
      <button type="button" className="annotation-toolbar-button" onClick={() => store.getState().setEditing(id)}>
        {kind === 'note' ? 'Edit text' : 'Rename'}
      </button>
    </NodeToolbar>
  )
}

/** Gives focus back to the canvas node around `element` (after editing its text). */
export function focusCanvasNode(element: HTMLElement | null): void {
  element?.closest<HTMLElement>('.react-flow__node')?.focus({ preventScroll: true })
}
