import { useEffect, useState } from 'react'

/** Puts text on the clipboard; falls back to a hidden textarea where the API is missing (http). */
export async function copyText(text: string): Promise<boolean> {
  try {
    if (navigator.clipboard?.writeText) {
      await navigator.clipboard.writeText(text)
      return true
    }
  } catch {
    // fall through to the textarea
  }
  try {
    const area = document.createElement('textarea')
    area.value = text
    area.setAttribute('readonly', '')
    area.style.position = 'fixed'
    area.style.opacity = '0'
    document.body.appendChild(area)
    area.select()
    const done = document.execCommand('copy')
    area.remove()
    return done
  } catch {
    return false
  }
}

/** A small "Copy" button that says "Copied" for a moment. */
export function CopyButton({
  text,
  label = 'Copy',
  what,
  className = 'button button-small',
}: {
  text: string
  label?: string
  /** For the accessible name: "Copy <what>". */
  what?: string
  className?: string
}) {
  const [state, setState] = useState<'idle' | 'copied' | 'failed'>('idle')
  useEffect(() => {
    if (state === 'idle') return
    const timer = window.setTimeout(() => setState('idle'), 2000)
    return () => window.clearTimeout(timer)
  }, [state])
  return (
    <button
      type="button"
      className={className}
      aria-label={what ? `${label} ${what}` : undefined}
      onClick={() => {
        void copyText(text).then((ok) => setState(ok ? 'copied' : 'failed'))
      }}
    >
      <span aria-live="polite">{state === 'copied' ? 'Copied' : state === 'failed' ? 'Select and copy' : label}</span>
    </button>
  )
}
