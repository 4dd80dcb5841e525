// The run page's management actions: archive/restore, move to an experiment, clone, delete.

import { useState } from 'react'
import { Link, useNavigate } from 'react-router-dom'
import { listExperiments } from '../api/backends'
import { itemsOf } from '../api/endpoints'
import {
  archiveRun,
  deleteRun,
  getCloneSetup,
  moveRunToExperiment,
  restoreRun,
  type CloneSetup,
} from '../api/runsManagement'
import type { RunDetail } from '../api/types'
import { ExecuteDialog } from '../execute/ExecuteDialog'
import { useResource } from '../hooks/useResource'
import { errorMessages } from '../lib/errors'
import { ConfirmDialog } from '../components/ConfirmDialog'

/** "Archived" badge and "Cloned from" link, for the run's title and meta lines. */
export function ArchivedBadge({ run }: { run: RunDetail }) {
  if (!run.archived_at) return null
  return (
    <span className="tag tag-archived" title="Archived: hidden from the default runs list">
      Archived
    </span>
  )
}

export function ClonedFrom({ run }: { run: RunDetail }) {
  if (!run.cloned_from) return null
  return (
    <li>
      <span className="meta-label">Cloned from</span>{' '}
      <Link to={`/runs/${run.cloned_from}/`}>{run.cloned_from_name ?? `run #${run.cloned_from}`}</Link>
    </li>
  )
}

/** "Started by" the recurring run whose tick made this run. */
export function StartedBySchedule({ run }: { run: RunDetail }) {
  if (!run.recurring_run) return null
  return (
    <li>
      <span className="meta-label">Started by</span>{' '}
      <Link to={`/recurring/${run.recurring_run}/`}>{run.recurring_run_name ?? `recurring run #${run.recurring_run}`}</Link>
    </li>
  )
}

export function RunManageActions({
  run,
  active,
  disabledReason,
  onChanged,
}: {
  run: RunDetail
  active: boolean
  disabledReason: string | null
  onChanged: (run: RunDetail) => void
}) {
  const navigate = useNavigate()
  const [busy, setBusy] = useState(false)
  const [error, setError] = useState<unknown>(null)
  const [deleting, setDeleting] = useState(false)
  const [clone, setClone] = useState<CloneSetup | null>(null)
  const disabled = disabledReason !== null || busy

  const act = (work: () => Promise<RunDetail | CloneSetup>, then: (result: never) => void) => {
    setBusy(true)
    setError(null)
    work().then(
      (result) => {
        setBusy(false)
        then(result as never)
      },
      (reason: unknown) => {
        setBusy(false)
        setError(reason)
      },
    )
  }

  return (
    <>
      <MoveToExperiment run={run} disabled={disabled} onMoved={onChanged} onError={setError} />
      <span className="button-tooltip" title={disabledReason ?? 'A new run with the same version, inputs and choices'}>
        <button
          type="button"
          className="button"
          disabled={disabled}
          onClick={() => act(() => getCloneSetup(run.id), (setup: CloneSetup) => setClone(setup))}
        >
          Clone
        </button>
      </span>
      <span
        className="button-tooltip"
        title={disabledReason ?? (run.archived_at ? 'Back into the runs list' : 'Hide from the runs list')}
      >
        <button
          type="button"
          className="button"
          disabled={disabled}
          onClick={() => act(() => (run.archived_at ? restoreRun(run.id) : archiveRun(run.id)), onChanged)}
        >
          {run.archived_at ? 'Restore' : 'Archive'}
        </button>
      </span>
      <span
        className="button-tooltip"
        title={disabledReason ?? (active ? 'Cancel the run before deleting it' : 'Delete this run')}
      >
        <button
          type="button"
          className="button button-danger-outline"
          disabled={disabled || active}
          onClick={() => setDeleting(true)}
        >
          Delete
        </button>
      </span>
      {error !== null && (
        <div className="form-alert" role="alert">
          {errorMessages(error).map((message) => (
            <span key={message}>{message}</span>
          ))}
        </div>
      )}
      {deleting && (
        <DeleteRunDialog run={run} onClose={() => setDeleting(false)} onDeleted={() => navigate('/runs/')} />
      )}
      {clone && (
        <ExecuteDialog
          pipelineId={run.pipeline}
          projectId={run.project}
          initial={clone}
          onClose={() => setClone(null)}
          onStarted={(next) => navigate(`/runs/${next.id}/`)}
        />
      )}
    </>
  )
}

function MoveToExperiment({
  run,
  disabled,
  onMoved,
  onError,
}: {
  run: RunDetail
  disabled: boolean
  onMoved: (run: RunDetail) => void
  onError: (error: unknown) => void
}) {
  const experiments = useResource(
    (signal) => listExperiments(run.project, signal).then(itemsOf),
    [run.project],
  )
  const choices = (experiments.data ?? []).filter((item) => !item.archived || item.id === run.experiment)
  return (
    <label className="run-experiment">
      <span className="meta-label">Experiment</span>{' '}
      <select
        aria-label="Move to experiment"
        value={run.experiment ?? ''}
        disabled={disabled || experiments.status !== 'success'}
        onChange={(event) => {
          const value = event.target.value ? Number(event.target.value) : null
          moveRunToExperiment(run.id, value).then(onMoved, onError)
        }}
      >
        <option value="">None</option>
        {choices.map((item) => (
          <option key={item.id} value={item.id}>
            {item.name}
          </option>
        ))}
      </select>
    </label>
  )
}

function DeleteRunDialog({
  run,
  onClose,
  onDeleted,
}: {
  run: RunDetail
  onClose: () => void
  onDeleted: () => void
}) {
  const nodes = run.node_runs.length
  return (
    <ConfirmDialog
      title="Delete this run?"
      description={
        <>
          <strong>{run.name}</strong> is deleted for good with its {nodes} node run{nodes === 1 ? '' : 's'}, their
          logs and events, and the artifacts it produced, files included. Archive it instead to only hide it.
        </>
      }
      keepLabel="Keep it"
      actLabel="Delete run"
      busyLabel="Deleting…"
      act={() => deleteRun(run.id)}
      onDone={() => onDeleted()}
      onClose={onClose}
    />
  )
}
