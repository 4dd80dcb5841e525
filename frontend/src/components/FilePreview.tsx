// Previews of small files (artifacts): images inline, CSV/TSV as a table, other text as text.
import { useState } from 'react'
import { getArtifactText } from '../api/endpoints'
import { useResource } from '../hooks/useResource'
import { errorMessage } from '../lib/errors'
import { PREVIEW_TABLE_ROWS, tablePreview, textPreview, type PreviewKind } from '../lib/filePreview'

/** Whether a file is shown as an image (PNG outputs of nodes, plots mostly). */
export function isImageName(name: string | undefined): boolean {
  return Boolean(name && /\.png$/i.test(name))
}

/** The start of a small text-like file output: a table for CSV and TSV, else its text. */
export function FilePreview({ artifactId, kind, label }: { artifactId: number; kind: PreviewKind; label: string }) {
  const file = useResource((signal) => getArtifactText(artifactId, signal), [artifactId])
  if (file.status === 'loading') return <p className="output-preview-note muted">Loading preview…</p>
  if (file.status === 'error' || file.data === undefined) {
    return (
      <p className="output-preview-note">
        Could not load the preview ({errorMessage(file.error)}).{' '}
        <button type="button" className="link-button" onClick={file.reload}>
          Retry
        </button>
      </p>
    )
  }
  return kind === 'text' ? (
    <TextPreview text={file.data} label={label} />
  ) : (
    <TablePreviewView text={file.data} kind={kind} label={label} />
  )
}

function TextPreview({ text, label }: { text: string; label: string }) {
  const [expanded, setExpanded] = useState(false)
  const preview = textPreview(text)
  if (!text) return <p className="output-preview-note muted">The file is empty.</p>
  return (
    <div className="output-value">
      <pre aria-label={label}>{expanded ? text : preview.text}</pre>
      {preview.truncated && (
        <button type="button" className="link-button" onClick={() => setExpanded((open) => !open)}>
          {expanded ? 'Show less' : 'Show all'}
        </button>
      )}
    </div>
  )
}

function TablePreviewView({ text, kind, label }: { text: string; kind: 'csv' | 'tsv'; label: string }) {
  const table = tablePreview(text, kind)
  if (!table.header.length) return <p className="output-preview-note muted">The file is empty.</p>
  return (
    <div className="output-table-preview">
      <div className="output-table-scroll">
        <table role="table" aria-label={label}>
          <thead>
            <tr>
              {table.header.map((cell, i) => (
                <th key={i} scope="col">
                  {cell}
                </th>
              ))}
            </tr>
          </thead>
          <tbody>
            {table.rows.map((row, r) => (
              <tr key={r}>
                {table.header.map((_, i) => (
                  <td key={i}>{row[i] ?? ''}</td>
                ))}
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      {table.total > PREVIEW_TABLE_ROWS && (
        <p className="output-preview-note muted">
          first {PREVIEW_TABLE_ROWS} of {table.total} rows
        </p>
      )}
    </div>
  )
}
