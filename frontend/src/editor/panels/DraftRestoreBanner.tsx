// Offers back the unsaved changes a previous session left in localStorage.

import { RelativeTime } from '../../components/RelativeTime'

export interface DraftRestoreBannerProps {
  /** When the changes were backed up (ISO date, `DraftBackup.savedAt`). */
  savedAt: string
  onRestore: () => void
  onDiscard: () => void
  /** The pipeline was saved elsewhere since: restoring would replace those changes. */
  changedSince?: boolean
}

export function DraftRestoreBanner({ savedAt, onRestore, onDiscard, changedSince = false }: DraftRestoreBannerProps) {
  return (
    <div className="draft-banner" role="region" aria-label="Unsaved changes">
      <p>
        You have unsaved changes from <RelativeTime value={savedAt} />.
        {changedSince && ' The pipeline has been saved since; restoring replaces that version in the editor.'}
      </p>
      <div className="draft-banner-actions">
        <button type="button" className="button button-small button-primary" onClick={onRestore}>
          Restore them
        </button>
        <button type="button" className="button button-small button-ghost" onClick={onDiscard}>
          Discard
        </button>
      </div>
    </div>
  )
}
