// Dataset snapshots: freeze the traces of the current filter (each at its current revision) under
// a name; see each snapshot's size, hash and the runs that used it; pick one to list its traces.
import { useState } from 'react'
import type { Snapshot, TraceFilter } from '../../../../shared/contract'
import type { StudioClient } from '../../../../shared/contract/client'
import { ExportDialog } from '../export/ExportDialog'

function describe(filter: TraceFilter): string {
  const parts = Object.entries(filter).map(([k, v]) => `${k}: ${Array.isArray(v) ? v.join('|') : String(v)}`)
  return parts.length ? parts.join(' · ') : 'all traces'
}

export function SnapshotsPanel(props: {
  client: StudioClient
  snapshots: Snapshot[]
  filter: TraceFilter
  matching: number | null
  onCreated: (snapshot: Snapshot) => void
  onPick: (snapshotId: string | null) => void
}): React.JSX.Element {
  const { client, snapshots, filter, matching, onCreated, onPick } = props
  const [name, setName] = useState('')
  const [busy, setBusy] = useState(false)
  const [error, setError] = useState<string | null>(null)
  const [exporting, setExporting] = useState<string | null>(null)
  /** the held-out share in percent ("" or 0: no split) and its seed */
  const [valPercent, setValPercent] = useState('')
  const [seed, setSeed] = useState('1')
  const fraction = Number(valPercent) / 100
  const splitOk = valPercent.trim() === '' || (fraction > 0 && fraction < 1 && Number.isInteger(Number(seed)) && Number(seed) >= 0)
  const split = valPercent.trim() !== '' && fraction > 0 ? { valFraction: fraction, seed: Number(seed) } : undefined

  const create = (e: React.FormEvent): void => {
    e.preventDefault()
    const trimmed = name.trim()
    if (!trimmed || busy || !splitOk) return
    setBusy(true)
    setError(null)
    client.call('snapshots.create', { name: trimmed, filter, ...(split ? { split } : {}) }).then(
      (snapshot) => {
        setBusy(false)
        setName('')
        onCreated(snapshot)
      },
      (err: Error) => {
        setBusy(false)
        setError(err.message)
      }
    )
  }

  return (
    <section className="snapshots-panel" aria-label="Snapshots">
      <form onSubmit={create} className="snapshot-form">
        <input aria-label="Snapshot name" placeholder="name, e.g. sft-v1" value={name} maxLength={200} onChange={(e) => setName(e.target.value)} onKeyDown={(e) => e.key === 'Escape' && e.currentTarget.blur()} />
        <button type="submit" disabled={!name.trim() || busy || !splitOk} title={describe(filter)}>
          {busy ? 'Freezing…' : `Snapshot ${matching === null ? 'this filter' : `${matching.toLocaleString()} traces`}`}
        </button>
      </form>
      <div className="snapshot-form small">
        <label className="muted" title="hold out this share of the samples (per source, all traces of a sample on one side) for validation; every export writes it as the eval set">
          validation %{' '}
          <input aria-label="Validation percent" inputMode="decimal" placeholder="none" value={valPercent} size={4} onChange={(e) => setValPercent(e.target.value)} className={splitOk ? '' : 'invalid'} />
        </label>
        <label className="muted" title="the same seed holds out the same samples">
          seed <input aria-label="Split seed" inputMode="numeric" value={seed} size={4} onChange={(e) => setSeed(e.target.value)} />
        </label>
      </div>
      <div className="muted small">from: {describe(filter)}</div>
      {error && <div className="bad small" role="alert">{error}</div>}
      <ul className="snapshot-list">
        {snapshots.length === 0 && <li className="muted small">No snapshots yet.</li>}
        {snapshots.map((s) => (
          <li key={s.id} className={filter.snapshotId === s.id ? 'selected' : ''} data-testid="snapshot" data-snapshot-id={s.id}>
            <button className="link snapshot-name" onClick={() => onPick(filter.snapshotId === s.id ? null : s.id)} title={filter.snapshotId === s.id ? 'show all traces again' : 'list the traces of this snapshot'}>
              {s.name}
            </button>
            <span className="muted small">
              {' '}
              {s.traceCount.toLocaleString()} traces{s.split ? ` (${s.split.validationCount.toLocaleString()} validation, seed ${s.split.seed})` : ''} · <code title={s.hash}>{s.hash.slice(0, 12)}</code> · {new Date(s.createdAt).toLocaleString()}
            </span>
            <div className="muted small">{describe(s.filter)}</div>
            <div className="small">
              {s.usedBy.length === 0 ? <span className="muted">not used by a run yet</span> : s.usedBy.map((u) => <span key={u.jobId} className="tag" title={u.jobId}>{u.kind}: {u.title} ({u.status})</span>)}
            </div>
            <button className="ghost export-slot" data-testid="export-slot" title="export this snapshot as trainer files" onClick={() => setExporting(s.id)}>
              Export…
            </button>
          </li>
        ))}
      </ul>
      {exporting && <ExportDialog snapshotId={exporting} onClose={() => setExporting(null)} />}
    </section>
  )
}
