// Computes what each operation of a trace returns. After every call step exactly one observation
// follows: an existing one right after the call is replaced, a missing one is inserted.
//  - materializeObservations: the real crops and frames the model would see, from pixel-ops (the
//    reference's rules) through the project's cache, so they are content-addressed media rows.
//  - planObservations: the same observations without their media, from the sizes recorded in the
//    media rows (read from the file headers at import), no pixel decoded: what a trace that
//    stores only boxes and frame picks holds (synthesis).
//  - renderObservations: such a trace's media rendered on demand (editor, exports, training, a
//    narrator that must see the crop), through the cache: a second render is a cache hit.
import { existsSync } from 'node:fs'
import { readFile } from 'node:fs/promises'
import { StudioError, type Sample } from '../../shared/contract'
import { TRAIN_PROFILE, type PixelProfile, type Size } from '../../shared/pixel-ops'
import { hasDerivedMedia, isCallStep, observationMedia, type ObservationResult, type ObservationStep, type Step } from '../../shared/toolcall/steps'
import { executeCall, planCall, type ExecutionState, type PlanState } from '../pixel-ops/execute'
import type { ViewCache } from '../pixel-ops/view-cache'
import type { MediaPixelCache } from '../media/media-pixel-cache'
import type { MediaStore } from '../media/media-store'

/** What materializing needs of a project (a Project is one): its media and its crop cache. */
export interface ProjectMedia {
  readonly media: Pick<MediaStore, 'resolve'>
  readonly pixelCache: MediaPixelCache
}

export async function loadMediaBytes(project: Pick<ProjectMedia, 'media'>, hashes: readonly string[]): Promise<Uint8Array[]> {
  return Promise.all(
    hashes.map(async (hash) => {
      const file = project.media.resolve(hash)
      if (!file) throw new StudioError('not_found', `media ${hash} is missing from the project`)
      return new Uint8Array(await readFile(file.path))
    })
  )
}

/**
 * Returns the steps with every call's observation (re)computed. Observations that follow no call
 * are dropped: an observation is always the result of the call before it.
 */
export async function materializeObservations(
  project: ProjectMedia,
  sample: Sample,
  steps: readonly Step[],
  profile: PixelProfile = TRAIN_PROFILE,
  /** decoded views of originals kept across calls (bulk synthesis): crops skip the decode */
  views?: ViewCache
): Promise<Step[]> {
  const originals = await loadMediaBytes(
    project,
    sample.media.map((m) => m.hash)
  )
  const state: { media: ExecutionState['media']; returned: Uint8Array[]; views?: ExecutionState['views'] } = {
    media: sample.kind === 'video' ? { kind: 'video', frames: originals } : { kind: 'images', images: originals },
    returned: []
  }
  if (views && sample.kind === 'image') {
    state.views = (index) => {
      const ref = sample.media[index]
      const bytes = originals[index]
      if (!ref || !bytes) throw new StudioError('not_found', `sample ${sample.id} has no image ${index + 1}`)
      return views.get(ref.hash, async () => bytes).then((view) => ({ view, sourceHash: ref.hash }))
    }
  }
  const out: Step[] = []
  for (let i = 0; i < steps.length; i++) {
    const step = steps[i]!
    if (step.kind === 'observation') continue // recomputed after its call, or an orphan
    out.push(step)
    if (!isCallStep(step)) continue
    const execution = await executeCall(step, state, { profile, cache: project.pixelCache })
    out.push({ kind: 'observation', result: execution.observation })
    for (const image of execution.images) state.returned.push(image.png)
  }
  return out
}

/**
 * The observations of `steps` without media: sizes and errors as materializeObservations gives
 * them, from the recorded sizes of the sample's media. A missing media file is refused as
 * loadMediaBytes refuses it, so a trace is only planned on media that can be rendered later.
 */
export function planObservations(project: { media: Pick<MediaStore, 'pathOf'> }, sample: Sample, steps: readonly Step[], profile: PixelProfile = TRAIN_PROFILE): Step[] {
  // the sample's media refs come from the media rows: only the files can be missing
  for (const m of sample.media) {
    const path = project.media.pathOf(m)
    if (!existsSync(path)) throw new StudioError('not_found', `a media file of the sample is missing from the project folder (${path})`)
  }
  const sizes = sample.media.map((m) => ({ width: m.width, height: m.height }))
  const state: { media: PlanState['media']; returned: Size[] } = {
    media: sample.kind === 'video' ? { kind: 'video', frames: sizes } : { kind: 'images', images: sizes },
    returned: []
  }
  const out: Step[] = []
  for (const step of steps) {
    if (step.kind === 'observation') continue
    out.push(step)
    if (!isCallStep(step)) continue
    const plan = planCall(step, state, profile)
    out.push({ kind: 'observation', result: plan.observation })
    state.returned.push(...plan.returned)
  }
  return out
}

/** Two observations alike but for their media. */
function samePlan(a: ObservationResult, b: ObservationResult): boolean {
  const shape = (r: ObservationResult): unknown[] => (r.type === 'error' ? [r.type, r.code, r.message] : r.type === 'crop' ? [r.type, r.width, r.height] : [r.type, r.width, r.height, r.first, r.last])
  return JSON.stringify(shape(a)) === JSON.stringify(shape(b))
}

/**
 * `steps` with the media of every observation that has none rendered (stored observations are
 * kept as they are). The rendered observations must be the planned ones: a difference is a bug
 * in planning, refused rather than written out.
 */
export async function renderObservations(project: ProjectMedia, sample: Sample, steps: readonly Step[], profile: PixelProfile = TRAIN_PROFILE, views?: ViewCache): Promise<Step[]> {
  if (!hasDerivedMedia(steps)) return [...steps]
  const rendered = await materializeObservations(project, sample, steps, profile, views)
  if (rendered.length !== steps.length) throw new StudioError('internal', `sample ${sample.id}: a trace with derived media has a call without its observation`)
  return steps.map((s, i) => {
    if (s.kind !== 'observation' || observationMedia(s.result) !== null) return s
    const r = rendered[i] as ObservationStep
    // the pixels can fail where the plan could not see it (a file whose data is damaged)
    if (r.kind === 'observation' && r.result.type === 'error' && s.result.type !== 'error') throw new StudioError('invalid_input', `sample ${sample.id}: the ${s.result.type} of step ${i + 1} could not be rendered: ${r.result.message}`)
    if (r.kind !== 'observation' || !samePlan(r.result, s.result)) {
      throw new StudioError('internal', `sample ${sample.id}: step ${i + 1} rendered as ${JSON.stringify(r)} but was planned as ${JSON.stringify(s.result)}`)
    }
    return { ...s, result: r.result }
  })
}
