// "View as YAML": the pipeline (or one of its versions) written as main.yml, to read, copy or
// download; or why YAML cannot describe it.

import { useEffect, useState } from 'react'
import { isAbortError } from '../api/client'
import { getPipelineYaml, pipelineYamlUrl, yamlProblems, type YamlProblem } from '../api/yaml'
import { Dialog } from '../components/Dialog'
import { DownloadIcon } from '../components/Icons'
import { Spinner } from '../components/States'
import { CopyButton } from '../deployments/CopyButton'
import { saveBlob } from '../lib/download'
import { errorMessages } from '../lib/errors'
import { YamlProblems } from './YamlProblems'

type YamlState =
  | { status: 'loading' }
  | { status: 'ready'; text: string }
  | { status: 'refused'; problems: YamlProblem[] }
  | { status: 'error'; messages: string[] }

export const MAIN_FILE = 'main.yml'

export function YamlDialog({
  pipelineId,
  pipelineName,
  version,
  note,
  onClose,
}: {
  pipelineId: number
  pipelineName?: string
  /** A frozen version's number; without it, the current draft. */
  version?: number | null
  /** A line under the description (e.g. that unsaved changes are not in it). */
  note?: string
  onClose: () => void
}) {
  const [state, setState] = useState<YamlState>({ status: 'loading' })
  const [attempt, setAttempt] = useState(0)

  useEffect(() => {
    const controller = new AbortController()
    setState({ status: 'loading' })
    getPipelineYaml(pipelineId, version, controller.signal).then(
      (text) => setState({ status: 'ready', text }),
      (error: unknown) => {
        if (isAbortError(error) || controller.signal.aborted) return
        const problems = yamlProblems(error)
        setState(problems.length ? { status: 'refused', problems } : { status: 'error', messages: errorMessages(error) })
      },
    )
    return () => controller.abort()
  }, [pipelineId, version, attempt])

  const what = version
    ? pipelineName
      ? `${pipelineName}, version ${version}`
      : `Version ${version}`
    : (pipelineName ?? 'This pipeline')
  return (
    <Dialog
      title="Pipeline as YAML"
      description={
        <>
          <strong>{what}</strong> as a {MAIN_FILE} of container tasks: import it again, or keep it in git.
        </>
      }
      onClose={onClose}
      className="yaml-dialog"
    >
      <div className="yaml-body">
        {note && <p className="inline-warning yaml-note">{note}</p>}
        {state.status === 'loading' && <Spinner label="Writing YAML…" />}
        {state.status === 'refused' && (
          <YamlProblems title="This pipeline cannot be written as YAML" problems={state.problems} />
        )}
        {state.status === 'error' && (
          <div className="form-alert" role="alert">
            <p>Couldn't load the YAML.</p>
            {state.messages.map((message) => (
              <p key={message}>{message}</p>
            ))}
            <div>
              <button type="button" className="button button-small" onClick={() => setAttempt((n) => n + 1)}>
                Retry
              </button>
            </div>
          </div>
        )}
        {state.status === 'ready' && (
          <pre className="yaml-text" tabIndex={0} aria-label={MAIN_FILE} data-testid="yaml-text">
            <code>{state.text}</code>
          </pre>
        )}
      </div>
      <div className="form-actions yaml-actions">
        {state.status === 'ready' && (
          <>
            <CopyButton text={state.text} what="YAML" className="button" />
            <button
              type="button"
              className="button"
              onClick={() => saveBlob(new Blob([state.text], { type: 'application/yaml' }), MAIN_FILE)}
            >
              <DownloadIcon size={16} />
              Download {MAIN_FILE}
            </button>
            <a
              className="button"
              href={pipelineYamlUrl(pipelineId, { version, zip: true })}
              download
              title={`${MAIN_FILE} and the files beside it, as a zip`}
            >
              <DownloadIcon size={16} />
              Download zip
            </a>
          </>
        )}
        <button type="button" className="button button-primary" onClick={onClose}>
          Close
        </button>
      </div>
    </Dialog>
  )
}
