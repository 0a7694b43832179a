// One change to many traces (accept 100k, add a flag, freeze as a snapshot), as set-based SQL:
// a few INSERT ... SELECT / UPDATE statements over the selection, never a loop over rows
// (bench/bulk-review times 100k traces). What a row costs was profiled and cut (migration 009):
// each changed trace gets its own revision, a compact one (status and flags over the whole
// revision it keeps the rest of), so the history stays whole at a tenth of the bytes; the facet
// counters move once per change instead of by trigger per row; the WAL checkpoint runs
// afterwards, in a worker thread. What is left is SQLite rewriting each narrow row and its
// entries in the five list indexes that hold status or updated_at (migration 011). The change is stored with each
// trace's revision before and after, so it is undone or redone as one step, also after a reload
// or from another window.
import { randomUUID } from 'node:crypto'
import { BulkAction, StudioError, TraceFilter, type BulkChange } from '../../shared/contract'
import type { Db } from '../store/database'
import { withDeferredCheckpoint } from '../store/deferred-checkpoint'
import type { SnapshotRepository } from './snapshot-repository'
import { whereAll, type Params } from './trace-query'

interface BulkRow {
  seq: number
  id: string
  label: string
  action: string
  filter: string
  author: string
  selected: number
  changed: number
  state: 'applied' | 'undone'
  skipped: number
  snapshot_id: string | null
  created_at: string
  updated_at: string
}

const STATUS_VERBS = { accepted: 'accept', rejected: 'reject', needs_fix: 'mark needs fix', unreviewed: 'mark unreviewed' } as const

export function bulkLabel(action: BulkAction, count: number): string {
  const traces = `${count} trace${count === 1 ? '' : 's'}`
  switch (action.type) {
    case 'status':
      return `${STATUS_VERBS[action.status]} ${traces}`
    case 'addFlag':
      return `flag ${traces} ${action.flag}`
    case 'removeFlag':
      return `unflag ${traces} ${action.flag}`
    case 'snapshot':
      return action.base ? `add ${traces} to a snapshot, as "${action.name}"` : `snapshot ${traces} as "${action.name}"`
  }
}

/**
 * The facet counters (migrations 007, 013) moved once for the whole selection, from each trace's
 * status to the one in `bulk_target`, grouped (a few rows), before the UPDATE: while
 * `bulk_writing` is set the per-row trigger skips them. traces_list covers the columns read; the
 * groups are by sample first, so each sample's source is read once, not once per trace.
 * CROSS JOIN: the selection drives, one traces_list lookup per trace (with a plain JOIN SQLite
 * scanned all of traces_list: ~350 ms at 1M for a change of 10 traces).
 */
export const FACETS_MOVED_SQL = `WITH moved AS MATERIALIZED (
    SELECT s.source, m.before, m.after, m.origin, m.op, m.n FROM (
      SELECT t.sample_seq, t.status AS before, b.status AS after, t.origin, (t.crops > 0) + 2 * (t.frame_selections > 0) AS op, count(*) AS n
      FROM bulk_target b CROSS JOIN traces t INDEXED BY traces_list ON t.seq = b.trace_seq WHERE t.status IS NOT b.status GROUP BY 1, 2, 3, 4, 5) m
    JOIN samples s ON s.seq = m.sample_seq)
  INSERT INTO trace_facets (source, status, origin, op, n)
    SELECT source, status, origin, op, sum(n) FROM (SELECT source, before AS status, origin, op, -n AS n FROM moved UNION ALL SELECT source, after, origin, op, n FROM moved) WHERE true GROUP BY 1, 2, 3, 4
    ON CONFLICT DO UPDATE SET n = n + excluded.n`

export interface SnapshotMaker {
  create: SnapshotRepository['create']
}

/** What one pass writes to the traces in `bulk_target`: a status (per trace) or one flag in or out. */
type Write = { kind: 'status' } | { kind: 'flag'; flag: string; present: boolean }

export class BulkChanges {
  constructor(
    private readonly db: Db,
    private readonly snapshots: SnapshotMaker
  ) {
    // the traces one pass writes, with the status each gets and had (status changes)
    db.exec('CREATE TEMP TABLE IF NOT EXISTS bulk_target (trace_seq INTEGER PRIMARY KEY, status TEXT, status_before TEXT)')
  }

  /** Applies `action` to every trace `filter` matches, in one transaction. */
  apply(filter: TraceFilter, action: BulkAction, options: { expectedCount?: number | undefined; author: string }): BulkChange {
    const id = `bulk-${randomUUID()}`
    const at = new Date().toISOString()
    const transaction = this.db.transaction(() => {
      const params: Params = {}
      const where = whereAll(filter, params)
      const selected = this.db.prepare<Record<string, unknown>, { n: number }>(`SELECT count(*) AS n FROM traces t ${where}`).get(params)?.n ?? 0
      if (options.expectedCount !== undefined && selected !== options.expectedCount) {
        throw new StudioError('conflict', `the selection now matches ${selected} traces, not the ${options.expectedCount} you confirmed; nothing was changed`)
      }
      if (selected === 0) throw new StudioError('failed_precondition', 'the selection matches no traces')
      const label = bulkLabel(action, selected)
      let snapshotSeq: number | null = null
      if (action.type === 'snapshot') {
        const snapshot = this.snapshots.create(action.name, filter, { split: action.split, base: action.base })
        snapshotSeq = this.db.prepare<[string], { seq: number }>('SELECT seq FROM snapshots WHERE id = ?').get(snapshot.id)?.seq ?? null
      }
      const bulk = Number(
        this.db
          .prepare(
            `INSERT INTO bulk_changes (id, label, action, filter, author, selected, changed, state, snapshot_seq, created_at, updated_at)
             VALUES (?, ?, ?, ?, ?, ?, 0, 'applied', ?, ?, ?)`
          )
          .run(id, label, JSON.stringify(action), JSON.stringify(filter), options.author, selected, snapshotSeq, at, at).lastInsertRowid
      )
      if (action.type === 'snapshot') return
      // only the traces the action changes: accepting an accepted trace adds no revision
      const changes =
        action.type === 'status'
          ? { sql: 't.status != @bulkValue', value: action.status }
          : { sql: `${action.type === 'addFlag' ? 'NOT ' : ''}EXISTS (SELECT 1 FROM trace_flags f WHERE f.trace_seq = t.seq AND f.flag = @bulkValue)`, value: action.flag }
      // the selection is read from the index its filter walks; the rows are read once, by the UPDATE
      this.db.exec('DELETE FROM bulk_target')
      const changed = this.db
        .prepare(
          `INSERT INTO bulk_target (trace_seq, status, status_before)
           SELECT t.seq, @status, ${action.type === 'status' ? 't.status' : 'NULL'} FROM traces t ${where ? `${where} AND` : 'WHERE'} ${changes.sql}`
        )
        .run({ ...params, bulkValue: changes.value, status: action.type === 'status' ? action.status : null }).changes
      this.write(action.type === 'status' ? { kind: 'status' } : { kind: 'flag', flag: action.flag, present: action.type === 'addFlag' }, { at, author: options.author, action: `bulk: ${label}` })
      // the revisions each trace had before and has after this change (rows the UPDATE left in the cache)
      this.db
        .prepare('INSERT INTO bulk_change_items (bulk_seq, trace_seq, before, after, status_before) SELECT @bulk, b.trace_seq, t.revision - 1, t.revision, b.status_before FROM bulk_target b JOIN traces t ON t.seq = b.trace_seq')
        .run({ bulk })
      this.db.prepare('UPDATE bulk_changes SET changed = ? WHERE seq = ?').run(changed, bulk)
      this.db.exec('DELETE FROM bulk_target')
    })
    withDeferredCheckpoint(this.db, () => transaction())
    return this.get(id)
  }

  /**
   * Undo: every trace this change wrote that still shows what it set (its status, the flag in or
   * out) goes back (as a new revision); redo sets it again where the trace still shows what undo
   * left. Traces changed otherwise since are skipped and counted. Comparing states, not
   * revisions, keeps a stack of undos in order: undoing an earlier single edit between the undo
   * and the redo of a bulk change does not make the redo skip that trace.
   */
  revert(id: string, direction: 'undo' | 'redo', author: string): BulkChange {
    const transaction = this.db.transaction(() => {
      const row = this.row(id)
      const action = BulkAction.parse(JSON.parse(row.action))
      if (action.type === 'snapshot') throw new StudioError('failed_precondition', 'a snapshot is immutable: freezing one changed no trace, so there is nothing to undo')
      const wanted = direction === 'undo' ? 'applied' : 'undone'
      if (row.state !== wanted) throw new StudioError('conflict', `bulk change ${id} is ${row.state}, so it cannot be ${direction === 'undo' ? 'undone' : 'redone'}`)
      const bulk = row.seq
      this.db.exec('DELETE FROM bulk_target')
      const present = action.type !== 'status' && (action.type === 'addFlag') === (direction === 'redo')
      const still =
        action.type === 'status'
          ? direction === 'undo'
            ? 't.status = @value'
            : 't.status = i.status_before'
          : `${present ? 'NOT ' : ''}EXISTS (SELECT 1 FROM trace_flags f WHERE f.trace_seq = t.seq AND f.flag = @value)`
      const status = action.type !== 'status' ? 'NULL' : direction === 'undo' ? 'i.status_before' : '@value'
      // the change's items drive (CROSS JOIN): else SQLite may walk every trace of the status it undoes
      const eligible = this.db
        .prepare(
          `INSERT INTO bulk_target (trace_seq, status)
           SELECT i.trace_seq, ${status} FROM bulk_change_items i CROSS JOIN traces t ON t.seq = i.trace_seq WHERE i.bulk_seq = @bulk AND ${still}`
        )
        .run({ bulk, value: action.type === 'status' ? action.status : action.flag }).changes
      const write: Write = action.type === 'status' ? { kind: 'status' } : { kind: 'flag', flag: action.flag, present }
      const at = new Date().toISOString()
      this.write(write, { at, author, action: `bulk ${direction}: ${row.label}` })
      this.db.prepare('UPDATE bulk_changes SET state = ?, skipped = ?, updated_at = ? WHERE seq = ?').run(direction === 'undo' ? 'undone' : 'applied', row.changed - eligible, at, bulk)
      this.db.exec('DELETE FROM bulk_target')
    })
    withDeferredCheckpoint(this.db, () => transaction())
    return this.get(id)
  }

  /**
   * Writes the traces in `bulk_target`: the row (a new revision), the flag index, the facet
   * counters, and a compact revision (status and flags, and the whole revision whose question,
   * steps and comment it keeps: migration 009), each as one statement over the set.
   */
  private write(write: Write, by: { at: string; author: string; action: string }): void {
    this.db.prepare('UPDATE bulk_writing SET active = 1').run()
    if (write.kind === 'status') this.db.prepare(FACETS_MOVED_SQL).run()
    const set =
      write.kind === 'status'
        ? 'status = (SELECT b.status FROM bulk_target b WHERE b.trace_seq = traces.seq)'
        : write.present
          ? 'flags = (SELECT json_group_array(value) FROM (SELECT value FROM json_each(traces.flags) UNION SELECT @flag ORDER BY 1))'
          : 'flags = (SELECT json_group_array(value) FROM (SELECT value FROM json_each(traces.flags) WHERE value != @flag ORDER BY 1))'
    const flag = write.kind === 'flag' ? { flag: write.flag } : {}
    // IN (not UPDATE ... FROM, which scans every trace row): the rows are found by seq
    this.db.prepare(`UPDATE traces SET ${set}, revision = traces.revision + 1, updated_at = @at WHERE traces.seq IN (SELECT trace_seq FROM bulk_target)`).run({ at: by.at, ...flag })
    if (write.kind === 'flag') {
      if (write.present) this.db.prepare('INSERT OR IGNORE INTO trace_flags (flag, trace_seq) SELECT @flag, trace_seq FROM bulk_target').run(flag)
      else this.db.prepare('DELETE FROM trace_flags WHERE flag = @flag AND trace_seq IN (SELECT trace_seq FROM bulk_target)').run(flag)
    }
    // the base: the previous revision's, or the previous revision itself when it is whole
    this.db
      .prepare(
        `INSERT INTO trace_compact_revisions (trace_seq, revision, base, author, action, at, status, flags)
         SELECT t.seq, t.revision, coalesce((SELECT c.base FROM trace_compact_revisions c WHERE c.trace_seq = t.seq AND c.revision = t.revision - 1), t.revision - 1), @author, @action, @at, t.status, t.flags
         FROM bulk_target b JOIN traces t ON t.seq = b.trace_seq`
      )
      .run(by)
    this.db.prepare('UPDATE bulk_writing SET active = 0').run()
  }

  get(id: string): BulkChange {
    return this.toChange(this.row(id))
  }

  list(limit: number): BulkChange[] {
    return this.db
      .prepare<[number], BulkRow>(`SELECT b.*, s.id AS snapshot_id FROM bulk_changes b LEFT JOIN snapshots s ON s.seq = b.snapshot_seq ORDER BY b.seq DESC LIMIT ?`)
      .all(limit)
      .map((r) => this.toChange(r))
  }

  private row(id: string): BulkRow {
    const row = this.db.prepare<[string], BulkRow>('SELECT b.*, s.id AS snapshot_id FROM bulk_changes b LEFT JOIN snapshots s ON s.seq = b.snapshot_seq WHERE b.id = ?').get(id)
    if (!row) throw new StudioError('not_found', `no bulk change with id "${id}"`)
    return row
  }

  private toChange(row: BulkRow): BulkChange {
    return {
      id: row.id,
      label: row.label,
      action: BulkAction.parse(JSON.parse(row.action)),
      filter: TraceFilter.parse(JSON.parse(row.filter)),
      author: row.author,
      selected: row.selected,
      changed: row.changed,
      state: row.state,
      skipped: row.skipped,
      snapshotId: row.snapshot_id,
      createdAt: row.created_at,
      updatedAt: row.updated_at
    }
  }
}
