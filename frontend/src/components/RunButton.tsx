import { PlayIcon } from './Icons'

/**
 * The primary "Run" button: a spinner and "Starting…" while the run is submitted; when the
 * user may not run, it is disabled and the reason is its tooltip.
 */
export function RunButton({
  busy,
  disabledReason,
  shortcut,
  onClick,
  label = 'Run',
}: {
  busy: boolean
  /** Why the user cannot run (null when they can). */
  disabledReason: string | null
  /** e.g. "Ctrl+Enter", shown in the tooltip and as a hint inside the button. */
  shortcut?: string
  onClick: () => void
  label?: string
}) {
  const disabled = busy || disabledReason !== null
  const title = disabledReason ?? (shortcut ? `${label} this pipeline (${shortcut})` : undefined)
  return (
    // A disabled button gets no pointer events in some browsers: the wrapper holds the tooltip.
    <span className="button-tooltip" title={title}>
      <button
        type="button"
        className="button button-primary button-run"
        onClick={onClick}
        disabled={disabled}
        aria-busy={busy || undefined}
        aria-keyshortcuts={shortcut ? 'Control+Enter Meta+Enter' : undefined}
        aria-describedby={disabledReason ? 'run-disabled-reason' : undefined}
      >
        {busy ? <span className="spinner spinner-small" aria-hidden="true" /> : <PlayIcon size={16} />}
        {busy ? 'Starting…' : label}
        {shortcut && !busy && !disabledReason && (
          <kbd className="button-kbd" aria-hidden="true">
            {shortcut}
          </kbd>
        )}
      </button>
      {disabledReason && (
        <span id="run-disabled-reason" className="visually-hidden">
          {disabledReason}
        </span>
      )}
    </span>
  )
}
