// One deployment: its URL and how to call it, pause/resume, delete; its tokens (a new one is
// shown once, revoke), the recent calls with status and latency, what its step inputs and
// outputs are mapped to, and its limits (editable in place).

import { useState, type FormEvent } from 'react'
import { Link, useNavigate, useParams } from 'react-router-dom'
import { isApiError } from '../api/client'
import {
  createToken,
  deleteDeployment,
  getDeployment,
  revokeToken,
  updateDeployment,
  type DeploymentDetail,
  type EndpointToken,
  type NewEndpointToken,
} from '../api/deployments'
import { ConfirmDialog } from '../components/ConfirmDialog'
import { RelativeTime } from '../components/RelativeTime'
import { StateBadge } from '../components/StateBadge'
import { EmptyState, ErrorState, MissingPage, Spinner } from '../components/States'
import { useDocumentTitle } from '../hooks/useDocumentTitle'
import { useNow } from '../hooks/useNow'
import { usePolling } from '../hooks/usePolling'
import { useResource } from '../hooks/useResource'
import { errorMessages, isErrorLike } from '../lib/errors'
import { parseId } from '../lib/ids'
import { formatDateTime } from '../lib/time'
import { CallStatus, describeRule, formatLatency } from './CallStatus'
import { CopyButton } from './CopyButton'
import { LimitsFields } from './LimitsFields'
import { buildLimits, bytesToMb, describeMapping, formatBytes, placeErrors, type LimitsDraft } from './mappings'
import { TokenDialog } from './TokenDialog'
import { UsageExamples } from './UsageExamples'

const POLL_MS = 3000

export function DeploymentPage() {
  const { id } = useParams()
  const deploymentId = parseId(id)
  if (deploymentId === null) return <DeploymentNotFound />
  return <DeploymentView key={deploymentId} id={deploymentId} />
}

function DeploymentNotFound() {
  return <MissingPage title="Deployment not found" backTo="/deployments/" backLabel="Back to deployments" />
}

function DeploymentView({ id }: { id: number }) {
  const deployment = useResource((signal) => getDeployment(id, signal), [id])
  usePolling(deployment.refresh, POLL_MS, deployment.status === 'success')
  const now = useNow(5000)
  const navigate = useNavigate()
  const [deleting, setDeleting] = useState(false)
  const [toggling, setToggling] = useState(false)
  const [actionError, setActionError] = useState('')
  const [newToken, setNewToken] = useState<NewEndpointToken | null>(null)
  const [issuing, setIssuing] = useState(false)
  const [revoking, setRevoking] = useState<EndpointToken | null>(null)
  const [regenerating, setRegenerating] = useState(false)
  const [editingLimits, setEditingLimits] = useState(false)
  useDocumentTitle(deployment.data?.name ?? 'Deployment')

  if (deployment.status === 'error') {
    if (isErrorLike(deployment.error) && deployment.error.status === 404) return <DeploymentNotFound />
    return (
      <div className="page">
        <ErrorState title="Could not load this deployment" error={deployment.error} onRetry={deployment.reload} />
      </div>
    )
  }
  if (!deployment.data) {
    return (
      <div className="page">
        <Spinner label="Loading deployment…" />
      </div>
    )
  }
  const data = deployment.data
  const refresh = () => void deployment.refresh()

  const toggle = () => {
    setToggling(true)
    setActionError('')
    updateDeployment(id, { enabled: !data.enabled }).then(
      () => {
        setToggling(false)
        refresh()
      },
      (error: unknown) => {
        setToggling(false)
        setActionError(errorMessages(error).join(' '))
      },
    )
  }

  const issue = () => {
    setIssuing(true)
    setActionError('')
    createToken(id).then(
      (token) => {
        setIssuing(false)
        setNewToken(token)
        refresh()
      },
      (error: unknown) => {
        setIssuing(false)
        setActionError(errorMessages(error).join(' '))
      },
    )
  }

  const liveTokens = data.tokens.filter((token) => !token.revoked_at).length

  return (
    <div className="page deployment-page">
      <div className="page-header">
        <div>
          <p className="page-subtitle">
            <Link to="/deployments/">Deployments</Link>
          </p>
          <h1>
            {data.name}{' '}
            <span className={data.enabled ? 'active-badge' : 'paused-badge'}>{data.enabled ? 'Active' : 'Paused'}</span>
          </h1>
          <p className="page-subtitle">
            {describeRule(data)} · <Link to={`/pipelines/${data.pipeline}/`}>{data.pipeline_name}</Link> version{' '}
            {data.version_number}
          </p>
        </div>
        <div className="page-actions">
          <button type="button" className="button" onClick={toggle} disabled={toggling}>
            {data.enabled ? 'Pause' : 'Resume'}
          </button>
          <button type="button" className="button button-danger" onClick={() => setDeleting(true)}>
            Delete
          </button>
        </div>
      </div>
      {actionError && (
        <div className="form-alert" role="alert">
          {actionError}
        </div>
      )}

      {data.url && (
        <section className="card deploy-section" aria-labelledby="deployment-url-heading">
          <h2 id="deployment-url-heading">Endpoint</h2>
          <div className="copy-row">
            <code className="copy-value deployment-url" aria-label="Endpoint URL">
              POST {data.url}
            </code>
            <CopyButton text={data.url} what="URL" />
          </div>
          {!data.enabled && (
            <p className="field-hint">Paused: calls with a good token get 503 until it is resumed.</p>
          )}
          <UsageExamples url={data.url} name={data.name} inputMappings={data.input_mappings} />
        </section>
      )}

      {data.schedule && (
        <dl className="card recurring-summary" aria-label="Schedule">
          <div>
            <dt>Cron</dt>
            <dd>
              <code>{data.schedule.cron}</code> ({data.schedule.timezone})
            </dd>
          </div>
          <div>
            <dt>Next run</dt>
            <dd>
              {data.enabled && data.schedule.next_fire_at ? (
                formatDateTime(data.schedule.next_fire_at)
              ) : (
                <span className="muted">{data.enabled ? 'None: the schedule has ended.' : 'None while paused.'}</span>
              )}
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
      )}

      {data.rule === 'endpoint' && (
        <section className="deployment-section" aria-labelledby="deployment-tokens-heading">
          <div className="section-header">
            <h2 id="deployment-tokens-heading">Tokens</h2>
            <div className="section-actions">
              {liveTokens > 0 && (
                <button type="button" className="button button-small" onClick={() => setRegenerating(true)}>
                  Regenerate
                </button>
              )}
              <button
                type="button"
                className="button button-small"
                onClick={issue}
                disabled={issuing}
                aria-busy={issuing || undefined}
              >
                {issuing ? 'Creating…' : 'New token'}
              </button>
            </div>
          </div>
          {liveTokens === 0 && (
            <p className="inline-warning" role="status">
              Every token is revoked: nobody can call this endpoint until you create a new one.
            </p>
          )}
          <div className="card table-card">
            <table className="table" aria-label="Tokens">
              <thead>
                <tr>
                  <th scope="col">Token</th>
                  <th scope="col">Created</th>
                  <th scope="col">Last used</th>
                  <th scope="col">State</th>
                  <th scope="col">
                    <span className="visually-hidden">Actions</span>
                  </th>
                </tr>
              </thead>
              <tbody>
                {data.tokens.map((token) => (
                  <tr key={token.id} className={token.revoked_at ? 'row-muted' : undefined}>
                    <td>
                      <code>{token.prefix}…</code>
                    </td>
                    <td className="nowrap">
                      <RelativeTime value={token.created_at} now={now} />
                    </td>
                    <td className="nowrap">
                      {token.last_used_at ? <RelativeTime value={token.last_used_at} now={now} /> : <span className="muted">Never</span>}
                    </td>
                    <td className="nowrap">
                      {token.revoked_at ? (
                        <span className="paused-badge" title={formatDateTime(token.revoked_at)}>
                          Revoked
                        </span>
                      ) : (
                        <span className="active-badge">Active</span>
                      )}
                    </td>
                    <td className="numeric">
                      {!token.revoked_at && (
                        <button
                          type="button"
                          className="button button-small button-danger-quiet"
                          aria-label={`Revoke token ${token.prefix}`}
                          onClick={() => setRevoking(token)}
                        >
                          Revoke
                        </button>
                      )}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        </section>
      )}

      <section className="deployment-section" aria-labelledby="deployment-calls-heading">
        <h2 id="deployment-calls-heading">Recent calls</h2>
        {data.recent_calls.length === 0 ? (
          <EmptyState title={data.rule === 'endpoint' ? 'No calls yet' : 'No runs yet'}>
            <p>
              {data.rule === 'endpoint'
                ? 'Each call is listed here with its status, latency and the run it started.'
                : 'Each tick is listed here with the run it started.'}
            </p>
          </EmptyState>
        ) : (
          <div className="card table-card">
            <table className="table" aria-label="Recent calls">
              <thead>
                <tr>
                  <th scope="col">Time</th>
                  <th scope="col">Status</th>
                  <th scope="col" className="numeric">
                    Latency
                  </th>
                  <th scope="col">Run</th>
                  <th scope="col">Error</th>
                </tr>
              </thead>
              <tbody>
                {data.recent_calls.map((call) => (
                  <tr key={call.id}>
                    <td className="nowrap" title={formatDateTime(call.created_at)}>
                      <RelativeTime value={call.created_at} now={now} />
                    </td>
                    <td>
                      <CallStatus call={call} latency={false} />
                    </td>
                    <td className="numeric nowrap">
                      {call.latency_ms === null ? <span className="muted">—</span> : formatLatency(call.latency_ms)}
                    </td>
                    <td className="nowrap">
                      {call.run !== null ? (
                        <>
                          <Link to={`/runs/${call.run}/`}>{call.run_name ?? `Run ${call.run}`}</Link>{' '}
                          {call.run_state && <StateBadge state={call.run_state} />}
                        </>
                      ) : (
                        <span className="muted">—</span>
                      )}
                    </td>
                    <td className="call-error">{call.error || <span className="muted">—</span>}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
      </section>

      <div className="deployment-columns">
        <section className="card deploy-section" aria-labelledby="deployment-mappings-heading">
          <h2 id="deployment-mappings-heading">Mappings</h2>
          <MappingList title="Inputs" mappings={data.input_mappings} empty="No step inputs." />
          <MappingList title="Outputs" mappings={data.output_mappings} empty="No step outputs mapped: all discarded." />
        </section>
        {data.rule === 'endpoint' && (
          <section className="card deploy-section" aria-labelledby="deployment-limits-heading">
            <div className="section-header">
              <h2 id="deployment-limits-heading">Limits</h2>
              {!editingLimits && (
                <button type="button" className="button button-small" onClick={() => setEditingLimits(true)}>
                  Edit limits
                </button>
              )}
            </div>
            {editingLimits ? (
              <LimitsForm
                deployment={data}
                onCancel={() => setEditingLimits(false)}
                onSaved={() => {
                  setEditingLimits(false)
                  refresh()
                }}
              />
            ) : (
              <dl className="limits-list">
                <div>
                  <dt>Waits for the run</dt>
                  <dd>{data.wait_seconds} s</dd>
                </div>
                <div>
                  <dt>Rate limit</dt>
                  <dd>{data.rate_limit_per_minute.toLocaleString('en')} calls / minute</dd>
                </div>
                <div>
                  <dt>Max body size</dt>
                  <dd>{formatBytes(data.max_body_bytes)}</dd>
                </div>
              </dl>
            )}
          </section>
        )}
      </div>

      {newToken && (
        <TokenDialog
          title="New token"
          token={newToken.token}
          url={data.url}
          name={data.name}
          inputMappings={data.input_mappings}
          onClose={() => setNewToken(null)}
        />
      )}
      {revoking && (
        <ConfirmDialog
          title={`Revoke token ${revoking.prefix}…?`}
          description="Calls with it get 401 from now on. This cannot be undone."
          keepLabel="Keep it"
          actLabel="Revoke token"
          busyLabel="Revoking…"
          act={() => revokeToken(id, revoking.id)}
          onDone={() => {
            setRevoking(null)
            refresh()
          }}
          onClose={() => setRevoking(null)}
        />
      )}
      {regenerating && (
        <ConfirmDialog
          title="Regenerate the token?"
          description="A new token replaces every active one: calls with the old tokens get 401 from now on."
          keepLabel="Keep the tokens"
          actLabel="Regenerate"
          busyLabel="Regenerating…"
          act={() => createToken(id, true)}
          onDone={(token) => {
            setRegenerating(false)
            setNewToken(token)
            refresh()
          }}
          onClose={() => setRegenerating(false)}
        />
      )}
      {deleting && (
        <ConfirmDialog
          title={`Delete ${data.name}?`}
          description={
            data.rule === 'endpoint'
              ? 'Its endpoint stops answering and its tokens stop working. The runs it started are kept.'
              : 'It stops running on its schedule. The runs it started are kept.'
          }
          keepLabel="Keep it"
          actLabel="Delete deployment"
          busyLabel="Deleting…"
          act={() => deleteDeployment(id)}
          onDone={() => navigate('/deployments/')}
          onClose={() => setDeleting(false)}
        />
      )}
    </div>
  )
}

function MappingList({ title, mappings, empty }: { title: string; mappings: DeploymentDetail['input_mappings']; empty: string }) {
  const entries = Object.entries(mappings)
  return (
    <div className="mapping-summary">
      <h3>{title}</h3>
      {entries.length === 0 ? (
        <p className="muted">{empty}</p>
      ) : (
        <dl>
          {entries.map(([key, mapping]) => (
            <div key={key}>
              <dt>
                <code>{key}</code>
              </dt>
              <dd>{title === 'Outputs' && mapping.kind === 'none' ? 'Discarded' : describeMapping(key, mapping)}</dd>
            </div>
          ))}
        </dl>
      )}
    </div>
  )
}

function LimitsForm({
  deployment,
  onCancel,
  onSaved,
}: {
  deployment: DeploymentDetail
  onCancel: () => void
  onSaved: () => void
}) {
  const [draft, setDraft] = useState<LimitsDraft>({
    waitSeconds: String(deployment.wait_seconds),
    ratePerMinute: String(deployment.rate_limit_per_minute),
    maxBodyMb: bytesToMb(deployment.max_body_bytes),
  })
  const [errors, setErrors] = useState<ReturnType<typeof buildLimits>['errors']>({})
  const [general, setGeneral] = useState<string[]>([])
  const [busy, setBusy] = useState(false)
  const submit = (event: FormEvent) => {
    event.preventDefault()
    const { limits, errors: local } = buildLimits(draft)
    setErrors(local)
    if (Object.keys(local).length || busy) return
    setBusy(true)
    setGeneral([])
    updateDeployment(deployment.id, limits).then(onSaved, (error: unknown) => {
      setBusy(false)
      if (isApiError(error) && error.status === 400) {
        const placed = placeErrors(error.body, [], [])
        setErrors(placed.fields)
        setGeneral(placed.other)
      } else {
        setGeneral(errorMessages(error))
      }
    })
  }
  return (
    <form className="form" onSubmit={submit} noValidate aria-label="Edit limits">
      {general.length > 0 && (
        <div className="form-alert" role="alert">
          {general.map((message) => (
            <span key={message}>{message}</span>
          ))}
        </div>
      )}
      <LimitsFields draft={draft} errors={errors} onChange={(changes) => setDraft((current) => ({ ...current, ...changes }))} />
      <div className="form-actions">
        <button type="button" className="button" onClick={onCancel}>
          Cancel
        </button>
        <button type="submit" className="button button-primary" disabled={busy}>
          {busy ? 'Saving…' : 'Save limits'}
        </button>
      </div>
    </form>
  )
}
