// Trace synthesis with the template narrator, the two rows of issue 15's table, each beside a
// baseline measured in the same run: raw sharp cutting the looks of the same traces (cropImage /
// selectFrames from the file bytes: no cache, no store, no database), i.e. what every trace cost
// when synthesis rendered its crops.
//  1. `--samples N` (PIXEL_STUDIO_BENCH_SYNTHESIS, default 5000) samples on 4 shared photos
//     (1280x960 noisy JPEGs) and 16 shared frames, every cue different, 1 video in 10.
//  2. `--photos-samples N` (default 600) samples on `--photos N` (default 540) distinct
//     4000x3000 JPEGs (one noisy photo, each file made distinct by a JPEG comment: same pixels,
//     another hash, so nothing is shared).
// A trace stores boxes and frame picks; its pixels are rendered on demand. What that costs when
// someone needs them (an export, the editor) is printed too: rendering the same traces' crops
// through renderObservations (decoded views kept, the crop cache filled).
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { performance } from 'node:perf_hooks'
import sharp from 'sharp'
import type { MediaRef, NormalizedBbox, Sample, StoredTrace } from '../src/shared/contract'
import { TRAIN_PROFILE } from '../src/shared/pixel-ops/profiles'
import { cropImage } from '../src/main/pixel-ops/crop'
import { selectFrames } from '../src/main/pixel-ops/frames'
import { ViewCache } from '../src/main/pixel-ops/view-cache'
import { Project } from '../src/main/project/project'
import type { NewSample } from '../src/main/samples/sample-repository'
import { seededRandom } from '../src/main/project/sample-data'
import { TemplateNarrator } from '../src/main/synthesis/narrators/template-narrator'
import { createSynthesisJob, SynthesisSpec } from '../src/main/synthesis/synthesis-jobs'
import { runSynthesisJob } from '../src/main/synthesis/synthesis-run'
import { emptyTimings } from '../src/main/synthesis/timings'
import { loadMediaBytes, renderObservations } from '../src/main/traces/materialize'
import { jobTracesSql } from '../src/main/traces/trace-query'
import { flagValue, type BenchReporter, type BenchSuite } from './harness'

/** a count from `--name N` / `--name=N` (or `env`), else `fallback` */
function count(name: string, fallback: number, env?: string): number {
  const given = flagValue(name) ?? (env ? process.env[env] : undefined)
  const n = given === undefined ? fallback : Number(given)
  if (!Number.isInteger(n) || n < 1) throw new Error(`--${name} must be a whole number >= 1, got ${given}`)
  return n
}

const SHARED_SAMPLES = count('samples', 5000, 'PIXEL_STUDIO_BENCH_SYNTHESIS')
const DISTINCT_SAMPLES = count('photos-samples', 600)
const DISTINCT_PHOTOS = count('photos', 540)
const VIDEO_EVERY = 10

function cueAt(rand: () => number): NormalizedBbox {
  const w = 0.03 + rand() * 0.08
  const h = 0.03 + rand() * 0.08
  const x = rand() * (1 - w)
  const y = rand() * (1 - h)
  const r = (v: number): number => Math.round(v * 1e4) / 1e4
  return [r(x), r(y), r(x + w), r(y + h)]
}

/** noise over a colour field: decodes like a photo (no flat-area shortcuts) */
function photo(width: number, height: number, i: number): Promise<Buffer> {
  return sharp({ create: { width, height, channels: 3, background: { r: 60 + i * 40, g: 120, b: 180 - i * 30 }, noise: { type: 'gaussian', mean: 128, sigma: 30 } } })
    .jpeg({ quality: 90 })
    .toBuffer()
}

/** the same JPEG with a comment segment after SOI: same pixels, a distinct file */
function withComment(jpeg: Buffer, text: string): Buffer {
  const body = Buffer.from(text)
  const segment = Buffer.alloc(4)
  segment.writeUInt16BE(0xfffe, 0)
  segment.writeUInt16BE(body.length + 2, 2)
  return Buffer.concat([jpeg.subarray(0, 2), segment, body, jpeg.subarray(2)])
}

function imageSample(id: string, image: MediaRef, rand: () => number, source: string): NewSample {
  return {
    id,
    kind: 'image',
    question: 'What number is written on the small white sign?',
    answer: String(Number.parseInt(id.slice(-3), 10)),
    answerType: 'number',
    source,
    media: [image],
    cues: [{ kind: 'bbox', imageIndex: 0, bbox: cueAt(rand), sourceWidth: image.width, sourceHeight: image.height }]
  }
}

async function fillShared(project: Project, samples: number): Promise<void> {
  const images: MediaRef[] = []
  for (let i = 0; i < 4; i++) images.push(await project.media.put(await photo(1280, 960, i)))
  const frames: MediaRef[] = []
  for (let f = 0; f < 16; f++) frames.push(await project.media.put(await sharp({ create: { width: 480, height: 270, channels: 3, background: { r: f * 15, g: 40, b: 90 } } }).png().toBuffer()))
  const rand = seededRandom(2025)
  project.db.transaction(() => {
    for (let i = 0; i < samples; i++) {
      const id = `shared-${String(i).padStart(6, '0')}`
      if (i % VIDEO_EVERY === VIDEO_EVERY - 1) {
        const start = Math.floor(rand() * 13)
        project.samples.insert({ id, kind: 'video', question: 'Which number briefly appears in the white box at the top right?', answer: String(i % 97), answerType: 'number', source: 'shared', media: frames, cues: [{ kind: 'frames', frames: [start, start + 1, start + 2] }] })
      } else project.samples.insert(imageSample(id, images[i % 4]!, rand, 'shared'))
    }
  })()
}

async function fillDistinct(project: Project, samples: number, photos: number): Promise<void> {
  const base = await photo(4000, 3000, 1)
  const images: MediaRef[] = []
  for (let p = 0; p < photos; p++) images.push(await project.media.put(withComment(base, `bench photo ${p}`)))
  const rand = seededRandom(4000)
  project.db.transaction(() => {
    for (let i = 0; i < samples; i++) project.samples.insert(imageSample(`distinct-${String(i).padStart(6, '0')}`, images[i % photos]!, rand, 'distinct'))
  })()
}

function tracesOf(project: Project, jobId: string, limit: number): StoredTrace[] {
  const ids = project.db.prepare<[string, number], { id: string }>(`SELECT t.id ${jobTracesSql('synthesized', '?')} ORDER BY t.seq LIMIT ?`).all(jobId, limit)
  return ids.map(({ id }) => project.traces.get(id))
}

/** Runs `work` over `items`, `width` at a time (the job runs several samples at once). */
async function pool<T>(items: readonly T[], width: number, work: (item: T) => Promise<void>): Promise<void> {
  let next = 0
  const worker = async (): Promise<void> => {
    for (let i = next++; i < items.length; i = next++) await work(items[i] as T)
  }
  await Promise.all([...Array(width)].map(worker))
}

/** The baseline: every look of each trace cut with raw sharp from the file bytes, no cache. */
async function rawSharp(project: Project, traces: readonly StoredTrace[]): Promise<number> {
  await pool(traces, 4, async (t) => {
    const sample = project.samples.get(t.sampleId)
    const bytes = await loadMediaBytes(project, sample.media.map((m) => m.hash))
    for (const s of t.steps) {
      if (s.kind === 'crop') await cropImage(bytes[s.targetImage - 1]!, s.bbox, { profile: TRAIN_PROFILE, kind: 'original' })
      if (s.kind === 'select_frames') await selectFrames(bytes, s.frames, { profile: TRAIN_PROFILE })
    }
  })
  return traces.length
}

/** What the pixels cost when wanted: renderObservations over the traces (an export does this). */
async function renderOnDemand(project: Project, traces: readonly StoredTrace[]): Promise<number> {
  const views = new ViewCache(TRAIN_PROFILE.view)
  const samples = new Map<string, Sample>()
  await pool(traces, 4, async (t) => {
    const sample = samples.get(t.sampleId) ?? project.samples.get(t.sampleId)
    samples.set(sample.id, sample)
    await renderObservations(project, sample, t.steps, TRAIN_PROFILE, views)
  })
  return traces.length
}

async function row(report: BenchReporter, project: Project, name: string, source: string, baselineTraces: number): Promise<void> {
  const timings = emptyTimings()
  const job = createSynthesisJob(project, SynthesisSpec.parse({ settings: { seed: 1 }, samples: { source } }))
  const start = performance.now()
  const cpu = process.cpuUsage()
  const result = await runSynthesisJob(project, job.id, new TemplateNarrator(), { timings })
  const subject = { label: `${name}: synthesis job (${result.created} traces)`, units: result.created, ms: performance.now() - start }
  const used = process.cpuUsage(cpu)
  // on a shared box wall time depends on the neighbours: the CPU the job used says what it costs
  const cpuTime = { label: `${name}: synthesis job, per CPU second (user+system)`, units: result.created, ms: (used.user + used.system) / 1000 }
  const sample = tracesOf(project, job.id, baselineTraces)
  const baseline = await report.time(`${name}: raw sharp, the looks of ${sample.length} of them`, () => rawSharp(project, sample))
  report.compare(subject, baseline)
  report.note(cpuTime)
  console.log(`${''.padEnd(14)} recipes ${JSON.stringify(result.byRecipe)}`)
  for (const [phase, ms] of Object.entries(timings)) report.note({ label: `  ${phase} (summed over samples)`, units: result.created, ms })
  report.compare(await report.time(`${name}: their pixels rendered on demand`, () => renderOnDemand(project, sample)), baseline)
}

const suite: BenchSuite = {
  name: 'synthesis',
  async run(report: BenchReporter) {
    const root = mkdtempSync(join(tmpdir(), 'pixel-studio-bench-synth-'))
    try {
      const shared = Project.create(join(root, 'shared'))
      try {
        await fillShared(shared, SHARED_SAMPLES)
        await row(report, shared, `${SHARED_SAMPLES} on 4 photos`, 'shared', Math.min(SHARED_SAMPLES, 300))
      } finally {
        shared.close()
      }
      const distinct = Project.create(join(root, 'distinct'))
      try {
        await fillDistinct(distinct, DISTINCT_SAMPLES, DISTINCT_PHOTOS)
        await row(report, distinct, `${DISTINCT_SAMPLES} on ${DISTINCT_PHOTOS} 4000x3000`, 'distinct', Math.min(DISTINCT_SAMPLES, 20))
      } finally {
        distinct.close()
      }
    } finally {
      rmSync(root, { recursive: true, force: true })
    }
  }
}

export default suite
