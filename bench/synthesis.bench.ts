// Trace synthesis with the template narrator over many samples (PIXEL_STUDIO_BENCH_SYNTHESIS,
// default 100k): traces per second through the whole job (read samples, recipe, real crops stored
// in the media store, narration, checks, batch commits), where the time goes, and beside it, in
// the same run, the floor of the work: one sharp crop of each sample's cue from its image bytes
// (what cropImage does for one look, no cache, no store, no database). A few real images are
// shared by all samples; every cue is different, so every crop is computed.
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { performance } from 'node:perf_hooks'
import sharp from 'sharp'
import type { MediaRef, NormalizedBbox } from '../src/shared/contract'
import { TRAIN_PROFILE } from '../src/shared/pixel-ops/profiles'
import { cropImage } from '../src/main/pixel-ops/crop'
import { Project } from '../src/main/project/project'
import { seededRandom } from '../src/main/project/sample-data'
import { TemplateNarrator } from '../src/main/synthesis/narrators/template-narrator'
import { createSynthesisJob, SynthesisSpec } from '../src/main/synthesis/synthesis-jobs'
import { runSynthesisJob } from '../src/main/synthesis/synthesis-run'
import { emptyTimings } from '../src/main/synthesis/timings'
import type { BenchReporter, BenchSuite } from './harness'

const SAMPLES = Number(process.env.PIXEL_STUDIO_BENCH_SYNTHESIS ?? 100_000)
const BASELINE_SAMPLES = Math.min(SAMPLES, 3000)
const VIDEO_EVERY = 10

async function photo(i: number): Promise<Buffer> {
  // noise over a colour field: decodes like a photo (no flat-area shortcuts), the sample project's size
  return sharp({ create: { width: 1280, height: 960, channels: 3, background: { r: 60 + i * 40, g: 120, b: 180 - i * 30 }, noise: { type: 'gaussian', mean: 128, sigma: 30 } } })
    .jpeg({ quality: 90 })
    .toBuffer()
}

function cueAt(rand: () => number): NormalizedBbox {
  const w = 0.03 + rand() * 0.08
  const h = 0.03 + rand() * 0.08
  const x = rand() * (1 - w)
  const y = rand() * (1 - h)
  const r = (v: number): number => Math.round(v * 1e4) / 1e4
  return [r(x), r(y), r(x + w), r(y + h)]
}

async function fill(project: Project, samples = SAMPLES): Promise<{ bytes: Buffer[] }> {
  const bytes: Buffer[] = []
  const images: MediaRef[] = []
  for (let i = 0; i < 4; i++) {
    bytes.push(await photo(i))
    images.push(await project.media.put(bytes[i]!))
  }
  const frames: MediaRef[] = []
  for (let f = 0; f < 16; f++) frames.push(await project.media.put(await sharp({ create: { width: 480, height: 270, channels: 3, background: { r: f * 15, g: 40, b: 90 } } }).png().toBuffer()))
  const rand = seededRandom(2025)
  project.db.transaction(() => {
    for (let i = 0; i < samples; i++) {
      const id = `bench-${String(i).padStart(6, '0')}`
      if (i % VIDEO_EVERY === VIDEO_EVERY - 1) {
        const start = Math.floor(rand() * 13)
        project.samples.insert({ id, kind: 'video', question: 'Which number briefly appears in the white box at the top right?', answer: String(i % 97), answerType: 'number', source: 'bench', media: frames, cues: [{ kind: 'frames', frames: [start, start + 1, start + 2] }] })
      } else {
        const cue = cueAt(rand)
        project.samples.insert({ id, kind: 'image', question: 'What number is written on the small white sign?', answer: String(i % 997), answerType: 'number', source: 'bench', media: [images[i % 4]!], cues: [{ kind: 'bbox', imageIndex: 0, bbox: cue, sourceWidth: 1280, sourceHeight: 960 }] })
      }
    }
  })()
  return { bytes }
}

const suite: BenchSuite = {
  name: 'synthesis',
  async run(report: BenchReporter) {
    const root = mkdtempSync(join(tmpdir(), 'pixel-studio-bench-synth-'))
    const project = Project.create(join(root, 'project'))
    try {
      let photos: Buffer[] = []
      const filled = await report.time(`insert ${SAMPLES} samples (4 photos, 16 frames shared)`, async () => {
        photos = (await fill(project)).bytes
        return SAMPLES
      })
      report.note(filled)
      const rand = seededRandom(7)
      const cues = [...Array(BASELINE_SAMPLES)].map(() => cueAt(rand))

      const baseline = await report.time('floor: one sharp crop per sample, no store/db', async () => {
        // two at a time, as the job runs samples
        let next = 0
        const worker = async (): Promise<void> => {
          for (let i = next++; i < BASELINE_SAMPLES; i = next++) await cropImage(photos[i % 4]!, cues[i]!, { profile: TRAIN_PROFILE })
        }
        await Promise.all([worker(), worker()])
        return BASELINE_SAMPLES
      })

      const timings = emptyTimings()
      const job = createSynthesisJob(project, SynthesisSpec.parse({ settings: { seed: 1, ...(process.env.PIXEL_STUDIO_BENCH_CONCURRENCY ? { concurrency: Number(process.env.PIXEL_STUDIO_BENCH_CONCURRENCY) } : {}) }, samples: { source: 'bench' } }))
      const start = performance.now()
      const result = await runSynthesisJob(project, job.id, new TemplateNarrator(), { timings })
      const subject = { label: `synthesis job, template narrator (${result.created} traces)`, units: result.created, ms: performance.now() - start }
      report.compare(subject, baseline)
      const LOOKS: Record<string, number> = { single_pass: 1, recrop_once: 2, recrop_twice: 3, zoom_tighten: 2 }
      const imageTraces = Object.entries(result.byRecipe).filter(([r]) => r in LOOKS)
      const crops = imageTraces.reduce((n, [r, count]) => n + count * (LOOKS[r] ?? 0), 0)
      const traces = imageTraces.reduce((n, [, count]) => n + count, 0)
      console.log(`${''.padEnd(14)} crops per image trace: ${(crops / Math.max(traces, 1)).toFixed(2)}; recipes ${JSON.stringify(result.byRecipe)}`)
      for (const [phase, ms] of Object.entries(timings)) report.note({ label: `  ${phase} (summed over samples)`, units: result.created, ms })

      // what keeping decoded views bought (the main fix the numbers asked for): the same samples in
      // two fresh projects (an empty crop cache each), one job with views kept and one without
      const subset = Math.min(SAMPLES, 2000)
      const timed = async (keepViews: boolean): Promise<{ label: string; units: number; ms: number }> => {
        const fresh = Project.create(join(root, `views-${keepViews}`))
        try {
          await fill(fresh, subset)
          const again = createSynthesisJob(fresh, SynthesisSpec.parse({ settings: { seed: 1 }, samples: { source: 'bench' } }))
          const t = performance.now()
          const r = await runSynthesisJob(fresh, again.id, new TemplateNarrator(), { keepViews })
          return { label: `synthesis job, ${keepViews ? 'decoded views kept' : 'each crop decodes its image'} (${r.created})`, units: r.created, ms: performance.now() - t }
        } finally {
          fresh.close()
        }
      }
      const without = await timed(false)
      report.compare(await timed(true), without)
    } finally {
      project.close()
      rmSync(root, { recursive: true, force: true })
    }
  }
}

export default suite
