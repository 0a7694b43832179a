// What the editor's step buttons and keys do: insert, delete, move, wrong look, frame toggles,
// step and image navigation. Each edit is one undoable action named for the history.
import type { Sample } from '../../../../shared/contract'
import { pixelDecimals, type Bbox } from '../../../../shared/pixel-ops'
import { isCallStep, type Step } from '../../../../shared/toolcall/steps'
import { NEW_BOX } from './box-drag'
import type { ReviewCommand } from './review-keys'
import { deleteUnit, insertAfter, moveUnit, newAnswer, newCrop, newSelectFrames, newThought, stepUnits, toggleFrame, toggleWrongLook, unitOf, type InsertKind } from './step-edits'
import { traceImages, type TraceImages } from './trace-media'
import type { TraceEditor } from './use-trace-editor'

export interface StepCommands {
  /** `bbox`: a new crop's box (normalized), else a centred one */
  insert(kind: InsertKind, bbox?: Bbox): void
  remove(index: number): void
  move(index: number, direction: -1 | 1): void
  wrongLook(index: number): void
  /** adds or removes 0-based `frame` in the selected frame selection */
  toggleFrame(frame: number): void
  keys: Partial<Record<ReviewCommand, () => void>>
}

const INSERT_LABEL: Record<InsertKind, string> = { thought: 'insert thought', crop: 'insert crop', select_frames: 'insert frame selection', answer: 'insert answer' }

/** Where a new step goes: after the selected one, else before the answer, else at the end. */
function insertionPoint(steps: readonly Step[], selected: number | null): number {
  if (selected !== null) return selected
  const answer = steps.findIndex((s) => s.kind === 'answer')
  return answer >= 0 ? answer - 1 : steps.length - 1
}

function focusText(index: number): void {
  requestAnimationFrame(() => document.querySelector<HTMLTextAreaElement>(`[data-step-index="${index}"] textarea`)?.focus())
}

export function useStepCommands(args: {
  editor: TraceEditor
  images: TraceImages | null
  sample: Sample | null
  selected: number | null
  shown: string
  readOnly: boolean
  select: (index: number | null) => void
  setShown: (key: string) => void
}): StepCommands {
  const { editor, images, sample, selected, shown, readOnly, select, setShown } = args
  const steps = editor.steps
  const shownFrame = shown.startsWith('o') ? Number(shown.slice(1)) : null

  const insert = (kind: InsertKind, bbox: Bbox = NEW_BOX): void => {
    if (!sample || readOnly) return
    const at = insertionPoint(steps, selected)
    let created: Step
    if (kind === 'thought') created = newThought()
    else if (kind === 'answer') created = newAnswer()
    else if (kind === 'select_frames') created = newSelectFrames([(shownFrame ?? 0) + 1])
    else {
      // aim the new box at the shown image, if a crop at that point can address it
      const probe = insertAfter(steps, at, newCrop(1, bbox))
      const choices = traceImages(sample, probe.steps).choices.get(probe.index) ?? []
      const aimed = choices.find((c) => c.image.key === shown) ?? choices[0]
      created = newCrop(aimed?.target ?? 1, bbox, aimed ? pixelDecimals(aimed.image.size) : 3)
    }
    const { index } = insertAfter(steps, at, created)
    editor.apply(bbox === NEW_BOX ? INSERT_LABEL[kind] : 'draw box', (s) => insertAfter(s, at, created).steps)
    select(index)
    if (kind === 'thought' || kind === 'answer') focusText(index)
  }

  const remove = (index: number): void => {
    const step = steps[index]
    if (!step || readOnly) return
    editor.apply(`delete ${step.kind.replace('_', ' ')}`, (s) => deleteUnit(s, index))
    const remaining = deleteUnit(steps, index)
    select(remaining.length ? Math.min(index, remaining.length - 1) : null)
  }

  const move = (index: number, direction: -1 | 1): void => {
    if (readOnly) return
    const moved = moveUnit(steps, index, direction)
    if (moved.index === index) return
    editor.apply(`move step ${direction < 0 ? 'up' : 'down'}`, (s) => moveUnit(s, index, direction).steps)
    select(moved.index)
  }

  const wrongLook = (index: number): void => {
    const step = steps[index]
    if (!step || !isCallStep(step) || readOnly) return
    editor.apply(step.wrongLook ? 'unmark wrong look' : 'mark wrong look', (s) => toggleWrongLook(s, index))
  }

  const frameToggle = (frame: number): void => {
    const step = selected !== null ? steps[selected] : undefined
    setShown(`o${frame}`)
    if (step?.kind !== 'select_frames' || selected === null || readOnly) return
    const index = selected
    editor.apply(`${step.frames.includes(frame + 1) ? 'remove' : 'add'} frame ${frame + 1}`, (s) => toggleFrame(s, index, frame + 1))
  }

  const units = stepUnits(steps)
  const unitIndex = selected === null ? -1 : units.findIndex((u) => selected >= u.start && selected <= u.end)
  const all = images ? [...images.originals, ...images.returned] : []
  const shownAt = all.findIndex((i) => i.key === shown)

  const navigation: Partial<Record<ReviewCommand, () => void>> = {
    nextStep: () => {
      const u = units[Math.min(unitIndex + 1, units.length - 1)]
      if (u) select(u.start)
    },
    prevStep: () => {
      const u = units[Math.max(unitIndex - 1, 0)]
      if (u) select(u.start)
    },
    nextImage: () => {
      const next = all[Math.min(shownAt + 1, all.length - 1)]
      if (next) setShown(next.key)
    },
    prevImage: () => {
      const prev = all[Math.max(shownAt - 1, 0)]
      if (prev) setShown(prev.key)
    }
  }
  const editing: Partial<Record<ReviewCommand, () => void>> = {
    editText: () => {
      const index = selected ?? steps.findIndex((s) => s.kind === 'thought' || s.kind === 'answer')
      const unit = index >= 0 ? unitOf(steps, index) : undefined
      if (unit) {
        select(unit.start)
        focusText(unit.start)
      }
    },
    moveUp: () => selected !== null && move(selected, -1),
    moveDown: () => selected !== null && move(selected, 1),
    newBox: () => insert('crop'),
    newThought: () => insert('thought'),
    newFrames: () => sample?.kind === 'video' && insert('select_frames'),
    deleteStep: () => selected !== null && remove(selected),
    wrongLook: () => selected !== null && wrongLook(selected),
    toggleFrame: () => shownFrame !== null && frameToggle(shownFrame)
  }
  return { insert, remove, move, wrongLook, toggleFrame: frameToggle, keys: readOnly ? navigation : { ...navigation, ...editing } }
}
