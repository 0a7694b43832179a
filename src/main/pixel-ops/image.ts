// Decoding images the way the reference's Python does, with sharp, and the model's view of
// them. Reference: qwen_vl_utils fetch_image (vision_process.py l.98-139 @ QwenLM/Qwen2.5-VL
// f0af299): to_rgb (RGBA composited on white, else convert("RGB")), smart_resize, then
// PIL `image.resize((w, h))` whose default filter is BICUBIC (Pillow 9.4 Image.resize).
// sharp's 'cubic' kernel is the same Catmull-Rom cubic (a = -0.5) with antialiasing on
// reduction, so sizes match exactly and pixels closely (not bit-exact: different code).
// Like PIL.Image.open, EXIF orientation is NOT applied (the reference never calls exif_transpose).
import { createHash } from 'node:crypto'
import sharp, { type Sharp } from 'sharp'
import { PixelOpError } from '../../shared/pixel-ops/errors'
import { smartResize, type PixelBounds, type Size } from '../../shared/pixel-ops/smart-resize'

/**
 * Decompression-bomb limit: images with more pixels than this are refused before decoding.
 * Pillow refuses (DecompressionBombError) above 2 * Image.MAX_IMAGE_PIXELS = 2 * 89,478,485;
 * we use the same number, so whatever the reference could open we open, and nothing larger.
 * (sharp's own default, 0x3FFF * 0x3FFF = 268,402,689, is looser.)
 */
export const MAX_INPUT_PIXELS = 2 * 89_478_485

/** Lossless output with fixed settings: the same pixels always give the same bytes (and hash). */
export const PNG_OPTIONS = { compressionLevel: 6, adaptiveFiltering: false } as const

export const RESIZE_KERNEL = 'cubic' as const

/** Bumped whenever output bytes for the same input could change (cache keys include it). */
export const PIXEL_OPS_VERSION = `pixel-ops/1 sharp/${sharp.versions.sharp ?? 'unknown'} vips/${sharp.versions.vips}`

/** Raw RGB pixels plus a content id (for cache keys). */
export interface RgbImage {
  data: Buffer
  width: number
  height: number
  /** identifies these pixels: sha256 of the source bytes, extended by each transform */
  id: string
}

export function sha256(bytes: Uint8Array | string): string {
  return createHash('sha256').update(bytes).digest('hex')
}

export function wrapSharpError(error: unknown, what: string): PixelOpError {
  const message = error instanceof Error ? error.message : String(error)
  if (/pixel limit/i.test(message)) {
    return new PixelOpError('image_too_large', `${what} is larger than ${MAX_INPUT_PIXELS} pixels (decompression bomb limit)`, message)
  }
  return new PixelOpError('unreadable_image', `${what} could not be read as an image: ${message}`, message)
}

export function openImage(bytes: Uint8Array): Sharp {
  return sharp(bytes, { limitInputPixels: MAX_INPUT_PIXELS, failOn: 'error' })
}

/** Width and height from the file header, without decoding the pixels. */
export async function imageSize(bytes: Uint8Array): Promise<Size> {
  let size: Size
  try {
    const meta = await openImage(bytes).metadata()
    if (!meta.width || !meta.height) throw new Error('no dimensions in the header')
    size = { width: meta.width, height: meta.height }
  } catch (error) {
    throw wrapSharpError(error, 'The image')
  }
  return checkedSize(size)
}

/**
 * A size read from a header (here, or recorded in the media row at import), refused the way
 * decoding would refuse it: past the decompression-bomb limit.
 */
export function checkedSize(size: Size): Size {
  if (size.width * size.height > MAX_INPUT_PIXELS) throw wrapSharpError(new Error('Input image exceeds pixel limit'), 'The image')
  return size
}

/** to_rgb: alpha composited on white, everything else converted to 3-channel sRGB. */
export function toRgb(s: Sharp): Sharp {
  return s.flatten({ background: '#ffffff' }).toColourspace('srgb').removeAlpha()
}

/**
 * Decodes `bytes` to RGB, resized the way the model sees it when `bounds` is given
 * (qwen_vl_utils fetch_image: smart_resize into [min, max] pixels). `bounds` null = as decoded.
 */
export async function decodeForModel(bytes: Uint8Array, bounds: PixelBounds | null, sourceId = sha256(bytes)): Promise<RgbImage> {
  const size = await imageSize(bytes)
  let target = size
  if (bounds) {
    const r = smartResize(size, bounds)
    if (!r.ok) throw r.error
    target = r.value
  }
  try {
    let s = toRgb(openImage(bytes))
    if (target.width !== size.width || target.height !== size.height) {
      s = s.resize(target.width, target.height, { kernel: RESIZE_KERNEL, fit: 'fill', fastShrinkOnLoad: false })
    }
    const { data, info } = await s.raw().toBuffer({ resolveWithObject: true })
    const id = bounds ? sha256(`${sourceId}|view|${bounds.minPixels}|${bounds.maxPixels}|${PIXEL_OPS_VERSION}`) : sourceId
    return { data, width: info.width, height: info.height, id }
  } catch (error) {
    throw wrapSharpError(error, 'The image')
  }
}

/** Size of a PNG from its IHDR chunk (bytes 16..23). */
export function pngSize(png: Uint8Array): Size {
  const sig = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]
  if (png.length < 24 || !sig.every((b, i) => png[i] === b)) throw new PixelOpError('unreadable_image', 'Not a PNG')
  const view = new DataView(png.buffer, png.byteOffset, png.byteLength)
  return { width: view.getUint32(16), height: view.getUint32(20) }
}

export function rawPipeline(image: RgbImage): Sharp {
  return sharp(image.data, { raw: { width: image.width, height: image.height, channels: 3 } })
}
