// The review controls of the open trace: its status and where it came from, accept / reject /
// needs fix (each moves on to the next trace), undo / redo across traces, the diff against the
// original, and for a model's run the way to keep a corrected copy.
import type { StoredTrace, TraceStatus } from '../../../../shared/contract'
import { displayCombo, useActiveKeys, type ReviewCommand } from './review-keys'

export interface HistoryInfo {
  undo: string | null
  redo: string | null
}

const STATUS_ACTIONS: Array<{ status: TraceStatus; label: string; command: ReviewCommand }> = [
  { status: 'accepted', label: 'Accept', command: 'accept' },
  { status: 'rejected', label: 'Reject', command: 'reject' },
  { status: 'needs_fix', label: 'Needs fix', command: 'needsFix' }
]

export function ReviewBar(props: {
  trace: StoredTrace
  readOnly: boolean
  history: HistoryInfo
  panel: 'steps' | 'diff'
  onStatus: (status: TraceStatus) => void
  onUndo: () => void
  onRedo: () => void
  onPanel: () => void
  onCopy: () => void
}): React.JSX.Element {
  const { trace, readOnly, history } = props
  // the keys as they are now (a person may have remapped them)
  const keys = useActiveKeys()
  const keyOf = (command: ReviewCommand): string => {
    const combo = keys.find((k) => k.command === command)?.combos[0]
    return combo ? displayCombo(combo) : ''
  }
  const detail = trace.originDetail
  const from = [detail.model && `model ${detail.model}`, detail.runId && `run ${detail.runId}`, detail.step !== undefined && `step ${detail.step}`, detail.recipe && `recipe ${detail.recipe}`].filter(Boolean).join(' · ')
  return (
    <div className="review-bar">
      <div className="review-bar-id">
        <span className={`status-badge ${trace.status}`} data-testid="trace-status">
          {trace.status.replace('_', ' ')}
        </span>
        <span className={`tag origin-${trace.origin}`}>{trace.origin}</span>
        <code className="muted small" title={trace.id}>
          {trace.id.slice(0, 18)} · r{trace.revision}
        </code>
        {from && <span className="muted small">{from}</span>}
      </div>
      <span className="spacer" />
      <div className="actions">
        {STATUS_ACTIONS.map((a) => (
          <button key={a.status} className={`status-action ${a.status}${trace.status === a.status ? ' current' : ''}`} onClick={() => props.onStatus(a.status)} title={`${a.label} and go to the next trace (${keyOf(a.command)})`}>
            {a.label} {keyOf(a.command) && <kbd>{keyOf(a.command)}</kbd>}
          </button>
        ))}
        <button onClick={props.onUndo} disabled={!history.undo} title={history.undo ? `Undo ${history.undo} (${keyOf('undo')})` : 'nothing to undo'} aria-label="Undo">
          ↶ {history.undo ? <span className="small">{history.undo}</span> : null}
        </button>
        <button onClick={props.onRedo} disabled={!history.redo} title={history.redo ? `Redo ${history.redo} (${keyOf('redo')})` : 'nothing to redo'} aria-label="Redo">
          ↷
        </button>
        <button onClick={props.onPanel} aria-pressed={props.panel === 'diff'} title={`diff against the original (${keyOf('diff')})`}>
          {props.panel === 'diff' ? 'Steps' : 'Diff'}
        </button>
        {readOnly && (
          <button className="primary" onClick={props.onCopy} title={`create a human trace from this run, to correct and keep (${keyOf('copy')})`}>
            Edit a copy {keyOf('copy') && <kbd>{keyOf('copy')}</kbd>}
          </button>
        )}
      </div>
    </div>
  )
}
