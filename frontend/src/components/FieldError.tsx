/**
 * The message under a form control that refused its value. Give the control
 * `aria-describedby={id}` and `aria-invalid`; `alert` also announces it as it appears
 * (fields checked while typing).
 */
export function FieldError({
  id,
  message,
  messages,
  alert = false,
}: {
  id: string
  message?: string | null
  messages?: readonly string[]
  alert?: boolean
}) {
  const text = messages?.length ? messages.join(' ') : message
  if (!text) return null
  return (
    <p id={id} className="field-error" role={alert ? 'alert' : undefined}>
      {text}
    </p>
  )
}
