export { DocumentMenu, documentFileName, documentJson, downloadText, type DocumentMenuProps } from './DocumentMenu'
export { DraftRestoreBanner, type DraftRestoreBannerProps } from './DraftRestoreBanner'
export {
  EDITOR_SHORTCUTS,
  ShortcutHelp,
  ShortcutHelpButton,
  comboKeys,
  comboLabel,
  isTypingTarget,
  useShortcutHelp,
  type KeyCombo,
  type ShortcutEntry,
  type ShortcutHelpControl,
  type ShortcutHelpProps,
} from './ShortcutHelp'
export {
  DRAFT_BACKUP_DELAY_MS,
  clearDraftBackup,
  draftBackupKey,
  readDraftBackup,
  useDraftBackup,
  writeDraftBackup,
  type DraftBackup,
} from './useDraftBackup'
export { VersionHistory, restoreErrorMessages, type VersionHistoryProps } from './VersionHistory'
