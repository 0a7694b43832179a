// Moving and resizing a normalized box with the pointer: pure, so a drag is a function of where
// it started and how far the pointer went (no drift from accumulating small moves).
import type { Bbox, Size } from '../../../../shared/pixel-ops'

/** What part of the box is held: its body, an edge or a corner (compass points). */
export type EdgeHandle = 'n' | 's' | 'e' | 'w' | 'ne' | 'nw' | 'se' | 'sw'
export type DragHandle = 'move' | EdgeHandle

export const HANDLES: readonly EdgeHandle[] = ['nw', 'n', 'ne', 'e', 'se', 's', 'sw', 'w']

/** The smallest side a box may be dragged to, normalized. */
export const MIN_BOX_SIDE = 0.01

const clamp = (v: number, lo: number, hi: number): number => Math.min(Math.max(v, lo), hi)

/** The box after dragging `handle` by (dx, dy), all normalized to the image; stays inside [0,1]. */
export function dragBox(start: Bbox, handle: DragHandle, dx: number, dy: number, minSide = MIN_BOX_SIDE): Bbox {
  let [x1, y1, x2, y2] = start
  if (handle === 'move') {
    const mx = clamp(dx, -x1, 1 - x2)
    const my = clamp(dy, -y1, 1 - y2)
    return [x1 + mx, y1 + my, x2 + mx, y2 + my]
  }
  if (handle.includes('w')) x1 = clamp(x1 + dx, 0, x2 - minSide)
  if (handle.includes('e')) x2 = clamp(x2 + dx, x1 + minSide, 1)
  if (handle.includes('n')) y1 = clamp(y1 + dy, 0, y2 - minSide)
  if (handle.includes('s')) y2 = clamp(y2 + dy, y1 + minSide, 1)
  return [x1, y1, x2, y2]
}

/** Where a handle sits on the box, normalized. */
export function handlePoint(b: Bbox, handle: EdgeHandle): [number, number] {
  const x = handle.includes('w') ? b[0] : handle.includes('e') ? b[2] : (b[0] + b[2]) / 2
  const y = handle.includes('n') ? b[1] : handle.includes('s') ? b[3] : (b[1] + b[3]) / 2
  return [x, y]
}

/** A box that a new crop starts with: centred on the view, a third of each side. */
export const NEW_BOX: Bbox = [0.333, 0.333, 0.667, 0.667]

/** The box typed as four numbers (normalized, or pixels of an image of `size`), or why it is not one. */
export function boxFromFields(values: readonly string[], unit: 'norm' | 'px', size: Size): { ok: true; bbox: Bbox } | { ok: false; message: string } {
  const nums = values.map((v) => Number(v.trim()))
  if (nums.length !== 4 || nums.some((n, i) => !Number.isFinite(n) || values[i]?.trim() === '')) return { ok: false, message: 'each coordinate must be a number' }
  const scale = unit === 'px' ? [size.width, size.height, size.width, size.height] : [1, 1, 1, 1]
  const b = nums.map((n, i) => n / (scale[i] ?? 1)) as unknown as Bbox
  if (b.some((v) => v < 0 || v > 1)) return { ok: false, message: unit === 'px' ? `inside the image: x in 0…${size.width}, y in 0…${size.height}` : 'normalized coordinates lie in 0…1' }
  if (b[2] <= b[0] || b[3] <= b[1]) return { ok: false, message: 'x2 must be right of x1 and y2 below y1' }
  return { ok: true, bbox: b }
}
