// Synthesis runs in-process on a real project (SQLite file, sharp crops in the media store): the
// traces it stores, determinism by seed, cancel and resume, bad samples, and the flags of checks.
import { rmSync } from 'node:fs'
import { join } from 'node:path'
import { beforeAll, describe, expect, it } from 'vitest'
import { SynthesisSettings, type StoredTrace, type SynthesisResult } from '../../src/shared/contract'
import { Project } from '../../src/main/project/project'
import { addSampleData } from '../../src/main/project/sample-data'
import { TemplateNarrator } from '../../src/main/synthesis/narrators/template-narrator'
import { createSynthesisJob, SynthesisSpec } from '../../src/main/synthesis/synthesis-jobs'
import { runSynthesisJob, type RunOptions } from '../../src/main/synthesis/synthesis-run'
import { traceIdFor } from '../../src/main/synthesis/synthesize-sample'
import { materializeObservations, renderObservations } from '../../src/main/traces/materialize'
import { observationMedia, type ObservationResult } from '../../src/shared/toolcall/steps'
import { tempDir } from '../helpers/temp'
import { jobTracesSql } from '../../src/main/traces/trace-query'

const root = tempDir()
let project: Project

beforeAll(async () => {
  project = Project.create(join(root, 'p'))
  await addSampleData(project)
  return () => project.close()
})

async function synthesize(settings: Partial<SynthesisSettings> = {}, samples: SynthesisSpec['samples'] = { source: 'generated:sample-project' }, options: RunOptions = {}): Promise<SynthesisResult> {
  const job = createSynthesisJob(project, SynthesisSpec.parse({ settings, samples }))
  return runSynthesisJob(project, job.id, new TemplateNarrator(), options)
}

function tracesOf(jobId: string): StoredTrace[] {
  const ids = project.db.prepare<[string], { id: string }>(`SELECT t.id ${jobTracesSql('synthesized', '?')} ORDER BY t.seq`).all(jobId)
  return ids.map((r) => project.traces.get(r.id))
}

const bySample = (traces: StoredTrace[]): Map<string, StoredTrace['steps']> => new Map(traces.map((t) => [t.sampleId, t.steps]))

describe('synthesized traces', () => {
  it('stores boxes and frame picks (sizes planned, pixels derived), wrong looks marked, with origin and settings recorded', async () => {
    const result = await synthesize({ seed: 3 })
    expect(result).toMatchObject({ status: 'succeeded', total: 12, created: 12, alreadyPresent: 0, skipped: 0, narrator: 'template', seed: 3, error: null })
    const traces = tracesOf(result.jobId)
    expect(traces).toHaveLength(12)
    for (const t of traces) {
      const sample = project.samples.get(t.sampleId)
      expect(t.id).toBe(traceIdFor(result.jobId, t.sampleId))
      expect(t.origin).toBe('synthesized')
      expect(t.originDetail).toMatchObject({ narrator: 'template', seed: 3, jobId: result.jobId, recipe: expect.any(String), settings: { imageSelfCorrection: 0.7, videoSelfCorrection: 0.1, cueIouThreshold: 0.5, templates: 'default', profile: 'train' } })
      expect(t.status).toBe('unreviewed')
      expect(t.warnings).toEqual([])
      expect(t.answer).toBe(sample.answer)
      const calls = t.steps.filter((s) => s.kind === 'crop' || s.kind === 'select_frames')
      // every call is followed by its observation: sizes, no media (rendered on demand, into the project's media)
      const rendered = await renderObservations(project, sample, t.steps)
      t.steps.forEach((s, i) => {
        if (s.kind !== 'crop' && s.kind !== 'select_frames') return
        const next = t.steps[i + 1]
        expect(next?.kind).toBe('observation')
        if (next?.kind !== 'observation') return
        expect(next.result.type).toBe(s.kind === 'crop' ? 'crop' : 'frames')
        expect(observationMedia(next.result)).toBeNull()
        const media = rendered[i + 1]?.kind === 'observation' ? observationMedia((rendered[i + 1] as { result: ObservationResult }).result) : null
        expect(media?.length).toBe(s.kind === 'crop' ? 1 : s.frames.length)
        for (const h of media ?? []) expect(project.media.get(h)).toMatchObject({ mime: 'image/png' })
      })
      // only the inserted looks are wrong, and the last look is the right one
      expect(calls.slice(0, -1).every((c) => c.wrongLook === true)).toBe(true)
      expect(calls.at(-1)?.wrongLook).toBeUndefined()
      expect(t.flags.includes('self_correction')).toBe(calls.length > 1)
      expect(t.steps[0]?.kind).toBe('thought')
      expect(t.steps.at(-1)?.kind).toBe('answer')
      const recipe = t.originDetail.recipe
      expect(calls).toHaveLength({ single_pass: 1, recrop_once: 2, recrop_twice: 3, zoom_tighten: 2, video_single: 1, video_reselect: 2 }[recipe as string] ?? -1)
      if (sample.kind === 'image') {
        const cue = sample.cues[0]
        expect(calls.at(-1)).toMatchObject({ kind: 'crop', targetImage: 1 })
        if (cue?.kind === 'bbox' && calls.at(-1)?.kind === 'crop') expect(calls.at(-1)).toMatchObject({ bbox: cue.bbox.map((v) => Math.round(v * 1000) / 1000) })
      } else {
        const cue = sample.cues[0]
        if (cue?.kind === 'frames') expect(calls.at(-1)).toEqual({ kind: 'select_frames', frames: cue.frames.map((f) => f + 1) })
      }
    }
    expect(Object.values(result.byRecipe).reduce((a, b) => a + b, 0)).toBe(12)
    // rendered on demand, the observations are the very ones a save computes (sizes and media)
    for (const t of traces.slice(0, 4)) {
      const sample = project.samples.get(t.sampleId)
      expect(await renderObservations(project, sample, t.steps)).toEqual(await materializeObservations(project, sample, t.steps))
    }
    // the job row records the outcome
    expect(project.jobs.get(result.jobId)).toMatchObject({ kind: 'synthesis', status: 'succeeded', result: { created: 12 }, progress: { done: 12, total: 12 } })
  })

  it('writes the same traces from the same seed, and other traces from another', async () => {
    const a = await synthesize({ seed: 42 })
    const b = await synthesize({ seed: 42 })
    const c = await synthesize({ seed: 43 })
    const stepsA = bySample(tracesOf(a.jobId))
    const stepsB = bySample(tracesOf(b.jobId))
    const stepsC = bySample(tracesOf(c.jobId))
    expect(stepsA.size).toBe(12)
    for (const [sampleId, steps] of stepsA) expect(stepsB.get(sampleId)).toEqual(steps)
    expect([...stepsA].filter(([id, steps]) => JSON.stringify(stepsC.get(id)) !== JSON.stringify(steps)).length).toBeGreaterThan(6)
  })

  it('resumes a cancelled job without duplicating or losing a trace', async () => {
    const whole = await synthesize({ seed: 5, concurrency: 1 })
    const job = createSynthesisJob(project, SynthesisSpec.parse({ settings: { seed: 5, concurrency: 1 }, samples: { source: 'generated:sample-project' } }))
    const controller = new AbortController()
    const first = await runSynthesisJob(project, job.id, new TemplateNarrator(), {
      signal: controller.signal,
      batchSize: 2,
      onProgress: (p) => p.done >= 5 && controller.abort()
    })
    expect(first.status).toBe('cancelled')
    expect(first.created).toBeGreaterThanOrEqual(5)
    expect(first.created).toBeLessThan(12)
    expect(project.jobs.get(job.id).status).toBe('cancelled')
    const progress: number[] = []
    const second = await runSynthesisJob(project, job.id, new TemplateNarrator(), { onProgress: (p) => progress.push(p.done) })
    expect(second).toMatchObject({ status: 'succeeded', alreadyPresent: first.created, created: 12 - first.created })
    expect(progress[0]).toBe(first.created) // the resumed run starts where the first stopped
    const resumed = tracesOf(job.id)
    expect(resumed).toHaveLength(12)
    expect(new Set(resumed.map((t) => t.sampleId)).size).toBe(12)
    const reference = bySample(tracesOf(whole.jobId))
    for (const t of resumed) expect(t.steps).toEqual(reference.get(t.sampleId))
  })
})

describe('bad samples', () => {
  it('skips each with a clear reason, goes on, and makes the trace once the sample is fixed', async () => {
    const image = project.samples.get('sample-img-001')
    const video = project.samples.get('sample-vid-001')
    const add = (id: string, from: typeof image, cues: unknown): void => {
      project.samples.insert({ ...from, id, source: 'bad', cues: [] })
      project.db.prepare('UPDATE samples SET cues = ? WHERE id = ?').run(JSON.stringify(cues), id)
    }
    add('no-cue', image, [])
    add('outside', image, [{ kind: 'bbox', imageIndex: 0, bbox: [0.5, 0.5, 1.2, 0.9], sourceWidth: 1280, sourceHeight: 960 }])
    add('wrong-image', image, [{ kind: 'bbox', imageIndex: 3, bbox: [0.1, 0.1, 0.2, 0.2], sourceWidth: 1280, sourceHeight: 960 }])
    add('frame-20', video, [{ kind: 'frames', frames: [3, 20] }])
    add('box-on-video', video, [{ kind: 'bbox', imageIndex: 0, bbox: [0.1, 0.1, 0.2, 0.2], sourceWidth: 480, sourceHeight: 270 }])
    add('good', image, image.cues)
    const result = await synthesize({}, { source: 'bad' })
    expect(result).toMatchObject({ status: 'succeeded', total: 6, created: 1, skipped: 5, skippedByCode: { no_cue: 1, cue_outside_image: 3, cue_invalid: 1 } })
    const reasons = Object.fromEntries(result.skippedSamples.map((s) => [s.sampleId, `${s.code}: ${s.message}`]))
    expect(reasons).toEqual({
      'no-cue': expect.stringMatching(/^no_cue: no visual cue to look at: annotate a box/),
      outside: expect.stringMatching(/^cue_outside_image: the cue box \[0.5,0.5,1.2,0.9\] reaches outside the image/),
      'wrong-image': expect.stringMatching(/^cue_outside_image: the cue is on image 3 but the sample has 1 image/),
      'frame-20': expect.stringMatching(/^cue_outside_image: key frame 20 does not exist \(the video has 16 frames/),
      'box-on-video': expect.stringMatching(/^cue_invalid: the cue is a box but the sample is a video/)
    })
    // fix one sample and resume: its skip row goes, the others stay
    project.db.prepare('UPDATE samples SET cues = ? WHERE id = ?').run(JSON.stringify(image.cues), 'outside')
    const again = await runSynthesisJob(project, result.jobId, new TemplateNarrator())
    expect(again).toMatchObject({ created: 1, alreadyPresent: 1, skipped: 4 })
    expect(again.skippedSamples.map((s) => s.sampleId).sort()).toEqual(['box-on-video', 'frame-20', 'no-cue', 'wrong-image'])
  })

  it('skips a sample whose media file is gone', async () => {
    const image = project.samples.get('sample-img-002')
    project.samples.insert({ ...image, id: 'lost-media', source: 'lost' })
    const ref = image.media[0]!
    const copy = join(root, 'keep.bin')
    rmSync(copy, { force: true })
    const file = project.media.pathOf(ref)
    const { renameSync } = await import('node:fs')
    renameSync(file, copy)
    try {
      const result = await synthesize({}, { source: 'lost' })
      expect(result.skippedSamples).toEqual([expect.objectContaining({ sampleId: 'lost-media', code: 'media_missing', message: expect.stringMatching(/missing from the project folder/) })])
    } finally {
      renameSync(copy, file)
    }
  })
})

describe('checks on synthesized traces', () => {
  it('keeps failing traces, flags them and asks for a fix', async () => {
    const result = await synthesize({
      templates: { imageDetail: ['It looks like \\boxed{nope} to me.'], zoomIn: ['Now I will zoom into [0.01, 0.01, 0.02, 0.02] to see {target}.'] }
    }, { source: 'generated:sample-project', kind: 'image' })
    expect(result).toMatchObject({ created: 10, flagged: 10 })
    for (const t of tracesOf(result.jobId)) {
      expect(t.status).toBe('needs_fix')
      expect(t.flags).toEqual(expect.arrayContaining(['check:answer_mismatch', 'check:coordinate_mismatch']))
      expect(t.warnings.map((w) => w.code)).toEqual(expect.arrayContaining(['answer_mismatch', 'coordinate_mismatch']))
    }
    expect(project.traces.count({ flag: 'check:answer_mismatch' })).toBeGreaterThanOrEqual(10)
  })

  it('applies the IoU threshold of the run, and the editor shows the same verdict', async () => {
    // written to 3 decimals, the final crop is never exactly the cue: at IoU 1.0 (almost) every trace misses
    const strict = await synthesize({ cueIouThreshold: 1 }, { source: 'generated:sample-project', kind: 'image' })
    const traces = tracesOf(strict.jobId)
    const missed = traces.filter((t) => t.flags.includes('check:cue_miss'))
    expect(missed.length).toBeGreaterThan(5)
    for (const t of missed) expect(t.warnings.find((w) => w.code === 'cue_miss')?.message).toMatch(/needs 1\)/)
    const lenient = await synthesize({ cueIouThreshold: 0.9 }, { source: 'generated:sample-project', kind: 'image' })
    expect(lenient.flagged).toBe(0)
  })
})
