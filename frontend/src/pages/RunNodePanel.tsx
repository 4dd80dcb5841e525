import { useState } from 'react'
import { artifactDownloadUrl, getArtifact, nodeLogUrl } from '../api/endpoints'
import type { Artifact, NodeOutput, NodeRun, Operation } from '../api/types'
import { FilePreview, isImageName } from '../components/FilePreview'
import { LogView } from '../components/LogView'
import { Sparkline } from '../components/Sparkline'
import { StateBadge } from '../components/StateBadge'
import { Spinner } from '../components/States'
import { useNodeLog, type LogStream } from '../hooks/useNodeLog'
import { useResource } from '../hooks/useResource'
import { errorMessage } from '../lib/errors'
import { previewKind } from '../lib/filePreview'
import { formatBytes, formatNumber, formatProgress, previewValue } from '../lib/format'
import { waitingText } from '../lib/runGraph'
import { isFinishedNodeState, isWorkingNodeState } from '../lib/runs'
import { mergeNodeDetail } from '../lib/runStream'
import { elapsed, formatDateTime, formatDuration } from '../lib/time'

/** Artifact records of the outputs (for file names and whether they are images). */
function useOutputArtifacts(outputs: [string, NodeOutput][]) {
  const ids = outputs.map(([, output]) => output.artifact)
  const key = ids.join(',')
  return useResource(
    async (signal) => {
      const artifacts = await Promise.all(
        ids.map((id) => getArtifact(id, signal).catch((): Artifact | null => null)),
      )
      return new Map(artifacts.flatMap((artifact) => (artifact ? [[artifact.id, artifact] as const] : [])))
    },
    [key],
  )
}

function Timing({ label, value }: { label: string; value: string | null }) {
  return (
    <div className="kv-row">
      <dt>{label}</dt>
      <dd>{value ?? <span className="muted">—</span>}</dd>
    </div>
  )
}

export function RunNodePanel({
  runId,
  nodeId,
  label,
  operation,
  nodeRun: liveNodeRun,
  now,
  onClose,
  stream,
  waiting,
}: {
  runId: number
  nodeId: string
  label: string
  operation: Operation | undefined
  nodeRun: NodeRun | undefined
  now: number
  onClose: () => void
  /** The run's live stream, for new log lines (else the log is read every second). */
  stream?: LogStream
  /** Why the node waits, when the server said so. */
  waiting?: string
}) {
  const state = liveNodeRun?.state ?? 'pending'
  const detail = useNodeLog(runId, nodeId, state, stream)
  // State and timings from the run; exit code, metrics and output values from the node's read.
  const nodeRun = mergeNodeDetail(liveNodeRun, detail.data)
  const waitingShown = state === 'queued' || state === 'pending' ? waitingText(state, waiting) : null
  const duration = nodeRun ? elapsed(nodeRun.started_at, nodeRun.finished_at, now) : null
  const progress = state === 'running' && (nodeRun?.progress ?? 0) > 0 ? formatProgress(nodeRun?.progress) : null
  const outputs = Object.entries(nodeRun?.outputs ?? {})
  const metrics = Object.entries(nodeRun?.metrics ?? {})
  const working = isWorkingNodeState(state)

  return (
    <section className="card panel panel-accent node-panel" aria-label="Node details">
      <div className="panel-title-row">
        <h2 className="panel-title">{label}</h2>
        <button type="button" className="icon-button" aria-label="Close node details" title="Close (Esc)" onClick={onClose}>
          <svg width="16" height="16" viewBox="0 0 16 16" aria-hidden="true">
            <path d="M4 4l8 8M12 4l-8 8" stroke="currentColor" strokeWidth="1.6" strokeLinecap="round" />
          </svg>
        </button>
      </div>
      <p className="panel-text muted node-panel-sub">
        {operation ? operation.name : 'Operation'} · <code>{nodeId}</code>
      </p>

      <div className="node-panel-state">
        <StateBadge state={state} />
        {nodeRun && nodeRun.attempt > 1 && <span className="tag">attempt {nodeRun.attempt}</span>}
        {nodeRun && nodeRun.attempt === 1 && <span className="muted">attempt 1</span>}
        {progress && <span className="muted">{progress}</span>}
        {waitingShown && <span className="node-waiting">{waitingShown}</span>}
        {nodeRun?.exit_code !== null && nodeRun?.exit_code !== undefined && (
          <span className={nodeRun.exit_code === 0 ? 'muted' : 'exit-code-bad'}>exit code {nodeRun.exit_code}</span>
        )}
      </div>

      <dl className="kv-list">
        <Timing label="Started" value={nodeRun?.started_at ? formatDateTime(nodeRun.started_at) : null} />
        <Timing label="Finished" value={nodeRun?.finished_at ? formatDateTime(nodeRun.finished_at) : null} />
        <Timing
          label={nodeRun?.finished_at || !nodeRun?.started_at ? 'Duration' : 'Running for'}
          value={duration === null ? null : formatDuration(duration)}
        />
        {nodeRun?.worker && <Timing label="Worker" value={nodeRun.worker} />}
        {nodeRun?.gpus && nodeRun.gpus.length > 0 && <Timing label="GPUs" value={nodeRun.gpus.join(', ')} />}
      </dl>

      {nodeRun?.error && (
        <>
          <h3 className="panel-subtitle">Error</h3>
          <pre className="error-text">{nodeRun.error}</pre>
        </>
      )}

      <h3 className="panel-subtitle">Outputs</h3>
      {outputs.length ? (
        <Outputs outputs={outputs} nodeLabel={label} />
      ) : (
        <p className="panel-text muted">
          {isFinishedNodeState(state) ? 'No outputs.' : 'Outputs appear when the node has finished.'}
        </p>
      )}

      {metrics.length > 0 && (
        <>
          <h3 className="panel-subtitle">Metrics</h3>
          <table className="metrics">
            <tbody>
              {metrics.map(([name, metric]) => (
                <tr key={name}>
                  <th scope="row">{name}</th>
                  <td className="numeric">{formatNumber(metric.last)}</td>
                  <td className="metric-chart">
                    {metric.series && metric.series.length > 1 && <Sparkline series={metric.series} label={name} />}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </>
      )}

      <div className="log-title-row">
        <h3 className="panel-subtitle">Log</h3>
        <span className="log-title-aside">
          {working && (
            <span className="live-tag">
              <span className="live-dot" aria-hidden="true" />
              live
            </span>
          )}
          <a
            className="log-download"
            href={nodeLogUrl(runId, nodeId)}
            download
            title="The node’s whole log as a text file"
          >
            Download log
          </a>
        </span>
      </div>
      {detail.status === 'loading' ? (
        <Spinner label="Loading log…" />
      ) : detail.status === 'error' || !detail.data ? (
        <p className="panel-text">
          Could not load the log ({errorMessage(detail.error)}).{' '}
          <button type="button" className="link-button" onClick={detail.reload}>
            Retry
          </button>
        </p>
      ) : (
        <LogView
          log={detail.log}
          label={`Log of ${label}`}
          emptyText={
            state === 'pending' || state === 'queued'
              ? 'The node has not started yet.'
              : working
                ? 'No output yet.'
                : 'The node wrote nothing to its log.'
          }
        />
      )}
    </section>
  )
}

function Outputs({ outputs, nodeLabel }: { outputs: [string, NodeOutput][]; nodeLabel: string }) {
  const artifacts = useOutputArtifacts(outputs)
  return (
    <ul className="outputs">
      {outputs.map(([name, output]) => {
        const artifact = artifacts.data?.get(output.artifact)
        const url = artifactDownloadUrl(output.artifact)
        const preview = output.value === undefined ? previewKind(artifact?.name ?? output.name, output.size) : null
        return (
          <li key={name} className="output">
            <div className="output-head">
              <span className="output-name">{name}</span>
              <span className="type-tag">{output.type}</span>
              <span className="output-size">{formatBytes(output.size)}</span>
              <a className="output-download" href={url} download={artifact?.name ?? output.name ?? ''} title={artifact?.name ?? output.name}>
                Download
              </a>
            </div>
            {isImageName(artifact?.name) && (
              <a className="output-image-link" href={url} target="_blank" rel="noreferrer">
                <img className="output-image" src={url} alt={`${name} of ${nodeLabel}`} loading="lazy" />
              </a>
            )}
            {output.value !== undefined && <ValuePreview value={output.value} />}
            {preview && <FilePreview artifactId={output.artifact} kind={preview} label={`${name} of ${nodeLabel}`} />}
          </li>
        )
      })}
    </ul>
  )
}

function ValuePreview({ value }: { value: unknown }) {
  const [expanded, setExpanded] = useState(false)
  const preview = previewValue(value)
  const full = expanded ? previewValue(value, Infinity, Infinity) : preview
  return (
    <div className="output-value">
      <pre>{full.text}</pre>
      {preview.truncated && (
        <button type="button" className="link-button" onClick={() => setExpanded((open) => !open)}>
          {expanded ? 'Show less' : 'Show all'}
        </button>
      )}
    </div>
  )
}
