// Trace lists at scale (issue 15), on a real SQLite file: every filter x sort x direction is an
// index walk (its EXPLAIN QUERY PLAN never sorts the table), keyset pages by cursor give exactly
// the rows a full read gives, and the facet counters (by source too, migration 013) stay equal to
// a full recount after accepts, rejects, edits, undo, bulk UPDATEs, bulk changes (traces.bulk)
// with undo and redo, imports, and deletes and source changes.
import { join } from 'node:path'
import { beforeAll, describe, expect, it } from 'vitest'
import type { TraceFilter, TraceOrigin, TraceStatus } from '../../src/shared/contract'
import type { Step } from '../../src/shared/toolcall'
import { Project } from '../../src/main/project/project'
import { addSampleData } from '../../src/main/project/sample-data'
import { FACETS_MOVED_SQL } from '../../src/main/traces/bulk-changes'
import { facetSql, facetsAnswer, jobTracesSql, pageSql, SEARCH_CAP, searchWalk, type Params, type SearchWalk, type Sort } from '../../src/main/traces/trace-query'
import type { NewTrace } from '../../src/main/traces/trace-rows'
import { tempDir } from '../helpers/temp'

const root = tempDir()
let project: Project
let snapshotId = ''
const STATUSES: TraceStatus[] = ['unreviewed', 'accepted', 'rejected', 'needs_fix']
const ORIGINS: TraceOrigin[] = ['synthesized', 'human', 'inference', 'rollout', 'imported']
const WORDS = ['zoom', 'sign', 'digit', 'red', 'clock', 'window']
/** the sample data's source and two more (samples copied from it), so traces come from three */
const SOURCES = ['generated:sample-project', 'plans:a', 'plans:b']

function stepsOf(i: number): Step[] {
  const answer: Step = { kind: 'answer', text: `It reads ${i % 10}. \\boxed{${i % 10}}`, boxed: String(i % 10) }
  const thought: Step = { kind: 'thought', text: `${WORDS[i % WORDS.length]} ${WORDS[(i * 7) % WORDS.length]} near the ${i % 13 === 0 ? 'zephyr' : 'edge'}` }
  if (i % 5 === 0) return [answer]
  if (i % 5 === 1) return [thought, { kind: 'select_frames', frames: [1, 2] }, answer]
  if (i % 5 === 2) return [thought, { kind: 'crop', toolName: 'crop_image_normalized', targetImage: 1, bbox: [0.1, 0.1, 0.5, 0.5], bboxUnits: 'normalized' }, { kind: 'select_frames', frames: [3] }, answer]
  return [thought, { kind: 'crop', toolName: 'crop_image_normalized', targetImage: 1, bbox: [0.2, 0.2, 0.6, 0.6], bboxUnits: 'normalized' }, answer]
}

function makeTraces(from: number, count: number, sampleIds: string[]): NewTrace[] {
  return Array.from({ length: count }, (_, k) => {
    const i = from + k
    return {
      id: `plan-${i}`,
      sampleId: sampleIds[i % sampleIds.length] as string,
      origin: ORIGINS[(i * 3) % ORIGINS.length] as TraceOrigin,
      status: STATUSES[i % STATUSES.length] as TraceStatus,
      question: `What does the sign say? ${i}`,
      steps: stepsOf(i),
      flags: i % 9 === 0 ? ['hard'] : []
    }
  })
}

/** A copy of a sample (its media) under another id and source. */
function copySample(from: string, id: string, source: string): void {
  const { createdAt, flags, revision, ...sample } = project.samples.get(from)
  void [createdAt, flags, revision]
  project.samples.insert({ ...sample, id, source })
}

/** The counts by a full read of the table (what the counters must always equal). */
function recount(filter: TraceFilter = {}): { total: number; byStatus: Record<string, number>; byOrigin: Record<string, number> } {
  const byStatus: Record<string, number> = { unreviewed: 0, accepted: 0, rejected: 0, needs_fix: 0 }
  const byOrigin: Record<string, number> = { synthesized: 0, human: 0, inference: 0, rollout: 0, imported: 0 }
  let total = 0
  const rows = project.db
    .prepare<[], { status: string; origin: string; crops: number; frames: number; source: string }>(
      'SELECT t.status, t.origin, t.crops, t.frame_selections AS frames, s.source FROM traces t NOT INDEXED JOIN samples s NOT INDEXED ON s.seq = t.sample_seq'
    )
    .all()
  for (const r of rows) {
    if (filter.source !== undefined && r.source !== filter.source) continue
    if (filter.status && !filter.status.includes(r.status as TraceStatus)) continue
    if (filter.origin && !filter.origin.includes(r.origin as TraceOrigin)) continue
    const op = filter.operation
    if (op === 'any' && r.crops + r.frames === 0) continue
    if (op === 'none' && r.crops + r.frames > 0) continue
    if (op === 'crop' && r.crops === 0) continue
    if (op === 'select_frames' && r.frames === 0) continue
    total++
    byStatus[r.status]!++
    byOrigin[r.origin]!++
  }
  return { total, byStatus, byOrigin }
}

const FILTERS: TraceFilter[] = [{}, { status: ['accepted'] }, { origin: ['human', 'rollout'] }, { operation: 'none' }, { operation: 'crop', status: ['needs_fix'] }, { operation: 'select_frames' }, { operation: 'any' }]

function expectCountsExact(): void {
  // each filter alone and with each source (a source the counters have no row of counts 0)
  for (const source of [undefined, ...SOURCES, 'plans:none']) {
    for (const base of [...FILTERS, { status: ['rejected', 'needs_fix'], origin: ['imported'], operation: 'any' } satisfies TraceFilter]) {
      const filter: TraceFilter = source === undefined ? base : { ...base, source }
      expect({ filter, ...project.traces.counts(filter) }).toEqual({ filter, ...recount(filter), estimate: false })
    }
  }
  // the counters themselves, row by row, equal a grouped recount (zero rows may stay)
  const counters = project.db.prepare('SELECT source, status, origin, op, n FROM trace_facets WHERE n != 0 ORDER BY 1, 2, 3, 4').all()
  const grouped = project.db
    .prepare(
      `SELECT s.source, t.status, t.origin, (t.crops > 0) + 2 * (t.frame_selections > 0) AS op, count(*) AS n
       FROM traces t NOT INDEXED JOIN samples s NOT INDEXED ON s.seq = t.sample_seq GROUP BY 1, 2, 3, 4 ORDER BY 1, 2, 3, 4`
    )
    .all()
  expect(counters).toEqual(grouped)
}

beforeAll(async () => {
  project = Project.create(join(root, 'plans'))
  await addSampleData(project)
  const first = project.samples.list({ offset: 0, limit: 1 }).items[0]!.id
  copySample(first, 'plans-a-1', 'plans:a')
  copySample(first, 'plans-a-2', 'plans:a')
  copySample(first, 'plans-b-1', 'plans:b')
  const sampleIds = project.samples.list({ offset: 0, limit: 100 }).items.map((s) => s.id)
  project.traces.insertMany(makeTraces(0, 400, sampleIds), 'test')
  // a spread of update times: edits of some traces after the insert
  for (let i = 0; i < 400; i += 7) {
    const t = project.traces.get(`plan-${i}`)
    project.traces.update(t.id, { status: STATUSES[(i + 1) % 4] }, t.revision, 'human', 'review')
  }
  snapshotId = project.snapshots.create('half', { status: ['accepted'] }).id
})

/** Filters to check: each filter alone (one value and several), and a few combinations. */
function filters(): TraceFilter[] {
  const sample = project.samples.list({ offset: 0, limit: 1 }).items[0]!
  return [
    {},
    { status: ['needs_fix'] },
    { status: ['accepted', 'rejected'] },
    { origin: ['human'] },
    { origin: ['human', 'inference'] },
    { operation: 'any' },
    { operation: 'none' },
    { operation: 'crop' },
    { operation: 'select_frames' },
    { flag: 'hard' },
    { source: sample.source },
    { sampleId: sample.id },
    { snapshotId },
    { query: 'zoom' },
    { query: 'zephyr' },
    { query: 'dig*' },
    { status: ['needs_fix'], operation: 'crop', source: sample.source },
    { origin: ['human'], flag: 'hard' },
    { query: 'sign', status: ['accepted'] },
    { query: 'clock', operation: 'none', origin: ['synthesized', 'human'] },
    // statuses with filters whose own indexes do not hold status (migration 011)
    { status: ['accepted', 'rejected'], origin: ['human'], operation: 'crop' },
    { status: ['needs_fix'], origin: ['rollout'] }
  ]
}

function plan(sql: string, params: Params): string[] {
  return project.db
    .prepare<Params, { detail: string }>(`EXPLAIN QUERY PLAN ${sql}`)
    .all(params)
    .map((r) => r.detail)
}

describe('trace list plans', () => {
  it('walks an index for every filter, sort and direction, and never sorts the table', () => {
    let checked = 0
    for (const filter of filters()) {
      for (const sort of ['created', 'updated'] as Sort[]) {
        for (const descending of [false, true]) {
          for (const cursor of [undefined, sort === 'updated' ? { seq: 200, updated: '2000-01-01T00:00:00.000Z' } : { seq: 200 }]) {
            for (const walk of filter.query !== undefined && sort === 'updated' ? (['sort', 'probe', 'set'] as const) : [undefined]) {
              const params: Params = { limit: 101, offset: 0 }
              const sql = pageSql({ filter, sort, descending, cursor, ...(walk === undefined ? {} : { searchWalk: walk }) }, params)
              const lines = plan(sql, params)
              const where = `${JSON.stringify({ filter, sort, descending, cursor, walk })}: ${lines.join(' | ')}`
              // every read of traces is a covering index (never a wide row), but one sample's traces
              if (filter.sampleId === undefined) expect(lines.filter((l) => /^(SCAN|SEARCH) t\b/.test(l) && !/COVERING INDEX/.test(l)), where).toEqual([])
              else expect(lines.filter((l) => /^SCAN t\b/.test(l) && !/INDEX/.test(l)), where).toEqual([])
              // sorting is allowed only where the rows are few by construction: one sample's
              // traces, or a search known to have at most SEARCH_CAP hits
              const bounded = filter.sampleId !== undefined || walk === 'sort'
              if (!bounded) expect(lines.filter((l) => l.includes('TEMP B-TREE')), where).toEqual([])
              checked++
            }
          }
        }
      }
    }
    expect(checked).toBeGreaterThan(150)
  })

  it('pages by cursor, both ways, to exactly the rows a full read gives, at any depth', () => {
    for (const filter of filters()) {
      for (const sort of ['created', 'updated'] as Sort[]) {
        for (const order of ['asc', 'desc'] as const) {
          // the expected order, from a full read
          const rows = project.db
            .prepare<[], { seq: number; id: string; updated: string }>('SELECT seq, id, updated_at AS updated FROM traces NOT INDEXED')
            .all()
          const wanted = new Set(project.traces.seqs(filter).map((r) => r.id))
          const key = (r: { seq: number; updated: string }): string => (sort === 'updated' ? `${r.updated}|${String(r.seq).padStart(12, '0')}` : String(r.seq).padStart(12, '0'))
          const expected = rows
            .filter((r) => wanted.has(r.id))
            .sort((a, b) => (key(a) < key(b) ? -1 : 1) * (order === 'asc' ? 1 : -1))
            .map((r) => r.id)
          const where = JSON.stringify({ filter, sort, order })
          // forwards by `next`
          const forward: string[] = []
          let page = project.traces.list({ ...filter, sort, order, offset: 0, limit: 17 })
          expect(page.total, where).toBe(expected.length)
          expect(page.prev, where).toBeNull()
          forward.push(...page.items.map((t) => t.id))
          const pages = [page]
          while (page.next) {
            page = project.traces.list({ ...filter, sort, order, after: page.next, offset: 0, limit: 17 })
            forward.push(...page.items.map((t) => t.id))
            pages.push(page)
          }
          expect(forward, where).toEqual(expected)
          // backwards by `prev`, from the last page: each page equals the one seen forwards
          for (let p = pages.length - 1; p > 0; p--) {
            const back = project.traces.list({ ...filter, sort, order, before: pages[p]!.prev!, offset: 0, limit: 17 })
            expect(back.items.map((t) => t.id), where).toEqual(pages[p - 1]!.items.map((t) => t.id))
          }
          // offset (kept for jumps) agrees with the cursor walk
          if (expected.length > 40) expect(project.traces.list({ ...filter, sort, order, offset: 40, limit: 5 }).items.map((t) => t.id), where).toEqual(expected.slice(40, 45))
        }
      }
    }
  })

  it('walks a search with many hits through the update-time index, with the same rows', () => {
    // which walk: few hits sorted; dense plain words probed; sparse or prefix searches as a set
    expect(searchWalk({ hits: 10, last: 500 }, 1, '"zoom"')).toBe('sort')
    expect(searchWalk({ hits: SEARCH_CAP, last: SEARCH_CAP * 2 }, 1, '"zoom"')).toBe('probe')
    expect(searchWalk({ hits: SEARCH_CAP, last: SEARCH_CAP * 2 }, 1, '"zo"*')).toBe('set')
    expect(searchWalk({ hits: SEARCH_CAP, last: SEARCH_CAP * 50 }, 1, '"zephyr"')).toBe('set')
    for (const query of ['zoom', 'zo*']) {
      for (const descending of [false, true]) {
        const run = (walk: SearchWalk): number[] => {
          const params: Params = { limit: 1000, offset: 0 }
          return project.db
            .prepare<Params, { seq: number }>(pageSql({ filter: { query, origin: ['human', 'rollout'] }, sort: 'updated', descending, cursor: undefined, searchWalk: walk }, params))
            .all(params)
            .map((r) => r.seq)
        }
        expect(run('probe')).toEqual(run('sort'))
        expect(run('set')).toEqual(run('sort'))
        expect(run('set').length).toBeGreaterThan(10)
      }
    }
  })

  it('jumps deep into the whole list through the seq block counts, to the rows a full read gives, also after deletes', async () => {
    const big = Project.create(join(root, 'blocks'))
    await addSampleData(big)
    const sampleIds = big.samples.list({ offset: 0, limit: 100 }).items.map((s) => s.id)
    for (let from = 0; from < 13_000; from += 5000) big.traces.insertMany(makeTraces(from, Math.min(5000, 13_000 - from), sampleIds), 'test')
    // holes: a whole block's worth of traces in the middle, and a few here and there
    big.db.prepare('DELETE FROM traces WHERE seq BETWEEN 4000 AND 8300 OR seq % 97 = 0').run()
    const blocks = big.db.prepare('SELECT block, n FROM trace_seq_blocks WHERE n > 0 ORDER BY block').all()
    expect(blocks).toEqual(big.db.prepare('SELECT seq >> 12 AS block, count(*) AS n FROM traces GROUP BY 1 ORDER BY 1').all())
    const all = big.db.prepare<[], { id: string }>('SELECT id FROM traces ORDER BY seq').all().map((r) => r.id)
    for (const order of ['asc', 'desc'] as const) {
      const expected = order === 'asc' ? all : [...all].reverse()
      for (const offset of [0, 1999, 2000, 3999, 4000, 4001, 5000, 7000, expected.length - 3, expected.length - 1, expected.length, expected.length + 10]) {
        const page = big.traces.list({ sort: 'created', order, offset, limit: 5 })
        expect(page.items.map((t) => t.id), `${order} ${offset}`).toEqual(expected.slice(offset, offset + 5))
        expect(page.total).toBe(expected.length)
        // the page goes on by cursor from there, and back to the rows before it
        if (page.next) expect(big.traces.list({ sort: 'created', order, after: page.next, offset: 0, limit: 3 }).items.map((t) => t.id)).toEqual(expected.slice(offset + 5, offset + 8))
        if (page.prev && offset > 0) expect(big.traces.list({ sort: 'created', order, before: page.prev, offset: 0, limit: 2 }).items.map((t) => t.id)).toEqual(expected.slice(Math.max(0, offset - 2), offset))
      }
    }
    big.close()
  })

  it('finds the traces a job wrote through the job index, not a scan of the bodies', () => {
    const lines = plan(`SELECT count(*) ${jobTracesSql('rollout')}`, { jobId: 'training-x' })
    expect(lines.join(' | ')).toMatch(/SEARCH b USING COVERING INDEX trace_bodies_job/)
    expect(lines.filter((l) => l.startsWith('SCAN')), lines.join(' | ')).toEqual([])
  })

  it('refuses a cursor of another sort', () => {
    const page = project.traces.list({ sort: 'created', order: 'asc', offset: 0, limit: 5 })
    expect(() => project.traces.list({ sort: 'updated', order: 'asc', after: page.next!, offset: 0, limit: 5 })).toThrow(/not a cursor/)
  })
})

describe('facet counts', () => {
  it('stay equal to a full recount, by source too, after accept, reject, edits, undo, bulk updates, bulk changes and their undo, imports, deletes and source changes', () => {
    expectCountsExact()
    // accept and reject one trace, then undo it
    const t = project.traces.get('plan-3')
    const accepted = project.traces.update(t.id, { status: 'accepted' }, t.revision, 'human', 'accept')
    const rejected = project.traces.update(t.id, { status: 'rejected' }, accepted.revision, 'human', 'reject')
    expectCountsExact()
    project.traces.restore(t.id, t.revision, rejected.revision, 'human', 'undo')
    expectCountsExact()
    // an edit that removes every operation moves it between operation facets
    const edited = project.traces.get('plan-4')
    project.traces.update(edited.id, { steps: [{ kind: 'answer', text: '\\boxed{4}', boxed: '4' }] }, edited.revision, 'human', 'edit')
    expectCountsExact()
    // a bulk change in one statement (what a bulk action does)
    project.db.prepare("UPDATE traces SET status = 'accepted' WHERE status = 'needs_fix' AND crops > 0").run()
    project.db.prepare("UPDATE traces SET origin = 'imported', status = 'rejected' WHERE seq % 3 = 0").run()
    expectCountsExact()
    // traces.bulk (migration 009): the per-row trigger is skipped and the counters are moved once
    // per change, grouped by status, origin and operation; accept, undo, redo, a status set per
    // trace (undo of a mixed selection) and a flag
    const accept = project.bulk.apply({ status: ['unreviewed', 'needs_fix'], operation: 'any' }, { type: 'status', status: 'accepted' }, { author: 'human' })
    expect(accept.changed).toBeGreaterThan(50)
    expectCountsExact()
    // one trace of the change edited since: undo skips it
    const one = project.db.prepare<[string], { id: string }>('SELECT t.id FROM bulk_change_items i JOIN bulk_changes b ON b.seq = i.bulk_seq JOIN traces t ON t.seq = i.trace_seq WHERE b.id = ? LIMIT 1').get(accept.id)
    const moved = project.traces.get(one!.id)
    project.traces.update(moved.id, { status: 'needs_fix' }, moved.revision, 'human', 'review')
    expectCountsExact()
    expect(project.bulk.revert(accept.id, 'undo', 'human').skipped).toBe(1)
    expectCountsExact()
    project.bulk.revert(accept.id, 'redo', 'human')
    expectCountsExact()
    const reject = project.bulk.apply({ origin: ['human', 'rollout'] }, { type: 'status', status: 'rejected' }, { author: 'human' })
    project.bulk.revert(reject.id, 'undo', 'human')
    expectCountsExact()
    const flagged = project.bulk.apply({ operation: 'crop' }, { type: 'addFlag', flag: 'bulk-check' }, { author: 'human' })
    expect(project.traces.count({ flag: 'bulk-check' })).toBe(flagged.changed)
    expectCountsExact()
    // the flag that skips the trigger is set only inside a bulk write's transaction
    expect(project.db.prepare('SELECT active FROM bulk_writing').get()).toEqual({ active: 0 })
    // an import: many traces in one transaction, and one that fails (nothing of it counted)
    const sampleIds = project.samples.list({ offset: 0, limit: 100 }).items.map((s) => s.id)
    project.traces.insertMany(makeTraces(1000, 250, sampleIds), 'import')
    expect(() => project.traces.insertMany([...makeTraces(2000, 3, sampleIds), ...makeTraces(1000, 1, sampleIds)], 'import')).toThrow(/already exists/)
    expectCountsExact()
    // no studio path moves a trace to another sample, edits a sample's source or deletes, but
    // the triggers keep the counters exact for whoever does (migration 013)
    project.db.prepare("UPDATE traces SET sample_seq = (SELECT seq FROM samples WHERE id = 'plans-b-1') WHERE id IN ('plan-1001', 'plan-1002', 'plan-1003')").run()
    expectCountsExact()
    project.db.prepare("UPDATE samples SET source = 'plans:b' WHERE id = 'plans-a-2'").run()
    expectCountsExact()
    project.db.prepare("DELETE FROM traces WHERE id IN ('plan-1004', 'plan-1005')").run()
    expectCountsExact()
    copySample('plans-a-1', 'plans-gone', 'plans:gone')
    project.traces.insertMany(makeTraces(3000, 20, ['plans-gone']), 'import')
    expect(project.traces.count({ source: 'plans:gone' })).toBe(20)
    project.db.prepare("DELETE FROM samples WHERE id = 'plans-gone'").run()
    expect(project.traces.count({ source: 'plans:gone' })).toBe(0)
    expectCountsExact()
  })

  it('finds a sample whose traces lie in several seq blocks through the block-keyed sample index (migration 015), and its triggers too', () => {
    // a project whose seqs went past 2^16 and 3 * 2^16: a trace row at a high seq, written and
    // counted as insertMany writes one, moves the next seqs there (it is deleted after them)
    copySample('plans-a-1', 'plans-blocks', 'plans:blocks')
    const sampleSeq = project.db.prepare<[], { seq: number }>("SELECT seq FROM samples WHERE id = 'plans-blocks'").get()!.seq
    const jump = (seq: number): (() => void) => {
      project.db.transaction(() => {
        project.db.prepare("INSERT INTO traces (seq, id, sample_seq, origin, status, revision, created_at, updated_at) VALUES (?, ?, ?, 'human', 'unreviewed', 1, '', '')").run(seq, `gap-${seq}`, sampleSeq)
        project.db.prepare("INSERT INTO trace_facets (source, status, origin, op, n) VALUES ('plans:blocks', 'unreviewed', 'human', 0, 1) ON CONFLICT DO UPDATE SET n = n + 1").run()
        project.db.prepare('INSERT INTO trace_seq_blocks (block, n) VALUES (? >> 12, 1) ON CONFLICT DO UPDATE SET n = n + 1').run(seq)
      })()
      return () => project.db.prepare('DELETE FROM traces WHERE seq = ?').run(seq)
    }
    project.traces.insertMany(makeTraces(4900, 3, ['plans-blocks']), 'import')
    const gap1 = jump(65_536 + 10)
    project.traces.insertMany(makeTraces(5000, 7, ['plans-blocks', 'plans-b-1']), 'import')
    const gap2 = jump(3 * 65_536 + 99)
    project.traces.insertMany(makeTraces(5100, 5, ['plans-blocks']), 'import')
    gap1()
    gap2()
    const seqs = project.db.prepare<[], { seq: number }>("SELECT t.seq FROM traces t NOT INDEXED JOIN samples s ON s.seq = t.sample_seq WHERE s.id = 'plans-blocks' ORDER BY t.seq").all().map((r) => r.seq)
    expect(new Set(seqs.map((s) => s >> 16))).toEqual(new Set([0, 1, 3]))
    expect(seqs.length).toBe(3 + 4 + 5)
    for (const order of ['asc', 'desc'] as const) {
      const page = project.traces.list({ sampleId: 'plans-blocks', sort: 'created', order, offset: 0, limit: 500 })
      const expected = project.db.prepare<[], { id: string }>(`SELECT id FROM traces NOT INDEXED WHERE seq IN (${seqs.join(',')}) ORDER BY seq ${order}`).all().map((r) => r.id)
      expect(page.items.map((t) => t.id)).toEqual(expected)
      expect(page.total).toBe(seqs.length)
    }
    expect(project.traces.counts({ sampleId: 'plans-blocks', status: ['unreviewed', 'accepted'] }).total).toBe(project.db.prepare<[], { n: number }>(`SELECT count(*) AS n FROM traces NOT INDEXED WHERE seq IN (${seqs.join(',')}) AND status IN ('unreviewed', 'accepted')`).get()!.n)
    const params: Params = { limit: 101, offset: 0 }
    expect(plan(pageSql({ filter: { sampleId: 'plans-blocks' }, sort: 'created', descending: false, cursor: undefined }, params), params).join(' | ')).toMatch(/SEARCH t USING COVERING INDEX traces_sample \(<expr>=\? AND sample_seq=\?\)/)
    // the sample triggers find the traces in every block: a source change moves their counts, a delete deletes them
    project.db.prepare("UPDATE samples SET source = 'plans:moved' WHERE id = 'plans-blocks'").run()
    expect(project.traces.count({ source: 'plans:moved' })).toBe(seqs.length)
    expectCountsExact()
    project.db.prepare("DELETE FROM samples WHERE id = 'plans-blocks'").run()
    expect(project.db.prepare(`SELECT count(*) AS n FROM traces NOT INDEXED WHERE seq IN (${seqs.join(',')})`).get()).toEqual({ n: 0 })
    expectCountsExact()
  })

  it('answers a source filter, alone or with status, origin and operation, from the counters', () => {
    const filter: TraceFilter = { source: 'plans:a', status: ['accepted', 'rejected'], origin: ['human'], operation: 'crop' }
    expect(facetsAnswer(filter)).toBe(true)
    expect(facetsAnswer({ source: 'plans:a', flag: 'hard' })).toBe(false)
    const params: Params = {}
    const lines = plan(facetSql(filter, params), params)
    expect(lines.join(' | ')).toMatch(/SEARCH trace_facets USING PRIMARY KEY \(source=\?/)
    expect(lines.filter((l) => /\btraces\b/.test(l)), lines.join(' | ')).toEqual([])
  })

  it('moves the counters of a bulk change by one lookup per selected trace, never a walk of every trace', () => {
    const lines = plan(FACETS_MOVED_SQL, {})
    expect(lines.join(' | ')).toMatch(/SEARCH t USING COVERING INDEX traces_list \(seq=\?\)/)
    expect(lines.filter((l) => /^SCAN t\b/.test(l)), lines.join(' | ')).toEqual([])
  })

  it('counts a search exactly up to the cap and marks an extrapolation beyond it as an estimate', () => {
    const zoom = project.traces.counts({ query: 'zoom' })
    expect(zoom.estimate).toBe(false)
    expect(zoom.total).toBe(project.traces.seqs({ query: 'zoom' }).length)
    expect(SEARCH_CAP).toBeGreaterThan(zoom.total)
    // a list's total is the same number, for a search alone (read from its hit probe) and with a filter
    for (const filter of [{ query: 'zoom' }, { query: 'zoom', status: ['unreviewed' as const] }]) {
      const page = project.traces.list({ ...filter, sort: 'created', order: 'asc', offset: 0, limit: 10 })
      const counts = project.traces.counts(filter)
      expect({ total: page.total, estimate: page.estimate }).toEqual({ total: counts.total, estimate: counts.estimate })
    }
  })
})
