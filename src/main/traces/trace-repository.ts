// Reads and writes traces. The current state is the `traces` row (what lists filter and show)
// and its `trace_bodies` row (question, steps, origin detail, comment: migration 011); every
// write also appends the whole new state to `trace_revisions` (a bulk change of status or flags
// a compact one, see bulk-changes.ts), so edits can be undone and audited and snapshots can
// point at exact revisions. Writes are optimistic: an update names the revision it was made
// against and is refused (nothing written) when the trace has moved on.
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
import type { Step } from '../../shared/toolcall/steps'
import { traceWarnings, type CheckContext } from '../../shared/traces/checks'
import type { BackgroundCheckpoints } from '../store/background-checkpoints'
import type { Db } from '../store/database'
import { bodySteps, deriveColumns, FIRST_STATE_SQL, safeJson, Steps } from './trace-columns'
import { TextIndex } from './text-index'
import { normalizeFlags, serialize, stateColumns, traceRows, type NewTrace, type TraceRows } from './trace-rows'
import { BLOCK_JUMP_FROM, decodeCursor, encodeCursor, EXISTING_TRACES_SQL, facetSql, facetsAnswer, filterUsesOnly, ftsMatch, pageSql, ROWS_SQL, SEARCH_CAP, SEARCH_HITS_SQL, searchCountSql, searchWalk, SEQ_BLOCK_SHIFT, whereAll, type Params } from './trace-query'

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
  /** revision 1's state while the body holds no steps (trace-columns.ts: FIRST_STATE_SQL) */
  first_state: string | null
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

type SummaryRow = TraceRow & { source: string; thumb_hash: string; thumb_mime: MediaRef['mime']; thumb_width: number; thumb_height: number }

/** A search's first hits (up to SEARCH_CAP) and the seq of the last of them. */
type Hits = { hits: number; last: number | null }

/** a sample as a trace row names it: its seq (the row's key) and its source (the facet counters') */
export interface SampleKey {
  seq: number
  source: string
}

/** What a filter's counts cost, kept until the next write: the search probe, the counts once asked. */
interface Memo {
  stamp: string
  hits: Hits | undefined
  counts?: TraceCounts
}

const Flags = z.array(z.string())
const Cues = z.array(VisualCue)

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

export class TraceRepository {
  /** the full-text index, caught up off the insert path (text-index.ts, migration 016) */
  readonly text: TextIndex
  private readonly statements
  private readonly memos = new Map<string, Memo>()

  constructor(
    private readonly db: Db,
    /** the project's: bulk inserts checkpoint in its worker */
    private readonly checkpoints: BackgroundCheckpoints
  ) {
    this.text = new TextIndex(db)
    // what a killed process left unindexed
    if (this.text.pending() > 0) this.text.schedule()
    this.statements = {
      // a trace's sample: its seq (the row's key) and its source (the facet counters', migration 013)
      sample: db.prepare<[string], SampleKey>('SELECT seq, source FROM samples WHERE id = ?'),
      // positional parameters: a bulk insert binds ~15 values a trace, and binding by name costs
      // a lookup each (~0.7 µs a statement, measured)
      insert: db.prepare<[string, number, TraceOrigin, TraceStatus, string, string | null, number, number, string, string]>(
        `INSERT INTO traces (id, sample_seq, origin, status, flags, answer, crops, frame_selections, revision, created_at, updated_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, 1, ?, ?)`
      ),
      // no steps until the first edit: revision 1 holds them (trace-columns.ts: FIRST_STATE_SQL)
      insertBody: db.prepare<[number, string, string, string]>("INSERT INTO trace_bodies (seq, question, steps, origin_detail, comment) VALUES (?, ?, '', ?, ?)"),
      update: db.prepare(
        `UPDATE traces SET status = @status, flags = @flags, answer = @answer, crops = @crops, frame_selections = @frameSelections, revision = @revision, updated_at = @at
         WHERE seq = @seq`
      ),
      updateBody: db.prepare('UPDATE trace_bodies SET question = @question, steps = @steps, comment = @comment WHERE seq = @seq'),
      revision: db.prepare('INSERT INTO trace_revisions (trace_seq, revision, author, action, at, state) VALUES (?, ?, ?, ?, ?, ?)'),
      flagsDelete: db.prepare('DELETE FROM trace_flags WHERE trace_seq = ?'),
      flagInsert: db.prepare('INSERT INTO trace_flags (flag, trace_seq) VALUES (?, ?)'),
      byId: db.prepare<[string], TraceRow>(
        `SELECT t.*, b.question, b.steps, ${FIRST_STATE_SQL}, b.origin_detail, b.comment, s.id AS sample_id, s.answer AS gold, s.cues AS cues, s.kind AS kind
         FROM traces t JOIN trace_bodies b ON b.seq = t.seq JOIN samples s ON s.seq = t.sample_seq WHERE t.id = ?`
      ),
      mediaSizes: db.prepare<[number], { width: number; height: number }>(
        'SELECT m.width, m.height FROM traces t JOIN sample_media sm ON sm.sample_seq = t.sample_seq JOIN media m ON m.hash = sm.media_hash WHERE t.seq = ? ORDER BY sm.position'
      ),
      // whole and compact revisions alike (migration 009)
      revisionState: db.prepare<[number, number], { state: string }>('SELECT state FROM trace_revision_states WHERE trace_seq = ? AND revision = ?'),
      revisions: db.prepare<[number], { revision: number; author: string; action: string; at: string; state: string }>(
        'SELECT revision, author, action, at, state FROM trace_revision_states WHERE trace_seq = ? ORDER BY revision'
      ),
      freeze: db.prepare(
        'INSERT INTO trace_revisions (trace_seq, revision, author, action, at, state) SELECT trace_seq, revision, author, action, at, state FROM trace_revision_states WHERE trace_seq = ? AND revision = ? AND compact = 1'
      ),
      dropCompact: db.prepare('DELETE FROM trace_compact_revisions WHERE trace_seq = ? AND revision = ?'),
      exists: db.prepare<[string], { one: number }>('SELECT 1 AS one FROM traces WHERE id = ?'),
      existing: db.prepare<[string], string>(EXISTING_TRACES_SQL).pluck(),
      summaries: db.prepare<[string], SummaryRow>(ROWS_SQL),
      facetAdd: db.prepare<{ source: string; status: TraceStatus; origin: TraceOrigin; op: number; n: number }>(
        'INSERT INTO trace_facets (source, status, origin, op, n) VALUES (@source, @status, @origin, @op, @n) ON CONFLICT DO UPDATE SET n = n + excluded.n'
      ),
      blockAdd: db.prepare<{ block: number; n: number }>('INSERT INTO trace_seq_blocks (block, n) VALUES (@block, @n) ON CONFLICT DO UPDATE SET n = n + excluded.n'),
      blocks: db.prepare<[], { block: number; n: number }>('SELECT block, n FROM trace_seq_blocks WHERE n > 0 ORDER BY block'),
      seqInBlock: db.prepare<{ from: number; to: number; skip: number }, { seq: number }>(
        'SELECT seq FROM traces INDEXED BY traces_list WHERE seq >= @from AND seq < @to ORDER BY seq LIMIT 1 OFFSET @skip'
      ),
      searchHits: db.prepare<{ match: string; cap: number }, Hits>(SEARCH_HITS_SQL),
      changes: db.prepare<[], { n: number }>('SELECT total_changes() AS n'),
      // two subqueries: min() and max() in one SELECT scan every row, each alone is one seek
      seqRange: db.prepare<[], { lo: number | null; hi: number | null }>('SELECT (SELECT min(seq) FROM traces) AS lo, (SELECT max(seq) FROM traces) AS hi')
    }
  }

  exists(id: string): boolean {
    return this.statements.exists.get(id) !== undefined
  }

  /** Which of `ids` are traces already (one statement for a whole batch of lookups). */
  existing(ids: readonly string[]): Set<string> {
    return new Set(this.statements.existing.all(JSON.stringify(ids)))
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
    return this.insertRows(traces.map(traceRows), author, action)
  }

  /**
   * insertMany of traces already laid out as rows (trace-rows.ts; a trace import builds them in
   * its worker thread). `samples`: the seq and source of samples the caller has just written
   * (each looked up otherwise). `indexText`: write the full-text entries now, with the rows,
   * when the index is caught up (the rows bring their text, so an entry costs only its insert;
   * otherwise the catch-up indexes them after, text-index.ts).
   */
  insertRows(rows: readonly TraceRows[], author: string, action = 'create', options: { samples?: ReadonlyMap<string, SampleKey>; indexText?: boolean } = {}): string[] {
    const ids: string[] = []
    const at = new Date().toISOString()
    // full text is written by the catch-up (text-index.ts), but for a seq at or below its mark
    // (a seq reused after the newest traces were deleted), or all of them with `indexText` on a caught-up index
    let indexedThrough = 0
    let indexAll = false
    // a batch names few samples many times: each looked up once
    const samples = new Map<string, SampleKey>(options.samples)
    const write = (row: TraceRows): [string, TraceRows] => {
      let sample = samples.get(row.sampleId)
      if (sample === undefined) {
        sample = this.statements.sample.get(row.sampleId)
        if (sample === undefined) throw new StudioError('not_found', `no sample with id "${row.sampleId}"`)
        samples.set(row.sampleId, sample)
      }
      let seq: number
      try {
        seq = Number(this.statements.insert.run(row.id, sample.seq, row.origin, row.status, row.flags, row.answer, row.crops, row.frameSelections, at, at).lastInsertRowid)
      } catch (error) {
        if (error instanceof Error && /UNIQUE constraint failed: traces.id/.test(error.message)) throw new StudioError('conflict', `a trace with id "${row.id}" already exists`)
        throw error
      }
      this.statements.insertBody.run(seq, row.question, row.originDetail, row.comment)
      this.statements.revision.run(seq, 1, author, action, at, row.state)
      if (indexAll || seq <= indexedThrough) this.text.write(seq, row, row.answer, row.text)
      for (const flag of row.flagList) this.statements.flagInsert.run(flag, seq)
      const block = seq >> SEQ_BLOCK_SHIFT
      blocks.set(block, (blocks.get(block) ?? 0) + 1)
      ids.push(row.id)
      lastSeq = Math.max(lastSeq, seq)
      return [sample.source, row]
    }
    // the facet counters (migrations 007, 013) and the seq block counts (012) for the whole batch,
    // in its transaction; each trace's source comes with its sample's lookup
    const blocks = new Map<number, number>()
    const facets = new Map<string, { source: string; status: TraceStatus; origin: TraceOrigin; op: number; n: number }>()
    const count = ([source, { status, origin, crops, frameSelections }]: [string, TraceRows]): void => {
      const op = (crops > 0 ? 1 : 0) + (frameSelections > 0 ? 2 : 0)
      const key = `${source}\u0000${status}\u0000${origin}\u0000${op}`
      const facet = facets.get(key)
      if (facet) facet.n++
      else facets.set(key, { source, status, origin, op, n: 1 })
    }
    let lastSeq = 0
    this.checkpoints.write(
      rows.length,
      this.db.transaction(() => {
        indexedThrough = this.text.indexedThrough()
        indexAll = options.indexText === true && this.text.caughtUp(indexedThrough)
        for (const row of rows) count(write(row))
        for (const f of facets.values()) this.statements.facetAdd.run(f)
        for (const [block, n] of blocks) this.statements.blockAdd.run({ block, n })
        if (indexAll && lastSeq > indexedThrough) this.text.markThrough(lastSeq)
      })
    )
    this.text.schedule()
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

  /**
   * Stores a compact revision (a bulk change's: status and flags only, migration 009) whole, in
   * trace_revisions, where a snapshot item's foreign key points; a whole one stays as it is.
   */
  freeze(traceSeq: number, revision: number): void {
    if (this.statements.freeze.run(traceSeq, revision).changes > 0) this.statements.dropCompact.run(traceSeq, revision)
  }

  seqOf(id: string): number {
    return this.row(id).seq
  }

  count(filter: TraceFilter = {}): number {
    return this.counts(filter).total
  }

  /**
   * Counts by status and origin. Source, status, origin and operation alone: summed from the
   * facet counters (migrations 007, 013). A search: its first SEARCH_CAP hits are counted and, when there
   * are more, the counts are extrapolated over the seq range (`estimate: true`). Anything else:
   * counted from the covering indexes.
   */
  counts(filter: TraceFilter = {}): TraceCounts {
    const pending = this.searchable(filter)
    const memo = this.memo(filter)
    const counts = (memo.counts ??= this.countNow(filter, memo.hits))
    return pending > 0 ? { ...counts, pending } : counts
  }

  /** Before a search: the full-text tail indexed if short; returns how many traces it does not find yet. */
  private searchable(filter: TraceFilter): number {
    return filter.query === undefined ? 0 : this.text.beforeSearch()
  }

  /**
   * A list's total: from the counts when known; a search alone from its hit probe (the same
   * number its counts give, without reading each hit's row: the status and origin split is the
   * filter bar's, asked after the page).
   */
  private total(filter: TraceFilter, memo: Memo): { total: number; estimate: boolean } {
    if (memo.counts) return memo.counts
    if (memo.hits && filterUsesOnly(filter, ['query'])) {
      const scale = this.searchScale(memo.hits)
      return { total: Math.round(memo.hits.hits * scale), estimate: scale !== 1 }
    }
    return (memo.counts = this.countNow(filter, memo.hits))
  }

  /**
   * Counts (and a search's hit probe) of recent filters, reused until anything is written: a
   * list's cursor pages repeat its total, and a source or search count is the costly part.
   * The stamp moves with every write on this connection (total_changes) or another (data_version).
   */
  private memo(filter: TraceFilter): Memo {
    const key = JSON.stringify(filter)
    const stamp = `${this.db.pragma('data_version', { simple: true }) as number}:${this.statements.changes.get()?.n ?? 0}`
    const known = this.memos.get(key)
    const hits = (): Hits | undefined => (filter.query === undefined ? undefined : this.searchHits(filter.query))
    // inside a transaction a rollback would not move the stamp back: no memo there
    if (this.db.inTransaction) return { stamp, hits: hits() }
    if (known?.stamp === stamp) return known
    const entry: Memo = { stamp, hits: hits() }
    if (this.memos.size >= 32) this.memos.clear()
    this.memos.set(key, entry)
    return entry
  }

  /** What a search's counts over its first SEARCH_CAP hits are scaled by: 1 when those are all. */
  private searchScale(hits: Hits): number {
    if (hits.hits < SEARCH_CAP || hits.last === null) return 1
    const range = this.statements.seqRange.get()
    return range?.lo != null && range.hi != null && hits.last < range.hi ? (range.hi - range.lo + 1) / (hits.last - range.lo + 1) : 1
  }

  private countNow(filter: TraceFilter, hits: Hits | undefined): TraceCounts {
    const params: Params = {}
    let rows: Array<{ status: TraceStatus; origin: TraceOrigin; n: number }>
    let scale = 1
    if (filter.query !== undefined && hits) {
      params.cap = SEARCH_CAP
      rows = this.db.prepare<Params, { status: TraceStatus; origin: TraceOrigin; n: number }>(searchCountSql(filter, params)).all(params)
      scale = this.searchScale(hits)
    } else if (facetsAnswer(filter)) {
      rows = this.db.prepare<Params, { status: TraceStatus; origin: TraceOrigin; n: number }>(facetSql(filter, params)).all(params)
    } else {
      rows = this.db.prepare<Params, { status: TraceStatus; origin: TraceOrigin; n: number }>(`SELECT t.status, t.origin, count(*) AS n FROM traces t ${whereAll(filter, params)} GROUP BY t.status, t.origin`).all(params)
    }
    const counts: TraceCounts = {
      total: 0,
      byStatus: { unreviewed: 0, accepted: 0, rejected: 0, needs_fix: 0 },
      byOrigin: { synthesized: 0, human: 0, inference: 0, rollout: 0, imported: 0 },
      estimate: scale !== 1
    }
    let all = 0
    for (const r of rows) {
      const n = Math.round(r.n * scale)
      all += r.n
      counts.byStatus[r.status] += n
      counts.byOrigin[r.origin] += n
    }
    // scaled once (not the sum of rounded cells): a search's list total is the same number
    counts.total = Math.round(all * scale)
    return counts
  }

  /**
   * One page: its seqs from an index walk (trace-query.ts), then only those rows. A cursor
   * (`after` / `before`, from a page's `next` / `prev`) makes any page as cheap as the first;
   * offset is kept for jumps: it walks the index entries it skips, except in the whole list by
   * creation, where the seq block counts turn it into a cursor (seqAtOffset).
   */
  list(input: z.output<typeof TraceListInput>): TracePage {
    const { sort, limit } = input
    let offset = input.offset
    const before = input.before !== undefined
    const cursorText = input.before ?? input.after
    let cursor = cursorText === undefined ? undefined : decodeCursor(cursorText, sort)
    // the page before a cursor walks backwards, then is turned round
    const descending = (input.order === 'desc') !== before
    const filter: TraceFilter = { ...input }
    for (const k of ['sort', 'order', 'after', 'before', 'offset', 'limit'] as const) delete (filter as Record<string, unknown>)[k]
    const pending = this.searchable(filter)
    const memo = this.memo(filter)
    const { hits } = memo
    const counts = this.total(filter, memo)
    // a jump deep into the whole list in creation order: the offset becomes a cursor
    if (cursor === undefined && offset >= BLOCK_JUMP_FROM && sort === 'created' && filterUsesOnly(filter, [])) {
      const seq = this.seqAtOffset(offset, descending)
      if (seq === null) return { total: counts.total, estimate: false, items: [], next: null, prev: null }
      cursor = { seq: descending ? seq + 1 : seq - 1 }
      offset = 0
    }
    const walk = hits && filter.query !== undefined && sort === 'updated' ? searchWalk(hits, this.statements.seqRange.get()?.lo ?? 0, ftsMatch(filter.query)) : undefined
    const params: Params = { limit: limit + 1, offset }
    const sql = pageSql({ filter, sort, descending, cursor, ...(walk === undefined ? {} : { searchWalk: walk }) }, params)
    const keys = this.db.prepare<Params, { seq: number; updated_at: string | null }>(sql).all(params)
    const more = keys.length > limit
    if (more) keys.pop()
    if (before) keys.reverse()
    const cursorOf = (k: { seq: number; updated_at: string | null } | undefined): string | null =>
      k === undefined ? null : encodeCursor(sort === 'updated' ? { seq: k.seq, updated: k.updated_at ?? '' } : { seq: k.seq })
    const rows = new Map(this.statements.summaries.all(JSON.stringify(keys.map((k) => k.seq))).map((r) => [r.seq, r]))
    const items = keys.map((k) => this.summary(k.seq, rows.get(k.seq)))
    // walking forwards, there is a page before when we started past a cursor or an offset
    const hasBefore = before ? more : cursor !== undefined || offset > 0
    const hasAfter = before ? true : more
    return {
      total: counts.total,
      estimate: counts.estimate,
      items,
      next: hasAfter ? cursorOf(keys.at(-1)) : null,
      prev: hasBefore ? cursorOf(keys[0]) : null,
      ...(pending > 0 ? { pending } : {})
    }
  }

  /**
   * The seq of the trace `offset` places from the start (or the end) of the whole list in seq
   * order, from the per-block counts (migration 012) and a walk inside one block; null past the end.
   */
  private seqAtOffset(offset: number, fromEnd: boolean): number | null {
    const blocks = this.statements.blocks.all()
    if (fromEnd) blocks.reverse()
    let skipped = 0
    for (const { block, n } of blocks) {
      if (skipped + n > offset) {
        const within = offset - skipped
        const range = { from: block << SEQ_BLOCK_SHIFT, to: (block + 1) << SEQ_BLOCK_SHIFT }
        return this.statements.seqInBlock.get({ ...range, skip: fromEnd ? n - 1 - within : within })?.seq ?? null
      }
      skipped += n
    }
    return null
  }

  /** Trace seqs matching a filter, in list order (snapshots are made from this). */
  seqs(filter: TraceFilter): Array<{ seq: number; id: string; revision: number }> {
    // a snapshot of a search is whole: the full-text tail, however long, is indexed first (a
    // page only reports it pending)
    if (filter.query !== undefined) this.text.drain()
    const params: Params = {}
    return this.db.prepare<Params, { seq: number; id: string; revision: number }>(`SELECT t.seq, t.id, t.revision FROM traces t ${whereAll(filter, params)} ORDER BY t.seq`).all(params)
  }

  /** A search's hits up to SEARCH_CAP, and the seq of the last of them. */
  private searchHits(query: string): Hits {
    return this.statements.searchHits.get({ match: ftsMatch(query), cap: SEARCH_CAP }) ?? { hits: 0, last: null }
  }

  private summary(seq: number, r: SummaryRow | undefined): TraceSummary {
    if (!r) throw new StudioError('internal', `trace seq ${seq} vanished while its page was read`)
    return {
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
    }
  }

  private row(id: string): TraceRow {
    const row = this.statements.byId.get(id)
    if (!row) throw new StudioError('not_found', `no trace with id "${id}"`)
    // the steps as JSON.stringify wrote them, from the body or, until the first edit, revision 1
    return { ...row, steps: bodySteps(row.steps, row.first_state) }
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
    const json = serialize(state)
    const stored = stateColumns(state, json.steps, derived)
    const columns = { seq: row.seq, ...stored, revision, at }
    this.statements.update.run(columns)
    this.statements.revision.run(row.seq, revision, author, action, at, json.state)
    // a status change (an accept) leaves the body, the text and the flags as they were, and
    // their rows and index entries too (a full-text delete re-reads the old text)
    if (state.question !== row.question || json.steps !== row.steps || (state.comment ?? '') !== row.comment) {
      this.statements.updateBody.run(columns)
      this.text.replace(row.seq, state, derived.answer, derived.text)
    }
    if (stored.flags !== row.flags) {
      this.statements.flagsDelete.run(row.seq)
      this.indexFlags(row.seq, state)
    }
  }

  private indexFlags(seq: number, state: TraceState): void {
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
