import { python } from '@codemirror/lang-python'
import { basicSetup, EditorView } from 'codemirror'
import { useEffect, useRef } from 'react'

export interface CodeEditorProps {
  value: string
  onChange: (value: string) => void
  /** The accessible name of the editable area. */
  label?: string
  readOnly?: boolean
  /** id of an element describing the editor (e.g. its field error). */
  describedBy?: string
}

/** A CodeMirror 6 editor for Python source, controlled through `value` / `onChange`. */
export default function CodeEditor({ value, onChange, label = 'Source', readOnly = false, describedBy }: CodeEditorProps) {
  const host = useRef<HTMLDivElement>(null)
  const view = useRef<EditorView | null>(null)
  const onChangeRef = useRef(onChange)
  onChangeRef.current = onChange

  useEffect(() => {
    if (!host.current) return
    const attributes: Record<string, string> = { 'aria-label': label }
    if (describedBy) attributes['aria-describedby'] = describedBy
    const editor = new EditorView({
      parent: host.current,
      doc: value,
      extensions: [
        basicSetup,
        python(),
        EditorView.editable.of(!readOnly),
        EditorView.contentAttributes.of(attributes),
        EditorView.updateListener.of((update) => {
          if (update.docChanged) onChangeRef.current(update.state.doc.toString())
        }),
      ],
    })
    view.current = editor
    return () => {
      editor.destroy()
      view.current = null
    }
    // The editor is rebuilt only when its configuration changes; `value` is synced below.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [label, readOnly, describedBy])

  useEffect(() => {
    const editor = view.current
    if (!editor) return
    const current = editor.state.doc.toString()
    if (current !== value) editor.dispatch({ changes: { from: 0, to: current.length, insert: value } })
  }, [value])

  return <div className="code-editor" ref={host} />
}
