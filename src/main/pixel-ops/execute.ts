// Runs one parsed call against the conversation's images and returns what the model is shown
// next: an observation (crop / frames / error) and the new images. The order of checks is the
// reference's execute_tool (experience_maker.py l.1170-1241); any PixelOpError becomes an error
// observation with its message, as the reference turns exceptions into "Execution error:" (l.2319-2327).
import { PixelOpError } from '../../shared/pixel-ops/errors'
import type { PixelProfile } from '../../shared/pixel-ops/profiles'
import type { Size } from '../../shared/pixel-ops/smart-resize'
import { frameLabels, resolveCropTarget, resolveFrameSelection, type MediaContext } from '../../shared/pixel-ops/targets'
import type { CallStep, ObservationResult } from '../../shared/toolcall/steps'
import type { PixelCache } from './cache'
import { cropGeometry, cropImage, modelViewSize, type PngImage } from './crop'
import { selectedFrameSize, selectFrames } from './frames'
import { checkedSize, type RgbImage } from './image'

export type ExecutionMedia = { kind: 'images'; images: readonly Uint8Array[] } | { kind: 'video'; frames: readonly Uint8Array[] }

export interface ExecutionState {
  media: ExecutionMedia
  /** PNGs returned by earlier calls, in order */
  returned: readonly Uint8Array[]
  /**
   * The model's decoded view of original image `index` and the hash of its file, when the
   * caller keeps views (many crops of one image): crops then cut from it without decoding the
   * file again (same bytes, same cache key as from the file).
   */
  views?: (index: number) => Promise<{ view: RgbImage; sourceHash: string }>
}

export interface Execution {
  /** media refs in the observation are the sha256 hashes of the returned PNGs */
  observation: ObservationResult
  /** images to append to `returned` (empty on error) */
  images: PngImage[]
}

export function mediaContext(state: { media: { kind: 'images'; images: readonly unknown[] } | { kind: 'video'; frames: readonly unknown[] }; returned: readonly unknown[] }): MediaContext {
  return state.media.kind === 'images'
    ? { kind: 'images', originals: state.media.images.length, returned: state.returned.length }
    : { kind: 'video', frames: state.media.frames.length, returned: state.returned.length }
}

export async function executeCall(step: CallStep, state: ExecutionState, options: { profile: PixelProfile; cache?: PixelCache }): Promise<Execution> {
  try {
    const ctx = mediaContext(state)
    if (step.kind === 'select_frames') {
      const frames = state.media.kind === 'video' ? state.media.frames : []
      const r = await selectFrames(frames, step.frames, { ...options, context: ctx })
      const observation: ObservationResult = { type: 'frames', images: r.frames.map((f) => f.hash), width: r.width, height: r.height, first: r.first, last: r.last }
      return { observation, images: r.frames }
    }
    const target = resolveCropTarget(step.targetImage, ctx)
    if (!target.ok) throw target.error
    const t = target.value
    const known = t.kind === 'original' && state.views ? await state.views(t.index) : undefined
    const bytes = t.kind === 'returned' ? state.returned[t.index] : t.kind === 'frame' ? (state.media.kind === 'video' ? state.media.frames[t.index] : undefined) : state.media.kind === 'images' ? state.media.images[t.index] : undefined
    if (!bytes) throw new PixelOpError('target_out_of_range', `No image at target_image=${step.targetImage}`)
    const crop = await cropImage(bytes, step.bbox, { ...options, kind: t.kind, ...known })
    return { observation: { type: 'crop', image: crop.hash, width: crop.width, height: crop.height }, images: [crop] }
  } catch (error) {
    if (error instanceof PixelOpError) return { observation: { type: 'error', code: error.code, message: error.message }, images: [] }
    throw error
  }
}

/** What planning a call needs: the sizes of the files (recorded at import) and of returned images. */
export interface PlanState {
  media: { kind: 'images'; images: readonly Size[] } | { kind: 'video'; frames: readonly Size[] }
  returned: readonly Size[]
}

export interface Plan {
  /** the observation executeCall gives, without its media (a crop's `image`, the frames' `images`) */
  observation: ObservationResult
  /** sizes to append to `returned` */
  returned: Size[]
}

/**
 * executeCall without pixels: the same target rules, geometry and sizes (cropGeometry,
 * selectedFrameSize), so the same observation but for its media, and the same errors except
 * those only decoding finds (a corrupt file). Traces that store only boxes are planned here and
 * rendered on demand (src/main/traces/materialize.ts).
 */
export function planCall(step: CallStep, state: PlanState, profile: PixelProfile): Plan {
  const ctx = mediaContext(state)
  try {
    if (step.kind === 'select_frames') {
      const frames = state.media.kind === 'video' ? state.media.frames : []
      const r = resolveFrameSelection(step.frames, ctx, profile.maxSelectedFrames)
      if (!r.ok) throw r.error
      const sizes = r.value.map((index) => selectedFrameSize(checkedSize(frames[index] as Size), profile))
      const first = sizes[0] as Size
      return { observation: { type: 'frames', width: first.width, height: first.height, ...frameLabels(ctx, sizes.length) }, returned: sizes }
    }
    const target = resolveCropTarget(step.targetImage, ctx)
    if (!target.ok) throw target.error
    const t = target.value
    const file = t.kind === 'returned' ? state.returned[t.index] : t.kind === 'frame' ? (state.media.kind === 'video' ? state.media.frames[t.index] : undefined) : state.media.kind === 'images' ? state.media.images[t.index] : undefined
    if (!file) throw new PixelOpError('target_out_of_range', `No image at target_image=${step.targetImage}`)
    const source = t.kind === 'returned' ? file : modelViewSize(checkedSize(file), t.kind, profile)
    const { out } = cropGeometry(source, step.bbox, profile)
    return { observation: { type: 'crop', width: out.width, height: out.height }, returned: [out] }
  } catch (error) {
    if (error instanceof PixelOpError) return { observation: { type: 'error', code: error.code, message: error.message }, returned: [] }
    throw error
  }
}
