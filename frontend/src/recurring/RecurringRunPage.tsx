// One recurring run: when it fires (next five times), pause/resume, edit the schedule in place
// (the next beat poll uses it), delete; the runs it produced and every tick with its outcome.

import { useState, type FormEvent } from 'react'
import { Link, useNavigate, useParams } from 'react-router-dom'
import {
  deleteRecurringRun,
  getRecurringRun,
  listScheduledRuns,
  listTicks,
  updateRecurringRun,
  type RecurringRunDetail,
} from '../api/recurring'
import { isApiError } from '../api/client'
import { ConfirmDialog } from '../components/ConfirmDialog'
import { RelativeTime } from '../components/RelativeTime'
import { StateBadge } from '../components/StateBadge'
import { EmptyState, ErrorState, MissingPage, SkeletonTable, Spinner } from '../components/States'
import { useDocumentTitle } from '../hooks/useDocumentTitle'
import { useNow } from '../hooks/useNow'
import { usePolling } from '../hooks/usePolling'
import { useResource } from '../hooks/useResource'
import { usePendingAction } from '../hooks/usePendingAction'
import { errorMessages, isErrorLike } from '../lib/errors'
import { parseId } from '../lib/ids'
import { formatDateTime } from '../lib/time'
import { ScheduleFields } from './ScheduleFields'
import { describeSchedule, draftFrom, scheduleBody, scheduleErrors, type DraftField, type ScheduleDraft } from './schedule'
import { TickOutcomeLabel } from './TickOutcomeLabel'

const POLL_MS = 3000

export function RecurringRunPage() {
  const { id } = useParams()
  const scheduleId = parseId(id)
  if (scheduleId === null) return <RecurringNotFound />
  return <RecurringRunView key={scheduleId} id={scheduleId} />
}

function RecurringNotFound() {
  return <MissingPage title="Recurring run not found" backTo="/recurring/" backLabel="Back to recurring runs" />
}

function RecurringRunView({ id }: { id: number }) {
  const schedule = useResource((signal) => getRecurringRun(id, signal), [id])
  const runs = useResource((signal) => listScheduledRuns(id, signal), [id])
  const ticks = useResource((signal) => listTicks(id, signal), [id])
  const refreshAll = () => {
    schedule.refresh()
    runs.refresh()
    ticks.refresh()
  }
  usePolling(refreshAll, POLL_MS, schedule.status === 'success')
  const now = useNow(5000)
  const navigate = useNavigate()
  const [editing, setEditing] = useState(false)
  const [deleting, setDeleting] = useState(false)
  const toggler = usePendingAction()
  useDocumentTitle(schedule.data?.name ?? 'Recurring run')

  if (schedule.status === 'error') {
    if (isErrorLike(schedule.error) && schedule.error.status === 404) return <RecurringNotFound />
    return (
      <div className="page">
        <ErrorState title="Could not load this recurring run" error={schedule.error} onRetry={schedule.reload} />
      </div>
    )
  }
  if (!schedule.data) {
    return (
      <div className="page">
        <Spinner label="Loading recurring run…" />
      </div>
    )
  }
  const data = schedule.data

  const toggle = () => toggler.run(() => updateRecurringRun(id, { enabled: !data.enabled }), refreshAll)

  return (
    <div className="page">
      <div className="page-header">
        <div>
          <p className="page-subtitle">
            <Link to="/recurring/">Recurring runs</Link>
          </p>
          <h1>
            {data.name} {!data.enabled && <span className="paused-badge">Paused</span>}
          </h1>
          <p className="page-subtitle">
            {describeSchedule(data)} · <Link to={`/pipelines/${data.pipeline}/`}>{data.pipeline_name}</Link> version{' '}
            {data.version_number}
          </p>
        </div>
        <div className="page-actions">
          <button type="button" className="button" onClick={toggle} disabled={toggler.busy}>
            {data.enabled ? 'Pause' : 'Resume'}
          </button>
          <button type="button" className="button" onClick={() => setEditing(!editing)} aria-expanded={editing}>
            Edit schedule
          </button>
          <button type="button" className="button button-danger" onClick={() => setDeleting(true)}>
            Delete
          </button>
        </div>
      </div>
      {toggler.error && (
        <div className="form-alert" role="alert">
          {toggler.error}
        </div>
      )}

      {editing && (
        <EditSchedule
          schedule={data}
          onCancel={() => setEditing(false)}
          onSaved={() => {
            setEditing(false)
            refreshAll()
          }}
        />
      )}

      <dl className="card recurring-summary">
        <div>
          <dt>Next runs</dt>
          <dd>
            {data.next_fire_times.length ? (
              <ol className="plain-list" aria-label="Next fire times">
                {data.next_fire_times.map((time) => (
                  <li key={time}>
                    <time dateTime={time}>{formatDateTime(time)}</time>
                  </li>
                ))}
              </ol>
            ) : (
              <span className="muted">{data.enabled ? 'None: the schedule has ended.' : 'None while paused.'}</span>
            )}
          </dd>
        </div>
        <div>
          <dt>Window</dt>
          <dd>
            {data.start_at ? formatDateTime(data.start_at) : 'From its creation'}
            <br />
            {data.end_at ? `until ${formatDateTime(data.end_at)}` : 'no end'}
          </dd>
        </div>
        <div>
          <dt>At most at once</dt>
          <dd>
            {data.max_concurrent} run{data.max_concurrent === 1 ? '' : 's'}
            {data.active_runs > 0 && <span className="muted"> ({data.active_runs} going now)</span>}
          </dd>
        </div>
        <div>
          <dt>Created</dt>
          <dd>
            <RelativeTime value={data.created_at} now={now} />
            {data.created_by && ` by ${data.created_by}`}
          </dd>
        </div>
      </dl>

      <section className="recurring-section" aria-labelledby="recurring-runs-heading">
        <h2 id="recurring-runs-heading">Runs it started ({data.run_count})</h2>
        {runs.status === 'error' ? (
          <ErrorState title="Could not load its runs" error={runs.error} onRetry={runs.reload} />
        ) : !runs.data ? (
          <SkeletonTable columns={4} label="Loading runs…" />
        ) : runs.data.results.length === 0 ? (
          <EmptyState title="No runs yet">
            <p>Its first run starts at the next fire time.</p>
          </EmptyState>
        ) : (
          <div className="card table-card">
            <table className="table" aria-label="Runs it started">
              <thead>
                <tr>
                  <th scope="col">Run</th>
                  <th scope="col">State</th>
                  <th scope="col">Created</th>
                  <th scope="col">Finished</th>
                </tr>
              </thead>
              <tbody>
                {runs.data.results.map((run) => (
                  <tr key={run.id}>
                    <td className="cell-main">
                      <Link className="row-link" to={`/runs/${run.id}/`}>
                        {run.name}
                      </Link>
                    </td>
                    <td>
                      <StateBadge state={run.state} />
                    </td>
                    <td className="nowrap">
                      <RelativeTime value={run.created_at} now={now} />
                    </td>
                    <td className="nowrap">
                      <RelativeTime value={run.finished_at} now={now} />
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
      </section>

      <section className="recurring-section" aria-labelledby="recurring-ticks-heading">
        <h2 id="recurring-ticks-heading">Ticks</h2>
        {ticks.status === 'error' ? (
          <ErrorState title="Could not load its ticks" error={ticks.error} onRetry={ticks.reload} />
        ) : !ticks.data ? (
          <SkeletonTable columns={3} label="Loading ticks…" />
        ) : ticks.data.results.length === 0 ? (
          <EmptyState title="No ticks yet">
            <p>Each time it comes due is listed here: the run it started, or why it was skipped.</p>
          </EmptyState>
        ) : (
          <div className="card table-card">
            <table className="table" aria-label="Ticks">
              <thead>
                <tr>
                  <th scope="col">Due</th>
                  <th scope="col">Outcome</th>
                  <th scope="col">Details</th>
                </tr>
              </thead>
              <tbody>
                {ticks.data.results.map((tick) => (
                  <tr key={tick.id}>
                    <td className="nowrap">{formatDateTime(tick.tick_at)}</td>
                    <td className="nowrap">
                      <TickOutcomeLabel tick={tick} />
                    </td>
                    <td>
                      {tick.run !== null && tick.run_name && (
                        <Link to={`/runs/${tick.run}/`}>{tick.run_name}</Link>
                      )}
                      {tick.message && <span className={tick.run !== null ? 'muted' : undefined}> {tick.message}</span>}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
      </section>

      {deleting && (
        <ConfirmDialog
          title={`Delete ${data.name}?`}
          description="It stops firing. The runs it started are kept."
          keepLabel="Keep it"
          actLabel="Delete recurring run"
          busyLabel="Deleting…"
          act={() => deleteRecurringRun(id)}
          onDone={() => navigate('/recurring/')}
          onClose={() => setDeleting(false)}
        />
      )}
    </div>
  )
}

function EditSchedule({
  schedule,
  onCancel,
  onSaved,
}: {
  schedule: RecurringRunDetail
  onCancel: () => void
  onSaved: () => void
}) {
  const [name, setName] = useState(schedule.name)
  const [draft, setDraft] = useState<ScheduleDraft>(() => draftFrom(schedule))
  const [errors, setErrors] = useState<Partial<Record<DraftField, string>>>({})
  const [general, setGeneral] = useState<string[]>([])
  const [busy, setBusy] = useState(false)

  const submit = (event: FormEvent) => {
    event.preventDefault()
    const { body, errors: local } = scheduleBody(draft)
    setErrors(local)
    if (Object.keys(local).length || busy) return
    setBusy(true)
    setGeneral([])
    updateRecurringRun(schedule.id, { ...body, name: name.trim() }).then(onSaved, (error: unknown) => {
      setBusy(false)
      if (isApiError(error) && error.status === 400) {
        const placed = scheduleErrors(error.body)
        setErrors(placed.fields)
        setGeneral(placed.other)
      } else {
        setGeneral(errorMessages(error))
      }
    })
  }

  return (
    <form className="card form recurring-edit" onSubmit={submit} noValidate aria-label="Edit schedule">
      {general.length > 0 && (
        <div className="form-alert" role="alert">
          {general.map((message) => (
            <span key={message}>{message}</span>
          ))}
        </div>
      )}
      <div className="field">
        <label htmlFor="recurring-edit-name">Name</label>
        <input
          id="recurring-edit-name"
          value={name}
          maxLength={120}
          aria-invalid={errors.name ? true : undefined}
          onChange={(event) => setName(event.target.value)}
        />
        {errors.name && <p className="field-error">{errors.name}</p>}
      </div>
      <ScheduleFields draft={draft} errors={errors} onChange={setDraft} />
      <div className="form-actions">
        <button type="button" className="button" onClick={onCancel}>
          Cancel
        </button>
        <button type="submit" className="button button-primary" disabled={busy}>
          {busy ? 'Saving…' : 'Save schedule'}
        </button>
      </div>
    </form>
  )
}
