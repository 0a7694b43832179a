// The experiment's task, where zooming is necessary: a one-digit seven-segment sign in a large
// cluttered image (the sample project's drawing), which the model sees downscaled to the
// processor's pixel limit (smart_resize), so the digit is a smudge in the full view and legible
// in a crop of the cue. Deterministic per seed.
import sharp from 'sharp'
import type { MediaRef, NormalizedBbox, ZoomTaskSpec } from '../../shared/contract'
import { TRAIN_PROFILE, type PixelProfile } from '../../shared/pixel-ops/profiles'
import type { PixelBounds } from '../../shared/pixel-ops/smart-resize'
import { clutter, normalized, seededRandom, sevenSegment, svg } from '../project/sample-data'
import type { Project } from '../project/project'

export const ZOOM_TASK_SOURCE = 'generated:zoom-task'
export const ZOOM_TASK_QUESTION = 'What digit is shown on the small white sign? Answer with the digit.'

export interface ZoomScene {
  id: string
  bytes: Buffer
  answer: string
  /** the sign, padded a little (normalized xyxy of the source image) */
  cue: NormalizedBbox
  size: number
}

const P = 28 * 28

/** What the model sees of a whole image (the processor's bounds). */
export function modelViewBounds(task: ZoomTaskSpec): PixelBounds {
  return { minPixels: 4 * P, maxPixels: task.modelMaxPixels }
}

/** The crop tool's rules for this task: the reference's, with the task's crop size bound. */
export function zoomTaskProfile(task: ZoomTaskSpec): PixelProfile {
  return { ...TRAIN_PROFILE, name: 'zoom-task', crop: { minPixels: 4 * P, maxPixels: task.cropMaxPixels } }
}

export async function zoomScene(task: ZoomTaskSpec, seed: number, index: number): Promise<ZoomScene> {
  const rand = seededRandom((seed * 7919 + index * 104_729) >>> 0)
  const size = task.imageSize
  const digit = String(Math.floor(rand() * 10))
  const [lo, hi] = task.digitHeight
  const digitH = lo + Math.floor(rand() * (hi - lo + 1))
  // the sample project's sign layout, one digit
  const signW = digitH * 0.75 + 14
  const signH = digitH + 12
  const margin = Math.max(8, size * 0.04)
  const x = margin + rand() * (size - signW - 2 * margin)
  const y = margin + rand() * (size - signH - 2 * margin)
  const body =
    clutter(rand, size, size, task.clutter, size / 1280) +
    `<rect x="${x.toFixed(1)}" y="${y.toFixed(1)}" width="${signW.toFixed(1)}" height="${signH.toFixed(1)}" fill="#f8f8f2" stroke="#222" stroke-width="2"/>` +
    sevenSegment(digit, x + 7, y + 6, digitH, '#111')
  const bytes = await sharp(svg(size, size, body)).png({ compressionLevel: 6 }).toBuffer()
  const pad = 4
  return { id: `zoom-${String(index + 1).padStart(4, '0')}`, bytes, answer: digit, cue: normalized(x - pad, y - pad, signW + 2 * pad, signH + 2 * pad, size, size), size }
}

/** Adds `count` zoom-task samples (source generated:zoom-task) to a project; returns their ids. */
export async function addZoomTaskSamples(project: Project, task: ZoomTaskSpec, options: { count: number; seed: number; signal?: AbortSignal; onProgress?: (done: number, total: number) => void }): Promise<string[]> {
  const ids: string[] = []
  for (let i = 0; i < options.count; i++) {
    options.signal?.throwIfAborted()
    const scene = await zoomScene(task, options.seed, i)
    const id = `${scene.id}-s${options.seed}`
    ids.push(id)
    if (project.samples.exists(id)) continue
    const media: MediaRef = await project.media.put(scene.bytes)
    project.samples.insert({
      id,
      kind: 'image',
      question: ZOOM_TASK_QUESTION,
      answer: scene.answer,
      answerType: 'number',
      source: ZOOM_TASK_SOURCE,
      media: [media],
      cues: [{ kind: 'bbox', imageIndex: 0, bbox: scene.cue, sourceWidth: scene.size, sourceHeight: scene.size }]
    })
    options.onProgress?.(i + 1, options.count)
  }
  return ids
}
