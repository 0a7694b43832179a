// One annotated sample -> one synthesized trace (or a reason it could not be made):
//   1. draw the variant and plan its looks (recipes.ts) with the sample's own seeded numbers
//   2. compute what each look returns with the trace store's planObservations: the sizes and
//      errors the reference executor gives, from the media rows' recorded sizes, no pixels. The
//      trace stores boxes and frame picks; crops are rendered on demand (renderObservations)
//      by whoever needs the pixels, here only a narrator that looks at them
//   3. have the narrator write the look at the whole input and the analysis of the detail;
//      templates write the glue ("Now I will zoom in ...", the reflections after wrong looks)
//   4. run the shared checks (src/shared/traces/checks.ts) and turn failures into flags
// Everything random comes from (seed, sample id), so a sample gets the same trace whatever
// order, batch or resume it is made in.
import { createHash } from 'node:crypto'
import { performance } from 'node:perf_hooks'
import { StudioError, type OriginDetail, type Sample, type SynthesisSettings, type VisualCue } from '../../shared/contract'
import { lastBoxed } from '../../shared/eval/answer-extraction'
import { TRAIN_PROFILE, type PixelProfile } from '../../shared/pixel-ops/profiles'
import type { ViewCache } from '../pixel-ops/view-cache'
import { observationMedia, type Step } from '../../shared/toolcall/steps'
import { checkFlags, traceWarnings } from '../../shared/traces/checks'
import { seededRandom } from '../project/sample-data'
import type { Project } from '../project/project'
import type { NewTrace } from '../traces/trace-rows'
import { loadMediaBytes, materializeObservations, planObservations, renderObservations } from '../traces/materialize'
import { NarratorError, type NarrationImage, type Narrator } from './narrators/narrator'
import { chooseRecipe, planRecipe, type Look, type RecipeName } from './recipes'
import type { SynthesisTimings } from './timings'
import { fill, sampleVars, type TemplateSet } from './templates'

export interface SynthesisContext {
  project: Project
  jobId: string
  settings: SynthesisSettings
  templates: TemplateSet
  narrator: Narrator
  profile: PixelProfile
  signal: AbortSignal
  /** the job settings recorded in every trace's originDetail */
  recorded: Record<string, unknown>
  /** decoded views of original images, shared by the job's crops */
  views?: ViewCache
  /** per-phase time, for the benchmark */
  timings?: Pick<SynthesisTimings, 'plan' | 'crops' | 'narrate' | 'checks'>
}

export type SampleOutcome =
  | { kind: 'trace'; trace: NewTrace & { id: string }; recipe: RecipeName; flagged: boolean }
  | { kind: 'skip'; code: string; message: string }

/** A trace id that only depends on the job and the sample: a resumed job finds what it made. */
export function traceIdFor(jobId: string, sampleId: string): string {
  return `syn-${createHash('sha256').update(`${jobId}\u0000${sampleId}`).digest('hex').slice(0, 32)}`
}

/** The random numbers of one sample's trace: from the run's seed and the sample id only. */
export function sampleRandom(seed: number, sampleId: string): () => number {
  return seededRandom(createHash('sha256').update(`${seed}\u0000${sampleId}`).digest().readUInt32LE(0))
}

const WHOLE_VIDEO_FRAMES = 4

function skeleton(looks: readonly Look[]): Step[] {
  const steps: Step[] = []
  for (const look of looks) steps.push({ kind: 'thought', text: '' }, look.call)
  steps.push({ kind: 'answer', text: '', boxed: null })
  return steps
}

/** The thought before each look: the narrator's global look first, then reflections on wrong looks. */
function thoughts(looks: readonly Look[], global: string, ctx: SynthesisContext, vars: Parameters<typeof fill>[2], rng: () => number, video: boolean): string[] {
  const t = ctx.templates
  const look = (): string => fill(t, video ? 'selectFrames' : 'zoomIn', vars, rng)
  const out = [`${global} ${look()}`]
  for (let i = 1; i < looks.length; i++) {
    const before = looks[i - 1]?.wrong
    if (before === 'wide') out.push(fill(t, 'tooWide', vars, rng))
    else out.push(`${fill(t, video ? 'wrongFrames' : 'wrongRegion', vars, rng)} ${look()}`)
  }
  return out
}

async function narrationImages(ctx: SynthesisContext, sample: Sample, cue: VisualCue, planned: readonly Step[]): Promise<{ whole: NarrationImage[]; detail: NarrationImage[] }> {
  const project = ctx.project
  // the narrator sees the crop: render it (through the decoded views and the crop cache)
  const steps = await renderObservations(project, sample, planned, ctx.profile, ctx.views)
  const wholeRefs =
    sample.kind === 'video'
      ? [...Array(Math.min(WHOLE_VIDEO_FRAMES, sample.media.length)).keys()].map((i) => sample.media[Math.floor((i * sample.media.length) / Math.min(WHOLE_VIDEO_FRAMES, sample.media.length))]!)
      : [sample.media[cue.kind === 'bbox' ? cue.imageIndex : 0]!]
  const whole = await loadMediaBytes(project, wholeRefs.map((m) => m.hash))
  // the right look is the last call; its observation follows it
  const last = steps.findLastIndex((s) => s.kind === 'crop' || s.kind === 'select_frames')
  const observation = steps[last + 1]
  const hashes = observation?.kind === 'observation' ? (observationMedia(observation.result) ?? []) : []
  const detail = await loadMediaBytes(project, hashes)
  return {
    whole: whole.map((bytes, i) => ({ bytes, mime: wholeRefs[i]!.mime })),
    detail: detail.map((bytes) => ({ bytes, mime: 'image/png' }))
  }
}

/** Turns errors that concern this sample only into a skip; anything else (cancel, a bug) propagates. */
function asSkip(error: unknown): SampleOutcome | null {
  if (error instanceof NarratorError) return { kind: 'skip', code: error.code, message: error.message }
  if (error instanceof StudioError && error.code === 'not_found') return { kind: 'skip', code: 'media_missing', message: error.message }
  if ((error as NodeJS.ErrnoException | null)?.code === 'ENOENT') {
    return { kind: 'skip', code: 'media_missing', message: `a media file of the sample is missing from the project folder (${(error as NodeJS.ErrnoException).path ?? 'unknown path'})` }
  }
  return null
}

export async function synthesizeSample(sample: Sample, cue: VisualCue, ctx: SynthesisContext): Promise<SampleOutcome> {
  const timings = ctx.timings
  let t = performance.now()
  const lap = (phase: keyof NonNullable<SynthesisContext['timings']>): void => {
    if (!timings) return
    const now = performance.now()
    timings[phase] += now - t
    t = now
  }
  const rng = sampleRandom(ctx.settings.seed, sample.id)
  const video = sample.kind === 'video'
  const share = video ? ctx.settings.videoSelfCorrection : ctx.settings.imageSelfCorrection
  const plan = planRecipe(chooseRecipe(video ? 'video' : 'image', share, rng), cue, sample.media.length, rng)
  const first = plan.looks[0]?.call
  const vars = sampleVars(sample, cue, first?.kind === 'crop' ? first.bbox : null)
  lap('plan')
  try {
    // renderObservations renders with the train profile (exports, training, the editor), so only
    // a run in another profile (tests) stores its pixels
    const steps =
      ctx.profile === TRAIN_PROFILE ? planObservations(ctx.project, sample, skeleton(plan.looks), ctx.profile) : await materializeObservations(ctx.project, sample, skeleton(plan.looks), ctx.profile, ctx.views)
    lap('crops')
    const failed = steps.find((s) => s.kind === 'observation' && s.result.type === 'error')
    if (failed?.kind === 'observation' && failed.result.type === 'error') {
      return { kind: 'skip', code: 'operation_failed', message: `an operation of the ${plan.recipe} recipe failed on this sample: ${failed.result.message}` }
    }
    ctx.signal.throwIfAborted()
    const narration = await ctx.narrator.narrate({
      sample,
      cue,
      vars,
      templates: ctx.templates,
      rng,
      images: () => narrationImages(ctx, sample, cue, steps),
      signal: ctx.signal
    })
    lap('narrate')
    const texts = thoughts(plan.looks, narration.global, ctx, vars, rng, video)
    const answer = lastBoxed(narration.detail) === null ? `${narration.detail} ${fill(ctx.templates, 'answerLine', vars, rng)}` : narration.detail
    let k = 0
    const filled: Step[] = steps.map((s) => (s.kind === 'thought' ? { kind: 'thought', text: texts[k++] ?? '' } : s.kind === 'answer' ? { kind: 'answer', text: answer, boxed: lastBoxed(answer) } : s))
    const warnings = traceWarnings(filled, {
      gold: sample.answer,
      cues: [cue],
      media: { kind: sample.kind, sizes: sample.media },
      cueIouThreshold: ctx.settings.cueIouThreshold,
      padding: ctx.profile.padding
    })
    const selfCorrection = plan.looks.length > 1
    lap('checks')
    const originDetail: OriginDetail = { recipe: plan.recipe, narrator: ctx.narrator.id, seed: ctx.settings.seed, jobId: ctx.jobId, settings: ctx.recorded }
    return {
      kind: 'trace',
      recipe: plan.recipe,
      flagged: warnings.length > 0,
      trace: {
        id: traceIdFor(ctx.jobId, sample.id),
        sampleId: sample.id,
        origin: 'synthesized',
        originDetail,
        question: sample.question,
        steps: filled,
        status: warnings.length > 0 ? 'needs_fix' : 'unreviewed',
        flags: [...checkFlags(warnings), ...(selfCorrection ? ['self_correction'] : [])]
      }
    }
  } catch (error) {
    const skip = asSkip(error)
    if (skip && !ctx.signal.aborted) return skip
    throw error
  }
}
