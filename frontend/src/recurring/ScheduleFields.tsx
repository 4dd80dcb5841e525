// The schedule part of a form (execute dialog, recurring run page): every N units or a cron
// expression, time zone, start, end, max concurrent runs; the next fire times are asked of the
// server as the user types, and a field that cannot work says so before anything is sent.

import { useEffect, useId, useState } from 'react'
import { isAbortError, isApiError } from '../api/client'
import { previewSchedule } from '../api/recurring'
import { formatDateTime } from '../lib/time'
import {
  CRON_EXAMPLES,
  MAX_CONCURRENT,
  scheduleBody,
  scheduleErrors,
  type DraftField,
  type IntervalUnit,
  type ScheduleDraft,
} from './schedule'

const PREVIEW_DELAY_MS = 300

type Preview =
  | { status: 'idle' | 'loading' }
  | { status: 'ok'; times: string[] }
  | { status: 'error'; fields: Partial<Record<DraftField, string>>; message: string }

export function ScheduleFields({
  draft,
  errors,
  onChange,
  cronOnly = false,
}: {
  draft: ScheduleDraft
  /** Messages from the last submit, by draft field. */
  errors: Partial<Record<DraftField, string>>
  onChange: (draft: ScheduleDraft) => void
  /** Only a cron expression (periodic deployments): no "Every…" choice. */
  cronOnly?: boolean
}) {
  const id = useId()
  const [preview, setPreview] = useState<Preview>({ status: 'idle' })
  const set = (changes: Partial<ScheduleDraft>) => onChange({ ...draft, ...changes })

  useEffect(() => {
    const { body, errors: local } = scheduleBody(draft)
    if (Object.keys(local).length) {
      setPreview({ status: 'idle' })
      return
    }
    const controller = new AbortController()
    setPreview((current) => (current.status === 'ok' ? current : { status: 'loading' }))
    const timer = window.setTimeout(() => {
      previewSchedule(body, controller.signal).then(
        (answer) => setPreview({ status: 'ok', times: answer.next_fire_times }),
        (error: unknown) => {
          if (isAbortError(error)) return
          const found = isApiError(error) && error.status === 400 ? scheduleErrors(error.body) : null
          setPreview({
            status: 'error',
            fields: found?.fields ?? {},
            message: found?.other[0] ?? (found ? '' : 'Could not work out the next fire times.'),
          })
        },
      )
    }, PREVIEW_DELAY_MS)
    return () => {
      window.clearTimeout(timer)
      controller.abort()
    }
  }, [draft])

  const local = scheduleBody(draft).errors
  const previewFields = preview.status === 'error' ? preview.fields : {}
  // Submit errors first, then what the form sees, then what the preview was told.
  const message = (field: DraftField) => errors[field] ?? local[field] ?? previewFields[field]

  return (
    <div className="schedule-fields">
      {!cronOnly && (
      <div className="segmented" role="radiogroup" aria-label="Trigger">
        {(['interval', 'cron'] as const).map((trigger) => (
          <label key={trigger} className={draft.trigger === trigger ? 'segmented-on' : undefined}>
            <input
              type="radio"
              name={`${id}-trigger`}
              value={trigger}
              checked={draft.trigger === trigger}
              onChange={() => set({ trigger })}
            />
            {trigger === 'interval' ? 'Every…' : 'Cron'}
          </label>
        ))}
      </div>
      )}

      {draft.trigger === 'interval' && !cronOnly ? (
        <div className="field">
          <label htmlFor={`${id}-every`}>Runs every</label>
          <div className="schedule-every">
            <input
              id={`${id}-every`}
              inputMode="numeric"
              value={draft.every}
              aria-invalid={message('every') ? true : undefined}
              onChange={(event) => set({ every: event.target.value })}
            />
            <select
              aria-label="Unit"
              value={draft.unit}
              onChange={(event) => set({ unit: event.target.value as IntervalUnit })}
            >
              <option value="minutes">minutes</option>
              <option value="hours">hours</option>
              <option value="days">days</option>
              <option value="weeks">weeks</option>
            </select>
          </div>
          {message('every') && <p className="field-error">{message('every')}</p>}
        </div>
      ) : (
        <div className="field">
          <label htmlFor={`${id}-cron`}>Cron expression</label>
          <input
            id={`${id}-cron`}
            className="mono"
            value={draft.cron}
            spellCheck={false}
            placeholder="minute hour day month weekday"
            aria-invalid={message('cron') ? true : undefined}
            aria-describedby={`${id}-cron-hint`}
            onChange={(event) => set({ cron: event.target.value })}
          />
          <p id={`${id}-cron-hint`} className="field-hint">
            Five fields: minute hour day-of-month month day-of-week, read in the time zone below. Examples:{' '}
            {CRON_EXAMPLES.map((example, index) => (
              <span key={example.cron}>
                {index > 0 && ', '}
                <button type="button" className="link-button" onClick={() => set({ cron: example.cron })}>
                  {example.label}
                </button>
              </span>
            ))}
          </p>
          {message('cron') && <p className="field-error">{message('cron')}</p>}
        </div>
      )}

      <div className="schedule-grid">
        <div className="field">
          <label htmlFor={`${id}-timezone`}>Time zone</label>
          <input
            id={`${id}-timezone`}
            value={draft.timezone}
            spellCheck={false}
            aria-invalid={message('timezone') ? true : undefined}
            onChange={(event) => set({ timezone: event.target.value })}
          />
          {message('timezone') && <p className="field-error">{message('timezone')}</p>}
        </div>
        <div className="field">
          <label htmlFor={`${id}-max`}>Max concurrent runs</label>
          <input
            id={`${id}-max`}
            type="number"
            min={1}
            max={MAX_CONCURRENT}
            value={draft.maxConcurrent}
            aria-invalid={message('maxConcurrent') ? true : undefined}
            aria-describedby={`${id}-max-hint`}
            onChange={(event) => set({ maxConcurrent: event.target.value })}
          />
          <p id={`${id}-max-hint`} className="field-hint">
            A tick that would exceed it is skipped and recorded.
          </p>
          {message('maxConcurrent') && <p className="field-error">{message('maxConcurrent')}</p>}
        </div>
        <div className="field">
          <label htmlFor={`${id}-start`}>
            Start <span className="optional">optional</span>
          </label>
          <input
            id={`${id}-start`}
            type="datetime-local"
            value={draft.start}
            aria-invalid={message('start') ? true : undefined}
            onChange={(event) => set({ start: event.target.value })}
          />
          {message('start') && <p className="field-error">{message('start')}</p>}
        </div>
        <div className="field">
          <label htmlFor={`${id}-end`}>
            End <span className="optional">optional</span>
          </label>
          <input
            id={`${id}-end`}
            type="datetime-local"
            value={draft.end}
            aria-invalid={message('end') ? true : undefined}
            onChange={(event) => set({ end: event.target.value })}
          />
          {message('end') && <p className="field-error">{message('end')}</p>}
        </div>
      </div>

      <div className="schedule-preview" aria-live="polite" aria-label="Next fire times">
        {preview.status === 'loading' && <span className="muted">Working out the next fire times…</span>}
        {preview.status === 'ok' &&
          (preview.times.length ? (
            <>
              <span className="schedule-preview-label">Next:</span>
              <ol>
                {preview.times.map((time) => (
                  <li key={time}>
                    <time dateTime={time}>{formatDateTime(time)}</time>
                  </li>
                ))}
              </ol>
            </>
          ) : (
            <span className="muted">It never fires: the end comes before the first tick.</span>
          ))}
        {preview.status === 'error' && preview.message && <span className="field-error">{preview.message}</span>}
      </div>
    </div>
  )
}
