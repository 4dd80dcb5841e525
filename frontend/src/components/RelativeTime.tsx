import { formatDateTime, relativeTime, toDate } from '../lib/time'

/** "5 minutes ago", with the full date and time in the tooltip. */
export function RelativeTime({ value, now }: { value: string | null | undefined; now?: number }) {
  const date = toDate(value)
  if (!date) return <span className="muted">—</span>
  return (
    <time dateTime={date.toISOString()} title={formatDateTime(date)}>
      {relativeTime(date, now ?? Date.now())}
    </time>
  )
}
