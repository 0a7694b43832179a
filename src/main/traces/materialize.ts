// Computes what each operation of a trace returns, so the stored trace holds the real crops and
// frames the model would see. After every call step exactly one observation follows: an existing
// one right after the call is replaced, a missing one is inserted. Crops come from pixel-ops (the
// reference's rules) through the project's cache, so they are content-addressed media rows.
import { readFile } from 'node:fs/promises'
import { StudioError, type Sample } from '../../shared/contract'
import { TRAIN_PROFILE, type PixelProfile } from '../../shared/pixel-ops'
import { isCallStep, type Step } from '../../shared/toolcall/steps'
import { executeCall, type ExecutionState } from '../pixel-ops/execute'
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
