// Bulk actions over the list: the marked traces (ctrl / shift + click) or, with none marked, the
// whole filter. One action, a confirmation that states the count, one write (`traces.bulk`) and
// one undo step. The last stored bulk change can be undone from here, also after a reload.
import { memo, useEffect, useState, useSyncExternalStore } from 'react'
import type { BulkAction, BulkChange, Snapshot, TraceFilter, TraceStatus } from '../../../../shared/contract'
import { Dialog } from '../../app/widgets'
import { clearMarked } from './multi-select'
import type { ReviewScope } from './review-scope'
import { useStore } from './store'

type Kind = TraceStatus | 'addFlag' | 'removeFlag' | 'snapshot'

const KINDS: Array<{ kind: Kind; label: string }> = [
  { kind: 'accepted', label: 'Accept' },
  { kind: 'rejected', label: 'Reject' },
  { kind: 'needs_fix', label: 'Needs fix' },
  { kind: 'unreviewed', label: 'Mark unreviewed' },
  { kind: 'addFlag', label: 'Add flag' },
  { kind: 'removeFlag', label: 'Remove flag' },
  { kind: 'snapshot', label: 'Snapshot as…' }
]

const FLAG = /^[a-z0-9][a-z0-9_:.-]{0,63}$/

function actionOf(kind: Kind, text: string, base: string): BulkAction | null {
  if (kind === 'addFlag' || kind === 'removeFlag') return FLAG.test(text) ? { type: kind, flag: text } : null
  if (kind === 'snapshot') return text.trim() ? { type: 'snapshot', name: text.trim(), ...(base ? { base } : {}) } : null
  return { type: 'status', status: kind }
}

function confirmQuestion(action: Exclude<BulkAction, { type: 'snapshot' }>, traces: string): string {
  if (action.type === 'addFlag') return `Add the flag “${action.flag}” to ${traces}?`
  if (action.type === 'removeFlag') return `Remove the flag “${action.flag}” from ${traces}?`
  return `${KINDS.find((k) => k.kind === action.status)?.label ?? action.status} ${traces}?`
}

/** Memoized: opening a trace or an undo entry re-renders none of it. */
export const BulkBar = memo(function BulkBar(props: { scope: ReviewScope; filter: TraceFilter; snapshots: Snapshot[]; onMessage: (message: string) => void }): React.JSX.Element {
  const { scope, filter, snapshots, onMessage } = props
  const { session, client, pages } = scope
  useSyncExternalStore(pages.subscribe, pages.getVersion)
  const total = pages.total
  const marked = useStore(scope.marked).ids
  const [kind, setKind] = useState<Kind>('accepted')
  const [text, setText] = useState('')
  /** snapshot action: the snapshot to add to ("" makes a new one from the selection alone) */
  const [base, setBase] = useState('')
  const [confirm, setConfirm] = useState<{ action: BulkAction; count: number; selection: TraceFilter; label: string } | null>(null)
  const [busy, setBusy] = useState(false)
  const [last, setLast] = useState<BulkChange | null>(null)

  // the last stored change (from before a reload too), then every change this session makes
  useEffect(() => {
    let live = true
    client.call('traces.bulkChanges', { limit: 1 }).then(
      ([change]) => live && setLast((l) => l ?? change ?? null),
      () => undefined
    )
    const off = session.subscribe((e) => {
      if (e.type === 'bulk') {
        setLast(e.change)
        const verb = e.action === 'apply' ? 'Done' : e.action === 'undo' ? 'Undid' : 'Redid'
        const skipped = e.action !== 'apply' && e.change.skipped > 0 ? ` (${e.change.skipped} edited since were left as they are)` : ''
        const unchanged = e.action === 'apply' && e.change.changed < e.change.selected && e.change.action.type !== 'snapshot' ? ` (${e.change.selected - e.change.changed} already were)` : ''
        onMessage(`${verb}: ${e.change.label}${unchanged}${skipped}.`)
      }
      if (e.type === 'bulkFailed') onMessage(`Bulk change not made: ${e.message}`)
    })
    return () => {
      live = false
      off()
    }
  }, [client, session, onMessage])

  const count = marked.size > 0 ? marked.size : (total ?? 0)
  const action = actionOf(kind, text, base)
  const ask = (): void => {
    if (!action || count === 0) return
    const label = KINDS.find((k) => k.kind === kind)?.label ?? kind
    setConfirm({ action, count, selection: marked.size > 0 ? { ids: [...marked] } : filter, label })
  }
  const run = (): void => {
    if (!confirm) return
    setBusy(true)
    void session.bulk({ filter: confirm.selection, action: confirm.action, expectedCount: confirm.count }).then((change) => {
      setBusy(false)
      setConfirm(null)
      if (change && marked.size > 0) clearMarked(scope.marked)
    })
  }

  const needsText = kind === 'addFlag' || kind === 'removeFlag' || kind === 'snapshot'
  return (
    <section className="bulk-bar" aria-label="Bulk actions">
      <div className="filter-row">
        <span className="muted small" data-testid="bulk-scope">
          {marked.size > 0 ? `${marked.size.toLocaleString()} marked` : `all ${total === null ? '…' : total.toLocaleString()} in this filter`}
        </span>
        {marked.size > 0 && (
          <button className="link" onClick={() => clearMarked(scope.marked)}>
            clear
          </button>
        )}
        <select aria-label="Bulk action" value={kind} onChange={(e) => setKind(e.target.value as Kind)}>
          {KINDS.map((k) => (
            <option key={k.kind} value={k.kind}>
              {k.label}
            </option>
          ))}
        </select>
      </div>
      <div className="filter-row">
        {needsText && <input aria-label={kind === 'snapshot' ? 'Bulk snapshot name' : 'Bulk flag'} placeholder={kind === 'snapshot' ? 'snapshot name' : 'flag, e.g. blurry'} value={text} onChange={(e) => setText(e.target.value)} className={text && !action ? 'invalid' : ''} />}
        {kind === 'snapshot' && (
          <select aria-label="Add to snapshot" value={base} onChange={(e) => setBase(e.target.value)} title="snapshots never change: adding makes a new one with the old one's traces, then these">
            <option value="">new snapshot</option>
            {snapshots.map((s) => (
              <option key={s.id} value={s.id}>
                add to {s.name}
              </option>
            ))}
          </select>
        )}
        <button className="bulk-apply" disabled={!action || count === 0} onClick={ask} title="ctrl/cmd+click marks traces, shift+click a range; with none marked the action applies to the whole filter">
          Apply to {count.toLocaleString()}…
        </button>
      </div>
      {last && (
        <div className="muted small" data-testid="bulk-last">
          last: {last.label} ({last.state}){' '}
          {last.action.type !== 'snapshot' && (
            <button className="link" disabled={busy} onClick={() => void session.revertBulk(last.id, last.state === 'applied' ? 'undo' : 'redo')}>
              {last.state === 'applied' ? 'undo' : 'redo'}
            </button>
          )}
        </div>
      )}
      {confirm && (
        <Dialog label="Confirm bulk change" title={`${confirm.label}: ${confirm.count.toLocaleString()} traces`} busy={busy} onClose={() => setConfirm(null)}>
          <p data-testid="bulk-confirm-text">
            {confirm.action.type === 'snapshot'
              ? confirm.action.base
                ? `Add ${confirm.count.toLocaleString()} traces to “${snapshots.find((s) => s.id === (confirm.action as { base?: string }).base)?.name ?? confirm.action.base}”, as the new snapshot “${confirm.action.name}”? The old snapshot stays as it was.`
                : `Freeze ${confirm.count.toLocaleString()} traces as the snapshot “${confirm.action.name}”?`
              : `${confirmQuestion(confirm.action, `${confirm.count.toLocaleString()} ${marked.size > 0 ? 'marked' : 'matching'} traces`)} Each changed trace gets a new revision; undo (z) reverts all of them as one step.`}
          </p>
          <div className="actions">
            <button className="primary" disabled={busy} onClick={run} autoFocus>
              {busy ? 'Working…' : `${confirm.label} ${confirm.count.toLocaleString()}`}
            </button>
            <button disabled={busy} onClick={() => setConfirm(null)}>
              Cancel
            </button>
          </div>
        </Dialog>
      )}
    </section>
  )
})
