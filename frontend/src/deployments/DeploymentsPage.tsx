// Deployments: every endpoint and periodic deployment of the user's projects, its URL, whether
// it is active and how its last call went; pause and resume in place. New ones come from a
// pipeline's Deploy button.

import { Link } from 'react-router-dom'
import { listCalls, listDeployments, updateDeployment, type Deployment } from '../api/deployments'
import { itemsOf } from '../api/endpoints'
import { RelativeTime } from '../components/RelativeTime'
import { EmptyState, ErrorState, SkeletonTable } from '../components/States'
import { useDocumentTitle } from '../hooks/useDocumentTitle'
import { useNow } from '../hooks/useNow'
import { usePolling } from '../hooks/usePolling'
import { useResource } from '../hooks/useResource'
import { usePendingAction } from '../hooks/usePendingAction'
import { CallStatus, describeRule } from './CallStatus'
import { CopyButton } from './CopyButton'
import { DeploymentTabs } from './DeploymentTabs'

const POLL_MS = 5000

export function DeploymentsPage() {
  useDocumentTitle('Deployments')
  const deployments = useResource((signal) => listDeployments({}, signal), [])
  usePolling(deployments.refresh, POLL_MS, deployments.status === 'success')
  const now = useNow(5000)
  const results = deployments.data?.results ?? []

  let content
  if (deployments.status === 'error') {
    content = <ErrorState title="Could not load deployments" error={deployments.error} onRetry={deployments.reload} />
  } else if (!deployments.data) {
    content = <SkeletonTable columns={6} label="Loading deployments…" />
  } else if (results.length === 0) {
    content = (
      <EmptyState title="No deployments yet">
        <p>
          Open a pipeline and press <strong>Deploy</strong> to give a version of it an endpoint that runs it on each
          call, or a cron schedule.
        </p>
        <Link className="button" to="/pipelines/">
          Go to pipelines
        </Link>
      </EmptyState>
    )
  } else {
    content = (
      <div className="card table-card">
        <table className="table deployments-table" aria-label="Deployments">
          <thead>
            <tr>
              <th scope="col">Deployment</th>
              <th scope="col">Pipeline</th>
              <th scope="col">Runs when</th>
              <th scope="col">URL</th>
              <th scope="col">Last call</th>
              <th scope="col">State</th>
            </tr>
          </thead>
          <tbody>
            {results.map((deployment) => (
              <DeploymentRow key={deployment.id} deployment={deployment} now={now} onChanged={deployments.refresh} />
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
          <h1>Deployments</h1>
          <p className="page-subtitle">Pipeline versions run by a call to their endpoint, or on a schedule.</p>
        </div>
      </div>
      <DeploymentTabs />
      {content}
    </div>
  )
}

/** The last call: from the list when the server sends it, else asked for (one call). */
function LastCall({ deployment, now }: { deployment: Deployment; now: number }) {
  const known = deployment.last_call !== undefined
  const calls = useResource(
    (signal) => (known ? Promise.resolve([]) : listCalls(deployment.id, signal, 1).then(itemsOf)),
    [deployment.id, known, deployment.updated_at],
  )
  const last = known ? deployment.last_call : calls.data?.[0]
  if (!known && !calls.data) return <span className="muted">…</span>
  if (!last) return <span className="muted">No calls yet</span>
  return (
    <span className="last-call">
      <CallStatus call={last} />{' '}
      <span className="muted">
        <RelativeTime value={last.created_at} now={now} />
      </span>
    </span>
  )
}

function DeploymentRow({ deployment, now, onChanged }: { deployment: Deployment; now: number; onChanged: () => void }) {
  const { busy, error, run } = usePendingAction()
  const toggle = () => run(() => updateDeployment(deployment.id, { enabled: !deployment.enabled }), onChanged)
  return (
    <tr>
      <td className="cell-main">
        <Link className="row-link" to={`/deployments/${deployment.id}/`}>
          {deployment.name}
        </Link>
      </td>
      <td className="nowrap">
        <Link to={`/pipelines/${deployment.pipeline}/`}>{deployment.pipeline_name}</Link>{' '}
        <span className="muted">v{deployment.version_number}</span>
      </td>
      <td>{describeRule(deployment)}</td>
      <td className="deployment-url-cell">
        {deployment.url ? (
          <span className="copy-row">
            <code className="copy-value" title={deployment.url}>
              {deployment.url}
            </code>
            <CopyButton text={deployment.url} what={`URL of ${deployment.name}`} className="button button-small" />
          </span>
        ) : (
          <span className="muted">—</span>
        )}
      </td>
      <td className="nowrap">
        <LastCall deployment={deployment} now={now} />
      </td>
      <td className="nowrap">
        <span className={deployment.enabled ? 'active-badge' : 'paused-badge'}>
          {deployment.enabled ? 'Active' : 'Paused'}
        </span>{' '}
        <button
          type="button"
          className="button button-small"
          role="switch"
          aria-checked={deployment.enabled}
          aria-label={`${deployment.enabled ? 'Pause' : 'Resume'} ${deployment.name}`}
          disabled={busy}
          onClick={toggle}
        >
          {deployment.enabled ? 'Pause' : 'Resume'}
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
