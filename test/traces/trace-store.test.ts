// The trace store on a real SQLite file with real media: revisions, optimistic writes, undo,
// filters, full-text search, crops computed by pixel-ops, immutable snapshots, the compact
// revisions of bulk changes, and the schema upgrade from version 1.
import { createHash } from 'node:crypto'
import { join } from 'node:path'
import { mkdirSync } from 'node:fs'
import Database from 'better-sqlite3'
import sharp from 'sharp'
import { beforeAll, describe, expect, it } from 'vitest'
import type { Sample, TraceState } from '../../src/shared/contract'
import type { Step } from '../../src/shared/toolcall'
import { MediaStore } from '../../src/main/media/media-store'
import { Project } from '../../src/main/project/project'
import { addSampleData } from '../../src/main/project/sample-data'
import { openDatabase, schemaVersion } from '../../src/main/store/database'
import { migrations } from '../../src/main/store/migrations'
import { materializeObservations } from '../../src/main/traces/materialize'
import { toFtsQuery } from '../../src/main/traces/trace-columns'
import { tempDir } from '../helpers/temp'

const root = tempDir()
let project: Project
let image: Sample
let video: Sample

function cueBox(sample: Sample): [number, number, number, number] {
  const cue = sample.cues.find((c) => c.kind === 'bbox')
  if (!cue || cue.kind !== 'bbox') throw new Error('sample has no box')
  return cue.bbox
}

function zoomSteps(bbox: [number, number, number, number], answer: string): Step[] {
  return [
    { kind: 'thought', text: 'A small sign sits in the scene. Now I will zoom in to look clearer at the sign.' },
    { kind: 'crop', toolName: 'crop_image_normalized', targetImage: 1, bbox, bboxUnits: 'normalized' },
    { kind: 'thought', text: 'The crop shows the digits clearly.' },
    { kind: 'answer', text: `The sign reads ${answer}. \\boxed{${answer}}`, boxed: answer }
  ]
}

beforeAll(async () => {
  project = Project.create(join(root, 'store'))
  await addSampleData(project)
  image = project.samples.get('sample-img-001')
  video = project.samples.get('sample-vid-001')
})

describe('trace revisions', () => {
  it('stores a trace as revision 1, then every change as a new revision that can be undone', async () => {
    const steps = await materializeObservations(project, image, zoomSteps(cueBox(image), image.answer))
    const created = project.traces.insert({ sampleId: image.id, origin: 'synthesized', originDetail: { recipe: 'single_pass', seed: 7 }, question: image.question, steps }, 'test')
    expect(created).toMatchObject({ revision: 1, status: 'unreviewed', origin: 'synthesized', answer: image.answer, operations: 1, gold: image.answer })
    expect(created.warnings).toEqual([])
    // the crop is a real media row of the project
    const observation = created.steps[2]
    expect(observation?.kind).toBe('observation')
    if (observation?.kind !== 'observation' || observation.result.type !== 'crop' || observation.result.image === undefined) throw new Error('expected a crop observation with its media')
    expect(project.media.get(observation.result.image)).toMatchObject({ width: observation.result.width, height: observation.result.height })

    const accepted = project.traces.update(created.id, { status: 'accepted' }, 1, 'human', 'accept')
    expect(accepted.revision).toBe(2)
    // an edit made against an old revision is refused and writes nothing
    expect(() => project.traces.update(created.id, { status: 'rejected' }, 1, 'human', 'reject')).toThrow(/is at revision 2, not 1/)
    expect(project.traces.get(created.id)).toMatchObject({ revision: 2, status: 'accepted' })
    // a change that changes nothing adds no revision
    expect(project.traces.update(created.id, { status: 'accepted' }, 2, 'human', 'accept').revision).toBe(2)

    const undone = project.traces.restore(created.id, 1, 2, 'human', 'undo')
    expect(undone).toMatchObject({ revision: 3, status: 'unreviewed' })
    const redone = project.traces.restore(created.id, 2, 3, 'human', 'redo')
    expect(redone).toMatchObject({ revision: 4, status: 'accepted' })
    const history = project.traces.revisions(created.id)
    expect(history.map((r) => [r.revision, r.author, r.action, r.state.status])).toEqual([
      [1, 'test', 'create', 'unreviewed'],
      [2, 'human', 'accept', 'accepted'],
      [3, 'human', 'undo to r1', 'unreviewed'],
      [4, 'human', 'redo to r2', 'accepted']
    ])
    expect(() => project.traces.restore(created.id, 9, 4, 'human', 'restore')).toThrow(/has no revision 9/)
  })

  it('recomputes a crop when its box moves, and reports a box too small to crop', async () => {
    const steps = await materializeObservations(project, image, zoomSteps(cueBox(image), image.answer))
    const trace = project.traces.insert({ sampleId: image.id, origin: 'human', question: image.question, steps }, 'human')
    const before = trace.steps[2]
    const moved = trace.steps.map((s): Step => (s.kind === 'crop' ? { ...s, bbox: [0.1, 0.1, 0.5, 0.5] } : s))
    const recomputed = await materializeObservations(project, image, moved)
    const after = recomputed[2]
    expect(after?.kind === 'observation' && before?.kind === 'observation' && after.result.type === 'crop' && before.result.type === 'crop' && after.result.image !== before.result.image).toBe(true)
    // a box written in pixels still runs (the reference accepts it) but is flagged
    const tiny = trace.steps.map((s): Step => (s.kind === 'crop' ? { ...s, bbox: [0, 0, 10, 10], bboxUnits: 'pixels' } : s))
    const tinySteps = await materializeObservations(project, image, tiny)
    const saved = project.traces.update(trace.id, { steps: tinySteps }, trace.revision, 'human', 'move box')
    expect(saved.warnings.map((w) => w.code)).toContain('pixel_bbox')
    // an observation with no call before it is dropped; a call without one gets one
    const orphan: Step[] = [{ kind: 'observation', result: { type: 'error', message: 'stray' } }, { kind: 'crop', toolName: 'crop_image_normalized', targetImage: 1, bbox: [0.2, 0.2, 0.6, 0.6], bboxUnits: 'normalized' }]
    const fixed = await materializeObservations(project, image, orphan)
    expect(fixed.map((s) => s.kind)).toEqual(['crop', 'observation'])
  })

  it('runs select_frames on a video and flags a wrong look, a missing answer and a wrong one', async () => {
    const cue = video.cues.find((c) => c.kind === 'frames')
    if (!cue || cue.kind !== 'frames') throw new Error('video without key frames')
    const wrongFrames = [1, 2].filter((f) => !cue.frames.includes(f - 1))
    const steps = await materializeObservations(project, video, [
      { kind: 'thought', text: 'Let me look at the start.' },
      { kind: 'select_frames', frames: wrongFrames, wrongLook: true },
      { kind: 'thought', text: 'Nothing there. Now the key frames.' },
      { kind: 'select_frames', frames: cue.frames.map((f) => f + 1) },
      { kind: 'answer', text: 'It is \\boxed{999}', boxed: '999' }
    ])
    const obs = steps.filter((s) => s.kind === 'observation')
    expect(obs).toHaveLength(2)
    expect(obs.every((o) => o.kind === 'observation' && o.result.type === 'frames')).toBe(true)
    const trace = project.traces.insert({ sampleId: video.id, origin: 'synthesized', question: video.question, steps, flags: ['self_correction', 'self_correction'] }, 'test')
    expect(trace.flags).toEqual(['self_correction'])
    expect(trace.warnings.map((w) => w.code)).toEqual(['answer_mismatch'])
    const noAnswer = project.traces.update(trace.id, { steps: steps.slice(0, 6) }, 1, 'human', 'drop answer')
    expect(noAnswer.warnings.map((w) => w.code)).toEqual(['no_answer'])
    const wrongLast = project.traces.update(trace.id, { steps: steps.slice(0, 2) }, 2, 'human', 'cut')
    // the only look left is a wrong one: nothing covers the sample's key frames either
    expect(wrongLast.warnings.map((w) => w.code).sort()).toEqual(['cue_miss', 'missing_observation', 'no_answer', 'wrong_look_last'])
  })
})

describe('listing and search', () => {
  it('filters by status, origin, operation, flag, source and words, and counts', () => {
    const all = project.traces.list({ sort: 'created', order: 'asc', offset: 0, limit: 100 })
    expect(all.total).toBe(3)
    expect(project.traces.list({ status: ['accepted'], sort: 'created', order: 'asc', offset: 0, limit: 100 }).items.map((t) => t.sampleId)).toEqual([image.id])
    expect(project.traces.count({ origin: ['synthesized'] })).toBe(2)
    expect(project.traces.count({ operation: 'select_frames' })).toBe(1) // cut down to its wrong look, still a call
    expect(project.traces.count({ operation: 'none' })).toBe(0)
    expect(project.traces.count({ operation: 'crop' })).toBe(2)
    expect(project.traces.count({ flag: 'self_correction' })).toBe(1)
    expect(project.traces.count({ sampleId: video.id })).toBe(1)
    expect(project.traces.count({ source: video.source })).toBe(3)
    expect(project.traces.count({ query: 'digits clearly' })).toBe(2)
    expect(project.traces.count({ query: '"digits clearly"' })).toBe(2)
    expect(project.traces.count({ query: 'digi*' })).toBe(2)
    expect(project.traces.count({ query: "sign's" })).toBe(0) // an apostrophe is a word character here, not FTS syntax
    expect(() => project.traces.count({ query: '***' })).toThrow(/has no words/)
    const counts = project.traces.counts({})
    expect(counts).toMatchObject({ estimate: false, total: 3, byStatus: { accepted: 1, unreviewed: 2 }, byOrigin: { synthesized: 2, human: 1 } })
    const page = project.traces.list({ sort: 'updated', order: 'desc', offset: 0, limit: 2 })
    expect(page.total).toBe(3)
    expect(page.items).toHaveLength(2)
    expect(page.items[0]?.thumb.hash).toMatch(/^[0-9a-f]{64}$/)
  })

  it('pages by offset in both orders and sorts, and skips rows through an index, not the table', () => {
    for (const sort of ['created', 'updated'] as const) {
      for (const order of ['asc', 'desc'] as const) {
        const all = project.traces.list({ sort, order, offset: 0, limit: 100 }).items.map((t) => t.id)
        const pages = [0, 1, 2].flatMap((offset) => project.traces.list({ sort, order, offset, limit: 1 }).items.map((t) => t.id))
        expect(pages).toEqual(all)
      }
    }
    expect(project.traces.list({ sort: 'created', order: 'asc', offset: 0, limit: 100 }).items.map((t) => t.id)).toEqual(project.traces.seqs({}).map((t) => t.id))
    expect(project.traces.list({ source: video.source, status: ['unreviewed'], sort: 'created', order: 'asc', offset: 1, limit: 5 }).items).toHaveLength(1)
    // every page plan of every filter: test/traces/trace-plans.test.ts
  })

  it('keeps the search and flag indexes right when a change leaves the text or the flags alone', () => {
    const t = project.traces.insert({ sampleId: image.id, origin: 'human', question: 'Which quokka is on the sign?', steps: [{ kind: 'answer', text: 'A wombat. \\boxed{7}', boxed: '7' }], flags: ['gamma'] }, 'test')
    const found = (query: string): string[] => project.traces.seqs({ query }).map((r) => r.id)
    const flagged = (flag: string): string[] => project.traces.seqs({ flag }).map((r) => r.id)
    const ftsRows = (): number => (project.db.prepare('SELECT count(*) AS n FROM traces_fts WHERE rowid = ?').get(project.traces.seqOf(t.id)) as { n: number }).n
    // a status change (an accept, its undo) writes no text nor flags: both still find the trace
    project.traces.update(t.id, { status: 'accepted' }, 1, 'human', 'accept')
    project.traces.restore(t.id, 1, 2, 'human', 'undo')
    expect([found('quokka'), found('wombat'), flagged('gamma'), ftsRows()]).toEqual([[t.id], [t.id], [t.id], 1])
    // a question, steps, comment or flags change moves its index with it
    project.traces.update(t.id, { question: 'Which numbat is on the sign?', steps: [{ kind: 'answer', text: 'A platypus. \\boxed{7}', boxed: '7' }], comment: 'echidna' }, 3, 'human', 'edit')
    expect([found('quokka'), found('wombat'), found('numbat'), found('platypus'), found('echidna'), ftsRows()]).toEqual([[], [], [t.id], [t.id], [t.id], 1])
    project.traces.update(t.id, { flags: ['delta'] }, 4, 'human', 'flag')
    expect([flagged('gamma'), flagged('delta'), found('numbat')]).toEqual([[], [t.id], [t.id]])
    project.traces.update(t.id, { status: 'rejected', comment: '' }, 5, 'human', 'reject')
    expect([found('echidna'), found('numbat'), flagged('delta')]).toEqual([[], [t.id], [t.id]])
  })

  it('makes typed words safe for FTS5', () => {
    expect(toFtsQuery('red sign')).toBe('"red" "sign"')
    expect(toFtsQuery('"red sign" dig*')).toBe('"red sign" "dig"*')
    expect(toFtsQuery("it's")).toBe('"it\'s"')
    expect(toFtsQuery('( ) -')).toBeNull()
  })
})

describe('dataset snapshots', () => {
  it('freezes traces at their revision, hashes them, refuses change, and outlives later edits', () => {
    const snap = project.snapshots.create('accepted v1', { status: ['accepted'] })
    expect(snap).toMatchObject({ name: 'accepted v1', traceCount: 1, filter: { status: ['accepted'] }, usedBy: [] })
    expect(snap.hash).toMatch(/^[0-9a-f]{64}$/)
    const again = project.snapshots.create('accepted v1 again', { status: ['accepted'] })
    expect(again.hash).toBe(snap.hash)
    const [item] = [...project.snapshots.items(snap.id)]
    expect(item?.state.status).toBe('accepted')
    // edit the trace after the snapshot: the snapshot still reads the old state
    const trace = project.traces.get(item!.traceId)
    project.traces.update(trace.id, { status: 'rejected' }, trace.revision, 'human', 'reject')
    expect([...project.snapshots.items(snap.id)][0]?.state.status).toBe('accepted')
    expect(project.snapshots.create('accepted v2', { status: ['accepted'], origin: ['synthesized'] }, { allowEmpty: true }).traceCount).toBe(0)
    expect(() => project.snapshots.create('nothing', { status: ['accepted'] })).toThrow(/would be empty/)
    // immutable at the SQL level too, and a trace in a snapshot cannot be deleted from under it
    expect(() => project.db.prepare('UPDATE snapshot_items SET revision = 1').run()).toThrow(/immutable/)
    expect(() => project.db.prepare('DELETE FROM snapshot_items').run()).toThrow(/immutable/)
    expect(() => project.db.prepare('DELETE FROM traces WHERE id = ?').run(trace.id)).toThrow(/FOREIGN KEY/)
    expect(project.traces.count({ snapshotId: snap.id })).toBe(1)
    // jobs that point to a snapshot are listed with it
    const job = project.jobs.create({ kind: 'train', title: 'SFT on accepted v1', spec: {}, snapshotSeq: project.snapshots.seqOf(snap.id) })
    expect(project.snapshots.get(snap.id).usedBy).toEqual([{ jobId: job.id, kind: 'train', title: 'SFT on accepted v1', status: 'queued' }])
  })
})

describe('bulk change revisions', () => {
  it('stores status and flag changes as compact revisions that read back whole: history, restore, snapshots, after a reload', () => {
    const steps = zoomSteps(cueBox(image), image.answer)
    const ids = project.traces.insertMany([0, 1, 2].map((i) => ({ id: `bulk-rev-${i}`, sampleId: image.id, origin: 'human' as const, question: `Which digits? ${i}`, steps, flags: i === 0 ? ['hard'] : [] })), 'test')
    const [first, second] = ids as [string, string]
    const seq = project.traces.seqOf(first)
    const states = (id: string): unknown[] => project.traces.revisions(id).map((r) => r.state)
    const accept = project.bulk.apply({ ids }, { type: 'status', status: 'accepted' }, { author: 'human' })
    const flag = project.bulk.apply({ ids }, { type: 'addFlag', flag: 'batch-1' }, { author: 'human' })
    // a single edit between bulk changes is a whole revision; the next bulk change builds on it
    project.traces.update(first, { comment: 'look again' }, 3, 'human', 'comment')
    project.bulk.apply({ ids: [first] }, { type: 'status', status: 'rejected' }, { author: 'human' })
    project.bulk.revert(flag.id, 'undo', 'human')
    const q = 'Which digits? 0'
    const expected = [
      { question: q, steps, status: 'unreviewed', flags: ['hard'] },
      { question: q, steps, status: 'accepted', flags: ['hard'] },
      { question: q, steps, status: 'accepted', flags: ['batch-1', 'hard'] },
      { question: q, steps, status: 'accepted', flags: ['batch-1', 'hard'], comment: 'look again' },
      { question: q, steps, status: 'rejected', flags: ['batch-1', 'hard'], comment: 'look again' },
      { question: q, steps, status: 'rejected', flags: ['hard'], comment: 'look again' }
    ]
    expect(states(first)).toEqual(expected)
    expect(project.traces.revisions(first).map((r) => r.action)).toEqual(['create', `bulk: ${accept.label}`, `bulk: ${flag.label}`, 'comment', 'bulk: reject 1 trace', `bulk undo: ${flag.label}`])
    // stored: whole revisions 1 and 4; the bulk ones compact, each on the whole revision before it
    const raw = (sql: string): unknown[] => project.db.prepare(sql).raw().all(seq)
    expect(raw('SELECT revision FROM trace_revisions WHERE trace_seq = ? ORDER BY revision')).toEqual([[1], [4]])
    expect(raw('SELECT revision, base FROM trace_compact_revisions WHERE trace_seq = ? ORDER BY revision')).toEqual([[2, 1], [3, 1], [5, 4], [6, 4]])

    // restoring a compact revision writes its whole state
    expect(project.traces.restore(first, 3, 6, 'human', 'undo')).toMatchObject({ revision: 7, status: 'accepted', flags: ['batch-1', 'hard'] })
    expect(project.traces.get(first).comment).toBeUndefined()
    expect(states(first)[6]).toEqual(expected[2])

    // a snapshot freezes the revisions it points to whole (the foreign key of its items); the hash
    // is the one whole states give
    const before = states(second)
    const snap = project.snapshots.create('bulk revisions', { ids })
    const items = [...project.snapshots.items(snap.id)]
    expect(items.map((i) => [i.traceId, i.revision])).toEqual(ids.map((id) => [id, project.traces.get(id).revision]))
    const sha = (text: string): string => createHash('sha256').update(text).digest('hex')
    const whole = (id: string): TraceState => {
      const t = project.traces.get(id)
      return { question: t.question, steps: t.steps, status: t.status, flags: t.flags, ...(t.comment ? { comment: t.comment } : {}) }
    }
    expect(items.map((i) => i.state)).toEqual(ids.map(whole))
    expect(snap.hash).toBe(sha(ids.map((id) => `${id}\t${project.traces.get(id).revision}\t${sha(JSON.stringify(whole(id)))}\n`).join('')))
    const secondSeq = project.traces.seqOf(second)
    const frozen = project.db.prepare<[number, number], { state: string }>('SELECT state FROM trace_revisions WHERE trace_seq = ? AND revision = ?').get(secondSeq, 4)
    expect(JSON.parse(frozen!.state)).toEqual(whole(second))
    expect(project.db.prepare('SELECT count(*) AS n FROM trace_compact_revisions WHERE trace_seq = ? AND revision = 4').get(secondSeq)).toEqual({ n: 0 })
    expect(states(second)).toEqual(before)

    // after a reload
    project.close()
    project = Project.open(join(root, 'store'))
    expect(states(first).slice(0, 6)).toEqual(expected)
    expect(states(second)).toEqual(before)
  })
})

/** A sample row as versions 1-7 wrote it (today's repository writes columns they did not have). */
function oldSample(db: Database.Database, id: string, source: string, hash: string): void {
  const { lastInsertRowid } = db
    .prepare("INSERT INTO samples (id, kind, question, answer, answer_type, choices, source, cues, created_at) VALUES (?, 'image', 'q', '1', 'number', NULL, ?, '[]', ?)")
    .run(id, source, new Date().toISOString())
  db.prepare('INSERT INTO sample_media (sample_seq, position, media_hash) VALUES (?, 0, ?)').run(lastInsertRowid, hash)
}

describe('schema upgrade', () => {
  it('upgrades a version-1 project with its samples intact', async () => {
    const dir = join(root, 'v1')
    mkdirSync(join(dir, 'media'), { recursive: true })
    // a v1 project as the previous studio wrote it, with a sample and its image in it
    const db = openDatabase(join(dir, 'project.sqlite'), { migrations: migrations.slice(0, 1) })
    expect(schemaVersion(db)).toBe(1)
    const ref = await new MediaStore(join(dir, 'media'), db).put(await sharp({ create: { width: 64, height: 48, channels: 3, background: '#123456' } }).png().toBuffer())
    oldSample(db, 'old-1', 'old', ref.hash)
    db.close()
    const upgraded = Project.open(dir)
    expect(upgraded.info()).toMatchObject({ schemaVersion: migrations.length, counts: { samples: 1, traces: 0 } })
    const sample = upgraded.samples.list({ offset: 0, limit: 1 }).items[0]
    expect(sample).toBeDefined()
    const trace = upgraded.traces.insert({ sampleId: sample!.id, origin: 'human', question: 'q', steps: [{ kind: 'answer', text: '\\boxed{1}', boxed: '1' }] }, 'human')
    expect(trace.revision).toBe(1)
    upgraded.close()
    const raw = new Database(join(dir, 'project.sqlite'), { readonly: true })
    expect(raw.pragma('user_version', { simple: true })).toBe(migrations.length)
    raw.close()
  })

  it('upgrades a version-2 project with its traces, which filtered counts then read from the new indexes', async () => {
    const dir = join(root, 'v2')
    mkdirSync(join(dir, 'media'), { recursive: true })
    const db = openDatabase(join(dir, 'project.sqlite'), { migrations: migrations.slice(0, 2) })
    const ref = await new MediaStore(join(dir, 'media'), db).put(await sharp({ create: { width: 64, height: 48, channels: 3, background: '#654321' } }).png().toBuffer())
    oldSample(db, 'old-2', 'old-src', ref.hash)
    // traces as a version-2 studio wrote them (its columns, a revision each)
    const at = new Date().toISOString()
    for (const i of [0, 1, 2]) {
      const steps = JSON.stringify([{ kind: 'answer', text: `\\boxed{${i}}`, boxed: String(i) }])
      const status = i === 0 ? 'accepted' : 'rejected'
      const { lastInsertRowid } = db
        .prepare("INSERT INTO traces (id, sample_seq, origin, status, question, steps, answer, revision, created_at, updated_at) VALUES (?, 1, 'human', ?, 'q', ?, ?, 1, ?, ?)")
        .run(`old-trace-${i}`, status, steps, String(i), at, at)
      db.prepare("INSERT INTO trace_revisions (trace_seq, revision, author, action, at, state) VALUES (?, 1, 'human', 'create', ?, ?)").run(lastInsertRowid, at, JSON.stringify({ question: 'q', steps: JSON.parse(steps), status, flags: [] }))
    }
    db.close()
    const said: string[] = []
    const upgraded = Project.open(dir, { log: (line) => said.push(line) })
    // an upgrade says what it does and how long it took (a rebuild at 1M takes ~20 s)
    expect(said).toEqual([expect.stringMatching(/^upgrading .*project\.sqlite from schema 2 to \d+ \(.*narrow trace rows/), expect.stringMatching(/^upgraded .* in \d+\.\d s$/)])
    expect(upgraded.info()).toMatchObject({ schemaVersion: migrations.length, counts: { samples: 1, traces: 3 } })
    expect(upgraded.traces.count({ status: ['rejected'], source: 'old-src' })).toBe(2)
    // each body (question, steps) came along when the rows were narrowed (migration 011)
    expect(upgraded.traces.get('old-trace-2')).toMatchObject({ question: 'q', steps: [{ kind: 'answer', text: '\\boxed{2}', boxed: '2' }], answer: '2', status: 'rejected' })
    // the facet counters (migration 007) start from the rows already there
    expect(upgraded.traces.counts({ origin: ['human'] })).toMatchObject({ total: 3, byStatus: { accepted: 1, rejected: 2 }, estimate: false })
    // the old rows work with today's writes: a bulk change and a sample edit
    expect(upgraded.bulk.apply({ source: 'old-src' }, { type: 'status', status: 'accepted' }, { author: 'human' }).changed).toBe(2)
    expect(upgraded.traces.get('old-trace-1')).toMatchObject({ status: 'accepted', revision: 2 })
    expect(upgraded.samples.update('old-2', { answer: '2' }, 1, 'human', 'edit gold')).toMatchObject({ answer: '2', flags: [], revision: 2 })
    expect(upgraded.traces.counts({ origin: ['human'] })).toMatchObject({ total: 3, byStatus: { accepted: 3, rejected: 0 } })
    const plan = upgraded.db.prepare<[], { detail: string }>("EXPLAIN QUERY PLAN SELECT count(*) FROM traces t JOIN samples s ON s.seq = t.sample_seq WHERE t.status IN ('rejected') AND t.origin IN ('human')").all()
    // a covering index (traces_facets until migration 010, a status or origin walk since), never the rows
    expect(plan.map((p) => p.detail).join(' ')).toMatch(/SEARCH t USING COVERING INDEX traces_/)
    upgraded.close()
  })

  it('upgrades a version-11 project with its traces to facet counters by source, exact (migration 013)', async () => {
    const dir = join(root, 'v11')
    mkdirSync(join(dir, 'media'), { recursive: true })
    const db = openDatabase(join(dir, 'project.sqlite'), { migrations: migrations.slice(0, 11) })
    expect(schemaVersion(db)).toBe(11)
    const ref = await new MediaStore(join(dir, 'media'), db).put(await sharp({ create: { width: 64, height: 48, channels: 3, background: '#345678' } }).png().toBuffer())
    const sources = ['src-a', 'src-a', 'src-b']
    sources.forEach((source, i) => oldSample(db, `v11-${i}`, source, ref.hash))
    // traces as a version-11 studio wrote them: a narrow row, its body, a revision, and the
    // counters by (status, origin, operation) as its insertMany kept them
    const statuses = ['unreviewed', 'accepted', 'rejected', 'needs_fix'] as const
    const written: Array<{ source: string; status: string; origin: string; crop: boolean }> = []
    const at = new Date().toISOString()
    for (let i = 0; i < 30; i++) {
      const sampleSeq = 1 + (i % 3)
      const status = statuses[i % 4]!
      const origin = i % 2 === 0 ? 'synthesized' : 'human'
      const crop = i % 5 < 2
      const steps = crop ? zoomSteps([0.1, 0.1, 0.5, 0.5], '1') : [{ kind: 'answer', text: '\\boxed{1}', boxed: '1' }]
      const { lastInsertRowid: seq } = db
        .prepare("INSERT INTO traces (id, sample_seq, origin, status, answer, crops, revision, created_at, updated_at) VALUES (?, ?, ?, ?, '1', ?, 1, ?, ?)")
        .run(`v11-trace-${i}`, sampleSeq, origin, status, crop ? 1 : 0, at, at)
      db.prepare("INSERT INTO trace_bodies (seq, question, steps) VALUES (?, 'q', ?)").run(seq, JSON.stringify(steps))
      db.prepare("INSERT INTO trace_revisions (trace_seq, revision, author, action, at, state) VALUES (?, 1, 'human', 'create', ?, ?)").run(seq, at, JSON.stringify({ question: 'q', steps, status, flags: [] }))
      db.prepare('INSERT INTO trace_facets (status, origin, op, n) VALUES (?, ?, ?, 1) ON CONFLICT DO UPDATE SET n = n + 1').run(status, origin, crop ? 1 : 0)
      written.push({ source: sources[sampleSeq - 1]!, status, origin, crop })
    }
    db.close()
    const upgraded = Project.open(dir)
    expect(upgraded.info().schemaVersion).toBe(migrations.length)
    const expected = (filter: { source: string; status?: string[]; origin?: string[]; operation?: 'crop' }): { total: number; byStatus: Record<string, number> } => {
      const byStatus: Record<string, number> = { unreviewed: 0, accepted: 0, rejected: 0, needs_fix: 0 }
      const hits = written.filter((w) => w.source === filter.source && (!filter.status || filter.status.includes(w.status)) && (!filter.origin || filter.origin.includes(w.origin)) && (!filter.operation || w.crop))
      for (const w of hits) byStatus[w.status]!++
      return { total: hits.length, byStatus }
    }
    for (const source of ['src-a', 'src-b', 'src-c']) {
      for (const filter of [{ source }, { source, status: ['accepted' as const, 'needs_fix' as const] }, { source, origin: ['human' as const], operation: 'crop' as const }]) {
        expect({ filter, ...upgraded.traces.counts(filter) }).toMatchObject({ filter, ...expected(filter), estimate: false })
      }
    }
    expect(upgraded.traces.count({ source: 'src-a' })).toBe(20)
    // the counters hold each source's traces, and move with a write after the upgrade
    expect(upgraded.db.prepare("SELECT sum(n) AS n FROM trace_facets WHERE source = 'src-b'").get()).toEqual({ n: 10 })
    const trace = upgraded.traces.get('v11-trace-2')
    upgraded.traces.update(trace.id, { status: 'accepted' }, trace.revision, 'human', 'accept')
    written[2]!.status = 'accepted'
    expect(upgraded.traces.counts({ source: 'src-b' })).toMatchObject(expected({ source: 'src-b' }))
    upgraded.close()
  })
})

/** A project as the studio of schema `version` left it, open at that version, with one image to put in samples. */
async function projectAt(name: string, version: number, color: string): Promise<{ dir: string; old: Project; media: Sample['media'][number] }> {
  const dir = join(root, name)
  mkdirSync(join(dir, 'media'), { recursive: true })
  const db = openDatabase(join(dir, 'project.sqlite'), { migrations: migrations.slice(0, version) })
  const ref = await new MediaStore(join(dir, 'media'), db).put(await sharp({ create: { width: 64, height: 48, channels: 3, background: color } }).png().toBuffer())
  db.close()
  return { dir, old: Project.open(dir, { migrations: migrations.slice(0, version) }), media: { hash: ref.hash, mime: ref.mime, width: ref.width, height: ref.height } }
}

describe('contentless full-text index (migration 014)', () => {
  it('finds after the upgrade what it found before, keeps no copy of the text, and an edit replaces a trace’s terms', async () => {
    const { dir, old, media } = await projectAt('v13', 13, '#224466')
    old.samples.insert({ id: 'fts-sample', kind: 'image', question: 'Which digit?', answer: '4', answerType: 'number', source: 'fts', media: [media], cues: [] })
    const texts = ['amber lantern near the gate', 'amber kettle on a shelf', 'velvet lantern in the hall', 'a sign with the digit four']
    const ids = old.traces.insertMany(
      texts.map((text, i) => ({ sampleId: 'fts-sample', origin: 'human' as const, question: `Question ${i}?`, steps: [{ kind: 'thought' as const, text }, { kind: 'answer' as const, text: `\\boxed{${i}}`, boxed: String(i) }] })),
      'test'
    )
    const commented = old.traces.update(ids[3]!, { comment: 'checked by quartz' }, 1, 'human', 'comment')
    const queries = ['amber', 'lantern', 'lant*', '"amber lantern"', 'quartz', 'question', 'digit four', '3']
    const found = (p: Project): Record<string, string[]> => Object.fromEntries(queries.map((q) => [q, p.traces.seqs({ query: q }).map((t) => t.id)]))
    const before = found(old)
    expect(before.amber).toHaveLength(2)
    old.close()

    const upgraded = Project.open(dir)
    expect(found(upgraded)).toEqual(before)
    const schema = upgraded.db.prepare<[], { sql: string }>("SELECT sql FROM sqlite_schema WHERE name = 'traces_fts'").get()
    expect(schema?.sql).toMatch(/content\s*=\s*''/)
    // no stored copy: the columns read back as NULL, the rows are still counted
    expect(upgraded.db.prepare("SELECT text FROM traces_fts WHERE traces_fts MATCH 'quartz'").get()).toEqual({ text: null })
    expect(upgraded.db.prepare('SELECT count(*) AS n FROM traces_fts').get()).toEqual({ n: 4 })
    // an edit deletes the trace's old terms and indexes its new ones
    upgraded.traces.update(ids[0]!, { steps: [{ kind: 'thought', text: 'cobalt gate' }, { kind: 'answer', text: '\\boxed{0}', boxed: '0' }] }, 1, 'human', 'edit')
    upgraded.traces.update(commented.id, { comment: '' }, commented.revision, 'human', 'comment')
    expect(upgraded.traces.seqs({ query: 'amber' }).map((t) => t.id)).toEqual([ids[1]])
    expect(upgraded.traces.seqs({ query: 'cobalt' }).map((t) => t.id)).toEqual([ids[0]])
    expect(upgraded.traces.count({ query: 'quartz' })).toBe(0)
    expect(upgraded.traces.count({ query: 'lantern' })).toBe(1)
    upgraded.close()
  })
})

describe('sample index by seq block (migration 015)', () => {
  it('upgrades a version-14 project: a sample’s traces, its counts and its triggers read the new index', async () => {
    const { dir, old, media } = await projectAt('v14', 14, '#446622')
    for (const id of ['s-a', 's-b']) old.samples.insert({ id, kind: 'image', question: 'Which digit?', answer: '4', answerType: 'number', source: `src-${id}`, media: [media], cues: [] })
    const ids = old.traces.insertMany(
      [0, 1, 2, 3, 4].map((i) => ({ sampleId: i % 2 === 0 ? 's-a' : 's-b', origin: 'human' as const, status: i < 2 ? ('accepted' as const) : ('unreviewed' as const), question: `Q${i}?`, steps: [{ kind: 'answer' as const, text: `\\boxed{${i}}`, boxed: String(i) }] })),
      'test'
    )
    old.close()

    const upgraded = Project.open(dir)
    const index = upgraded.db.prepare<[], { sql: string }>("SELECT sql FROM sqlite_schema WHERE name = 'traces_sample'").get()
    expect(index?.sql).toMatch(/\(seq >> 16, sample_seq\)/)
    expect(upgraded.traces.list({ sampleId: 's-a', sort: 'created', order: 'asc', offset: 0, limit: 10 }).items.map((t) => t.id)).toEqual([ids[0], ids[2], ids[4]])
    expect(upgraded.traces.counts({ sampleId: 's-b' })).toMatchObject({ total: 2, byStatus: { accepted: 1, unreviewed: 1 } })
    // 016: the traces indexed before the upgrade are behind the full-text mark; 017: the operation walks are partial indexes
    expect(upgraded.traces.text.pending()).toBe(0)
    expect(upgraded.traces.seqs({ query: 'q3' }).map((t) => t.id)).toEqual([ids[3]])
    expect(upgraded.traces.list({ operation: 'none', sort: 'created', order: 'asc', offset: 0, limit: 10 }).items.map((t) => t.id)).toEqual(ids)
    expect(upgraded.traces.count({ operation: 'any' })).toBe(0)
    // a new trace after the upgrade joins its sample's list; the sample's source change and delete reach its traces
    const [added] = upgraded.traces.insertMany([{ sampleId: 's-b', origin: 'human', question: 'Q5?', steps: [{ kind: 'answer', text: '\\boxed{5}', boxed: '5' }] }], 'test')
    expect(upgraded.traces.seqs({ sampleId: 's-b' }).map((t) => t.id)).toEqual([ids[1], ids[3], added])
    upgraded.db.prepare("UPDATE samples SET source = 'moved' WHERE id = 's-b'").run()
    expect(upgraded.traces.counts({ source: 'moved' }).total).toBe(3)
    upgraded.db.prepare("DELETE FROM samples WHERE id = 's-a'").run()
    expect(upgraded.traces.count()).toBe(3)
    expect(upgraded.traces.counts({ source: 'src-s-a' }).total).toBe(0)
    upgraded.close()
  })
})

describe('a body without its steps until the first edit', () => {
  it('reads revision 1’s steps, keeps the body empty through status changes, and stores the steps at the first edit and its undo', () => {
    const bodyOf = (id: string): string => project.db.prepare<[string], { steps: string }>('SELECT b.steps FROM trace_bodies b JOIN traces t ON t.seq = b.seq WHERE t.id = ?').get(id)!.steps
    const steps: Step[] = [{ kind: 'thought', text: 'a zoomword “quoted”\u2028 here' }, ...zoomSteps([0.123456789012345, 0.2, 0.5, 0.6], '3')]
    const [id] = project.traces.insertMany([{ sampleId: image.id, origin: 'synthesized', question: 'Which digit? “quoted”\u2028', steps }], 'test')
    expect(bodyOf(id!)).toBe('')
    const created = project.traces.get(id!)
    expect(created.steps).toEqual(steps)
    // the full-text catch-up reads revision 1's text while the body is empty
    expect(project.traces.seqs({ query: 'zoomword' }).map((t) => t.id)).toEqual([id])
    // an accept (and a bulk one) changes the status only: the body stays empty, the steps read the same
    const accepted = project.traces.update(id!, { status: 'accepted' }, 1, 'human', 'accept')
    expect(accepted.revision).toBe(2)
    project.bulk.apply({ ids: [id!] }, { type: 'status', status: 'rejected' }, { author: 'human' })
    expect(bodyOf(id!)).toBe('')
    expect(project.traces.get(id!)).toMatchObject({ steps: created.steps, status: 'rejected', revision: 3 })
    // the first edit of the steps writes them to the body; undo to revision 1 writes revision 1's
    const edited = project.traces.update(id!, { steps: [{ kind: 'answer', text: '\\boxed{4}', boxed: '4' }] }, 3, 'human', 'edit')
    expect(bodyOf(id!)).toBe(JSON.stringify(edited.steps))
    const undone = project.traces.restore(id!, 1, edited.revision, 'human', 'undo')
    expect(undone.steps).toEqual(created.steps)
    expect(bodyOf(id!)).toBe(JSON.stringify(created.steps))
  })
})

describe('batch insert', () => {
  it('writes a batch in one transaction, indexed and searchable, or nothing when one trace is bad', () => {
    const before = project.traces.count()
    const batch = [0, 1, 2].map((i) => ({ sampleId: image.id, origin: 'synthesized' as const, question: image.question, steps: [{ kind: 'answer' as const, text: `batchword${i} \\boxed{${i}}`, boxed: String(i) }], flags: ['batch'] }))
    const ids = project.traces.insertMany(batch, 'test')
    expect(ids).toHaveLength(3)
    expect(project.traces.get(ids[2]!)).toMatchObject({ revision: 1, answer: '2', flags: ['batch'] })
    expect(project.traces.count({ query: 'batchword1' })).toBe(1)
    expect(project.traces.count({ flag: 'batch' })).toBe(3)
    expect(() => project.traces.insertMany([...batch, { ...batch[0]!, sampleId: 'no-such-sample' }], 'test')).toThrow(/no sample with id "no-such-sample"/)
    expect(project.traces.count()).toBe(before + 3)
  })

  it('stores each revision as JSON.stringify of its state, and the steps column as JSON.stringify of its steps', () => {
    const [id] = project.traces.insertMany([{ sampleId: image.id, origin: 'human', question: 'Say "hi"\n\\ ok?', steps: zoomSteps([0.1, 0.2, 0.5, 0.6], '7'), flags: ['z', 'a', 'z'] }], 'test')
    const created = project.traces.get(id!)
    const edited = project.traces.update(id!, { comment: 'looks "fine" \u2028 ✓', status: 'accepted' }, 1, 'human', 'comment')
    const raw = (revision: number): string => (project.db.prepare('SELECT r.state FROM trace_revisions r JOIN traces t ON t.seq = r.trace_seq WHERE t.id = ? AND r.revision = ?').get(id, revision) as { state: string }).state
    const stateOf = (t: typeof created): TraceState => ({ question: t.question, steps: t.steps, status: t.status, flags: t.flags, ...(t.comment === undefined ? {} : { comment: t.comment }) })
    expect(raw(1)).toBe(JSON.stringify(stateOf(created)))
    expect(raw(2)).toBe(JSON.stringify(stateOf(edited)))
    const body = project.db.prepare('SELECT b.steps FROM trace_bodies b JOIN traces t ON t.seq = b.seq WHERE t.id = ?').get(id) as { steps: string }
    expect(body.steps).toBe(JSON.stringify(edited.steps))
  })
})
