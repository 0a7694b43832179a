// Dataset snapshots: an immutable, hashed list of (trace, revision) made from a filter. Training,
// evaluation and export jobs point to a snapshot, so later edits never change what a run saw.
// Immutability is enforced by triggers (migration 002); the hash lets two snapshots (or a snapshot
// and an export of it) be compared by value.
import { createHash, randomUUID } from 'node:crypto'
import { SnapshotSplit, StudioError, TraceFilter, TraceState, type Snapshot } from '../../shared/contract'
import { validationIds } from './snapshot-split'
import type { Db } from '../store/database'
import type { TraceRepository } from './trace-repository'

interface SnapshotRow {
  seq: number
  id: string
  name: string
  filter: string
  hash: string
  trace_count: number
  split: string | null
  base_id: string | null
  created_at: string
}

const SELECT_SNAPSHOT = 'SELECT s.*, b.id AS base_id FROM snapshots s LEFT JOIN snapshots b ON b.seq = s.base_seq'

export interface SnapshotItem {
  position: number
  traceId: string
  sampleId: string
  revision: number
  origin: string
  split: 'train' | 'validation'
  state: TraceState
}

export class SnapshotRepository {
  constructor(
    private readonly db: Db,
    private readonly traces: TraceRepository
  ) {}

  /**
   * Freezes the traces a filter matches now, each at its current revision. With a split, a
   * seeded, per-source share of the samples (all their traces) is held out for validation; each
   * item's part is in the hash.
   */
  create(name: string, filter: TraceFilter, options: { allowEmpty?: boolean; split?: SnapshotSplit | undefined; base?: string | undefined } = {}): Snapshot {
    const id = `snap-${new Date().toISOString().slice(0, 10)}-${randomUUID().slice(0, 8)}`
    this.db.transaction(() => {
      // with a base: its traces at their frozen revisions first, then the filter's traces not in it
      const baseSeq = options.base ? this.seqOf(options.base) : null
      const frozen = baseSeq === null ? [] : this.frozenItems(baseSeq)
      const inBase = new Set(frozen.map((f) => f.seq))
      const matches = [...frozen, ...this.traces.seqs(filter).filter((m) => !inBase.has(m.seq))]
      if (matches.length === 0 && !options.allowEmpty) throw new StudioError('failed_precondition', `no traces match this filter, so the snapshot "${name}" would be empty`)
      const held = options.split ? validationIds(this.sources(matches.map((m) => m.seq)), options.split) : new Set<string>()
      const part = (traceId: string): 'train' | 'validation' => (held.has(traceId) ? 'validation' : 'train')
      const hash = createHash('sha256')
      for (const m of matches) {
        const state = JSON.stringify(this.traces.stateAt(m.seq, m.revision, m.id))
        // without a split the line is as before, so older snapshots keep their hashes
        hash.update(`${m.id}\t${m.revision}\t${createHash('sha256').update(state).digest('hex')}${options.split ? `\t${part(m.id)}` : ''}\n`)
      }
      const { lastInsertRowid } = this.db
        .prepare('INSERT INTO snapshots (id, name, filter, hash, trace_count, split, base_seq, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)')
        .run(id, name, JSON.stringify(filter), hash.digest('hex'), matches.length, options.split ? JSON.stringify(options.split) : null, baseSeq, new Date().toISOString())
      const item = this.db.prepare('INSERT INTO snapshot_items (snapshot_seq, position, trace_seq, revision, split) VALUES (?, ?, ?, ?, ?)')
      matches.forEach((m, i) => {
        this.traces.freeze(m.seq, m.revision)
        item.run(lastInsertRowid, i, m.seq, m.revision, part(m.id))
      })
    })()
    return this.get(id)
  }

  /** A snapshot's (trace, revision) items in order. */
  private frozenItems(snapshotSeq: number): Array<{ seq: number; id: string; revision: number }> {
    return this.db
      .prepare<[number], { seq: number; id: string; revision: number }>(
        'SELECT i.trace_seq AS seq, t.id, i.revision FROM snapshot_items i JOIN traces t ON t.seq = i.trace_seq WHERE i.snapshot_seq = ? ORDER BY i.position'
      )
      .all(snapshotSeq)
  }

  /** Each trace's id, sample and sample source, for the split. */
  private sources(seqs: number[]): Array<{ id: string; sampleId: string; source: string }> {
    return this.db
      .prepare<[string], { id: string; sampleId: string; source: string }>(
        'SELECT t.id, s.id AS sampleId, s.source FROM traces t JOIN samples s ON s.seq = t.sample_seq WHERE t.seq IN (SELECT value FROM json_each(?))'
      )
      .all(JSON.stringify(seqs))
  }

  get(id: string): Snapshot {
    const row = this.db.prepare<[string], SnapshotRow>(`${SELECT_SNAPSHOT} WHERE s.id = ?`).get(id)
    if (!row) throw new StudioError('not_found', `no snapshot with id "${id}"`)
    return this.toSnapshot(row)
  }

  seqOf(id: string): number {
    const row = this.db.prepare<[string], { seq: number }>('SELECT seq FROM snapshots WHERE id = ?').get(id)
    if (!row) throw new StudioError('not_found', `no snapshot with id "${id}"`)
    return row.seq
  }

  list(): Snapshot[] {
    return this.db
      .prepare<[], SnapshotRow>(`${SELECT_SNAPSHOT} ORDER BY s.seq DESC`)
      .all()
      .map((r) => this.toSnapshot(r))
  }

  /** The samples on one side of the snapshot's split, each once, in snapshot order (no trace state read). */
  sampleIds(id: string, side: 'train' | 'validation'): string[] {
    return this.db
      .prepare<[number, string], { id: string }>(
        `SELECT s.id FROM snapshot_items i JOIN traces t ON t.seq = i.trace_seq JOIN samples s ON s.seq = t.sample_seq
         WHERE i.snapshot_seq = ? AND i.split = ? GROUP BY s.seq ORDER BY min(i.position)`
      )
      .all(this.seqOf(id), side)
      .map((r) => r.id)
  }

  /**
   * The snapshot's traces as they were when it was made, in order. Read in pages of `pageSize`
   * (each page a finished query), so no statement stays open while the caller awaits file writes:
   * better-sqlite3 refuses every write on a connection with an open iterator, and a long export
   * must not block edits, progress rows or other jobs.
   */
  *items(id: string, pageSize = 500): Generator<SnapshotItem> {
    const seq = this.seqOf(id)
    const page = this.db.prepare<[number, number, number], { position: number; trace_id: string; sample_id: string; origin: string; revision: number; split: 'train' | 'validation'; state: string }>(
      `SELECT i.position, t.id AS trace_id, s.id AS sample_id, t.origin, i.revision, i.split, r.state
       FROM snapshot_items i
       JOIN traces t ON t.seq = i.trace_seq
       JOIN samples s ON s.seq = t.sample_seq
       JOIN trace_revisions r ON r.trace_seq = i.trace_seq AND r.revision = i.revision
       WHERE i.snapshot_seq = ? AND i.position >= ? ORDER BY i.position LIMIT ?`
    )
    for (let from = 0; ; ) {
      const rows = page.all(seq, from, pageSize)
      for (const r of rows) {
        yield { position: r.position, traceId: r.trace_id, sampleId: r.sample_id, revision: r.revision, origin: r.origin, split: r.split, state: TraceState.parse(JSON.parse(r.state)) }
      }
      if (rows.length < pageSize) return
      from = (rows.at(-1)?.position ?? from) + 1
    }
  }

  private toSnapshot(row: SnapshotRow): Snapshot {
    const usedBy = this.db
      .prepare<[number], { id: string; kind: string; title: string; status: string }>('SELECT id, kind, title, status FROM jobs WHERE snapshot_seq = ? ORDER BY seq')
      .all(row.seq)
      .map((j) => ({ jobId: j.id, kind: j.kind, title: j.title, status: j.status }))
    const filter = TraceFilter.safeParse(JSON.parse(row.filter))
    if (!filter.success) throw new StudioError('internal', `snapshot ${row.id}: its stored filter does not match the schema`)
    let split: Snapshot['split'] = null
    if (row.split !== null) {
      const parsed = SnapshotSplit.safeParse(JSON.parse(row.split))
      if (!parsed.success) throw new StudioError('internal', `snapshot ${row.id}: its stored split does not match the schema`)
      const validationCount = this.db.prepare<[number], { n: number }>("SELECT count(*) AS n FROM snapshot_items WHERE snapshot_seq = ? AND split = 'validation'").get(row.seq)?.n ?? 0
      split = { ...parsed.data, validationCount }
    }
    return { id: row.id, name: row.name, hash: row.hash, traceCount: row.trace_count, filter: filter.data, split, base: row.base_id, createdAt: row.created_at, usedBy }
  }
}
