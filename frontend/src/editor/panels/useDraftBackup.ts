// Unsaved editor changes kept in localStorage, so a closed tab or a crash loses nothing.

import { useEffect, useRef } from 'react'
import type { EditorDocument } from '../document'

export const DRAFT_BACKUP_DELAY_MS = 500

export interface DraftBackup {
  document: EditorDocument
  /** The pipeline revision the changes were made on (null when unknown). */
  revision: number | null
  /** ISO date of the backup. */
  savedAt: string
}

export function draftBackupKey(pipelineId: number): string {
  return `pipewright.editor.draft.${pipelineId}`
}

function storage(): Storage | null {
  try {
    return typeof window === 'undefined' ? null : window.localStorage
  } catch {
    return null
  }
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}

function isBackup(value: unknown): value is DraftBackup {
  if (!isRecord(value) || !isRecord(value.document)) return false
  const { document, revision, savedAt } = value
  return (
    Array.isArray(document.nodes) &&
    Array.isArray(document.edges) &&
    (document.inputs === undefined || Array.isArray(document.inputs)) &&
    (revision === null || typeof revision === 'number') &&
    typeof savedAt === 'string' &&
    !Number.isNaN(Date.parse(savedAt))
  )
}

/** The backup kept for a pipeline, or null; a corrupt one is discarded. */
export function readDraftBackup(pipelineId: number): DraftBackup | null {
  const store = storage()
  if (!store) return null
  const key = draftBackupKey(pipelineId)
  let raw: string | null
  try {
    raw = store.getItem(key)
  } catch {
    return null
  }
  if (raw === null) return null
  let value: unknown
  try {
    value = JSON.parse(raw)
  } catch {
    value = null
  }
  if (!isBackup(value)) {
    clearDraftBackup(pipelineId)
    return null
  }
  return {
    document: { ...value.document, inputs: value.document.inputs ?? [] },
    revision: value.revision,
    savedAt: value.savedAt,
  }
}

export function writeDraftBackup(
  pipelineId: number,
  revision: number | null | undefined,
  document: EditorDocument,
  now: Date = new Date(),
): void {
  const backup: DraftBackup = { document, revision: revision ?? null, savedAt: now.toISOString() }
  try {
    storage()?.setItem(draftBackupKey(pipelineId), JSON.stringify(backup))
  } catch {
    // Full or disabled storage: the backup is a convenience, never an error.
  }
}

export function clearDraftBackup(pipelineId: number): void {
  try {
    storage()?.removeItem(draftBackupKey(pipelineId))
  } catch {
    // As above.
  }
}

/**
 * Keeps `document` in localStorage (debounced) while it is `dirty`, and removes the backup once
 * it is clean again (saved, or undone back). A clean document at mount leaves an earlier
 * session's backup in place, so the page can offer it (`readDraftBackup` +
 * `DraftRestoreBanner`); discarding it is `clearDraftBackup`. A pending write is flushed when the
 * page is hidden or the component unmounts.
 */
export function useDraftBackup(
  pipelineId: number,
  revision: number | null | undefined,
  document: EditorDocument,
  dirty: boolean,
  delayMs: number = DRAFT_BACKUP_DELAY_MS,
): void {
  const pending = useRef<(() => void) | null>(null)
  const wasDirty = useRef(false)

  useEffect(() => {
    if (!dirty) {
      pending.current = null
      if (wasDirty.current) clearDraftBackup(pipelineId)
      wasDirty.current = false
      return
    }
    wasDirty.current = true
    const write = () => {
      pending.current = null
      writeDraftBackup(pipelineId, revision, document)
    }
    pending.current = write
    const timer = setTimeout(write, delayMs)
    return () => clearTimeout(timer)
  }, [pipelineId, revision, document, dirty, delayMs])

  useEffect(() => {
    const flush = () => pending.current?.()
    window.addEventListener('pagehide', flush)
    return () => {
      window.removeEventListener('pagehide', flush)
      flush()
    }
  }, [])
}
