// An evaluation run end to end: a tiny generated suite whose answer is a small number in the
// middle of the image (10 px high: unreadable at full view, readable after the zoom), imported
// as a benchmark with categories, run with scripted tiny models through the real worker +
// transformers.js, scored as the reference does; each trajectory stored as a trace; cancel and
// resume; per-category metrics; comparing two runs; a sample with a missing image; the one-batch
// rule.
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import sharp from 'sharp'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { StudioError, type EvalRun, type MediaRef } from '../../src/shared/contract'
import { StudioClient } from '../../src/shared/contract/client'
import { Studio } from '../../src/main/app/studio'
import { makeTinyModel } from '../../src/main/inference/tiny-model/generate'
import { TINY_SCRIPTS } from '../../src/main/inference/tiny-model/scripts'
import { sevenSegment } from '../../src/main/project/sample-data'
import { inMemoryTransport } from '../../src/main/rpc/in-memory'
import { tempDir } from '../helpers/temp'

const root = tempDir()
let studio: Studio
let client: StudioClient
// the zooming model always answers B: exactly the two "letter" samples are right
const SUITE = [
  { gold: 'B', category: 'letter' },
  { gold: '7', category: 'digit' },
  { gold: 'B', category: 'letter' },
  { gold: '3', category: 'digit' }
]
const models: Record<string, string> = {}

beforeAll(async () => {
  studio = new Studio({ home: join(root, 'home'), log: () => {} })
  await studio.createProject(join(root, 'project'), false)
  client = new StudioClient(inMemoryTransport(studio.dispatcher))
  const dir = join(root, 'tinysuite')
  mkdirSync(join(dir, 'images'), { recursive: true })
  const lines: string[] = []
  for (const [i, row] of SUITE.entries()) {
    const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="640" height="480"><rect width="100%" height="100%" fill="#777"/>${sevenSegment(String(i + 1), 316, 236, 10, '#000')}</svg>`
    await sharp(Buffer.from(svg)).png().toFile(join(dir, 'images', `${i}.png`))
    lines.push(JSON.stringify({ qid: `tiny-${i}`, question: 'What is the small number in the middle?', image: `images/${i}.png`, answer: row.gold, category: row.category }))
  }
  writeFileSync(join(dir, 'tiny.jsonl'), lines.join('\n') + '\n')
  expect((await client.call('benchmarks.import', { path: join(dir, 'tiny.jsonl') })).imported).toBe(4)
  for (const name of ['zoomCentre', 'answerOnly'] as const) {
    const modelDir = join(root, `model-${name}`)
    makeTinyModel(modelDir, { script: TINY_SCRIPTS[name] })
    models[name] = (await client.call('models.add', { path: modelDir, name })).id
  }
})
afterAll(async () => {
  await studio.inference.close()
  studio.close()
})

/** Height in pixels of the dark (digit) pixels of an image. */
async function darkHeight(media: MediaRef): Promise<number> {
  const { data, info } = await sharp(studio.project.media.pathOf(media)).greyscale().raw().toBuffer({ resolveWithObject: true })
  let top = Infinity
  let bottom = -1
  for (let y = 0; y < info.height; y++) {
    for (let x = 0; x < info.width; x++) {
      if ((data[y * info.width + x] ?? 255) < 60) {
        top = Math.min(top, y)
        bottom = y
      }
    }
  }
  return bottom < 0 ? 0 : bottom - top + 1
}

let zoomRun: EvalRun

describe('eval run', () => {
  it('needs a model and a suite', async () => {
    expect(await client.call('eval.run', { source: 'bench:tiny' }).catch((e: StudioError) => e.code)).toBe('failed_precondition')
    expect(await client.call('eval.run', { source: 'bench:nothing', modelId: models.zoomCentre }).catch((e: StudioError) => e.message)).toMatch(/no samples with source "bench:nothing"/)
    expect(await client.call('eval.results', { runId: '../../etc' }).catch((e: StudioError) => e.code)).toBe('invalid_input')
    expect(await client.call('eval.results', { runId: 'nope' }).catch((e: StudioError) => e.code)).toBe('not_found')
  })

  it('scores the zooming model exactly, per category, resumes after a cancel, and drills down into its traces', async () => {
    // cancel after the first sample, then resume the same run (its model comes with it)
    const controller = new AbortController()
    const cancelled = await client
      .call('eval.run', { source: 'bench:tiny', modelId: models.zoomCentre }, { signal: controller.signal, onProgress: (p) => p.done >= 1 && controller.abort() })
      .catch((e: StudioError) => e)
    expect(cancelled).toMatchObject({ code: 'cancelled' })
    const partial = await client.call('eval.runs', {})
    expect(partial).toHaveLength(1)
    const runId = partial[0]!.id
    expect(partial[0]).toMatchObject({ status: 'incomplete', total: 4, label: 'zoomCentre' })
    expect(partial[0]!.metrics.count).toBeGreaterThanOrEqual(1)
    expect(partial[0]!.metrics.count).toBeLessThan(4)

    await client.call('inference.unload', {})
    zoomRun = await client.call('eval.run', { source: 'bench:tiny', runId })
    expect(zoomRun).toMatchObject({ id: runId, source: 'bench:tiny', suite: 'bench:tiny', metric: 'accuracy', total: 4, failed: 0, status: 'complete', model: { id: models.zoomCentre, name: 'zoomCentre' } })
    expect(zoomRun.metrics).toMatchObject({ count: 4, accuracy: 0.5, rapr: 1, opsPerAnswer: 1, accuracyWithOps: 0.5, accuracyWithoutOps: null })
    expect(zoomRun.metrics.meanLatencyMs).toBeGreaterThan(0)
    expect(zoomRun.byCategory.map((c) => [c.category, c.metrics.count, c.metrics.accuracy, c.metrics.rapr])).toEqual([
      ['digit', 2, 0, 1],
      ['letter', 2, 1, 1]
    ])

    const right = await client.call('eval.results', { runId, outcome: 'right' })
    expect(right.items.map((r) => r.sampleId).sort()).toEqual(['bench:tiny:tiny-0', 'bench:tiny:tiny-2'])
    expect(right.items.every((r) => r.category === 'letter' && r.answer === 'B' && r.operations === 1 && r.stop === 'answer')).toBe(true)
    expect((await client.call('eval.results', { runId, outcome: 'wrong', usedOperation: true })).total).toBe(2)
    expect((await client.call('eval.results', { runId, usedOperation: false })).total).toBe(0)
    expect((await client.call('eval.results', { runId, category: 'digit' })).items.map((r) => r.score)).toEqual([0, 0])

    // drill-down: each row opens the model's trace, with the crop it really took
    const row = right.items.find((r) => r.sampleId === 'bench:tiny:tiny-0')!
    const trace = await client.call('traces.get', { id: row.traceId! })
    expect(trace).toMatchObject({ sampleId: row.sampleId, origin: 'inference', originDetail: { runId, model: 'zoomCentre' }, answer: 'B', operations: 1, flags: ['stop:answer'], warnings: [] })
    expect(trace.steps.map((s) => s.kind)).toEqual(['thought', 'crop', 'observation', 'answer'])
    expect(trace.steps[1]).toMatchObject({ kind: 'crop', targetImage: 1, bbox: [0.45, 0.45, 0.55, 0.55], bboxUnits: 'normalized' })
    const observation = trace.steps[2]
    if (observation?.kind !== 'observation' || observation.result.type !== 'crop' || observation.result.image === undefined) throw new Error('no crop observation with its media')
    const crop = studio.project.media.get(observation.result.image)
    expect(crop).toMatchObject({ width: observation.result.width, height: observation.result.height })
    // the zoom makes the 10 px number more than twice as tall: it is what makes it readable
    const sample = await client.call('samples.get', { id: row.sampleId })
    const before = await darkHeight(sample.media[0]!)
    const after = await darkHeight(crop!)
    expect(before).toBeGreaterThanOrEqual(9)
    expect(before).toBeLessThanOrEqual(11)
    expect(after / before).toBeGreaterThan(2)
    const wrong = (await client.call('eval.results', { runId, outcome: 'wrong' })).items[0]!
    expect((await client.call('traces.get', { id: wrong.traceId! })).warnings.map((w) => w.code)).toEqual(['answer_mismatch'])

    // one trace per sample: the cancelled sample left none, the resumed ones no twins
    expect((await client.call('traces.list', { origin: ['inference'], source: 'bench:tiny' })).total).toBe(4)
    expect(readFileSync(join(studio.project.dir, 'evals', runId, 'results.jsonl'), 'utf8').trim().split('\n')).toHaveLength(4)
    const suites = await client.call('eval.suites', {})
    expect(suites).toEqual([{ source: 'bench:tiny', suite: 'bench:tiny', metric: 'accuracy', count: 4, paper: false, categories: [{ category: 'digit', count: 2 }, { category: 'letter', count: 2 }] }])
  })

  it('a model that never zooms has RaPR 0, and two runs compare sample by sample', async () => {
    const run = await client.call('eval.run', { source: 'bench:tiny', modelId: models.answerOnly, label: 'text only', limit: 3 })
    expect(run).toMatchObject({ label: 'text only', total: 3, status: 'complete', model: { name: 'answerOnly' } })
    expect(run.metrics).toMatchObject({ count: 3, accuracy: 0, rapr: 0, opsPerAnswer: 0, accuracyWithOps: null, accuracyWithoutOps: 0 })
    expect(await client.call('eval.runs', {})).toHaveLength(2)

    const compared = await client.call('eval.compare', { a: zoomRun.id, b: run.id })
    expect(compared.counts).toEqual({ gained: 0, lost: 2, bothRight: 0, bothWrong: 1, onlyOne: 1 })
    const byId = Object.fromEntries(compared.rows.map((r) => [r.sampleId, r]))
    expect(byId['bench:tiny:tiny-0']).toMatchObject({ change: 'lost', a: { score: 1, answer: 'B', operations: 1 }, b: { score: 0, answer: '42', operations: 0 } })
    expect(byId['bench:tiny:tiny-1']?.change).toBe('both_wrong')
    expect(byId['bench:tiny:tiny-3']).toMatchObject({ change: 'only_a', b: null })
    expect(byId['bench:tiny:tiny-0']?.b?.traceId).not.toBe(byId['bench:tiny:tiny-0']?.a?.traceId)
    expect((await client.call('eval.compare', { a: run.id, b: zoomRun.id })).counts.gained).toBe(2)
  })

  it('runs one batch job at a time while interactive runs take turns with it', async () => {
    let started = (): void => {}
    const running = new Promise<void>((resolve) => (started = resolve))
    const first = client.call('eval.run', { source: 'bench:tiny', modelId: models.zoomCentre }, { onProgress: () => started() })
    const second = await client.call('eval.run', { source: 'bench:tiny' }).catch((e: StudioError) => e)
    expect(second).toMatchObject({ code: 'conflict', message: expect.stringMatching(/^evaluation eval-\S+ is running on the model/) })
    expect(await client.call('inference.batch', { source: 'bench:tiny' }).catch((e: StudioError) => e.code)).toBe('conflict')
    // a Playground run in the middle is served between two eval samples
    await running
    const interactive = await client.call('inference.run', { sampleId: 'bench:tiny:tiny-1' })
    expect(interactive.answer).toBe('B')
    const done = await first
    expect(done).toMatchObject({ status: 'complete', metrics: { count: 4, accuracy: 0.5 } })
    expect((await client.call('eval.runs', {})).find((r) => r.id === done.id)?.status).toBe('complete')
  })

  it('a sample whose image is missing fails alone, named, and runs again on resume', async () => {
    const sample = await client.call('samples.get', { id: 'bench:tiny:tiny-1' })
    const path = studio.project.media.pathOf(sample.media[0]!)
    const bytes = readFileSync(path)
    rmSync(path)
    const run = await client.call('eval.run', { source: 'bench:tiny', modelId: models.zoomCentre })
    expect(run).toMatchObject({ status: 'incomplete', failed: 1, metrics: { count: 3 } })
    const failed = await client.call('eval.results', { runId: run.id, outcome: 'failed' })
    expect(failed.items).toHaveLength(1)
    expect(failed.items[0]).toMatchObject({ sampleId: 'bench:tiny:tiny-1', traceId: null, error: expect.stringContaining(path) })
    expect(failed.items[0]?.error).toContain('bench:tiny:tiny-1')

    writeFileSync(path, bytes)
    const resumed = await client.call('eval.run', { source: 'bench:tiny', runId: run.id })
    expect(resumed).toMatchObject({ status: 'complete', failed: 0, metrics: { count: 4, accuracy: 0.5 } })
  })

  it('a gold that cannot be scored is listed with its reason, not run and not counted as wrong', async () => {
    const dir = join(root, 'oddsuite')
    mkdirSync(dir, { recursive: true })
    await sharp({ create: { width: 64, height: 64, channels: 3, background: '#777' } }).png().toFile(join(dir, 'a.png'))
    // "cm" is what normalize_answer deletes: \boxed{} then holds nothing math-verify can extract
    const rows = [
      { qid: 'odd-1', question: 'Which letter?', image: 'a.png', answer: 'B' },
      { qid: 'odd-2', question: 'How long?', image: 'a.png', answer: 'cm' }
    ]
    writeFileSync(join(dir, 'odd.jsonl'), rows.map((r) => JSON.stringify(r)).join('\n'))
    expect((await client.call('benchmarks.import', { path: join(dir, 'odd.jsonl') })).imported).toBe(2)
    const run = await client.call('eval.run', { source: 'bench:odd', modelId: models.zoomCentre })
    expect(run).toMatchObject({ status: 'complete', failed: 0, unscorable: 1, metrics: { count: 1, accuracy: 1 } })
    const listed = await client.call('eval.results', { runId: run.id, outcome: 'unscorable' })
    expect(listed.items).toEqual([expect.objectContaining({ sampleId: 'bench:odd:odd-2', traceId: null, unscorable: 'math-verify extracts nothing from the gold "cm"' })])
    expect((await client.call('eval.results', { runId: run.id, outcome: 'wrong' })).total).toBe(0)
  })
})
