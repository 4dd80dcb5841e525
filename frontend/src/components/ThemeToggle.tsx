import { nextPreference, useTheme, type ThemePreference } from '../lib/theme'

const LABELS: Record<ThemePreference, string> = {
  light: 'Light',
  dark: 'Dark',
  system: 'System',
}

function ThemeIcon({ preference }: { preference: ThemePreference }) {
  return (
    <svg
      width={16}
      height={16}
      viewBox="0 0 24 24"
      fill="none"
      stroke="currentColor"
      strokeWidth="1.8"
      strokeLinecap="round"
      strokeLinejoin="round"
      aria-hidden="true"
      focusable="false"
    >
      {preference === 'light' && (
        <>
          <circle cx="12" cy="12" r="4" />
          <path d="M12 2v2M12 20v2M4.9 4.9l1.4 1.4M17.7 17.7l1.4 1.4M2 12h2M20 12h2M4.9 19.1l1.4-1.4M17.7 6.3l1.4-1.4" />
        </>
      )}
      {preference === 'dark' && <path d="M20 14.5A8 8 0 0 1 9.5 4a8 8 0 1 0 10.5 10.5z" />}
      {preference === 'system' && (
        <>
          <rect x="3" y="4" width="18" height="12" rx="2" />
          <path d="M8 20h8M12 16v4" />
        </>
      )}
    </svg>
  )
}

/** Header button cycling the theme preference Light → Dark → System. */
export function ThemeToggle() {
  const { preference, theme, setPreference } = useTheme()
  const next = nextPreference(preference)
  const label = `Theme: ${LABELS[preference]}`
  const title =
    preference === 'system'
      ? `${label} (currently ${theme}). Switch to ${LABELS[next]}`
      : `${label}. Switch to ${LABELS[next]}`
  return (
    <button
      type="button"
      className="icon-button theme-toggle"
      aria-label={label}
      title={title}
      data-theme-preference={preference}
      onClick={() => setPreference(next)}
    >
      <ThemeIcon preference={preference} />
    </button>
  )
}
