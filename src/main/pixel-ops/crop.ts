// crop_image_normalized executed with sharp, as the reference does it (experience_maker.py):
//   1. the target is the image AS THE MODEL SEES IT: an original image smart-resized into the
//      profile's view bounds (l.2138-2139, l.1234-1235 crop `rawimages`, which are those
//      resized images); a returned crop or frame as returned
//   2. the pixel box: shared/pixel-ops/geometry cropRegion (l.150-166, Pillow's rounding)
//   3. the crop is resized with smart_resize into the profile's crop bounds (resize_cropped,
//      l.1365-1379, called at l.2306) and encoded as PNG; named by sha256 of the PNG bytes
import { cropRegion, type Bbox, type CropRegion } from '../../shared/pixel-ops/geometry'
import { viewBounds, type PixelProfile, type SourceKind } from '../../shared/pixel-ops/profiles'
import { smartResize, type Size } from '../../shared/pixel-ops/smart-resize'
import { operationKey, type PixelCache } from './cache'
import { imageSize, openImage, PNG_OPTIONS, pngSize, rawPipeline, RESIZE_KERNEL, sha256, toRgb, wrapSharpError, type RgbImage } from './image'

/** An encoded result: PNG bytes named by their sha256. */
export interface PngImage {
  png: Buffer
  hash: string
  width: number
  height: number
}

export interface CropResult extends PngImage {
  /** the box cut from `source` (pixels of the image as the model sees it) */
  region: CropRegion
  /** size of the image the box refers to */
  source: Size
  /** true when the bytes came from the cache */
  cached: boolean
}

async function encodePng(png: Buffer): Promise<PngImage> {
  const { width, height } = pngSize(png)
  return { png, hash: sha256(png), width, height }
}

function outputSize(region: CropRegion, profile: PixelProfile): Size {
  const r = smartResize({ width: region.box.width, height: region.box.height }, profile.crop)
  if (!r.ok) throw r.error
  return r.value
}

/** The size of an image as the model sees it: smart-resized into the view bounds of its kind. */
export function modelViewSize(size: Size, kind: SourceKind, profile: PixelProfile): Size {
  const bounds = viewBounds(kind, profile)
  if (!bounds) return size
  const v = smartResize(size, bounds)
  if (!v.ok) throw v.error
  return v.value
}

/**
 * Everything about a crop but its pixels: the box cut from `source` (the image as the model
 * sees it) and the size of the returned image. Throws the PixelOpError the model is shown.
 * Rendering and planning (traces that store only boxes) both take their numbers from here.
 */
export function cropGeometry(source: Size, bbox: Bbox | readonly number[], profile: PixelProfile): { region: CropRegion; out: Size } {
  const r = cropRegion(source, bbox, profile.padding, profile.minCropSide)
  if (!r.ok) throw r.error
  return { region: r.value, out: outputSize(r.value, profile) }
}

/** Crops an already decoded model view (the fast path when one image is cropped many times). */
export async function cropRgb(view: RgbImage, bbox: Bbox | readonly number[], profile: PixelProfile, cache?: PixelCache): Promise<CropResult> {
  const source = { width: view.width, height: view.height }
  const { region, out } = cropGeometry(source, bbox, profile)
  const key = operationKey(view.id, 'crop', { box: region.box, out, kernel: RESIZE_KERNEL })
  const hit = await cache?.get(key)
  if (hit) return { ...(await encodePng(hit)), region, source, cached: true }
  const png = await rawPipeline(view).extract(region.box).resize(out.width, out.height, { kernel: RESIZE_KERNEL, fit: 'fill' }).png(PNG_OPTIONS).toBuffer()
  await cache?.put(key, png)
  return { ...(await encodePng(png)), region, source, cached: false }
}

/**
 * Crops encoded image bytes. `kind` says what the bytes are: an original image or video frame
 * (first resized to the model's view, as the reference does) or an image a call returned.
 * Geometry needs only the header; decoding, the view resize and the cut run in one sharp
 * pipeline, the final resize and PNG in a second. With a cache, a repeated crop reads only the
 * header.
 */
export async function cropImage(
  bytes: Uint8Array,
  bbox: Bbox | readonly number[],
  options: {
    profile: PixelProfile
    kind?: SourceKind
    cache?: PixelCache
    sourceHash?: string
    /** the model's view of `bytes`, already decoded (decodeForModel with the view bounds): cut from it instead of decoding again; same result, same cache key */
    view?: RgbImage
  }
): Promise<CropResult> {
  const { profile, cache, view } = options
  const bounds = viewBounds(options.kind ?? 'original', profile)
  const size = view ? null : await imageSize(bytes)
  const source: Size = view ? { width: view.width, height: view.height } : modelViewSize(size ?? { width: 0, height: 0 }, options.kind ?? 'original', profile)
  const { region, out } = cropGeometry(source, bbox, profile)
  let key: string | undefined
  if (cache) {
    const sourceId = options.sourceHash ?? sha256(bytes)
    key = operationKey(bounds ? `${sourceId}|${bounds.minPixels}|${bounds.maxPixels}` : sourceId, 'crop-bytes', { box: region.box, out, kernel: RESIZE_KERNEL })
    const hit = await cache.get(key)
    if (hit) return { ...(await encodePng(hit)), region, source, cached: true }
  }
  const resized = size !== null && (source.width !== size.width || source.height !== size.height)
  let png: Buffer
  try {
    if (view) {
      png = await rawPipeline(view).extract(region.box).resize(out.width, out.height, { kernel: RESIZE_KERNEL, fit: 'fill' }).png(PNG_OPTIONS).toBuffer()
    } else if (!resized) {
      png = await toRgb(openImage(bytes)).extract(region.box).resize(out.width, out.height, { kernel: RESIZE_KERNEL, fit: 'fill' }).png(PNG_OPTIONS).toBuffer()
    } else {
      // resize to the view, then cut (libvips crops after the resize in the same pipeline)
      const { data, info } = await toRgb(openImage(bytes))
        .resize(source.width, source.height, { kernel: RESIZE_KERNEL, fit: 'fill', fastShrinkOnLoad: false })
        .extract(region.box)
        .raw()
        .toBuffer({ resolveWithObject: true })
      png = await rawPipeline({ data, width: info.width, height: info.height, id: '' })
        .resize(out.width, out.height, { kernel: RESIZE_KERNEL, fit: 'fill' })
        .png(PNG_OPTIONS)
        .toBuffer()
    }
  } catch (error) {
    throw wrapSharpError(error, 'The image')
  }
  if (cache && key) await cache.put(key, png)
  return { ...(await encodePng(png)), region, source, cached: false }
}
