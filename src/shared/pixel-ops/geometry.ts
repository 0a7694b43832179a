// Crop geometry exactly as Pixel-Reasoner's `CropImageNormalized.call` computes it
// (experience_maker.py l.150-170; the module-level copy `crop_image_normalized` l.1150-1167 is
// identical; the RL loop calls the class method, l.1450 and l.2276). Pure: the renderer imports
// this to preview a crop while a box is dragged.
//
// The reference, step by step (img_x, img_y = size of the image being cropped, i.e. the image
// as the MODEL sees it, already smart-resized):
//   l.155  all four values < 1   -> normalized: (x1-p, y1-p, x2+p, y2+p)
//   l.158  otherwise             -> pixels:     (x1/img_x-p, y1/img_y-p, x2/img_x+p, y2/img_y+p)
//   l.160-163 clamp each to [0, 1]
//   l.164  image.crop((nx1*img_x, ny1*img_y, nx2*img_x, ny2*img_y))  -- FLOAT box; Pillow's
//          Image.crop raises "Coordinate 'right' is less than 'left'" (or 'lower'/'upper') when
//          the float box is inverted, then rounds each side with Python round (ties to even):
//          Pillow Image._crop `x0, y0, x1, y1 = map(int, map(round, box))` (checked on 9.4.0)
//   l.166  assert w > 28 and h > 28, f"Cropped image is too small: {w}x{h}"
import { fail, ok, type Result } from './errors'
import { pyRound } from './python'
import type { Size } from './smart-resize'

/** [x1, y1, x2, y2] */
export type Bbox = readonly [number, number, number, number]

export type BboxUnits = 'normalized' | 'pixels'

/** Integer pixel rectangle, as sharp's `extract` takes it. */
export interface PixelBox {
  left: number
  top: number
  width: number
  height: number
}

export interface CropRegion {
  /** how the reference read the four numbers */
  units: BboxUnits
  /** padded and clamped, normalized to the target image */
  padded: Bbox
  /** the float box handed to Pillow's crop */
  floatBox: Bbox
  /** the integer box Pillow actually cuts */
  box: PixelBox
}

export const DEFAULT_PADDING = 0.1
export const MIN_CROP_SIDE = 28

/** The reference's heuristic: all four values < 1 means normalized, else pixels of the target. */
export function bboxUnits(bbox: readonly number[]): BboxUnits {
  return bbox.length >= 4 && bbox.slice(0, 4).every((v) => v < 1) ? 'normalized' : 'pixels'
}

/** True for exactly four finite numbers. */
export function isBbox(v: unknown): v is Bbox {
  return Array.isArray(v) && v.length === 4 && v.every((x) => typeof x === 'number' && Number.isFinite(x))
}

const clamp01 = (v: number): number => Math.min(Math.max(0, v), 1)

/**
 * The region the model is shown for `bbox` (as the model wrote it), normalized to the target
 * image: padded on every side and clamped to [0, 1] (EM l.155-163). `size` matters only for a
 * box in pixels. Checks compare this, not the bare box, with annotations (src/shared/traces).
 */
export function paddedRegion(size: Size, bbox: Bbox, padding = DEFAULT_PADDING): Bbox {
  const [x1, y1, x2, y2] = bbox
  const raw: Bbox =
    bboxUnits(bbox) === 'normalized'
      ? [x1 - padding, y1 - padding, x2 + padding, y2 + padding]
      : [x1 / size.width - padding, y1 / size.height - padding, x2 / size.width + padding, y2 / size.height + padding]
  return [clamp01(raw[0]), clamp01(raw[1]), clamp01(raw[2]), clamp01(raw[3])]
}

/**
 * The pixel region the reference cuts from an image of `size` for `bbox` (as the model wrote
 * it). Errors carry the reference's messages, which the model is shown.
 */
export function cropRegion(size: Size, bbox: readonly number[], padding = DEFAULT_PADDING, minSide = MIN_CROP_SIDE): Result<CropRegion> {
  if (!isBbox(bbox)) {
    return fail('bad_arguments', `bbox_2d must be a list of 4 finite numbers [x1, y1, x2, y2], got ${JSON.stringify(bbox)}`)
  }
  const W = size.width
  const H = size.height
  const [x1, y1, x2, y2] = bbox
  const units = bboxUnits(bbox)
  const padded = paddedRegion(size, bbox, padding)
  const floatBox: Bbox = [padded[0] * W, padded[1] * H, padded[2] * W, padded[3] * H]
  // Pillow checks the float box before rounding (Image.crop).
  if (floatBox[2] < floatBox[0]) return fail('inverted_box', "Coordinate 'right' is less than 'left'", `x2 (${x2}) is left of x1 (${x1}) by more than the padding`)
  if (floatBox[3] < floatBox[1]) return fail('inverted_box', "Coordinate 'lower' is less than 'upper'", `y2 (${y2}) is above y1 (${y1}) by more than the padding`)
  const left = pyRound(floatBox[0])
  const top = pyRound(floatBox[1])
  const width = pyRound(floatBox[2]) - left
  const height = pyRound(floatBox[3]) - top
  if (!(width > minSide && height > minSide)) {
    return fail('crop_too_small', `Cropped image is too small: ${width}x${height}`, `a crop must be larger than ${minSide} px on each side`)
  }
  return ok({ units, padded, floatBox, box: { left, top, width, height } })
}

// ---- conversions for stored boxes (the studio stores normalized xyxy + image index + size)

export function normalizedToPixels(bbox: Bbox, size: Size): Bbox {
  return [bbox[0] * size.width, bbox[1] * size.height, bbox[2] * size.width, bbox[3] * size.height]
}

export function pixelsToNormalized(bbox: Bbox, size: Size): Bbox {
  return [bbox[0] / size.width, bbox[1] / size.height, bbox[2] / size.width, bbox[3] / size.height]
}

/** A bbox as the model wrote it, resolved to normalized coordinates of an image of `size`. */
export function toNormalized(bbox: Bbox, size: Size): Bbox {
  return bboxUnits(bbox) === 'normalized' ? bbox : pixelsToNormalized(bbox, size)
}

/**
 * The decimals a normalized box needs to place its edges on single pixels of an image of
 * `size` (at least 3, the reference's own precision): 5 for a 6000 px side.
 */
export function pixelDecimals(size: Size): number {
  return Math.max(3, Math.ceil(Math.log10(Math.max(size.width, size.height, 1))) + 1)
}

/**
 * A stored normalized box as it should be WRITTEN for the model: rounded to `decimals` and
 * kept below 1. A value of exactly 1 (a box touching the right or bottom edge) would flip the
 * reference's heuristic to "pixels" and crop a sliver in the top-left corner.
 */
export function toModelBbox(bbox: Bbox, decimals = 3): Bbox {
  const scale = 10 ** decimals
  const top = (scale - 1) / scale
  const r = (v: number): number => Math.min(Math.max(Math.round(v * scale) / scale, 0), top)
  return [r(bbox[0]), r(bbox[1]), r(bbox[2]), r(bbox[3])]
}

/**
 * Checks a box a PERSON drew (editor, synthesis): normalized, inside [0,1], positive area.
 * Stricter than the reference executor, which clamps and pads almost anything.
 */
export function validateAuthoredBbox(bbox: unknown): Result<Bbox> {
  if (!Array.isArray(bbox) || bbox.length !== 4) return fail('bad_arguments', `A box is 4 numbers [x1, y1, x2, y2], got ${JSON.stringify(bbox)}`)
  if (!bbox.every((v) => typeof v === 'number' && Number.isFinite(v))) return fail('bad_arguments', `Box coordinates must be finite numbers, got ${JSON.stringify(bbox)}`)
  const b = bbox as unknown as Bbox
  if (!b.every((v) => v >= 0 && v <= 1)) return fail('bbox_out_of_range', `Normalized box coordinates must lie in [0, 1], got ${JSON.stringify(b)}`)
  if (b[2] <= b[0] || b[3] <= b[1]) return fail('bbox_out_of_range', `The box has no area (x2 must exceed x1 and y2 exceed y1), got ${JSON.stringify(b)}`)
  return ok(b)
}

export function area(b: Bbox): number {
  return Math.max(0, b[2] - b[0]) * Math.max(0, b[3] - b[1])
}

/** Intersection over union of two xyxy boxes in the same units; 0 when both are empty. */
export function iou(a: Bbox, b: Bbox): number {
  const inter = area([Math.max(a[0], b[0]), Math.max(a[1], b[1]), Math.min(a[2], b[2]), Math.min(a[3], b[3])])
  const union = area(a) + area(b) - inter
  return union > 0 ? inter / union : 0
}
