// The two synthesis rows of issue 15's table, measured once for every suite that prints them
// (`synthesis` in detail, `scale` as JSON metrics): a synthesis job with the template narrator,
// timed in wall and CPU time, beside a baseline measured in the same run: raw sharp cutting the
// looks of the same traces (cropImage / selectFrames from the file bytes: no cache, no store, no
// database), i.e. what every trace cost when synthesis rendered its crops.
//  1. `--samples N` (PIXEL_STUDIO_BENCH_SYNTHESIS, default 5000) samples on 4 shared photos
//     (1280x960 noisy JPEGs) and 16 shared frames, every cue different, 1 video in 10.
//  2. `--photos-samples N` (default 600) samples on `--photos N` (default 540) distinct
//     4000x3000 JPEGs (one noisy photo, each file made distinct by a JPEG comment: same pixels,
//     another hash, so nothing is shared).
import { performance } from 'node:perf_hooks'
import sharp from 'sharp'
import type { MediaRef, NormalizedBbox, StoredTrace, SynthesisResult } from '../src/shared/contract'
import { TRAIN_PROFILE } from '../src/shared/pixel-ops/profiles'
import { cropImage } from '../src/main/pixel-ops/crop'
import { selectFrames } from '../src/main/pixel-ops/frames'
import type { Project } from '../src/main/project/project'
import type { NewSample } from '../src/main/samples/sample-repository'
import { seededRandom } from '../src/main/project/sample-data'
import { TemplateNarrator } from '../src/main/synthesis/narrators/template-narrator'
import { createSynthesisJob, SynthesisSpec } from '../src/main/synthesis/synthesis-jobs'
import { runSynthesisJob } from '../src/main/synthesis/synthesis-run'
import { emptyTimings, type SynthesisTimings } from '../src/main/synthesis/timings'
import { loadMediaBytes } from '../src/main/traces/materialize'
import { jobTracesSql } from '../src/main/traces/trace-query'
import { flagValue } from './harness'

const VIDEO_EVERY = 10

export interface SynthesisRow {
  /** the row of the table, e.g. "synthesis, template narrator, 5000 samples on 4 shared photos" */
  name: string
  /** a short label for text output */
  label: string
  kind: 'shared' | 'distinct'
  samples: number
  photos: number
  /** how many of the job's traces the raw sharp baseline cuts (it is slow: a sample of them) */
  baselineTraces: number
}

/** a count from `--name N` / `--name=N` (or `env`), else `fallback` */
function count(name: string, fallback: number, env?: string): number {
  const given = flagValue(name) ?? (env ? process.env[env] : undefined)
  const n = given === undefined ? fallback : Number(given)
  if (!Number.isInteger(n) || n < 1) throw new Error(`--${name} must be a whole number >= 1, got ${given}`)
  return n
}

/** The two rows at the sizes the flags give (the sizes by default). */
export function synthesisRows(): SynthesisRow[] {
  const shared = count('samples', 5000, 'PIXEL_STUDIO_BENCH_SYNTHESIS')
  const distinct = count('photos-samples', 600)
  const photos = count('photos', 540)
  return [
    { name: `synthesis, template narrator, ${shared} samples on 4 shared photos`, label: `${shared} on 4 photos`, kind: 'shared', samples: shared, photos: 4, baselineTraces: Math.min(shared, 300) },
    { name: `synthesis, ${distinct} samples on ${photos} distinct 4000x3000 photos`, label: `${distinct} on ${photos} 4000x3000`, kind: 'distinct', samples: distinct, photos, baselineTraces: Math.min(distinct, 20) }
  ]
}

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
export async function pool<T>(items: readonly T[], width: number, work: (item: T) => Promise<void>): Promise<void> {
  let next = 0
  const worker = async (): Promise<void> => {
    for (let i = next++; i < items.length; i = next++) await work(items[i] as T)
  }
  await Promise.all([...Array(width)].map(worker))
}

/** The baseline: every look of each trace cut with raw sharp from the file bytes, no cache. */
async function rawSharp(project: Project, traces: readonly StoredTrace[]): Promise<void> {
  await pool(traces, 4, async (t) => {
    const sample = project.samples.get(t.sampleId)
    const bytes = await loadMediaBytes(project, sample.media.map((m) => m.hash))
    for (const s of t.steps) {
      if (s.kind === 'crop') await cropImage(bytes[s.targetImage - 1]!, s.bbox, { profile: TRAIN_PROFILE, kind: 'original' })
      if (s.kind === 'select_frames') await selectFrames(bytes, s.frames, { profile: TRAIN_PROFILE })
    }
  })
}

/** `fn`'s value with its wall and CPU time (user + system, every thread: sharp's too), in ms. */
async function timed<T>(fn: () => Promise<T>): Promise<{ value: T; wallMs: number; cpuMs: number }> {
  const start = performance.now()
  const cpu = process.cpuUsage()
  const value = await fn()
  const used = process.cpuUsage(cpu)
  return { value, wallMs: performance.now() - start, cpuMs: (used.user + used.system) / 1000 }
}

export interface SynthesisMeasurement {
  /** traces the job created */
  traces: number
  wallMs: number
  /** on a shared box wall time depends on the neighbours: the CPU the job used says what it costs */
  cpuMs: number
  byRecipe: SynthesisResult['byRecipe']
  timings: SynthesisTimings
  /** raw sharp cutting the looks of `sample` */
  baseline: { traces: number; wallMs: number; cpuMs: number }
  /** the first `row.baselineTraces` traces of the job (what the baseline cut) */
  sample: StoredTrace[]
}

/**
 * Fills `project` (a new one) with the row's samples and photos (untimed), runs one synthesis
 * job over them with the template narrator (timed), then the raw sharp baseline.
 */
export async function measureSynthesis(project: Project, row: SynthesisRow): Promise<SynthesisMeasurement> {
  if (row.kind === 'shared') await fillShared(project, row.samples)
  else await fillDistinct(project, row.samples, row.photos)
  const timings = emptyTimings()
  const job = createSynthesisJob(project, SynthesisSpec.parse({ settings: { seed: 1 }, samples: { source: row.kind } }))
  const run = await timed(() => runSynthesisJob(project, job.id, new TemplateNarrator(), { timings }))
  if (run.value.status !== 'succeeded') throw new Error(`the synthesis job ${run.value.status}: ${run.value.error ?? ''}`)
  const sample = tracesOf(project, job.id, row.baselineTraces)
  const baseline = await timed(() => rawSharp(project, sample))
  return {
    traces: run.value.created,
    wallMs: run.wallMs,
    cpuMs: run.cpuMs,
    byRecipe: run.value.byRecipe,
    timings,
    baseline: { traces: sample.length, wallMs: baseline.wallMs, cpuMs: baseline.cpuMs },
    sample
  }
}
