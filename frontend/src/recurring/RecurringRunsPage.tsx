// Recurring runs: every schedule of the user's projects, when it fires next, what its last
// tick did, how many runs it made; pause and resume in place. New ones come from a pipeline's
// Run dialog ("Recurring").

import { Link } from 'react-router-dom'
import { listRecurringRuns, updateRecurringRun, type RecurringRun } from '../api/recurring'
import { RelativeTime } from '../components/RelativeTime'
import { EmptyState, ErrorState, SkeletonTable } from '../components/States'
import { useDocumentTitle } from '../hooks/useDocumentTitle'
import { useNow } from '../hooks/useNow'
import { usePolling } from '../hooks/usePolling'
import { useResource } from '../hooks/useResource'
import { usePendingAction } from '../hooks/usePendingAction'
import { formatDateTime } from '../lib/time'
import { describeSchedule } from './schedule'
import { TickOutcomeLabel } from './TickOutcomeLabel'

const POLL_MS = 5000

export function RecurringRunsPage() {
  useDocumentTitle('Recurring runs')
  const schedules = useResource((signal) => listRecurringRuns({}, signal), [])
  usePolling(schedules.refresh, POLL_MS, schedules.status === 'success')
  const now = useNow(5000)
  const results = schedules.data?.results ?? []

  let content
  if (schedules.status === 'error') {
    content = (
      <ErrorState title="Could not load recurring runs" error={schedules.error} onRetry={schedules.reload} />
    )
  } else if (!schedules.data) {
    content = <SkeletonTable columns={6} label="Loading recurring runs…" />
  } else if (results.length === 0) {
    content = (
      <EmptyState title="No recurring runs yet">
        <p>
          Open a pipeline, press <strong>Run</strong> and choose <strong>Recurring</strong> to start it every hour,
          every day or on a cron expression.
        </p>
        <Link className="button" to="/pipelines/">
          Go to pipelines
        </Link>
      </EmptyState>
    )
  } else {
    content = (
      <div className="card table-card">
        <table className="table">
          <thead>
            <tr>
              <th scope="col">Recurring run</th>
              <th scope="col">Pipeline</th>
              <th scope="col">Schedule</th>
              <th scope="col">Next run</th>
              <th scope="col">Last tick</th>
              <th scope="col" className="numeric">
                Runs
              </th>
              <th scope="col">
                <span className="visually-hidden">Enabled</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {results.map((schedule) => (
              <ScheduleRow key={schedule.id} schedule={schedule} now={now} onChanged={schedules.refresh} />
            ))}
          </tbody>
        </table>
      </div>
    )
  }

  return (
    <div className="page">
      <div className="page-header">
        <div>
          <h1>Recurring runs</h1>
          <p className="page-subtitle">Pipelines started on a schedule, at most so many at once.</p>
        </div>
      </div>
      {content}
    </div>
  )
}

function ScheduleRow({ schedule, now, onChanged }: { schedule: RecurringRun; now: number; onChanged: () => void }) {
  const { busy, error, run } = usePendingAction()
  const toggle = () => run(() => updateRecurringRun(schedule.id, { enabled: !schedule.enabled }), onChanged)
  return (
    <tr>
      <td className="cell-main">
        <Link className="row-link" to={`/recurring/${schedule.id}/`}>
          {schedule.name}
        </Link>
      </td>
      <td>
        <Link to={`/pipelines/${schedule.pipeline}/`}>{schedule.pipeline_name}</Link>{' '}
        <span className="muted">v{schedule.version_number}</span>
      </td>
      <td>{describeSchedule(schedule)}</td>
      <td className="nowrap">
        {schedule.enabled && schedule.next_fire_at ? (
          <>
            {formatDateTime(schedule.next_fire_at)}{' '}
            <span className="muted">
              (<RelativeTime value={schedule.next_fire_at} now={now} />)
            </span>
          </>
        ) : (
          <span className="paused-badge">{schedule.enabled ? 'Ended' : 'Paused'}</span>
        )}
      </td>
      <td className="nowrap">
        {schedule.last_tick ? (
          <TickOutcomeLabel tick={schedule.last_tick} />
        ) : (
          <span className="muted">Not fired yet</span>
        )}
      </td>
      <td className="numeric">
        {schedule.run_count}
        {schedule.active_runs > 0 && <span className="muted"> ({schedule.active_runs} going)</span>}
      </td>
      <td className="nowrap">
        <button
          type="button"
          className="button button-small"
          role="switch"
          aria-checked={schedule.enabled}
          aria-label={`${schedule.enabled ? 'Pause' : 'Resume'} ${schedule.name}`}
          disabled={busy}
          onClick={toggle}
        >
          {schedule.enabled ? 'Pause' : 'Resume'}
        </button>
        {error && (
          <p className="field-error" role="alert">
            {error}
          </p>
        )}
      </td>
    </tr>
  )
}
