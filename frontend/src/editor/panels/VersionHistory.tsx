// The pipeline's frozen versions, newest first: open one read-only, or restore it into the draft.

import { useCallback, useEffect, useId, useRef, useState } from 'react'
import { isAbortError, isApiError } from '../../api/client'
import { getPipelineVersion, itemsOf, listPipelineVersions, restorePipelineVersion } from '../../api/endpoints'
import type {
  Operation,
  PipelineVersion,
  PipelineVersionDetail,
  RestoredPipeline,
} from '../../api/types'
import { Dialog } from '../../components/Dialog'
import { RelativeTime } from '../../components/RelativeTime'
import { Spinner } from '../../components/States'
import { GraphPreview } from '../../graph/GraphPreview'
import { errorMessages } from '../../lib/errors'
import { GitCommit } from '../../yaml/GitCommit'
import { YamlDialog } from '../../yaml/YamlDialog'

const NO_OPERATIONS: readonly Operation[] = []

export interface VersionHistoryProps {
  pipelineId: number
  /** The draft's revision as last read: sent with a restore, so a stale draft answers 409. */
  revision?: number | null
  /** Editors may restore; viewers only open. */
  canEdit: boolean
  /**
   * Restore succeeded: the pipeline with the restored draft `graph` and its new `revision`,
   * and the number of the version restored.
   */
  onRestored: (pipeline: RestoredPipeline, versionNumber: number) => void
  /**
   * Called with the full version (its frozen graph) when "Open" is chosen. Without it the
   * panel shows the version itself, read-only, in a dialog.
   */
  onOpen?: (version: PipelineVersionDetail) => void
  /** For the built-in read-only preview: the operations the nodes name. */
  operations?: readonly Operation[]
  /** Change it (e.g. after a save froze a new version) to reload the list. */
  refreshKey?: unknown
}

type ListState =
  | { status: 'loading' }
  | { status: 'error'; error: unknown }
  | { status: 'ready'; versions: PipelineVersion[] }

/** Messages for a failed restore: the server's own words for a stale draft (409). */
export function restoreErrorMessages(error: unknown): string[] {
  if (isApiError(error)) {
    if (error.status === 409) {
      const body = error.body as { detail?: unknown } | null
      if (body && typeof body.detail === 'string') return [body.detail]
    }
    if (error.status === 403) return ['Only editors of this project can restore versions.']
  }
  return errorMessages(error)
}

export function VersionHistory({
  pipelineId,
  revision,
  canEdit,
  onRestored,
  onOpen,
  operations = NO_OPERATIONS,
  refreshKey,
}: VersionHistoryProps) {
  const headingId = useId()
  const [list, setList] = useState<ListState>({ status: 'loading' })
  const [attempt, setAttempt] = useState(0)
  const [opening, setOpening] = useState<number | null>(null)
  const [openError, setOpenError] = useState<{ number: number; messages: string[] } | null>(null)
  const [preview, setPreview] = useState<PipelineVersionDetail | null>(null)
  const [confirming, setConfirming] = useState<PipelineVersion | null>(null)
  const [yamlVersion, setYamlVersion] = useState<number | null>(null)
  const openAbort = useRef<AbortController | null>(null)

  useEffect(() => {
    const controller = new AbortController()
    setList({ status: 'loading' })
    listPipelineVersions(pipelineId, controller.signal).then(
      (answer) => {
        const versions = [...itemsOf(answer)].sort((a, b) => b.number - a.number)
        setList({ status: 'ready', versions })
      },
      (error: unknown) => {
        if (!isAbortError(error)) setList({ status: 'error', error })
      },
    )
    return () => controller.abort()
  }, [pipelineId, attempt, refreshKey])

  useEffect(() => () => openAbort.current?.abort(), [])

  const open = useCallback(
    (version: PipelineVersion) => {
      openAbort.current?.abort()
      const controller = new AbortController()
      openAbort.current = controller
      setOpening(version.id)
      setOpenError(null)
      getPipelineVersion(version.id, controller.signal).then(
        (detail) => {
          setOpening(null)
          if (onOpen) onOpen(detail)
          else setPreview(detail)
        },
        (error: unknown) => {
          if (isAbortError(error)) return
          setOpening(null)
          setOpenError({ number: version.number, messages: errorMessages(error) })
        },
      )
    },
    [onOpen],
  )

  return (
    <section className="editor-panel version-history" aria-labelledby={headingId}>
      <header className="editor-panel-header">
        <h2 id={headingId}>Version history</h2>
      </header>

      {list.status === 'loading' && <Spinner label="Loading versions…" />}

      {list.status === 'error' && (
        <div className="panel-alert" role="alert">
          <p>Couldn't load the versions.</p>
          <ul className="message-list">
            {errorMessages(list.error).map((message) => (
              <li key={message}>{message}</li>
            ))}
          </ul>
          <button type="button" className="button button-small" onClick={() => setAttempt((n) => n + 1)}>
            Retry
          </button>
        </div>
      )}

      {list.status === 'ready' && list.versions.length === 0 && (
        <p className="panel-empty">No versions yet: Save creates the first one.</p>
      )}

      {list.status === 'ready' && list.versions.length > 0 && (
        <ol className="version-history-list">
          {list.versions.map((version) => (
            <li key={version.id} className="version-history-item" aria-label={`Version ${version.number}`}>
              <div className="version-history-main">
                <span className="version-tag">v{version.number}</span>
                {version.tags.map((tag) => (
                  <span key={tag} className="tag">
                    {tag}
                  </span>
                ))}
                <GitCommit sha={version.git_commit} />
              </div>
              <div className="version-history-meta">
                <RelativeTime value={version.created_at} />
                {version.created_by && <span> · {version.created_by}</span>}
                <code className="version-history-hash" title={version.content_hash}>
                  {version.content_hash.slice(0, 8)}
                </code>
              </div>
              <div className="version-history-actions">
                <button
                  type="button"
                  className="button button-small"
                  aria-label={`Open version ${version.number}`}
                  disabled={opening === version.id}
                  onClick={() => open(version)}
                >
                  {opening === version.id ? 'Opening…' : 'Open'}
                </button>
                {canEdit && (
                  <button
                    type="button"
                    className="button button-small"
                    aria-label={`Restore version ${version.number}`}
                    onClick={() => setConfirming(version)}
                  >
                    Restore
                  </button>
                )}
              </div>
              {openError?.number === version.number && (
                <p className="panel-error" role="alert">
                  {openError.messages.join(' ')}
                </p>
              )}
            </li>
          ))}
        </ol>
      )}

      {confirming && (
        <RestoreDialog
          pipelineId={pipelineId}
          revision={revision}
          version={confirming}
          onClose={() => setConfirming(null)}
          onRestored={(pipeline) => {
            setConfirming(null)
            onRestored(pipeline, confirming.number)
          }}
        />
      )}

      {preview && (
        <Dialog
          title={`Version ${preview.number}`}
          description="Read-only: restore it to edit it again."
          onClose={() => setPreview(null)}
        >
          <div className="version-preview">
            <GraphPreview
              graph={preview.graph}
              operations={operations}
              selectedNodeId={null}
              onSelectNode={() => undefined}
            />
          </div>
          <div className="form-actions">
            <button
              type="button"
              className="button"
              onClick={() => {
                setYamlVersion(preview.number)
                setPreview(null)
              }}
            >
              View as YAML
            </button>
          </div>
        </Dialog>
      )}

      {yamlVersion !== null && (
        <YamlDialog pipelineId={pipelineId} version={yamlVersion} onClose={() => setYamlVersion(null)} />
      )}
    </section>
  )
}

function RestoreDialog({
  pipelineId,
  revision,
  version,
  onClose,
  onRestored,
}: {
  pipelineId: number
  revision: number | null | undefined
  version: PipelineVersion
  onClose: () => void
  onRestored: (pipeline: RestoredPipeline) => void
}) {
  const [busy, setBusy] = useState(false)
  const [problems, setProblems] = useState<string[]>([])
  const abort = useRef<AbortController | null>(null)

  useEffect(() => () => abort.current?.abort(), [])

  const restore = () => {
    const controller = new AbortController()
    abort.current = controller
    setBusy(true)
    setProblems([])
    restorePipelineVersion(pipelineId, version.number, revision, controller.signal).then(
      (pipeline) => onRestored(pipeline),
      (error: unknown) => {
        if (isAbortError(error)) return
        setBusy(false)
        setProblems(restoreErrorMessages(error))
      },
    )
  }

  return (
    <Dialog
      title={`Restore version ${version.number}?`}
      description="Your unsaved changes will be replaced."
      onClose={onClose}
    >
      {problems.length > 0 && (
        <div className="form-alert" role="alert">
          {problems.map((problem) => (
            <p key={problem}>{problem}</p>
          ))}
        </div>
      )}
      <div className="form-actions">
        <button type="button" className="button" onClick={onClose}>
          Cancel
        </button>
        <button
          type="button"
          className="button button-primary"
          data-autofocus
          disabled={busy}
          onClick={restore}
        >
          {busy ? 'Restoring…' : `Restore version ${version.number}`}
        </button>
      </div>
    </Dialog>
  )
}
