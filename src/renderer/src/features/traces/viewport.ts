// Where the shown image sits on the stage: `zoom` screen pixels per file pixel, the image's top
// left corner at (x, y) on the stage. Pure, so wheel zoom, pan and the fit / 1:1 keys are
// functions of the viewport and the pointer, and boxes are drawn from the same numbers.
import type { Size } from '../../../../shared/pixel-ops'

export interface Viewport {
  zoom: number
  x: number
  y: number
}

export interface Point {
  x: number
  y: number
}

/** The deepest zoom: 32 screen pixels per image pixel. */
export const MAX_ZOOM = 32
/** The image's bounding box on the stage, in stage pixels. */
export interface Frame {
  x: number
  y: number
  width: number
  height: number
}

/** The whole image, as large as the stage allows, centred. */
export function fitViewport(image: Size, room: Size): Viewport {
  const zoom = Math.min(room.width / image.width, room.height / image.height)
  if (!(zoom > 0) || !Number.isFinite(zoom)) return { zoom: 1, x: 0, y: 0 }
  return { zoom, x: (room.width - image.width * zoom) / 2, y: (room.height - image.height * zoom) / 2 }
}

/** The smallest zoom: half the fit (never below what shows the image at all). */
export function minZoom(image: Size, room: Size): number {
  return Math.min(fitViewport(image, room).zoom / 2, 1)
}

/** Keeps at least a quarter of the stage covered by the image, so it cannot be panned away. */
export function clampPan(v: Viewport, image: Size, room: Size): Viewport {
  const w = image.width * v.zoom
  const h = image.height * v.zoom
  const keepX = Math.min(w, room.width) / 4
  const keepY = Math.min(h, room.height) / 4
  return { zoom: v.zoom, x: Math.min(Math.max(v.x, keepX - w), room.width - keepX), y: Math.min(Math.max(v.y, keepY - h), room.height - keepY) }
}

/** Zooms by `factor` keeping the image point under `at` (stage pixels) where it is. */
export function zoomAt(v: Viewport, factor: number, at: Point, image: Size, room: Size): Viewport {
  const zoom = Math.min(Math.max(v.zoom * factor, minZoom(image, room)), MAX_ZOOM)
  const k = zoom / v.zoom
  return clampPan({ zoom, x: at.x - (at.x - v.x) * k, y: at.y - (at.y - v.y) * k }, image, room)
}

/** One image pixel per screen pixel, around the stage's centre. */
export function actualSize(v: Viewport, image: Size, room: Size): Viewport {
  return zoomAt(v, 1 / v.zoom, { x: room.width / 2, y: room.height / 2 }, image, room)
}

export function panBy(v: Viewport, dx: number, dy: number, image: Size, room: Size): Viewport {
  return clampPan({ zoom: v.zoom, x: v.x + dx, y: v.y + dy }, image, room)
}

export function frameOf(v: Viewport, image: Size): Frame {
  return { x: v.x, y: v.y, width: image.width * v.zoom, height: image.height * v.zoom }
}

/** A stage point as a normalized image point (may fall outside [0, 1]). */
export function toImagePoint(frame: Frame, p: Point): Point {
  return { x: (p.x - frame.x) / frame.width, y: (p.y - frame.y) / frame.height }
}

/** The wheel's zoom factor: one notch (100 px of deltaY) zooms by about 1.25. */
export function wheelFactor(deltaY: number, deltaMode: number): number {
  const px = deltaMode === 1 ? deltaY * 33 : deltaMode === 2 ? deltaY * 400 : deltaY
  return Math.exp(-px * 0.00223)
}
