/** The Pipewright mark: three operations wired into a small graph. */
export function Logo({ size = 22 }: { size?: number }) {
  return (
    <svg
      className="logo"
      width={size}
      height={size}
      viewBox="0 0 24 24"
      aria-hidden="true"
      focusable="false"
    >
      <rect x="1.5" y="3" width="7" height="6" rx="1.8" fill="currentColor" />
      <rect x="15.5" y="3" width="7" height="6" rx="1.8" fill="currentColor" opacity="0.55" />
      <rect x="8.5" y="15" width="7" height="6" rx="1.8" fill="currentColor" opacity="0.8" />
      <path
        d="M8.5 6h7M5 9v3.5a2.5 2.5 0 0 0 2.5 2.5H9M19 9v3.5a2.5 2.5 0 0 1-2.5 2.5H15"
        fill="none"
        stroke="currentColor"
        strokeWidth="1.6"
        strokeLinecap="round"
      />
    </svg>
  )
}
