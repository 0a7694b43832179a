// One failing part of the studio must not blank the rest: every page and every panel renders
// inside a boundary that catches its render errors and shows them with a retry (which mounts
// the part afresh). `?fail-panel=<name>` in the page URL makes the named panel throw until its
// retry is pressed, so the boundary can be seen and tested against a real thrown error.
import { Component, type ReactNode } from 'react'

interface BoundaryProps {
  name: string
  kind: 'page' | 'panel'
  children: ReactNode
}

interface BoundaryState {
  error: Error | null
  attempt: number
}

export class ErrorBoundary extends Component<BoundaryProps, BoundaryState> {
  override state: BoundaryState = { error: null, attempt: 0 }

  static getDerivedStateFromError(error: unknown): Partial<BoundaryState> {
    return { error: error instanceof Error ? error : new Error(String(error)) }
  }

  override render(): ReactNode {
    const { error, attempt } = this.state
    const { name, kind, children } = this.props
    if (!error)
      return (
        <FailIfAsked key={attempt} name={name} attempt={attempt}>
          {children}
        </FailIfAsked>
      )
    return (
      <div className={`boundary-error ${kind}`} role="alert" data-testid={`${kind}-error`} data-name={name}>
        <strong>{kind === 'page' ? 'This page' : `The ${name} panel`} failed:</strong> <span className="message">{error.message}</span>{' '}
        <button onClick={() => this.setState((s) => ({ error: null, attempt: s.attempt + 1 }))}>Retry</button>
      </div>
    )
  }
}

/** Shorthand for a panel's boundary. */
export function Panel({ name, children }: { name: string; children: ReactNode }): React.JSX.Element {
  return (
    <ErrorBoundary name={name} kind="panel">
      {children}
    </ErrorBoundary>
  )
}

// every render of the first attempt throws (React retries a failed render once by itself)
function FailIfAsked({ name, attempt, children }: { name: string; attempt: number; children: ReactNode }): ReactNode {
  if (attempt === 0 && new URLSearchParams(window.location.search).getAll('fail-panel').includes(name)) throw new Error(`forced failure of "${name}" (fail-panel in the page URL)`)
  return children
}
