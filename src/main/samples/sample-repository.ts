// Reads and writes samples. JSON columns (choices, cues) are validated on the way out, so a
// hand-edited or corrupted row surfaces as a clear error instead of bad data in the UI.
import { z } from 'zod'
import { SampleState, StudioError, VisualCue, type MediaRef, type Sample, type SampleKind, type SamplePage, type SampleRevision, type SampleSummary } from '../../shared/contract'
import type { Db } from '../store/database'
import { normalizeFlags } from '../traces/trace-rows'

export type NewSample = Omit<Sample, 'createdAt' | 'flags' | 'revision'> & { flags?: string[] }

/** A sample edit: absent fields stay; `choices: null` removes them. */
export interface SamplePatch {
  question?: string | undefined
  answer?: string | undefined
  answerType?: Sample['answerType'] | undefined
  choices?: string[] | null | undefined
  flags?: string[] | undefined
}

/** A samples row as SQLite returns it (JSON columns still text). */
export interface SampleRow {
  seq: number
  id: string
  kind: SampleKind
  question: string
  answer: string
  answer_type: Sample['answerType']
  choices: string | null
  source: string
  cues: string
  flags: string
  revision: number
  created_at: string
}

const Cues = z.array(VisualCue)

function sampleWhere(filter: { kind?: SampleKind | undefined; source?: string | undefined }): { where: string; params: Record<string, unknown> } {
  const clauses: string[] = []
  if (filter.kind) clauses.push('s.kind = @kind')
  if (filter.source) clauses.push('s.source = @source')
  return { where: clauses.length ? `WHERE ${clauses.join(' AND ')}` : '', params: { kind: filter.kind, source: filter.source } }
}
const Choices = z.array(z.string())
const Flags = z.array(z.string())

export class SampleRepository {
  /** the statements every insert and read runs, prepared once (an import inserts thousands) */
  private readonly statements

  constructor(private readonly db: Db) {
    this.statements = {
      insert: db.prepare(
        `INSERT INTO samples (id, kind, question, answer, answer_type, choices, source, cues, flags, created_at)
         VALUES (@id, @kind, @question, @answer, @answerType, @choices, @source, @cues, @flags, @createdAt)`
      ),
      link: db.prepare('INSERT INTO sample_media (sample_seq, position, media_hash) VALUES (?, ?, ?)'),
      exists: db.prepare<[string], { one: number }>('SELECT 1 AS one FROM samples WHERE id = ?'),
      // json_each outside, the id index probed for each: never a scan of the table
      existing: db.prepare<[string], string>('SELECT s.id FROM json_each(?) j CROSS JOIN samples s ON s.id = j.value').pluck(),
      byId: db.prepare<[string], SampleRow>('SELECT * FROM samples WHERE id = ?'),
      media: db.prepare<[number], MediaRef>(
        `SELECT m.hash, m.mime, m.width, m.height FROM sample_media sm JOIN media m ON m.hash = sm.media_hash
         WHERE sm.sample_seq = ? ORDER BY sm.position`
      )
    }
  }

  insert(sample: NewSample): void {
    this.insertMany([sample])
  }

  /**
   * Adds samples in ONE transaction (an import writes a batch of records this way): all or
   * nothing, and no savepoint per sample when the caller's transaction already holds them.
   * Returns their seqs, in order (a trace import names them in its traces' rows).
   */
  insertMany(samples: readonly NewSample[]): number[] {
    for (const sample of samples) {
      const mediaCount = sample.media.length
      for (const cue of sample.cues) {
        if (cue.kind === 'bbox' && cue.imageIndex >= mediaCount) {
          throw new StudioError('invalid_input', `sample ${sample.id}: cue targets image ${cue.imageIndex} but the sample has ${mediaCount}`)
        }
        if (cue.kind === 'frames' && cue.frames.some((f) => f >= mediaCount)) {
          throw new StudioError('invalid_input', `sample ${sample.id}: cue selects a frame beyond the ${mediaCount} frames of the video`)
        }
      }
    }
    const createdAt = new Date().toISOString()
    const seqs: number[] = []
    this.db.transaction(() => {
      for (const sample of samples) {
        const { lastInsertRowid } = this.statements.insert.run({
          id: sample.id,
          kind: sample.kind,
          question: sample.question,
          answer: sample.answer,
          answerType: sample.answerType,
          choices: sample.choices ? JSON.stringify(sample.choices) : null,
          source: sample.source,
          cues: JSON.stringify(sample.cues),
          flags: JSON.stringify(normalizeFlags(sample.flags ?? [])),
          createdAt
        })
        sample.media.forEach((m, i) => this.statements.link.run(lastInsertRowid, i, m.hash))
        seqs.push(Number(lastInsertRowid))
      }
    })()
    return seqs
  }

  /** Which of `ids` are samples already (one statement for a whole batch of lookups). */
  existing(ids: readonly string[]): Set<string> {
    return new Set(this.statements.existing.all(JSON.stringify(ids)))
  }

  exists(id: string): boolean {
    return this.statements.exists.get(id) !== undefined
  }

  count(kind?: SampleKind, source?: string): number {
    const { where, params } = sampleWhere({ kind, source })
    return this.db.prepare<Record<string, unknown>, { n: number }>(`SELECT count(*) AS n FROM samples s ${where}`).get(params)?.n ?? 0
  }

  /** Every sample source with its size, by name (the Evaluate screen lists suites this way). */
  sources(): Array<{ source: string; count: number }> {
    return this.db.prepare<[], { source: string; count: number }>('SELECT source, count(*) AS count FROM samples GROUP BY source ORDER BY source').all()
  }

  /** Ids of every sample matching a filter, in insertion order (batch inference walks a set this way). */
  ids(filter: { kind?: SampleKind | undefined; source?: string | undefined }): string[] {
    const { where, params } = sampleWhere(filter)
    return this.db.prepare<Record<string, unknown>, { id: string }>(`SELECT s.id FROM samples s ${where} ORDER BY s.seq`).all(params).map((r) => r.id)
  }

  /** Ids of every sample from one source, in insertion order (eval runs walk a suite this way). */
  idsBySource(source: string): string[] {
    return this.db.prepare<[string], { id: string }>('SELECT id FROM samples WHERE source = ? ORDER BY seq').all(source).map((r) => r.id)
  }

  list(page: { offset: number; limit: number; kind?: SampleKind | undefined; source?: string | undefined }): SamplePage {
    const { where, params } = sampleWhere(page)
    const rows = this.db
      .prepare<Record<string, unknown>, SampleRow & { media_count: number; thumb_hash: string; thumb_mime: MediaRef['mime']; thumb_width: number; thumb_height: number }>(
        `SELECT s.*, (SELECT count(*) FROM sample_media sm WHERE sm.sample_seq = s.seq) AS media_count,
                m.hash AS thumb_hash, m.mime AS thumb_mime, m.width AS thumb_width, m.height AS thumb_height
         FROM samples s
         JOIN sample_media first ON first.sample_seq = s.seq AND first.position = 0
         JOIN media m ON m.hash = first.media_hash
         ${where}
         ORDER BY s.seq LIMIT @limit OFFSET @offset`
      )
      .all({ ...params, limit: page.limit, offset: page.offset })
    const items: SampleSummary[] = rows.map((r) => ({
      id: r.id,
      kind: r.kind,
      question: r.question,
      answer: r.answer,
      source: r.source,
      thumb: { hash: r.thumb_hash, mime: r.thumb_mime, width: r.thumb_width, height: r.thumb_height },
      mediaCount: r.media_count,
      cueCount: this.parseJson(r, 'cues', r.cues, Cues).length
    }))
    return { total: this.count(page.kind, page.source), items }
  }

  get(id: string): Sample {
    const row = this.statements.byId.get(id)
    if (!row) throw new StudioError('not_found', `no sample with id "${id}"`)
    const media = this.statements.media.all(row.seq)
    return {
      id: row.id,
      kind: row.kind,
      question: row.question,
      answer: row.answer,
      answerType: row.answer_type,
      ...(row.choices !== null ? { choices: this.parseJson(row, 'choices', row.choices, Choices) } : {}),
      source: row.source,
      media,
      cues: this.parseJson(row, 'cues', row.cues, Cues),
      flags: this.parseJson(row, 'flags', row.flags, Flags),
      revision: row.revision,
      createdAt: row.created_at
    }
  }

  /**
   * Edits a sample as a new revision, if `expectedRevision` is still the current one. The first
   * edit stores the original as revision 1, so it can always be restored. Traces read the gold
   * answer from here, so their answer check follows at once.
   */
  update(id: string, patch: SamplePatch, expectedRevision: number, author: string, action: string): Sample {
    this.db.transaction(() => {
      const row = this.row(id, expectedRevision, action)
      const current = this.stateOf(row)
      const choices = patch.choices === null ? undefined : (patch.choices ?? current.choices)
      const next = SampleState.parse({
        question: patch.question ?? current.question,
        answer: patch.answer ?? current.answer,
        answerType: patch.answerType ?? current.answerType,
        ...(choices ? { choices } : {}),
        flags: normalizeFlags(patch.flags ?? current.flags)
      })
      if (JSON.stringify(next) !== JSON.stringify(current)) this.writeState(row, current, next, author, action)
    })()
    return this.get(id)
  }

  /** Undo/redo/restore: a new revision whose state is that of `revision`. */
  restore(id: string, revision: number, expectedRevision: number, author: string, action: string): Sample {
    this.db.transaction(() => {
      const row = this.row(id, expectedRevision, action)
      const found = this.db.prepare<[number, number], { state: string }>('SELECT state FROM sample_revisions WHERE sample_seq = ? AND revision = ?').get(row.seq, revision)
      if (!found) throw new StudioError('not_found', `sample ${id} has no revision ${revision}`)
      this.writeState(row, this.stateOf(row), this.parseJson(row, 'state', found.state, SampleState), author, `${action} to r${revision}`)
    })()
    return this.get(id)
  }

  revisions(id: string): SampleRevision[] {
    const row = this.row(id)
    const stored = this.db
      .prepare<[number], { revision: number; author: string; action: string; at: string; state: string }>('SELECT revision, author, action, at, state FROM sample_revisions WHERE sample_seq = ? ORDER BY revision')
      .all(row.seq)
      .map((r) => ({ ...r, state: this.parseJson(row, 'state', r.state, SampleState) }))
    // never edited: the original is the only revision, and it is the row itself
    return stored.length ? stored : [{ revision: 1, author: 'import', action: 'original', at: row.created_at, state: this.stateOf(row) }]
  }

  private row(id: string, expectedRevision?: number, action = 'edit'): SampleRow {
    const row = this.db.prepare<[string], SampleRow>('SELECT * FROM samples WHERE id = ?').get(id)
    if (!row) throw new StudioError('not_found', `no sample with id "${id}"`)
    if (expectedRevision !== undefined && row.revision !== expectedRevision) {
      throw new StudioError('conflict', `sample ${id} is at revision ${row.revision}, not ${expectedRevision}: it changed since you loaded it; reload before you ${action}`)
    }
    return row
  }

  private stateOf(row: SampleRow): SampleState {
    return {
      question: row.question,
      answer: row.answer,
      answerType: row.answer_type,
      ...(row.choices !== null ? { choices: this.parseJson(row, 'choices', row.choices, Choices) } : {}),
      flags: this.parseJson(row, 'flags', row.flags, Flags)
    }
  }

  private writeState(row: SampleRow, current: SampleState, next: SampleState, author: string, action: string): void {
    const at = new Date().toISOString()
    const insert = this.db.prepare('INSERT INTO sample_revisions (sample_seq, revision, author, action, at, state) VALUES (?, ?, ?, ?, ?, ?)')
    if (row.revision === 1) insert.run(row.seq, 1, 'import', 'original', row.created_at, JSON.stringify(current))
    const revision = row.revision + 1
    this.db
      .prepare('UPDATE samples SET question = ?, answer = ?, answer_type = ?, choices = ?, flags = ?, revision = ? WHERE seq = ?')
      .run(next.question, next.answer, next.answerType, next.choices ? JSON.stringify(next.choices) : null, JSON.stringify(next.flags), revision, row.seq)
    insert.run(row.seq, revision, author, action, at, JSON.stringify(next))
  }

  private parseJson<T>(row: SampleRow, column: string, text: string, schema: z.ZodType<T>): T {
    let value: unknown
    try {
      value = JSON.parse(text)
    } catch {
      throw new StudioError('internal', `sample ${row.id}: column ${column} is not valid JSON`)
    }
    const parsed = schema.safeParse(value)
    if (!parsed.success) throw new StudioError('internal', `sample ${row.id}: column ${column} does not match its schema`)
    return parsed.data
  }
}
