import { useId } from 'react'
import { MAX_BODY_MB, MAX_WAIT_SECONDS, type DeployField, type LimitsDraft } from './mappings'

/** An endpoint's limits: how long a call waits for its run, calls per minute, body size. */
export function LimitsFields({
  draft,
  errors,
  onChange,
}: {
  draft: { waitSeconds: string; ratePerMinute: string; maxBodyMb: string }
  errors: Partial<Record<DeployField, string | undefined>>
  onChange: (changes: Partial<LimitsDraft>) => void
}) {
  const id = useId()
  return (
    <div className="deploy-grid deploy-grid-3">
      <div className="field">
        <label htmlFor={`${id}-wait`}>Wait for the run (seconds)</label>
        <input
          id={`${id}-wait`}
          type="number"
          min={0}
          max={MAX_WAIT_SECONDS}
          value={draft.waitSeconds}
          aria-invalid={errors.waitSeconds ? true : undefined}
          aria-describedby={`${id}-wait-hint`}
          onChange={(event) => onChange({ waitSeconds: event.target.value })}
        />
        <p id={`${id}-wait-hint`} className="field-hint">
          A run that takes longer answers 202 with a URL to poll.
        </p>
        {errors.waitSeconds && <p className="field-error">{errors.waitSeconds}</p>}
      </div>
      <div className="field">
        <label htmlFor={`${id}-rate`}>Rate limit (calls per minute)</label>
        <input
          id={`${id}-rate`}
          type="number"
          min={1}
          value={draft.ratePerMinute}
          aria-invalid={errors.ratePerMinute ? true : undefined}
          onChange={(event) => onChange({ ratePerMinute: event.target.value })}
        />
        {errors.ratePerMinute && <p className="field-error">{errors.ratePerMinute}</p>}
      </div>
      <div className="field">
        <label htmlFor={`${id}-body`}>Max body size (MB)</label>
        <input
          id={`${id}-body`}
          type="number"
          min={0}
          max={MAX_BODY_MB}
          step="any"
          value={draft.maxBodyMb}
          aria-invalid={errors.maxBodyMb ? true : undefined}
          onChange={(event) => onChange({ maxBodyMb: event.target.value })}
        />
        {errors.maxBodyMb && <p className="field-error">{errors.maxBodyMb}</p>}
      </div>
    </div>
  )
}
