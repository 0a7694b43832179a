// Which image a call addresses, and which frames a select_frames call returns. Reference:
// Pixel-Reasoner experience_maker.py `execute_tool` l.1170-1241 and `SelectFrames.call` l.70-71.
//
// The model numbers images 1.. over [original image(s) ...returned images] (crops and selected
// frames, in order). A video is ONE item (its frame list) at position 1.
//  - image query (l.1228-1238): index = t-1 must be < len(images); an index inside the
//    originals crops the original (as the model sees it), otherwise a returned image.
//  - video query, nothing returned yet (l.1209-1217): t indexes the video's frames, 1..N.
//  - video query after returns (l.1218-1226): t must be >= 2 and indexes [video, ...returned].
//  - select_frames (l.1171-1205), checked in this order: not a video -> error; more than 8
//    frames -> error; max(frames) > N -> error; else frames[x-1] for x in the list, in the
//    model's order, duplicates kept.
// Where the reference silently does something odd we return a clear error instead, with the
// nearest reference message (recorded in README.md "Deviations"):
//  - t <= 0 or frame <= 0: Python's negative indexing would pick an image from the END.
//  - video with returns and t > len(images): Python IndexError "list index out of range".
//  - empty frame list: Python ValueError "max() arg is an empty sequence" (kept verbatim).
import { fail, ok, type Result } from './errors'
import { pyIntList } from './python'

export type MediaContext =
  /** `originals` images in the user turn, `returned` images returned by calls so far */
  | { kind: 'images'; originals: number; returned: number }
  /** one video of `frames` sampled frames, `returned` images returned by calls so far */
  | { kind: 'video'; frames: number; returned: number }

export type CropTarget =
  | { kind: 'original'; index: number }
  | { kind: 'frame'; index: number }
  | { kind: 'returned'; index: number }

const BAD_TARGET = 'Execution Error: Incorrect `target_image` argument in `crop_image_normalized` operation.'

/** Number of images the model can address (a video counts as one, as in the reference). */
export function addressableImages(ctx: MediaContext): number {
  return (ctx.kind === 'video' ? 1 : ctx.originals) + ctx.returned
}

/**
 * How out-of-range numbers are treated: 'studio' (default) gives the clear errors above;
 * 'reference' does what the reference's Python does (the agent loop, so Evaluate shows the model
 * what the reference would): a negative index picks from the end, past the end is IndexError.
 */
export type IndexSemantics = 'studio' | 'reference'

const INDEX_ERROR = 'list index out of range'

/** Python's `list[i]` on a list of `n`: the 0-based position, or null for IndexError. */
function pyIndex(i: number, n: number): number | null {
  const at = i < 0 ? n + i : i
  return at >= 0 && at < n ? at : null
}

/** Resolves a 1-based `target_image` (0-based indexes in the result). */
export function resolveCropTarget(target: number, ctx: MediaContext, semantics: IndexSemantics = 'studio'): Result<CropTarget> {
  if (!Number.isInteger(target)) return fail('bad_arguments', `target_image must be a whole number, got ${target}`)
  const index = target - 1
  const py = semantics === 'reference'
  if (ctx.kind === 'images') {
    const n = ctx.originals + ctx.returned
    if ((!py && index < 0) || index >= n) return fail('target_out_of_range', `${BAD_TARGET} You can only pick an image within [1,${n}]`)
    if (index < 0) {
      // rawimages[index] (index < len(rawimages) always holds for a negative index)
      const at = pyIndex(index, ctx.originals)
      return at === null ? fail('target_out_of_range', INDEX_ERROR) : ok({ kind: 'original', index: at })
    }
    return ok(index < ctx.originals ? { kind: 'original', index } : { kind: 'returned', index: index - ctx.originals })
  }
  if (ctx.returned === 0) {
    if ((!py && index < 0) || index >= ctx.frames) {
      return fail('target_out_of_range', `${BAD_TARGET} You can only pick an image **from** the video within [1,${ctx.frames}], but the current argument \`target_image=${target}\`.`)
    }
    const at = pyIndex(index, ctx.frames)
    return at === null ? fail('target_out_of_range', INDEX_ERROR) : ok({ kind: 'frame', index: at })
  }
  const n = 1 + ctx.returned
  if (index < 1 || (!py && index >= n)) {
    return fail('target_out_of_range', `${BAD_TARGET} You can only pick an image within range [2,${n}], but the current argument \`target_image=${target}\`.`)
  }
  return index >= n ? fail('target_out_of_range', INDEX_ERROR) : ok({ kind: 'returned', index: index - 1 })
}

/** 0-based frame indexes for a select_frames call, in the model's order (duplicates kept). */
export function resolveFrameSelection(frames: readonly number[], ctx: MediaContext, maxFrames = 8, semantics: IndexSemantics = 'studio'): Result<number[]> {
  if (ctx.kind !== 'video') {
    return fail('not_a_video', 'Execution Error: You attempted to `select_frames` from **image** not **video**. You should use `crop_image_normalized` instead for inspecting **image**.')
  }
  if (!frames.every((f) => Number.isInteger(f))) return fail('bad_arguments', `target_frames must be whole numbers, got ${JSON.stringify(frames)}`)
  if (frames.length > maxFrames) {
    return fail('too_many_frames', `Execution Error: You have selected ${frames.length} frames in total. Think again which frames you need to check in details (no more than ${maxFrames} frames)`)
  }
  if (frames.length === 0) return fail('empty_selection', 'max() arg is an empty sequence', 'target_frames is empty')
  const n = ctx.frames
  if (frames.some((f) => f > n) || (semantics === 'studio' && frames.some((f) => f < 1))) {
    return fail('frame_out_of_range', `Execution Error: There are ${n} frames numbered in range [1,${n}]. Your selection \`target_frames=${pyIntList(frames)}\` is out of range.`)
  }
  // reference: candidates[x - 1], a frame <= 0 counting from the end
  const picked = frames.map((f) => pyIndex(f - 1, n))
  if (picked.some((p) => p === null)) return fail('frame_out_of_range', INDEX_ERROR)
  return ok(picked as number[])
}

/**
 * The "Numbered a to b" label of a frames observation, reproduced with the reference's
 * off-by-one (l.2300): a = number of images before the call (a fresh video counts 1), so a
 * fresh selection is labelled "1 to n" although those frames are addressed as 2..n+1.
 */
export function frameLabels(ctx: MediaContext, selected: number): { first: number; last: number } {
  const before = addressableImages(ctx)
  return { first: before, last: before + selected - 1 }
}
