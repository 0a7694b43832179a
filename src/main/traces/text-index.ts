// The full-text index of traces, written off the bulk-insert path (issue 15, migration 016). At
// 1M traces an FTS5 entry cost ~10 of a bulk-inserted trace's ~60 µs and grew with the index,
// so insertMany leaves new traces unindexed: `trace_text_state.indexed_through` is the seq up to
// which every trace is in traces_fts, and the traces after it (a contiguous tail: seqs only
// grow) are caught up in chunks, each its own short write transaction:
// - in the background after each insertMany, on the event loop (one chunk a turn, never
//   keeping a process alive: a CLI command drains the rest before it exits, cli.ts), and on
//   open for what a killed process left;
// - before a search, when the tail is at most `searchCatchUp` traces (one batch: ~0.1 s), so a
//   search right after a write finds it; past that the search reports the tail as `pending`
//   (not yet searchable), as a count's estimate is reported, while the background catches up.
// An edit of a trace in the tail writes no entry (the catch-up indexes the body as it is then).
// A writer that brings each trace's text (a trace import: insertRows with `indexText`) writes
// the entries with the rows instead, when the tail is empty, and moves the mark past them.
import type { Db } from '../store/database'
import { bodyStepsValue, deriveColumns, FIRST_STATE_SQL, Steps } from './trace-columns'
import { SEQ_BLOCK_SHIFT } from './trace-query'

/** Traces indexed per chunk (a chunk is one write transaction: ~20-30 ms). */
export const TEXT_CHUNK = 2000
/** A search first indexes a tail this short itself (one bulk-insert batch). */
export const SEARCH_CATCH_UP = 10_000

/** what of a trace's state its entry holds besides the derived text */
interface Indexed {
  question: string
  comment?: string | undefined
}

interface BodyRow {
  seq: number
  question: string
  steps: string
  first_state: string | null
  comment: string
}

export class TextIndex {
  /** chunks run on the event loop after writes (off: the caller drains, e.g. a benchmark timing it) */
  background = true
  /** a search indexes a tail up to this long itself first; longer ones are reported pending */
  searchCatchUp = SEARCH_CATCH_UP
  private scheduled = false
  private readonly statements
  /** false on a schema before 016 (a test of an upgrade opens one): every entry written at once, as before */
  private readonly deferred: boolean

  constructor(private readonly db: Db) {
    this.deferred = db.prepare("SELECT 1 FROM sqlite_schema WHERE name = 'trace_text_state'").get() !== undefined
    this.statements = {
      mark: db.prepare<[], number>(this.deferred ? 'SELECT indexed_through FROM trace_text_state' : `SELECT ${Number.MAX_SAFE_INTEGER}`).pluck(),
      setMark: this.deferred ? db.prepare<[number]>('UPDATE trace_text_state SET indexed_through = ?') : undefined,
      maxSeq: db.prepare<[], number | null>('SELECT max(seq) FROM traces').pluck(),
      // the traces after the mark, counted (seqs have holes: a trace inserted at a chosen seq, deletes):
      // those in the mark's own seq block, then the per-block counts of the blocks after it
      // (trace_seq_blocks, migration 012), so a long tail costs a few rows, not a walk of it
      after: this.deferred
        ? db
            .prepare<{ mark: number }, number>(
              `SELECT (SELECT count(*) FROM traces WHERE seq > @mark AND seq < ((@mark >> ${SEQ_BLOCK_SHIFT}) + 1) << ${SEQ_BLOCK_SHIFT})
                    + (SELECT coalesce(sum(n), 0) FROM trace_seq_blocks WHERE block > @mark >> ${SEQ_BLOCK_SHIFT})`
            )
            .pluck()
        : undefined,
      tail: db.prepare<[number, number], BodyRow>(`SELECT b.seq, b.question, b.steps, ${FIRST_STATE_SQL}, b.comment FROM trace_bodies b WHERE b.seq > ? ORDER BY b.seq LIMIT ?`),
      insert: db.prepare<[number, string, string, string]>('INSERT INTO traces_fts (rowid, question, answer, text) VALUES (?, ?, ?, ?)'),
      delete: db.prepare<[number]>('DELETE FROM traces_fts WHERE rowid = ?')
    }
  }

  /** The seq up to which every trace is in the full-text index. */
  indexedThrough(): number {
    return this.statements.mark.get() ?? 0
  }

  /** The one place a trace's text is written to the index (the reviewer's comment is searched with the step text). */
  write(seq: number, state: Indexed, answer: string | null, text: string): void {
    this.statements.insert.run(seq, state.question, answer ?? '', state.comment ? `${text}\n${state.comment}` : text)
  }

  /** An edit's new text: its old entry replaced, unless the trace is in the tail (the catch-up reads the body then). */
  replace(seq: number, state: Indexed, answer: string | null, text: string): void {
    if (seq > this.indexedThrough()) return
    this.statements.delete.run(seq)
    this.write(seq, state, answer, text)
  }

  /** True when no trace is after `mark` (the mark just read): new traces can be indexed as they are written. */
  caughtUp(mark: number): boolean {
    return (this.statements.maxSeq.get() ?? 0) <= mark
  }

  /** Moves the mark on to `seq`, in the transaction that wrote the entries of every trace up to it (insertRows with `indexText`). */
  markThrough(seq: number): void {
    this.statements.setMark?.run(seq)
  }

  /** Traces not yet in the index: those after the mark, counted. */
  pending(): number {
    return this.statements.after?.get({ mark: this.indexedThrough() }) ?? 0
  }

  /**
   * Indexes up to `limit` traces of the tail in one write transaction (IMMEDIATE: the mark is
   * read under the write lock, so two processes never index a trace twice); returns how many.
   */
  catchUp(limit = TEXT_CHUNK): number {
    return this.db
      .transaction(() => {
        const mark = this.indexedThrough()
        const rows = this.statements.tail.all(mark, limit)
        for (const r of rows) {
          // steps that do not parse (never written so) still leave the question searchable
          const steps = Steps.safeParse(bodyStepsValue(r.steps, r.first_state))
          const derived = deriveColumns(steps.success ? steps.data : [])
          this.write(r.seq, { question: r.question, ...(r.comment ? { comment: r.comment } : {}) }, derived.answer, derived.text)
        }
        // the end of the tail: the mark moves past any deleted traces too
        const next = rows.length < limit ? Math.max(mark, this.statements.maxSeq.get() ?? 0) : (rows.at(-1)?.seq ?? mark)
        if (next !== mark) this.statements.setMark?.run(next)
        return rows.length
      })
      .immediate()
  }

  /** Indexes the whole tail now, chunk by chunk (`onChunk`: how many so far); returns how many traces it indexed. */
  drain(onChunk?: (done: number) => void): number {
    let done = 0
    for (let n = TEXT_CHUNK; n === TEXT_CHUNK; done += n) {
      n = this.catchUp()
      onChunk?.(done + n)
    }
    return done
  }

  /**
   * Before a search: a short tail is indexed now (the search then finds it); returns what stays
   * pending (a long tail, or any on a read-only connection).
   */
  beforeSearch(): number {
    const pending = this.pending()
    if (pending === 0 || this.db.readonly) return pending
    if (pending > this.searchCatchUp) {
      this.schedule()
      return pending
    }
    this.drain()
    return this.pending()
  }

  /** One chunk per turn of the event loop until the tail is indexed (unref'd: a CLI exits when its work is done; the next open resumes). */
  schedule(): void {
    if (this.scheduled || !this.background || this.db.readonly) return
    this.scheduled = true
    setImmediate(() => {
      this.scheduled = false
      if (!this.db.open || !this.background) return
      try {
        if (this.catchUp() === TEXT_CHUNK) this.schedule()
      } catch (error) {
        // e.g. another process held the write lock past the busy timeout: a later write, search or open tries again
        process.stderr.write(`full-text catch-up of ${this.db.name} paused: ${error instanceof Error ? error.message : String(error)}\n`)
      }
    }).unref()
  }
}
