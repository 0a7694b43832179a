// Trace import on real files: the Pixel-Reasoner SFT layout as `datasets` hands it out (null
// sibling keys, text-first question turn, calls without newlines, its own observation wording),
// JSONL as well as a JSON array; bad records (corrupt image, box outside [0,1] or inverted,
// unknown frame or image, truncated file) named by file and record and skipped whole; a re-run
// resumes; a kill -9 or a cancel mid-import leaves only whole records. Records are converted inline
// (small files) or in a worker thread (large ones): the cases run both ways.
import { appendFileSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import Database from 'better-sqlite3'
import sharp from 'sharp'
import { beforeAll, describe, expect, it } from 'vitest'
import type { StudioError } from '../../src/shared/contract'
import { importIds } from '../../src/main/import/trace-convert'
import { importTraces, type ImportStages } from '../../src/main/import/trace-import'
import { exportSnapshot } from '../../src/main/export/snapshot-export'
import { Project } from '../../src/main/project/project'
import { traceProject } from '../fixtures/trace-project'
import { killAfterProgress } from '../helpers/kill-child'
import { tempDir } from '../helpers/temp'

const root = tempDir()
const data = join(root, 'sft')

async function png(path: string, width: number, height: number, color: string): Promise<void> {
  await sharp({ create: { width, height, channels: 3, background: color } }).png().toFile(path)
}

const GUIDE = '\n\nGuidelines: Understand the given visual information and the user query. Reason step by step.'
const SYSTEM = { role: 'system', content: [{ text: 'You are a helpful assistant.\n\n# Tools\n...', image: null, video: null }] }
const item = (k: 'text' | 'image' | 'video', v: unknown): Record<string, unknown> => ({ text: null, image: null, video: null, [k]: v })
const call = (name: string, args: unknown): string => `<tool_call>${JSON.stringify({ name, arguments: args })}</tool_call>`

/** An image record in the released layout; `box`, `image` and `crop` vary per bad case. */
function imageRecord(qid: string, options: { box?: number[]; image?: string; crop?: string; target?: number } = {}): unknown {
  return {
    qid,
    message_list: [
      SYSTEM,
      { role: 'user', content: [item('text', `How many dots are on the card?${GUIDE}`), item('image', options.image ?? 'images/scene.png')] },
      { role: 'assistant', content: [item('text', `The card is small.\n\nNow I will zoom in to look clearer at the card.\n${call('crop_image_normalized', { bbox_2d: options.box ?? [0.25, 0.25, 0.75, 0.75], target_image: options.target ?? 1 })}`)] },
      { role: 'user', content: [item('text', 'Here is the cropped image:'), item('image', options.crop ?? 'images/crop.png')] },
      { role: 'assistant', content: [item('text', 'There are three dots. \\boxed{3}')] }
    ]
  }
}

function videoRecord(qid: string, frames: number[], shown: number): unknown {
  return {
    qid,
    message_list: [
      SYSTEM,
      { role: 'user', content: [item('text', `When does the ball turn red?${GUIDE}`), item('video', [...Array(16).keys()].map((f) => `videos/f${f}.png`))] },
      { role: 'assistant', content: [item('text', `Now I will select some frames to look clearer.\n${call('select_frames', { target_frames: frames })}`)] },
      { role: 'user', content: [item('text', `\nHere are the selected frames (Frame Size: 64x48, Numbered 1 to ${shown}):`), ...Array.from({ length: shown }, (_, i) => item('image', `videos/f${i + 1}.png`))] },
      { role: 'assistant', content: [item('text', 'In the middle. \\boxed{B}')] }
    ]
  }
}

beforeAll(async () => {
  mkdirSync(join(data, 'images'), { recursive: true })
  mkdirSync(join(data, 'videos'), { recursive: true })
  await png(join(data, 'images', 'scene.png'), 400, 300, '#3366aa')
  await png(join(data, 'images', 'crop.png'), 224, 168, '#aa6633')
  writeFileSync(join(data, 'images', 'corrupt.png'), 'not an image')
  for (let f = 0; f < 16; f++) await png(join(data, 'videos', `f${f}.png`), 64, 48, `rgb(${f * 15}, 40, 40)`)
})

// each case with the records converted inline (a small file) and in the worker thread (a large one)
describe.each(['inline', 'worker'] as const)('Pixel-Reasoner SFT import, converted %s', (thread) => {
  it('imports good records, names each bad one by file and record, commits nothing of them, and resumes', async () => {
    const project = Project.create(join(root, `p1-${thread}`))
    const file = join(data, `sft-${thread}.json`)
    const records = [
      imageRecord('good-image'),
      videoRecord('good-video', [2, 3], 2),
      imageRecord('corrupt', { image: 'images/corrupt.png' }),
      imageRecord('outside', { box: [0.5, 0.5, 1.2, 0.9] }),
      imageRecord('inverted', { box: [0.6, 0.5, 0.2, 0.9] }),
      videoRecord('frame-17', [17], 1),
      imageRecord('no-image-3', { target: 3 }),
      imageRecord('missing', { crop: 'images/nope.png' }),
      { qid: 'text-only', message_list: [SYSTEM, { role: 'user', content: [item('text', 'Hi?')] }, { role: 'assistant', content: [item('text', '\\boxed{A}')] }] }
    ]
    const text = JSON.stringify([...records, imageRecord('cut-off')], null, 1)
    const cut = text.length - 200
    writeFileSync(file, text.slice(0, cut))

    const first = await importTraces(project, 'pixelreasoner', file, { thread })
    expect(first.imported).toBe(2)
    expect(first.skipped.map((s) => [s.file, s.record, s.message])).toEqual([
      [file, 3, expect.stringMatching(/images\/corrupt.png: not a readable image/)],
      [file, 4, expect.stringMatching(/turn 4 \(user\): bbox \[0.5,0.5,1.2,0.9\] lies outside \[0,1\]/)],
      [file, 5, expect.stringMatching(/bbox \[0.6,0.5,0.2,0.9\] is inverted or empty/)],
      [file, 6, expect.stringMatching(/select_frames \[17\] picks frames that do not exist: .*16 frames numbered in range \[1,16\]/)],
      [file, 7, expect.stringMatching(/target_image 3 does not exist/)],
      [file, 8, expect.stringMatching(/images\/nope.png not found/)],
      [file, 9, expect.stringMatching(/the question turn has no image or video/)],
      [file, 10, expect.stringMatching(/the file ends inside this record \(truncated\?\)/)]
    ])
    // nothing of a bad record: every imported sample has exactly its one trace
    expect(project.samples.count()).toBe(2)
    expect(project.traces.count()).toBe(2)

    const image = project.traces.get(importIds(file, 'good-image').traceId)
    const crop = (await project.media.put(readFileSync(join(data, 'images', 'crop.png')))).hash
    expect(image.question).toBe('How many dots are on the card?')
    expect(image.steps.map((s) => s.kind)).toEqual(['thought', 'crop', 'observation', 'answer'])
    expect(image.steps[1]).toMatchObject({ kind: 'crop', toolName: 'crop_image_normalized', bbox: [0.25, 0.25, 0.75, 0.75], targetImage: 1 })
    expect(image.steps[2]).toEqual({ kind: 'observation', result: { type: 'crop', image: crop, width: 224, height: 168 } })
    expect(image).toMatchObject({ origin: 'imported', answer: '3', gold: '3', originDetail: { file, record: '1' } })
    // written without the codec's newlines: the text as written stays with the steps
    expect(image.steps[1]).toHaveProperty('raw')
    const video = project.traces.get(importIds(file, 'good-video').traceId)
    expect(project.samples.get(video.sampleId)).toMatchObject({ kind: 'video' })
    expect(video.steps[2]).toMatchObject({ kind: 'observation', result: { type: 'frames', width: 64, height: 48, first: 1, last: 2 } })

    // the rest of the file arrives: a re-run skips what is there and adds the completed record
    appendFileSync(file, text.slice(cut))
    const again = await importTraces(project, 'pixelreasoner', file, { thread })
    expect(again).toMatchObject({ imported: 1, alreadyPresent: 2 })
    expect(again.skipped).toHaveLength(7)
    project.close()
  })

  it('names a record the database refuses and writes the rest of its batch', async () => {
    const project = Project.create(join(root, `p-refused-${thread}`))
    const file = join(data, `refused-${thread}.jsonl`)
    // 40 records in one batch; the database refuses the 17th (a real constraint, raised by SQLite)
    writeFileSync(file, Array.from({ length: 40 }, (_, i) => JSON.stringify(imageRecord(`r${i}`))).join('\n') + '\n')
    const refused = importIds(file, 'r16').traceId
    project.db.exec(`CREATE TEMP TRIGGER refuse BEFORE INSERT ON traces WHEN new.id = '${refused}' BEGIN SELECT RAISE(ABORT, 'refused by the test'); END`)
    const result = await importTraces(project, 'pixelreasoner', file, { thread })
    expect(result).toEqual({ imported: 39, alreadyPresent: 0, skipped: [{ file, record: 17, message: expect.stringMatching(/refused by the test/) }] })
    // nothing of the refused record (its sample rolled back with it), all of the others
    expect(project.traces.count()).toBe(39)
    expect(project.samples.count()).toBe(39)
    expect(project.traces.exists(refused)).toBe(false)
    project.close()
  })

  it('reads JSONL records too, and refuses a file that is neither', async () => {
    const project = Project.create(join(root, `p2-${thread}`))
    const file = join(data, `sft-${thread}.jsonl`)
    // the same qid twice: both records come in (the second under its record number too)
    writeFileSync(file, `${JSON.stringify(imageRecord('a'))}\n\n${JSON.stringify(imageRecord('b', { box: [0.1, 0.1, 0.3, 0.3] }))}\n${JSON.stringify(imageRecord('a', { box: [0.2, 0.2, 0.3, 0.3] }))}\n`)
    expect(await importTraces(project, 'pixelreasoner', file, { thread })).toEqual({ imported: 3, alreadyPresent: 0, skipped: [] })
    expect(project.traces.get(importIds(file, 'a@record-4').traceId).steps[1]).toMatchObject({ bbox: [0.2, 0.2, 0.3, 0.3] })
    expect(await importTraces(project, 'pixelreasoner', file, { thread })).toEqual({ imported: 0, alreadyPresent: 3, skipped: [] })
    // a record imported before and refused now (its file changed since) counts as present, as its first run did
    writeFileSync(file, `${JSON.stringify(imageRecord('a'))}\n\n${JSON.stringify(imageRecord('b', { box: [0.5, 0.5, 1.2, 0.9] }))}\n${JSON.stringify(imageRecord('a', { box: [0.2, 0.2, 0.3, 0.3] }))}\n`)
    expect(await importTraces(project, 'pixelreasoner', file, { thread })).toEqual({ imported: 0, alreadyPresent: 3, skipped: [] })
    writeFileSync(join(data, 'bad.json'), '"just a string"')
    const bad = await importTraces(project, 'pixelreasoner', join(data, 'bad.json'), { thread })
    expect(bad.skipped[0]?.message).toMatch(/not a Pixel-Reasoner SFT \(message_list\) record/)
    expect(await importTraces(project, 'pixelreasoner', join(data, 'none.json'), { thread }).catch((e: StudioError) => e.code)).toBe('not_found')
    // JSONL whose last line is cut off: that line named (no newline at the end of the file)
    writeFileSync(join(data, 'object.json'), `${JSON.stringify(imageRecord('whole'))}\n{"qid": 1, "message_list": [] `)
    const cut = await importTraces(project, 'pixelreasoner', join(data, 'object.json'), { thread })
    expect(cut).toEqual({ imported: 1, alreadyPresent: 0, skipped: [{ file: join(data, 'object.json'), record: 2, message: expect.stringMatching(/not valid JSON/) }] })
    project.close()
  })
})

/** Our TRL export's rows again and again under new ids, 6000 records (made once). */
let many: Promise<{ file: string; total: number }> | undefined
function manyRecords(): Promise<{ file: string; total: number }> {
  many ??= (async () => {
    const { project: source, snapshot } = await traceProject(join(root, 'source'))
    const outDir = join(root, 'trl')
    const exported = await exportSnapshot(source, { snapshotId: snapshot.id, format: 'trl', outDir, cropToolName: 'crop_image_normalized', llamaFactoryMode: 'text' })
    source.close()
    const rows = readFileSync(join(outDir, exported.files[0]!), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { id: string })
    // enough that a kill or a cancel lands mid-import: records are committed in chunks of up to 2000 (converted-chunks.ts)
    const total = 6000
    const file = join(outDir, 'many.jsonl')
    writeFileSync(file, Array.from({ length: total }, (_, i) => JSON.stringify({ ...rows[i % rows.length], id: `copy-${i}` })).join('\n') + '\n')
    return { file, total }
  })()
  return many
}

/** Only whole records: each sample with exactly its one trace, each trace with its revision and its text indexed or after the full-text mark. */
function wholeRecords(dir: string): number {
  const raw = new Database(join(dir, 'project.sqlite'))
  expect(raw.pragma('integrity_check', { simple: true })).toBe('ok')
  const lonely = raw.prepare('SELECT count(*) AS n FROM samples s WHERE (SELECT count(*) FROM traces t WHERE t.sample_seq = s.seq) <> 1').get() as { n: number }
  const noRevision = raw.prepare('SELECT count(*) AS n FROM traces t WHERE NOT EXISTS (SELECT 1 FROM trace_revisions r WHERE r.trace_seq = t.seq)').get() as { n: number }
  const kept = (raw.prepare('SELECT count(*) AS n FROM traces').get() as { n: number }).n
  const indexed = (raw.prepare('SELECT count(*) AS n FROM traces_fts').get() as { n: number }).n
  // the full-text index is caught up after the write (migration 016): what it has not reached is after its mark
  const unindexed = (raw.prepare('SELECT count(*) AS n FROM traces WHERE seq > (SELECT indexed_through FROM trace_text_state)').get() as { n: number }).n
  raw.close()
  expect(lonely.n).toBe(0)
  expect(noRevision.n).toBe(0)
  expect(indexed + unindexed).toBe(kept)
  return kept
}

describe('a crash mid-import', () => {
  it.each(['inline', 'worker', 'both'] as const)('leaves only whole records after kill -9, and a re-run completes the rest (converted %s)', async (thread) => {
    const { file, total } = await manyRecords()
    const dir = join(root, `crash-project-${thread}`)
    Project.create(dir).close()

    await killAfterProgress('test/fixtures/trace-import-child.ts', [dir, file, thread], 50)

    const kept = wholeRecords(dir)
    expect(kept).toBeGreaterThanOrEqual(50)
    expect(kept).toBeLessThan(total)

    const project = Project.open(dir)
    const rerun = await importTraces(project, 'trl', file)
    expect(rerun).toEqual({ imported: total - kept, alreadyPresent: kept, skipped: [] })
    expect(project.traces.count()).toBe(total)
    project.traces.text.drain()
    expect(project.db.prepare('SELECT count(*) AS n FROM traces_fts').get()).toEqual({ n: total })
    project.close()
  }, 180_000) // a child process and 6000 records: minutes on a loaded machine
})

describe('the import pipeline (worker thread)', () => {
  it('cancelled mid-pipeline, keeps only whole committed chunks; a re-run completes the rest', async () => {
    const { file, total } = await manyRecords()
    const dir = join(root, 'cancel-project')
    const project = Project.create(dir)
    const controller = new AbortController()
    const seen: number[] = []
    const run = importTraces(project, 'trl', file, {
      thread: 'worker',
      signal: controller.signal,
      onProgress: (p) => {
        seen.push(p.done)
        // cancel once the first chunk is committed, while the worker converts the next ones
        if (p.done > 0) controller.abort(new Error('cancelled by the test'))
      }
    })
    await expect(run).rejects.toThrow('cancelled by the test')
    const kept = project.traces.count()
    expect(kept).toBeGreaterThanOrEqual(seen.at(-1)!)
    expect(kept).toBeLessThan(total)
    project.close()
    expect(wholeRecords(dir)).toBe(kept)

    const again = Project.open(dir)
    expect(await importTraces(again, 'trl', file, { thread: 'worker' })).toEqual({ imported: total - kept, alreadyPresent: kept, skipped: [] })
    again.close()
  }, 180_000)

  it('converting here until the worker takes over gives the same traces as converting here only (ids repeated across the hand-over too)', async () => {
    const { file: many } = await manyRecords()
    // 6000 records whose ids repeat: the second 3000 get their record number (the keys cross threads)
    const file = join(root, 'trl', 'repeated.jsonl')
    writeFileSync(file, readFileSync(many, 'utf8').trim().split('\n').map((l, i) => JSON.stringify({ ...(JSON.parse(l) as object), id: `dup-${i % 3000}` })).join('\n') + '\n')
    const tracesOf = (project: Project): Array<[string, string, string]> =>
      (project.db.prepare('SELECT id FROM traces ORDER BY id').pluck().all() as string[]).map((id) => {
        const t = project.traces.get(id)
        return [id, t.question, JSON.stringify(t.steps)]
      })
    const inline = Project.create(join(root, 'repeated-inline'))
    const both = Project.create(join(root, 'repeated-both'))
    let stages: ImportStages | undefined
    expect(await importTraces(inline, 'trl', file, { thread: 'inline' })).toEqual({ imported: 6000, alreadyPresent: 0, skipped: [] })
    expect(await importTraces(both, 'trl', file, { thread: 'both', onStages: (s) => (stages = s) })).toEqual({ imported: 6000, alreadyPresent: 0, skipped: [] })
    // wherever the worker took over (or not at all, if this thread was done first), the same traces
    expect(stages!.inlineRecords).toBeLessThanOrEqual(6000)
    if (stages!.thread === 'inline') expect(stages!.inlineRecords).toBe(6000)
    expect(tracesOf(both)).toEqual(tracesOf(inline))
    expect(both.traces.exists(importIds(file, 'dup-7@record-3008').traceId)).toBe(true)
    inline.close()
    both.close()
  }, 180_000)

  it('fails naming the worker when it dies mid-file (nothing half-written); converts here when it cannot load', async () => {
    const file = join(data, 'sft-for-failing-worker.jsonl')
    writeFileSync(file, Array.from({ length: 30 }, (_, i) => JSON.stringify(imageRecord(`w${i}`))).join('\n') + '\n')
    const before = { worker: process.env.PIXEL_STUDIO_TRACE_IMPORT_WORKER, mode: process.env.FAILING_IMPORT_WORKER }
    process.env.PIXEL_STUDIO_TRACE_IMPORT_WORKER = join(process.cwd(), 'test/fixtures/failing-import-worker.ts')
    try {
      const project = Project.create(join(root, 'failing-worker'))
      await expect(importTraces(project, 'pixelreasoner', file, { thread: 'worker' })).rejects.toThrow(/the trace import worker stopped \(exit code 3\) before the end of/)
      expect(project.traces.count()).toBe(0)
      // a worker that cannot even load: this thread converts the whole file
      process.env.FAILING_IMPORT_WORKER = 'load'
      let stages: ImportStages | undefined
      expect(await importTraces(project, 'pixelreasoner', file, { thread: 'both', onStages: (s) => (stages = s) })).toEqual({ imported: 30, alreadyPresent: 0, skipped: [] })
      expect(stages).toMatchObject({ thread: 'inline', inlineRecords: 30 })
      // told to use only the worker, it fails instead
      await expect(importTraces(project, 'pixelreasoner', file, { thread: 'worker' })).rejects.toThrow(/the trace import worker failed: this worker fails to load/)
      project.close()
    } finally {
      for (const [key, value] of [['PIXEL_STUDIO_TRACE_IMPORT_WORKER', before.worker], ['FAILING_IMPORT_WORKER', before.mode]] as const) {
        if (value === undefined) delete process.env[key]
        else process.env[key] = value
      }
    }
  }, 60_000)

  it('leaves imported traces searchable at once, and a re-run reads no file of the records it skips', async () => {
    const { file, total } = await manyRecords()
    const project = Project.create(join(root, 'searchable-project'))
    project.traces.text.background = false
    expect(await importTraces(project, 'trl', file, { thread: 'worker' })).toEqual({ imported: total, alreadyPresent: 0, skipped: [] })
    // the full-text entries were written with the rows: nothing waits for the catch-up
    expect(project.traces.text.pending()).toBe(0)
    expect(project.db.prepare('SELECT count(*) AS n FROM traces_fts').get()).toEqual({ n: total })
    // a re-run on either thread skips every record as present without storing a file of it again
    // (the project's files removed: storing one would write it back)
    rmSync(project.media.root, { recursive: true })
    for (const thread of ['worker', 'inline'] as const) {
      expect(await importTraces(project, 'trl', file, { thread })).toEqual({ imported: 0, alreadyPresent: total, skipped: [] })
      expect(existsSync(project.media.root)).toBe(false)
    }
    project.close()
  }, 180_000)

  it('reports progress from the bytes read: a total estimated as it goes, exact at the end, and each stage timed', async () => {
    const { file, total } = await manyRecords()
    const project = Project.create(join(root, 'progress-project'))
    const events: Array<{ done: number; total: number | null }> = []
    let stages: ImportStages | undefined
    const result = await importTraces(project, 'trl', file, { thread: 'worker', onProgress: (p) => events.push({ done: p.done, total: p.total }), onStages: (s) => (stages = s) })
    expect(result).toEqual({ imported: total, alreadyPresent: 0, skipped: [] })
    // committed records only, never running ahead of the total, and the last event is the exact count
    expect(events.map((e) => e.done)).toEqual([...events.map((e) => e.done)].sort((a, b) => a - b))
    for (const e of events) expect(e.total).toBeGreaterThanOrEqual(e.done)
    expect(events.at(-1)).toEqual({ done: total, total })
    // every record is the same size here: the estimate is near the true total from the first event on
    expect(events[0]!.total).toBeGreaterThan(total * 0.9)
    expect(events[0]!.total).toBeLessThan(total * 1.1)
    expect(stages).toMatchObject({ thread: 'worker' })
    expect(stages!.converting.convert).toBeGreaterThan(0)
    expect(stages!.main.write).toBeGreaterThan(0)
    expect(stages!.cpuMs.worker).toBeGreaterThan(0)
    expect(stages!.workerLoad.cpuMs).toBeGreaterThan(0)
    project.close()
  }, 180_000)
})
