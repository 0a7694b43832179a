// Every edit a person makes to a trace's steps, as a pure function from steps to steps. A call
// and the observation after it are one unit: they move and go together, and the server
// recomputes the observation on save. An edited step loses its `raw` model text, which no
// longer matches it.
import { lastBoxed } from '../../../../shared/eval/answer-extraction'
import { toModelBbox, type Bbox } from '../../../../shared/pixel-ops'
import { isCallStep, type CropStep, type SelectFramesStep, type Step } from '../../../../shared/toolcall/steps'

/** The kinds of step a person can add. */
export type InsertKind = 'thought' | 'crop' | 'select_frames' | 'answer'

export interface StepUnit {
  start: number
  /** inclusive */
  end: number
}

export function stepUnits(steps: readonly Step[]): StepUnit[] {
  const units: StepUnit[] = []
  for (let i = 0; i < steps.length; i++) {
    const s = steps[i]
    if (s && isCallStep(s) && steps[i + 1]?.kind === 'observation') {
      units.push({ start: i, end: i + 1 })
      i++
    } else units.push({ start: i, end: i })
  }
  return units
}

export function unitOf(steps: readonly Step[], index: number): StepUnit | undefined {
  return stepUnits(steps).find((u) => index >= u.start && index <= u.end)
}

function replace(steps: readonly Step[], index: number, f: (s: Step) => Step): Step[] {
  const s = steps[index]
  if (!s) return [...steps]
  const out = [...steps]
  out[index] = f(s)
  return out
}

function withoutRaw<T extends { raw?: string; rawArgs?: Record<string, unknown> }>(s: T): T {
  const { raw: _raw, rawArgs: _rawArgs, ...rest } = s
  return rest as T
}

/** New text for a thought or the answer; the answer's `boxed` follows its last \boxed{}. */
export function setText(steps: readonly Step[], index: number, text: string): Step[] {
  return replace(steps, index, (s) => (s.kind === 'thought' ? { kind: 'thought', text } : s.kind === 'answer' ? { kind: 'answer', text, boxed: lastBoxed(text) } : s))
}

/** A crop's box, written normalized and rounded as the model is shown it. */
/** `decimals`: see pixelDecimals (a box edited on a large image keeps single-pixel moves). */
export function setBox(steps: readonly Step[], index: number, bbox: Bbox, decimals = 3): Step[] {
  return replace(steps, index, (s) => (s.kind === 'crop' ? { ...withoutRaw(s), bbox: [...toModelBbox(bbox, decimals)], bboxUnits: 'normalized' } : s))
}

export function setTarget(steps: readonly Step[], index: number, targetImage: number): Step[] {
  return replace(steps, index, (s) => (s.kind === 'crop' ? { ...withoutRaw(s), targetImage } : s))
}

/** Adds or removes a 1-based frame in a select_frames call (kept in frame order). */
export function toggleFrame(steps: readonly Step[], index: number, frame: number): Step[] {
  return replace(steps, index, (s) => {
    if (s.kind !== 'select_frames') return s
    const frames = s.frames.includes(frame) ? s.frames.filter((f) => f !== frame) : [...s.frames, frame].sort((a, b) => a - b)
    return { ...withoutRaw(s), frames }
  })
}

/** A call becomes a deliberate wrong look (self-correction) or a normal call again. */
export function toggleWrongLook(steps: readonly Step[], index: number): Step[] {
  return replace(steps, index, (s) => {
    if (!isCallStep(s)) return s
    if (s.wrongLook) {
      const { wrongLook: _w, ...rest } = s
      return rest
    }
    return { ...s, wrongLook: true }
  })
}

/** Inserts `step` after the unit holding `index` (at the start for index < 0). */
export function insertAfter(steps: readonly Step[], index: number, step: Step): { steps: Step[]; index: number } {
  const at = index < 0 ? 0 : (unitOf(steps, index)?.end ?? steps.length - 1) + 1
  const out = [...steps]
  out.splice(at, 0, step)
  return { steps: out, index: at }
}

/** Deletes the unit holding `index` (a call goes with its observation). */
export function deleteUnit(steps: readonly Step[], index: number): Step[] {
  const unit = unitOf(steps, index)
  if (!unit) return [...steps]
  return [...steps.slice(0, unit.start), ...steps.slice(unit.end + 1)]
}

/** Moves the unit holding `index` one unit up (-1) or down (+1); returns its new first index. */
export function moveUnit(steps: readonly Step[], index: number, direction: -1 | 1): { steps: Step[]; index: number } {
  const units = stepUnits(steps)
  const at = units.findIndex((u) => index >= u.start && index <= u.end)
  const other = at + direction
  if (at < 0 || other < 0 || other >= units.length) return { steps: [...steps], index }
  const order = units.map((_, i) => i)
  order[at] = other
  order[other] = at
  const out: Step[] = []
  let moved = index
  for (const u of order) {
    const unit = units[u]
    if (!unit) continue
    if (u === at) moved = out.length
    out.push(...steps.slice(unit.start, unit.end + 1))
  }
  return { steps: out, index: moved }
}

export const newThought = (): Step => ({ kind: 'thought', text: '' })

export function newCrop(targetImage: number, bbox: Bbox, decimals = 3): CropStep {
  return { kind: 'crop', toolName: 'crop_image_normalized', targetImage, bbox: [...toModelBbox(bbox, decimals)], bboxUnits: 'normalized' }
}

export const newSelectFrames = (frames: number[]): SelectFramesStep => ({ kind: 'select_frames', frames })

export const newAnswer = (): Step => ({ kind: 'answer', text: '\\boxed{}', boxed: '' })
