// The oracle check before training: can an honest answer-extractor read the zoom task's digit
// from (a) the whole image as the model sees it (smart-resized to the processor's limit) and
// (b) the crop of the cue (cut and resized by the studio's crop_image_normalized)? The extractor
// is template matching of the seven-segment glyph: find the sign (the only near-white pixels),
// find the dark glyph inside it, sample the seven segment positions, take the nearest digit.
import sharp from 'sharp'
import type { ZoomOracle, ZoomTaskSpec } from '../../shared/contract'
import { cropImage, decodeForModel, type RgbImage } from '../pixel-ops'
import { SEGMENTS } from '../project/sample-data'
import { modelViewBounds, zoomScene, zoomTaskProfile } from './zoom-task'

const WHITE = 225
const DARK = 110

function luma(img: RgbImage, x: number, y: number): number {
  const i = (y * img.width + x) * 3
  return 0.299 * (img.data[i] ?? 0) + 0.587 * (img.data[i + 1] ?? 0) + 0.114 * (img.data[i + 2] ?? 0)
}

function isWhite(img: RgbImage, x: number, y: number): boolean {
  const i = (y * img.width + x) * 3
  return (img.data[i] ?? 0) > WHITE && (img.data[i + 1] ?? 0) > WHITE && (img.data[i + 2] ?? 0) > WHITE
}

/** Bounding box of the largest 4-connected component of near-white pixels (the sign's face). */
function signBox(img: RgbImage): { x0: number; y0: number; x1: number; y1: number } | null {
  const seen = new Uint8Array(img.width * img.height)
  let best: { n: number; x0: number; y0: number; x1: number; y1: number } | null = null
  for (let start = 0; start < seen.length; start++) {
    if (seen[start] || !isWhite(img, start % img.width, Math.floor(start / img.width))) continue
    const stack = [start]
    seen[start] = 1
    const box = { n: 0, x0: Infinity, y0: Infinity, x1: -1, y1: -1 }
    while (stack.length) {
      const p = stack.pop()!
      const x = p % img.width
      const y = (p - x) / img.width
      box.n++
      box.x0 = Math.min(box.x0, x)
      box.x1 = Math.max(box.x1, x)
      box.y0 = Math.min(box.y0, y)
      box.y1 = Math.max(box.y1, y)
      for (const [dx, dy] of [[1, 0], [-1, 0], [0, 1], [0, -1]] as const) {
        const nx = x + dx
        const ny = y + dy
        if (nx < 0 || ny < 0 || nx >= img.width || ny >= img.height) continue
        const q = ny * img.width + nx
        if (!seen[q] && isWhite(img, nx, ny)) {
          seen[q] = 1
          stack.push(q)
        }
      }
    }
    if (!best || box.n > best.n) best = box
  }
  return best
}

/** Reads the digit on the sign, or null when there is no readable glyph. */
export function readSign(img: RgbImage): string | null {
  const sign = signBox(img)
  if (!sign || sign.x1 - sign.x0 < 4 || sign.y1 - sign.y0 < 4) return null
  // the glyph: dark pixels inside the sign's face
  let gx0 = Infinity
  let gy0 = Infinity
  let gx1 = -1
  let gy1 = -1
  for (let y = sign.y0; y <= sign.y1; y++) {
    for (let x = sign.x0; x <= sign.x1; x++) {
      if (luma(img, x, y) < DARK) {
        gx0 = Math.min(gx0, x)
        gx1 = Math.max(gx1, x)
        gy0 = Math.min(gy0, y)
        gy1 = Math.max(gy1, y)
      }
    }
  }
  const h = gy1 - gy0 + 1
  if (gx1 < 0 || h < 5) return null
  const w = h * 0.5
  // only "1" has nothing on the left: its glyph box extends left of the dark pixels
  if (gx1 - gx0 + 1 < 0.35 * h) gx0 = gx1 + 1 - w
  const t = Math.max(1, h * 0.12)
  const points: Record<string, [number, number]> = {
    a: [w / 2, t / 2], g: [w / 2, h / 2], d: [w / 2, h - t / 2],
    f: [t / 2, h / 4], b: [w - t / 2, h / 4], e: [t / 2, (3 * h) / 4], c: [w - t / 2, (3 * h) / 4]
  }
  let on = ''
  for (const [name, [px, py]] of Object.entries(points)) {
    const x = Math.round(gx0 + px - 0.5)
    const y = Math.round(gy0 + py - 0.5)
    if (x < 0 || y < 0 || x >= img.width || y >= img.height) continue
    if (luma(img, x, y) < (DARK + 255) / 2) on += name
  }
  // the nearest template (Hamming distance over the seven segments)
  let best: { digit: string; d: number } | null = null
  for (const [digit, segs] of Object.entries(SEGMENTS)) {
    let d = 0
    for (const s of 'abcdefg') if (segs.includes(s) !== on.includes(s)) d++
    if (!best || d < best.d) best = { digit, d }
  }
  return best && best.d <= 1 ? best.digit : null
}

async function decodePng(png: Buffer): Promise<RgbImage> {
  const { data, info } = await sharp(png).removeAlpha().raw().toBuffer({ resolveWithObject: true })
  return { data, width: info.width, height: info.height, id: '' }
}

/** Measures both extractors on `count` seeded scenes of the task. */
export async function zoomOracle(task: ZoomTaskSpec, options: { count: number; seed: number }): Promise<ZoomOracle> {
  const profile = zoomTaskProfile(task)
  let full = 0
  let crop = 0
  let modelView = { width: 0, height: 0 }
  let cropSize = { width: 0, height: 0 }
  for (let i = 0; i < options.count; i++) {
    const scene = await zoomScene(task, options.seed, i)
    const view = await decodeForModel(scene.bytes, modelViewBounds(task))
    modelView = { width: view.width, height: view.height }
    if (readSign(view) === scene.answer) full++
    const cut = await cropImage(scene.bytes, scene.cue, { profile })
    cropSize = { width: cut.width, height: cut.height }
    if (readSign(await decodePng(cut.png)) === scene.answer) crop++
  }
  return { samples: options.count, fullView: full / options.count, crop: crop / options.count, chance: 0.1, modelView, cropSize }
}
