// Same seed, same traces: synthesis on the sample project against the traces main 7f7325f made
// (vectors/sample-project-traces.json, every crop rendered and stored then). Today a trace stores
// its boxes, frame picks, sizes and text, and the pixels are derived: the text, calls, sizes,
// statuses and flags must be those of the golden file, and an export must write the very crop
// files main stored (byte-identical PNGs, same sha256 names), as rendering from the original file
// bytes with no cache at all also gives.
import { createHash } from 'node:crypto'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { beforeAll, describe, expect, it } from 'vitest'
import type { StoredTrace } from '../../src/shared/contract'
import { TRAIN_PROFILE } from '../../src/shared/pixel-ops/profiles'
import { observationMedia, type Step } from '../../src/shared/toolcall/steps'
import { exportSnapshot } from '../../src/main/export/snapshot-export'
import { cropImage } from '../../src/main/pixel-ops/crop'
import { selectFrames } from '../../src/main/pixel-ops/frames'
import { PIXEL_OPS_VERSION } from '../../src/main/pixel-ops/image'
import { Project } from '../../src/main/project/project'
import { addSampleData } from '../../src/main/project/sample-data'
import { TemplateNarrator } from '../../src/main/synthesis/narrators/template-narrator'
import { createSynthesisJob, SynthesisSpec } from '../../src/main/synthesis/synthesis-jobs'
import { runSynthesisJob } from '../../src/main/synthesis/synthesis-run'
import { loadMediaBytes } from '../../src/main/traces/materialize'
import { tempDir } from '../helpers/temp'
import { jobTracesSql } from '../../src/main/traces/trace-query'
import { GOLDEN_RUNS } from './vectors/golden-runs'

interface GoldenTrace {
  sampleId: string
  recipe: string
  status: string
  flags: string[]
  steps: Step[]
}
const golden = JSON.parse(readFileSync(join(import.meta.dirname, 'vectors', 'sample-project-traces.json'), 'utf8')) as { pixelOps: string; runs: Array<{ settings: unknown; traces: GoldenTrace[] }> }

const root = tempDir()
let project: Project
/** per golden run, today's traces by sample */
const runs: Array<Map<string, StoredTrace>> = []

beforeAll(async () => {
  project = Project.create(join(root, 'p'))
  await addSampleData(project)
  for (const run of GOLDEN_RUNS) {
    const job = createSynthesisJob(project, SynthesisSpec.parse({ settings: run.settings, samples: {} }))
    await runSynthesisJob(project, job.id, new TemplateNarrator())
    const ids = project.db.prepare<[string], { id: string }>(`SELECT t.id ${jobTracesSql('synthesized', '?')}`).all(job.id)
    runs.push(new Map(ids.map(({ id }) => project.traces.get(id)).map((t) => [t.sampleId, t])))
  }
  return () => project.close()
}, 120_000)

/** steps as a trace that stores only boxes holds them: observations without media */
function withoutMedia(steps: readonly Step[]): Step[] {
  return steps.map((s) => {
    if (s.kind !== 'observation' || s.result.type === 'error') return s
    const { image: _image, images: _images, ...rest } = s.result as typeof s.result & { image?: string; images?: string[] }
    return { ...s, result: rest } as Step
  })
}

/** the media of every observation, in order */
const mediaOf = (steps: readonly Step[]): string[] => steps.flatMap((s) => (s.kind === 'observation' ? (observationMedia(s.result) ?? ['(derived)']) : []))

/** what main rendered, recomputed from the original file bytes: no decoded views, no cache */
async function referenceMedia(sampleId: string, steps: readonly Step[]): Promise<string[]> {
  const sample = project.samples.get(sampleId)
  const originals = await loadMediaBytes(project, sample.media.map((m) => m.hash))
  const out: string[] = []
  for (const s of steps) {
    if (s.kind === 'crop') out.push((await cropImage(originals[s.targetImage - 1]!, s.bbox, { profile: TRAIN_PROFILE, kind: sample.kind === 'video' ? 'frame' : 'original' })).hash)
    if (s.kind === 'select_frames') out.push(...(await selectFrames(originals, s.frames, { profile: TRAIN_PROFILE })).frames.map((f) => f.hash))
  }
  return out
}

describe('same seed, same traces as before crops became derived data', () => {
  it('gives the golden text, boxes, frame picks, sizes, statuses and flags, storing no crop media', () => {
    expect(runs).toHaveLength(golden.runs.length)
    golden.runs.forEach((run, r) => {
      const today = runs[r]!
      expect([...today.keys()].sort()).toEqual(run.traces.map((t) => t.sampleId))
      for (const g of run.traces) {
        const t = today.get(g.sampleId)!
        expect({ sampleId: t.sampleId, recipe: t.originDetail.recipe, status: t.status, flags: t.flags, steps: t.steps }).toEqual({ ...g, steps: withoutMedia(g.steps) })
        expect(mediaOf(t.steps).every((m) => m === '(derived)')).toBe(true)
      }
    })
    // the golden runs cover every recipe, wrong looks and video re-selections included
    const recipes = new Set(golden.runs.flatMap((run) => run.traces.map((t) => t.recipe)))
    expect([...recipes].sort()).toEqual(['recrop_once', 'recrop_twice', 'single_pass', 'video_reselect', 'video_single', 'zoom_tighten'])
  })

  it('exports the crops and frames main stored, byte for byte, rendered on demand', async () => {
    const snapshot = project.snapshots.create('golden', {})
    expect(snapshot.traceCount).toBe(golden.runs.length * 12)
    const outDir = join(root, 'trl')
    await exportSnapshot(project, { snapshotId: snapshot.id, format: 'trl', outDir, name: 'golden', cropToolName: 'crop_image_normalized', llamaFactoryMode: 'text' })
    const rows = readFileSync(join(outDir, 'golden.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { id: string; images: string[] })
    const byId = new Map(rows.map((row) => [row.id, row]))
    const sameVersion = golden.pixelOps === PIXEL_OPS_VERSION
    let checked = 0
    for (const [r, run] of golden.runs.entries()) {
      for (const g of run.traces) {
        const t = runs[r]!.get(g.sampleId)!
        const sample = project.samples.get(g.sampleId)
        const row = byId.get(t.id)!
        const names = row.images.map((p) => p.split('/').at(-1)!.replace(/\.(png|jpg)$/, ''))
        // every exported file is the PNG its name says
        for (const p of row.images) expect(createHash('sha256').update(readFileSync(p)).digest('hex')).toBe(p.split('/').at(-1)!.replace(/\.(png|jpg)$/, ''))
        const originals = sample.kind === 'video' ? sample.media.map((m) => m.hash) : [sample.media[0]!.hash]
        const returned = names.slice(originals.length)
        expect(names.slice(0, originals.length)).toEqual(originals)
        expect(returned).toEqual(await referenceMedia(g.sampleId, t.steps))
        // the golden hashes are PNG bytes of one sharp/libvips build: compared when this is that build
        if (sameVersion) expect(returned).toEqual(mediaOf(g.steps))
        checked++
      }
    }
    expect(checked).toBe(golden.runs.length * 12)
  }, 120_000)
})
