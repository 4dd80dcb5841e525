import { Component, type ErrorInfo, type ReactNode } from 'react'

interface Props {
  children: ReactNode
}

interface State {
  error: Error | null
}

/**
 * Catches render errors and failed lazy page loads (e.g. an old tab after a new deploy),
 * offering a reload instead of a blank screen. Give it a `key` that changes on navigation
 * so a new page gets a fresh chance.
 */
export class ErrorBoundary extends Component<Props, State> {
  state: State = { error: null }

  static getDerivedStateFromError(error: Error): State {
    return { error }
  }

  componentDidCatch(error: Error, info: ErrorInfo) {
    console.error('Pipewright: a page failed to render', error, info.componentStack)
  }

  render() {
    if (!this.state.error) return this.props.children
    return (
      <div className="page">
        <section className="card error-state" role="alert">
          <div className="error-icon" aria-hidden="true">
            !
          </div>
          <div className="error-body">
            <h2>This page could not be shown</h2>
            <ul className="message-list">
              <li>{this.state.error.message || 'An unexpected error happened.'}</li>
            </ul>
            <div className="error-actions">
              <button type="button" className="button" onClick={() => window.location.reload()}>
                Reload the page
              </button>
            </div>
          </div>
        </section>
      </div>
    )
  }
}
