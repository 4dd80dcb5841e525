// The endpoint token, shown this once (only its digest is kept), with the URL and examples.

import type { Mappings } from '../api/deployments'
import { Dialog } from '../components/Dialog'
import { CopyButton } from './CopyButton'
import { UsageExamples } from './UsageExamples'

export function TokenDialog({
  title,
  token,
  url,
  name,
  inputMappings,
  types,
  onClose,
}: {
  title: string
  token: string
  url: string | null
  name: string
  inputMappings: Mappings
  types?: Record<string, string>
  onClose: () => void
}) {
  return (
    <Dialog
      title={title}
      description="Copy the token now: it is shown this once. Pipewright keeps only a digest of it."
      onClose={onClose}
      className="token-dialog-panel"
    >
      <div className="form token-dialog">
        <div className="field">
          <span className="field-label" id="token-label">
            Endpoint token
          </span>
          <div className="copy-row">
            <code className="secret-value" aria-labelledby="token-label" data-testid="endpoint-token">
              {token}
            </code>
            <CopyButton text={token} what="token" className="button button-primary button-small" />
          </div>
        </div>
        {url && (
          <>
            <div className="field">
              <span className="field-label" id="token-url-label">
                Endpoint URL
              </span>
              <div className="copy-row">
                <code className="copy-value" aria-labelledby="token-url-label">
                  POST {url}
                </code>
                <CopyButton text={url} what="URL" />
              </div>
            </div>
            <div className="field">
              <span className="field-label">Call it</span>
              <UsageExamples url={url} name={name} inputMappings={inputMappings} types={types} token={token} />
            </div>
          </>
        )}
        <div className="form-actions">
          <button type="button" className="button button-primary" onClick={onClose} data-autofocus>
            I have copied the token
          </button>
        </div>
      </div>
    </Dialog>
  )
}
