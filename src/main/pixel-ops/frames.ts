// select_frames executed as the reference does it (experience_maker.py execute_tool l.1171-1205,
// SelectFrames.call l.70-71, observation l.2286-2301): the chosen frames of the video as the
// model sees them (each frame smart-resized into the profile's videoFrame bounds, as
// qwen_vl_utils does for a list-of-images video), then in training resized again into the
// profile's frames bounds (resize_cropped, l.2289); at eval returned as they are (l.2287).
import type { PixelProfile } from '../../shared/pixel-ops/profiles'
import { frameLabels, resolveFrameSelection, type MediaContext } from '../../shared/pixel-ops/targets'
import { smartResize, type Size } from '../../shared/pixel-ops/smart-resize'
import { operationKey, type PixelCache } from './cache'
import type { PngImage } from './crop'
import { decodeForModel, PNG_OPTIONS, pngSize, rawPipeline, RESIZE_KERNEL, sha256 } from './image'

export interface SelectedFrame extends PngImage {
  /** the 1-based frame number the model asked for */
  frame: number
}

export interface FramesResult {
  frames: SelectedFrame[]
  /** "Frame Size" of the observation: the first returned frame's size */
  width: number
  height: number
  /** the observation's "Numbered {first} to {last}" (reference off-by-one kept) */
  first: number
  last: number
}

/**
 * `frames` are the video's sampled frames (encoded). `selection` is the model's 1-based list.
 * `returned` = images returned by earlier calls (for the label). Throws PixelOpError with the
 * reference's messages.
 */
export async function selectFrames(frames: readonly Uint8Array[], selection: readonly number[], options: { profile: PixelProfile; returned?: number; cache?: PixelCache; context?: MediaContext }): Promise<FramesResult> {
  const { profile, cache } = options
  // `context` lets a caller with an IMAGE conversation get the reference's "not a video" error
  const ctx: MediaContext = options.context ?? { kind: 'video', frames: frames.length, returned: options.returned ?? 0 }
  const r = resolveFrameSelection(selection, ctx, profile.maxSelectedFrames)
  if (!r.ok) throw r.error
  const done = new Map<number, PngImage>() // duplicates are returned twice, computed once
  const out: SelectedFrame[] = []
  for (const [i, index] of r.value.entries()) {
    let image = done.get(index)
    if (!image) {
      image = await frameImage(frames[index] as Uint8Array, profile, cache)
      done.set(index, image)
    }
    out.push({ ...image, frame: selection[i] as number })
  }
  const first = out[0] as SelectedFrame
  return { frames: out, width: first.width, height: first.height, ...frameLabels(ctx, out.length) }
}

/** A selected frame as returned, from the frame as the model sees it (training resizes it again). */
function returnedFrameSize(view: Size, profile: PixelProfile): Size {
  if (!profile.frames) return view
  const size = smartResize(view, profile.frames)
  if (!size.ok) throw size.error
  return size.value
}

/** The size of a selected frame as returned, from the size of its file, without pixels. */
export function selectedFrameSize(file: Size, profile: PixelProfile): Size {
  const view = smartResize(file, profile.videoFrame)
  if (!view.ok) throw view.error
  return returnedFrameSize(view.value, profile)
}

async function frameImage(bytes: Uint8Array, profile: PixelProfile, cache?: PixelCache): Promise<PngImage> {
  const sourceId = sha256(bytes)
  const key = operationKey(sourceId, 'frame', { view: profile.videoFrame, frames: profile.frames })
  const hit = await cache?.get(key)
  if (hit) return { png: hit, hash: sha256(hit), ...pngSize(hit) }
  const view = await decodeForModel(bytes, profile.videoFrame, sourceId)
  let pipeline = rawPipeline(view)
  const size = returnedFrameSize(view, profile)
  if (size.width !== view.width || size.height !== view.height) {
    pipeline = pipeline.resize(size.width, size.height, { kernel: RESIZE_KERNEL, fit: 'fill' })
  }
  const png = await pipeline.png(PNG_OPTIONS).toBuffer()
  await cache?.put(key, png)
  return { png, hash: sha256(png), ...pngSize(png) }
}
