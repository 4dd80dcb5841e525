// Choosing an artifact of the project for a file or directory input: a select of the
// artifacts that fit, and an "Upload…" button that sends a new file (the execute and export
// dialogs both use it).

import { useRef, useState } from 'react'
import { uploadArtifact } from '../api/artifacts'
import type { RunInput } from '../api/backends'
import type { Artifact } from '../api/types'
import { dialogErrors } from './executeErrors'

const ARCHIVE = /\.(tar\.gz|tgz)$/i

/** The artifacts that fit an input: archives for a directory, anything for a file. */
export function fittingArtifacts(input: RunInput, artifacts: readonly Artifact[]): Artifact[] {
  return input.type === 'directory' ? artifacts.filter((artifact) => ARCHIVE.test(artifact.name)) : [...artifacts]
}

export function artifactLabel(artifact: Artifact): string {
  const size = artifact.size < 1024 ? `${artifact.size} B` : `${Math.round(artifact.size / 1024)} KB`
  return `${artifact.name} (${size}, #${artifact.id})`
}

export type UploadOutcome = { ok: true; artifact: Artifact } | { ok: false; message: string }

/** Uploads a file into the project; a refusal comes back as one message for the input. */
export async function uploadInputFile(projectId: number, file: File): Promise<UploadOutcome> {
  try {
    return { ok: true, artifact: await uploadArtifact(projectId, file) }
  } catch (error) {
    const refused = dialogErrors(error)
    return { ok: false, message: refused.general[0] ?? Object.values(refused.fields)[0] ?? 'The upload failed.' }
  }
}

export function ArtifactPicker({
  id,
  input,
  value,
  artifacts,
  invalid,
  describedBy,
  onChange,
  onUpload,
}: {
  id: string
  input: RunInput
  value: number | null
  artifacts: readonly Artifact[]
  invalid?: boolean
  describedBy?: string
  onChange: (artifact: number | null) => void
  onUpload: (file: File) => Promise<void>
}) {
  const fileRef = useRef<HTMLInputElement>(null)
  const [uploading, setUploading] = useState(false)
  const fitting = fittingArtifacts(input, artifacts)
  return (
    <div className="execute-artifact-picker">
      <select
        id={id}
        value={value ?? ''}
        aria-invalid={invalid ? true : undefined}
        aria-describedby={describedBy}
        onChange={(event) => onChange(event.target.value ? Number(event.target.value) : null)}
      >
        <option value="">{fitting.length ? 'Choose an artifact…' : 'No artifact yet: upload one'}</option>
        {fitting.map((artifact) => (
          <option key={artifact.id} value={artifact.id}>
            {artifactLabel(artifact)}
          </option>
        ))}
      </select>
      <button
        type="button"
        className="button button-small"
        disabled={uploading}
        aria-busy={uploading || undefined}
        aria-label={`Upload a file for ${input.name}`}
        onClick={() => fileRef.current?.click()}
      >
        {uploading ? 'Uploading…' : 'Upload…'}
      </button>
      <input
        ref={fileRef}
        type="file"
        hidden
        data-testid={`upload-${input.name}`}
        accept={input.type === 'directory' ? '.tar.gz,.tgz' : undefined}
        onChange={(event) => {
          const file = event.target.files?.[0]
          event.target.value = ''
          if (!file) return
          setUploading(true)
          void onUpload(file).finally(() => setUploading(false))
        }}
      />
    </div>
  )
}
