import { act, fireEvent, render, renderHook, screen } from '@testing-library/react'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import type { EditorDocument } from '../document'
import { DraftRestoreBanner } from './DraftRestoreBanner'
import {
  DRAFT_BACKUP_DELAY_MS,
  clearDraftBackup,
  draftBackupKey,
  readDraftBackup,
  useDraftBackup,
  writeDraftBackup,
} from './useDraftBackup'

const KEY = draftBackupKey(7)

function doc(...ids: string[]): EditorDocument {
  return {
    nodes: ids.map((id, index) => ({ id, operation: 1, label: '', params: {}, position: { x: index * 100, y: 0 } })),
    edges: [],
    inputs: [],
  }
}

interface Props {
  document: EditorDocument
  dirty: boolean
  revision: number
}

beforeEach(() => {
  localStorage.clear()
  vi.useFakeTimers()
})

afterEach(() => {
  vi.useRealTimers()
  localStorage.clear()
})

describe('useDraftBackup', () => {
  it('saves the document, debounced, while dirty', () => {
    const { rerender } = renderHook((props: Props) => useDraftBackup(7, props.revision, props.document, props.dirty), {
      initialProps: { document: doc('a'), dirty: true, revision: 3 },
    })
    expect(localStorage.getItem(KEY)).toBeNull()
    act(() => vi.advanceTimersByTime(DRAFT_BACKUP_DELAY_MS - 100))
    rerender({ document: doc('a', 'b'), dirty: true, revision: 3 })
    act(() => vi.advanceTimersByTime(DRAFT_BACKUP_DELAY_MS - 100))
    expect(localStorage.getItem(KEY)).toBeNull()
    act(() => vi.advanceTimersByTime(100))
    const backup = readDraftBackup(7)
    expect(backup?.document).toEqual(doc('a', 'b'))
    expect(backup?.revision).toBe(3)
    expect(Number.isNaN(Date.parse(backup!.savedAt))).toBe(false)
  })

  it('clears the backup once clean again', () => {
    const { rerender } = renderHook((props: Props) => useDraftBackup(7, props.revision, props.document, props.dirty), {
      initialProps: { document: doc('a'), dirty: true, revision: 3 },
    })
    act(() => vi.advanceTimersByTime(DRAFT_BACKUP_DELAY_MS))
    expect(readDraftBackup(7)).not.toBeNull()
    rerender({ document: doc('a'), dirty: false, revision: 4 })
    expect(localStorage.getItem(KEY)).toBeNull()
    act(() => vi.advanceTimersByTime(DRAFT_BACKUP_DELAY_MS * 2))
    expect(localStorage.getItem(KEY)).toBeNull()
  })

  it('drops a pending save when the document becomes clean first', () => {
    const { rerender } = renderHook((props: Props) => useDraftBackup(7, props.revision, props.document, props.dirty), {
      initialProps: { document: doc('a'), dirty: true, revision: 3 },
    })
    rerender({ document: doc('a'), dirty: false, revision: 3 })
    act(() => vi.advanceTimersByTime(DRAFT_BACKUP_DELAY_MS * 2))
    expect(localStorage.getItem(KEY)).toBeNull()
  })

  it("keeps an earlier session's backup while the freshly loaded document is clean", () => {
    writeDraftBackup(7, 2, doc('old'))
    renderHook(() => useDraftBackup(7, 3, doc(), false))
    act(() => vi.advanceTimersByTime(DRAFT_BACKUP_DELAY_MS * 2))
    expect(readDraftBackup(7)?.document).toEqual(doc('old'))
  })

  it('flushes a pending save on unmount', () => {
    const { unmount } = renderHook(() => useDraftBackup(7, 3, doc('x'), true))
    unmount()
    expect(readDraftBackup(7)?.document).toEqual(doc('x'))
  })

  it('keeps one backup per pipeline', () => {
    writeDraftBackup(7, 1, doc('seven'))
    writeDraftBackup(8, 1, doc('eight'))
    expect(readDraftBackup(7)?.document).toEqual(doc('seven'))
    expect(readDraftBackup(8)?.document).toEqual(doc('eight'))
    clearDraftBackup(7)
    expect(readDraftBackup(7)).toBeNull()
    expect(readDraftBackup(8)).not.toBeNull()
  })
})

describe('readDraftBackup', () => {
  it('returns null when there is none', () => {
    expect(readDraftBackup(7)).toBeNull()
  })

  it.each([
    ['not JSON', '{oops'],
    ['not an object', '[1, 2]'],
    ['no document', JSON.stringify({ revision: 1, savedAt: new Date().toISOString() })],
    ['a bad document', JSON.stringify({ document: { nodes: 'x', edges: [] }, revision: 1, savedAt: new Date().toISOString() })],
    ['a bad date', JSON.stringify({ document: doc('a'), revision: 1, savedAt: 'yesterday-ish' })],
  ])('discards a corrupt backup (%s)', (_name, raw) => {
    localStorage.setItem(KEY, raw)
    expect(readDraftBackup(7)).toBeNull()
    expect(localStorage.getItem(KEY)).toBeNull()
  })

  it('survives storage that throws', () => {
    const getItem = vi.spyOn(Storage.prototype, 'getItem').mockImplementation(() => {
      throw new Error('SecurityError')
    })
    const setItem = vi.spyOn(Storage.prototype, 'setItem').mockImplementation(() => {
      throw new Error('QuotaExceededError')
    })
    expect(readDraftBackup(7)).toBeNull()
    expect(() => writeDraftBackup(7, 1, doc('a'))).not.toThrow()
    getItem.mockRestore()
    setItem.mockRestore()
  })
})

describe('DraftRestoreBanner', () => {
  it('offers to restore or discard', () => {
    vi.useRealTimers()
    const onRestore = vi.fn()
    const onDiscard = vi.fn()
    render(
      <DraftRestoreBanner savedAt={new Date(Date.now() - 5 * 60_000).toISOString()} onRestore={onRestore} onDiscard={onDiscard} />,
    )
    const banner = screen.getByRole('region', { name: 'Unsaved changes' })
    expect(banner.textContent).toMatch(/You have unsaved changes from .*5 minutes ago/)
    fireEvent.click(screen.getByRole('button', { name: 'Restore them' }))
    fireEvent.click(screen.getByRole('button', { name: 'Discard' }))
    expect(onRestore).toHaveBeenCalledTimes(1)
    expect(onDiscard).toHaveBeenCalledTimes(1)
  })
})
