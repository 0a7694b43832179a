// Reads and writes traces. The `traces` row is the current state; every write also appends the
// whole new state to `trace_revisions`, so edits can be undone and audited and snapshots can
// point at exact revisions. Writes are optimistic: an update names the revision it was made
// against and is refused (nothing written) when the trace has moved on.
import { randomUUID } from 'node:crypto'
import { z } from 'zod'
import {
  OriginDetail,
  StudioError,
  TraceState,
  type MediaRef,
  type StoredTrace,
  type TraceCounts,
  TraceListInput,
  type TraceFilter,
  type TraceOrigin,
  type TracePage,
  type TraceRevision,
  type TraceStatus,
  type TraceSummary,
  VisualCue
} from '../../shared/contract'
import { Step } from '../../shared/toolcall/steps'
import { traceWarnings, type CheckContext } from '../../shared/traces/checks'
import type { Db } from '../store/database'
import { deriveColumns, toFtsQuery, type DerivedColumns } from './trace-columns'

export interface NewTrace {
  id?: string
  sampleId: string
  origin: TraceOrigin
  originDetail?: OriginDetail
  question: string
  steps: Step[]
  status?: TraceStatus
  flags?: string[]
}

export interface TracePatch {
  question?: string | undefined
  steps?: Step[] | undefined
  status?: TraceStatus | undefined
  flags?: string[] | undefined
  /** "" removes the comment */
  comment?: string | undefined
}

interface TraceRow {
  seq: number
  id: string
  sample_id: string
  origin: TraceOrigin
  origin_detail: string
  status: TraceStatus
  question: string
  steps: string
  flags: string
  answer: string | null
  crops: number
  frame_selections: number
  revision: number
  comment: string
  created_at: string
  updated_at: string
  gold: string
  /** the sample's cues and kind, for the cue check */
  cues: string
  kind: 'image' | 'video'
}

const Steps = z.array(Step)
const Flags = z.array(z.string())
const Cues = z.array(VisualCue)

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text)
  } catch {
    return undefined
  }
}

function parseColumn<T>(traceId: string, column: string, text: string, schema: z.ZodType<T>): T {
  let value: unknown
  try {
    value = JSON.parse(text)
  } catch {
    throw new StudioError('internal', `trace ${traceId}: column ${column} is not valid JSON`)
  }
  const parsed = schema.safeParse(value)
  if (!parsed.success) throw new StudioError('internal', `trace ${traceId}: column ${column} does not match its schema`)
  return parsed.data
}

/** Flags are a set: sorted, no duplicates, so equal states compare equal (samples' flags too). */
export function normalizeFlags(flags: readonly string[]): string[] {
  return [...new Set(flags)].sort()
}

/**
 * WHERE clauses for a filter, on `traces t` alone: sample-side conditions (source, sample) and
 * flags are subqueries, not joins, so counts are answered from the covering indexes (migration
 * 003) without touching samples row by row (bench/trace-store: a filtered count at 1M traces
 * 184 ms with a join, 9 ms without).
 */
export function filterSql(filter: TraceFilter): { where: string; params: Record<string, unknown> } {
  const clauses: string[] = []
  const params: Record<string, unknown> = {}
  if (filter.status) {
    clauses.push(`t.status IN (${filter.status.map((_, i) => `@status${i}`).join(', ')})`)
    filter.status.forEach((s, i) => (params[`status${i}`] = s))
  }
  if (filter.origin) {
    clauses.push(`t.origin IN (${filter.origin.map((_, i) => `@origin${i}`).join(', ')})`)
    filter.origin.forEach((s, i) => (params[`origin${i}`] = s))
  }
  if (filter.operation === 'any') clauses.push('(t.crops + t.frame_selections) > 0')
  else if (filter.operation === 'none') clauses.push('(t.crops + t.frame_selections) = 0')
  else if (filter.operation === 'crop') clauses.push('t.crops > 0')
  else if (filter.operation === 'select_frames') clauses.push('t.frame_selections > 0')
  if (filter.flag) {
    clauses.push('t.seq IN (SELECT f.trace_seq FROM trace_flags f WHERE f.flag = @flag)')
    params.flag = filter.flag
  }
  if (filter.source) {
    clauses.push('t.sample_seq IN (SELECT ss.seq FROM samples ss WHERE ss.source = @source)')
    params.source = filter.source
  }
  if (filter.sampleId) {
    clauses.push('t.sample_seq = (SELECT ss.seq FROM samples ss WHERE ss.id = @sampleId)')
    params.sampleId = filter.sampleId
  }
  if (filter.snapshotId) {
    clauses.push('t.seq IN (SELECT i.trace_seq FROM snapshot_items i JOIN snapshots sn ON sn.seq = i.snapshot_seq WHERE sn.id = @snapshotId)')
    params.snapshotId = filter.snapshotId
  }
  if (filter.ids) {
    clauses.push('t.id IN (SELECT value FROM json_each(@ids))')
    params.ids = JSON.stringify(filter.ids)
  }
  if (filter.query !== undefined) {
    const match = toFtsQuery(filter.query)
    if (match === null) throw new StudioError('invalid_input', `search "${filter.query}" has no words to look for`)
    clauses.push('t.seq IN (SELECT rowid FROM traces_fts WHERE traces_fts MATCH @match)')
    params.match = match
  }
  return { where: clauses.length ? `WHERE ${clauses.join(' AND ')}` : '', params }
}

/** The `traces` columns a state sets (inserts and updates write the same ones). */
function stateColumns(state: TraceState, derived: DerivedColumns): Record<string, string | number | null> {
  return {
    status: state.status,
    question: state.question,
    steps: JSON.stringify(state.steps),
    flags: JSON.stringify(state.flags),
    comment: state.comment ?? '',
    answer: derived.answer,
    crops: derived.crops,
    frameSelections: derived.frameSelections
  }
}

/**
 * One page of the list. The page's seqs come first (OFFSET skips entries of a narrow index, not
 * rows); then only those rows are read. CROSS JOIN pins that order: with a bound LIMIT the
 * planner would otherwise scan the whole traces table (seconds at a million traces).
 */
export function listSql(where: string, orderBy: string): string {
  return `WITH page AS (SELECT t.seq FROM traces t ${where} ORDER BY ${orderBy} LIMIT @limit OFFSET @offset)
    SELECT t.seq, t.id, s.id AS sample_id, t.origin, t.status, t.question, t.flags, t.answer, t.crops, t.frame_selections, t.revision, t.updated_at,
           s.answer AS gold, s.source, s.kind, m.hash AS thumb_hash, m.mime AS thumb_mime, m.width AS thumb_width, m.height AS thumb_height
    FROM page
    CROSS JOIN traces t ON t.seq = page.seq
    JOIN samples s ON s.seq = t.sample_seq
    JOIN sample_media first ON first.sample_seq = s.seq AND first.position = 0
    JOIN media m ON m.hash = first.media_hash
    ORDER BY ${orderBy}`
}

export class TraceRepository {
  private readonly statements

  constructor(private readonly db: Db) {
    this.statements = {
      sampleSeq: db.prepare<[string], { seq: number; question: string }>('SELECT seq, question FROM samples WHERE id = ?'),
      insert: db.prepare(
        `INSERT INTO traces (id, sample_seq, origin, origin_detail, status, question, steps, flags, comment, answer, crops, frame_selections, revision, created_at, updated_at)
         VALUES (@id, @sampleSeq, @origin, @originDetail, @status, @question, @steps, @flags, @comment, @answer, @crops, @frameSelections, 1, @at, @at)`
      ),
      update: db.prepare(
        `UPDATE traces SET status = @status, question = @question, steps = @steps, flags = @flags, comment = @comment, answer = @answer, crops = @crops,
           frame_selections = @frameSelections, revision = @revision, updated_at = @at WHERE seq = @seq`
      ),
      revision: db.prepare('INSERT INTO trace_revisions (trace_seq, revision, author, action, at, state) VALUES (?, ?, ?, ?, ?, ?)'),
      ftsDelete: db.prepare('DELETE FROM traces_fts WHERE rowid = ?'),
      ftsInsert: db.prepare('INSERT INTO traces_fts (rowid, question, answer, text) VALUES (?, ?, ?, ?)'),
      flagsDelete: db.prepare('DELETE FROM trace_flags WHERE trace_seq = ?'),
      flagInsert: db.prepare('INSERT INTO trace_flags (flag, trace_seq) VALUES (?, ?)'),
      byId: db.prepare<[string], TraceRow>('SELECT t.*, s.id AS sample_id, s.answer AS gold, s.cues AS cues, s.kind AS kind FROM traces t JOIN samples s ON s.seq = t.sample_seq WHERE t.id = ?'),
      mediaSizes: db.prepare<[number], { width: number; height: number }>(
        'SELECT m.width, m.height FROM traces t JOIN sample_media sm ON sm.sample_seq = t.sample_seq JOIN media m ON m.hash = sm.media_hash WHERE t.seq = ? ORDER BY sm.position'
      ),
      revisionState: db.prepare<[number, number], { state: string }>('SELECT state FROM trace_revisions WHERE trace_seq = ? AND revision = ?'),
      revisions: db.prepare<[number], { revision: number; author: string; action: string; at: string; state: string }>(
        'SELECT revision, author, action, at, state FROM trace_revisions WHERE trace_seq = ? ORDER BY revision'
      ),
      exists: db.prepare<[string], { one: number }>('SELECT 1 AS one FROM traces WHERE id = ?')
    }
  }

  exists(id: string): boolean {
    return this.statements.exists.get(id) !== undefined
  }

  /** Adds a trace as revision 1. Runs inside the caller's transaction when there is one. */
  insert(trace: NewTrace, author: string, action = 'create'): StoredTrace {
    const [id] = this.insertMany([trace], author, action)
    return this.get(id as string)
  }

  /**
   * Adds many traces in ONE transaction (synthesis batches, imports, the benchmark), without
   * reading each back; returns their ids in order. All or nothing: one bad trace writes none.
   */
  insertMany(traces: readonly NewTrace[], author: string, action = 'create'): string[] {
    const ids: string[] = []
    const at = new Date().toISOString()
    const write = (trace: NewTrace): void => {
      const sample = this.statements.sampleSeq.get(trace.sampleId)
      if (!sample) throw new StudioError('not_found', `no sample with id "${trace.sampleId}"`)
      const id = trace.id ?? `trace-${randomUUID()}`
      const state = TraceState.parse({ question: trace.question, steps: trace.steps, status: trace.status ?? 'unreviewed', flags: normalizeFlags(trace.flags ?? []) })
      const derived = deriveColumns(state.steps)
      let seq: number
      try {
        seq = Number(
          this.statements.insert.run({
            id,
            sampleSeq: sample.seq,
            origin: trace.origin,
            originDetail: JSON.stringify(OriginDetail.parse(trace.originDetail ?? {})),
            ...stateColumns(state, derived),
            at
          }).lastInsertRowid
        )
      } catch (error) {
        if (error instanceof Error && /UNIQUE constraint failed: traces.id/.test(error.message)) throw new StudioError('conflict', `a trace with id "${id}" already exists`)
        throw error
      }
      this.statements.revision.run(seq, 1, author, action, at, JSON.stringify(state))
      this.index(seq, state, derived.answer, derived.text)
      ids.push(id)
    }
    this.db.transaction(() => traces.forEach(write))()
    return ids
  }

  get(id: string): StoredTrace {
    return this.toStored(this.row(id))
  }

  /** Applies a change as a new revision, if `expectedRevision` is still the current one. */
  update(id: string, patch: TracePatch, expectedRevision: number, author: string, action: string): StoredTrace {
    this.db.transaction(() => {
      const row = this.row(id)
      if (row.revision !== expectedRevision) {
        throw new StudioError('conflict', `trace ${id} is at revision ${row.revision}, not ${expectedRevision}: it changed since you loaded it; reload and apply your edit again`)
      }
      const current = this.currentState(row)
      const comment = patch.comment !== undefined ? patch.comment : current.comment
      const next = TraceState.parse({
        question: patch.question ?? current.question,
        steps: patch.steps ?? current.steps,
        status: patch.status ?? current.status,
        flags: normalizeFlags(patch.flags ?? current.flags),
        ...(comment ? { comment } : {})
      })
      // a change that changes nothing (accepting an accepted trace) adds no revision
      if (JSON.stringify(next) !== JSON.stringify(current)) this.writeState(row, next, author, action)
    })()
    return this.get(id)
  }

  /** Undo/redo/restore: a new revision whose state is that of `revision`. */
  restore(id: string, revision: number, expectedRevision: number, author: string, action: string): StoredTrace {
    this.db.transaction(() => {
      const row = this.row(id)
      if (row.revision !== expectedRevision) {
        throw new StudioError('conflict', `trace ${id} is at revision ${row.revision}, not ${expectedRevision}: it changed since; reload before you ${action}`)
      }
      const state = this.stateAt(row.seq, revision, id)
      this.writeState(row, state, author, `${action} to r${revision}`)
    })()
    return this.get(id)
  }

  revisions(id: string): TraceRevision[] {
    const row = this.row(id)
    return this.statements.revisions.all(row.seq).map((r) => ({ revision: r.revision, author: r.author, action: r.action, at: r.at, state: parseColumn(id, 'state', r.state, TraceState) }))
  }

  /** The state a revision recorded (snapshots and exports read traces this way). */
  stateAt(traceSeq: number, revision: number, traceId = String(traceSeq)): TraceState {
    const found = this.statements.revisionState.get(traceSeq, revision)
    if (!found) throw new StudioError('not_found', `trace ${traceId} has no revision ${revision}`)
    return parseColumn(traceId, 'state', found.state, TraceState)
  }

  seqOf(id: string): number {
    return this.row(id).seq
  }

  count(filter: TraceFilter = {}): number {
    const { where, params } = filterSql(filter)
    return this.db.prepare<Record<string, unknown>, { n: number }>(`SELECT count(*) AS n FROM traces t ${where}`).get(params)?.n ?? 0
  }

  counts(filter: TraceFilter = {}): TraceCounts {
    const { where, params } = filterSql(filter)
    const rows = this.db
      .prepare<Record<string, unknown>, { status: TraceStatus; origin: TraceOrigin; n: number }>(`SELECT t.status, t.origin, count(*) AS n FROM traces t ${where} GROUP BY t.status, t.origin`)
      .all(params)
    const counts: TraceCounts = {
      total: 0,
      byStatus: { unreviewed: 0, accepted: 0, rejected: 0, needs_fix: 0 },
      byOrigin: { synthesized: 0, human: 0, inference: 0, rollout: 0, imported: 0 }
    }
    for (const r of rows) {
      counts.total += r.n
      counts.byStatus[r.status] += r.n
      counts.byOrigin[r.origin] += r.n
    }
    return counts
  }

  list(input: z.output<typeof TraceListInput>): TracePage {
    // the page's seqs first (answered from the indexes, sorting integers), then only those rows:
    // sorting whole rows read every matching steps JSON (bench/trace-store)
    const { where, params } = filterSql(input)
    const order = input.order === 'desc' ? 'DESC' : 'ASC'
    const orderBy = input.sort === 'updated' ? `t.updated_at ${order}, t.seq ${order}` : `t.seq ${order}`
    const rows = this.db
      .prepare<Record<string, unknown>, TraceRow & { source: string; kind: 'image' | 'video'; thumb_hash: string; thumb_mime: MediaRef['mime']; thumb_width: number; thumb_height: number }>(listSql(where, orderBy))
      .all({ ...params, limit: input.limit, offset: input.offset })
    const items: TraceSummary[] = rows.map((r) => ({
      id: r.id,
      sampleId: r.sample_id,
      origin: r.origin,
      status: r.status,
      flags: parseColumn(r.id, 'flags', r.flags, Flags),
      revision: r.revision,
      answer: r.answer,
      operations: r.crops + r.frame_selections,
      updatedAt: r.updated_at,
      question: r.question.split('\n')[0] ?? '',
      gold: r.gold,
      source: r.source,
      kind: r.kind,
      thumb: { hash: r.thumb_hash, mime: r.thumb_mime, width: r.thumb_width, height: r.thumb_height }
    }))
    return { total: this.count(input), items }
  }

  /** Trace seqs matching a filter, in list order (snapshots are made from this). */
  seqs(filter: TraceFilter): Array<{ seq: number; id: string; revision: number }> {
    const { where, params } = filterSql(filter)
    return this.db.prepare<Record<string, unknown>, { seq: number; id: string; revision: number }>(`SELECT t.seq, t.id, t.revision FROM traces t ${where} ORDER BY t.seq`).all(params)
  }

  private row(id: string): TraceRow {
    const row = this.statements.byId.get(id)
    if (!row) throw new StudioError('not_found', `no trace with id "${id}"`)
    return row
  }

  private currentState(row: TraceRow): TraceState {
    return {
      question: row.question,
      steps: parseColumn(row.id, 'steps', row.steps, Steps),
      status: row.status,
      flags: parseColumn(row.id, 'flags', row.flags, Flags),
      ...(row.comment ? { comment: row.comment } : {})
    }
  }

  private writeState(row: TraceRow, state: TraceState, author: string, action: string): void {
    const derived = deriveColumns(state.steps)
    const at = new Date().toISOString()
    const revision = row.revision + 1
    this.statements.update.run({
      seq: row.seq,
      ...stateColumns(state, derived),
      revision,
      at
    })
    this.statements.revision.run(row.seq, revision, author, action, at, JSON.stringify(state))
    this.statements.ftsDelete.run(row.seq)
    this.statements.flagsDelete.run(row.seq)
    this.index(row.seq, state, derived.answer, derived.text)
  }

  private index(seq: number, state: TraceState, answer: string | null, text: string): void {
    // the reviewer's comment is searched with the step text
    this.statements.ftsInsert.run(seq, state.question, answer ?? '', state.comment ? `${text}\n${state.comment}` : text)
    for (const flag of state.flags) this.statements.flagInsert.run(flag, seq)
  }

  /** What the checks need besides the steps: gold, cues, media sizes, the job's IoU threshold. */
  private checkContext(row: TraceRow, originDetail: OriginDetail): CheckContext {
    const cues = Cues.safeParse(safeJson(row.cues))
    const threshold = originDetail.settings?.cueIouThreshold
    return {
      gold: row.gold,
      ...(cues.success ? { cues: cues.data } : {}),
      media: { kind: row.kind, sizes: this.statements.mediaSizes.all(row.seq) },
      ...(typeof threshold === 'number' ? { cueIouThreshold: threshold } : {})
    }
  }

  private toStored(row: TraceRow): StoredTrace {
    const state = this.currentState(row)
    const originDetail = parseColumn(row.id, 'origin_detail', row.origin_detail, OriginDetail)
    return {
      id: row.id,
      sampleId: row.sample_id,
      origin: row.origin,
      originDetail,
      revision: row.revision,
      answer: row.answer,
      operations: row.crops + row.frame_selections,
      gold: row.gold,
      warnings: traceWarnings(state.steps, this.checkContext(row, originDetail)),
      createdAt: row.created_at,
      updatedAt: row.updated_at,
      ...state
    }
  }
}
