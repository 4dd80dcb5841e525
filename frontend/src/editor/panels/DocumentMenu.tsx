// "Document" menu: export the editor's document as JSON, import one from a file, or view the
// saved pipeline as YAML.

import { useEffect, useId, useRef, useState, type KeyboardEvent as ReactKeyboardEvent } from 'react'
import { Dialog } from '../../components/Dialog'
import { saveBlob } from '../../lib/download'
import type { EditorDocument } from '../document'
import type { ImportOutcome } from '../store'

export interface DocumentMenuProps {
  /** Names the exported file: `<pipelineName>.pipeline.json`. */
  pipelineName: string
  /** The store's `exportDocument`. */
  exportDocument: () => EditorDocument
  /** The store's `importDocument` (given the file's text). */
  importDocument: (json: unknown) => ImportOutcome
  /** After a successful import, with the number of nodes imported. */
  onImported?: (nodeCount: number) => void
  /** Shows the saved pipeline as YAML; without it the menu has no "View as YAML" item. */
  onViewYaml?: () => void
}

/** A file name made from a pipeline name: no path separators or characters filesystems refuse. */
export function documentFileName(pipelineName: string): string {
  const base = pipelineName
    // eslint-disable-next-line no-control-regex
    .replace(/[\u0000-\u001f\u007f/\\:*?"<>|]+/g, '_')
    .replace(/^[\s.]+|[\s.]+$/g, '')
    .slice(0, 120)
  return `${base || 'pipeline'}.pipeline.json`
}

/** The exported text: the document as indented JSON. */
export function documentJson(document: EditorDocument): string {
  return `${JSON.stringify(document, null, 2)}\n`
}

/** Starts a download of `text` named `fileName` (through a Blob URL, revoked afterwards). */
export function downloadText(text: string, fileName: string, type = 'application/json'): void {
  saveBlob(new Blob([text], { type }), fileName, 0)
}

function readFileText(file: File): Promise<string> {
  if (typeof file.text === 'function') return file.text()
  return new Promise((resolve, reject) => {
    const reader = new FileReader()
    reader.onload = () => resolve(String(reader.result ?? ''))
    reader.onerror = () => reject(reader.error ?? new Error('The file could not be read.'))
    reader.readAsText(file)
  })
}

function nodeCount(count: number): string {
  return `${count} ${count === 1 ? 'node' : 'nodes'}`
}

export function DocumentMenu({
  pipelineName,
  exportDocument,
  importDocument,
  onImported,
  onViewYaml,
}: DocumentMenuProps) {
  const menuId = useId()
  const [open, setOpen] = useState(false)
  const [status, setStatus] = useState('')
  const [refused, setRefused] = useState<{ fileName: string; problems: string[] } | null>(null)
  const rootRef = useRef<HTMLDivElement>(null)
  const buttonRef = useRef<HTMLButtonElement>(null)
  const fileRef = useRef<HTMLInputElement>(null)

  useEffect(() => {
    if (!open) return
    rootRef.current?.querySelector<HTMLElement>('[role="menuitem"]')?.focus()
    const onPointerDown = (event: MouseEvent) => {
      if (!rootRef.current?.contains(event.target as Node)) setOpen(false)
    }
    const onKeyDown = (event: KeyboardEvent) => {
      if (event.key === 'Escape') {
        event.preventDefault()
        setOpen(false)
        buttonRef.current?.focus()
      }
    }
    document.addEventListener('mousedown', onPointerDown)
    document.addEventListener('keydown', onKeyDown)
    return () => {
      document.removeEventListener('mousedown', onPointerDown)
      document.removeEventListener('keydown', onKeyDown)
    }
  }, [open])

  const exportJson = () => {
    setOpen(false)
    const doc = exportDocument()
    const fileName = documentFileName(pipelineName)
    downloadText(documentJson(doc), fileName)
    setStatus(`Exported ${nodeCount(doc.nodes.length)} to ${fileName}`)
  }

  const chooseFile = () => {
    setOpen(false)
    fileRef.current?.click()
  }

  const importFile = async (file: File) => {
    let text: string
    try {
      text = await readFileText(file)
    } catch {
      setRefused({ fileName: file.name, problems: ['The file could not be read.'] })
      return
    }
    const outcome = importDocument(text)
    if (!outcome.ok) {
      setStatus('')
      setRefused({ fileName: file.name, problems: outcome.problems })
      return
    }
    const count = exportDocument().nodes.length
    setStatus(`Imported ${nodeCount(count)}`)
    onImported?.(count)
  }

  const onMenuKeyDown = (event: ReactKeyboardEvent<HTMLDivElement>) => {
    if (event.key !== 'ArrowDown' && event.key !== 'ArrowUp') return
    event.preventDefault()
    const items = [...event.currentTarget.querySelectorAll<HTMLElement>('[role="menuitem"]')]
    const index = items.indexOf(document.activeElement as HTMLElement)
    const step = event.key === 'ArrowDown' ? 1 : -1
    items[(index + step + items.length) % items.length]?.focus()
  }

  return (
    <div className="document-menu" ref={rootRef}>
      <button
        ref={buttonRef}
        type="button"
        className="button"
        aria-haspopup="menu"
        aria-expanded={open}
        aria-controls={open ? menuId : undefined}
        onClick={() => setOpen((value) => !value)}
      >
        Document
        <svg width="12" height="12" viewBox="0 0 12 12" aria-hidden="true">
          <path d="M3 4.5l3 3 3-3" fill="none" stroke="currentColor" strokeWidth="1.5" strokeLinecap="round" />
        </svg>
      </button>
      {open && (
        <div id={menuId} className="document-menu-list" role="menu" aria-label="Document" onKeyDown={onMenuKeyDown}>
          <button type="button" role="menuitem" className="document-menu-item" onClick={exportJson}>
            Export JSON
          </button>
          <button type="button" role="menuitem" className="document-menu-item" onClick={chooseFile}>
            Import JSON…
          </button>
          {onViewYaml && (
            <button
              type="button"
              role="menuitem"
              className="document-menu-item"
              onClick={() => {
                setOpen(false)
                onViewYaml()
              }}
            >
              View as YAML…
            </button>
          )}
        </div>
      )}
      <input
        ref={fileRef}
        type="file"
        accept=".json,application/json"
        className="visually-hidden"
        tabIndex={-1}
        aria-hidden="true"
        data-testid="document-import-input"
        onChange={(event) => {
          const file = event.currentTarget.files?.[0]
          event.currentTarget.value = ''
          if (file) void importFile(file)
        }}
      />
      <span className="document-menu-status" role="status" aria-live="polite">
        {status}
      </span>
      {refused && (
        <Dialog
          title="Couldn't import the document"
          description={`${refused.fileName} was not imported; the document is unchanged.`}
          onClose={() => setRefused(null)}
        >
          <ul className="message-list import-problems">
            {refused.problems.map((problem, index) => (
              <li key={index}>{problem}</li>
            ))}
          </ul>
          <div className="form-actions">
            <button type="button" className="button button-primary" onClick={() => setRefused(null)}>
              OK
            </button>
          </div>
        </Dialog>
      )}
    </div>
  )
}
