// The images a trace can address, numbered as the model numbers them, and the image each crop
// cuts. Resolution uses the reference's own rules (shared/pixel-ops targets) over the steps as
// they are being edited, so a box is drawn on the image the saved crop will really come from.
import type { Sample } from '../../../../shared/contract'
import { cropRegion, resolveCropTarget, resolveFrameSelection, smartResize, TRAIN_PROFILE, viewBounds, type MediaContext, type PixelBounds, type PixelProfile, type Size, type SourceKind } from '../../../../shared/pixel-ops'
import { isCallStep, type Step } from '../../../../shared/toolcall/steps'

export interface EditorImage {
  /** `o3`: original image or video frame 3 (0-based); `r1`: the second returned image */
  key: string
  kind: SourceKind
  index: number
  /** media to show; null while the call that returns it is not saved yet */
  hash: string | null
  /** size of the file shown */
  size: Size
  /** size of the image as the model sees it: what a crop's geometry is relative to */
  view: Size
  /** the call step that returned it (null for originals and frames) */
  fromStep: number | null
  label: string
}

export type CropTarget = { ok: true; image: EditorImage } | { ok: false; message: string }

export interface TraceImages {
  /** the sample's images, or the video's frames */
  originals: EditorImage[]
  /** images returned by calls, in order */
  returned: EditorImage[]
  /** crop step index -> the image it cuts */
  targets: Map<number, CropTarget>
  /** crop step index -> what its `target_image` may be at that point: [model number, image] */
  choices: Map<number, Array<{ target: number; image: EditorImage }>>
}

/** `size` resized into `bounds` as the model's processor does (unchanged for null bounds). */
function resized(size: Size, bounds: PixelBounds | null): Size {
  if (!bounds) return size
  const r = smartResize(size, bounds)
  return r.ok ? r.value : size
}

export function traceImages(sample: Pick<Sample, 'kind' | 'media'>, steps: readonly Step[], profile: PixelProfile = TRAIN_PROFILE): TraceImages {
  const video = sample.kind === 'video'
  const originalKind: SourceKind = video ? 'frame' : 'original'
  const originals = sample.media.map<EditorImage>((m, i) => {
    const size = { width: m.width, height: m.height }
    return { key: `o${i}`, kind: originalKind, index: i, hash: m.hash, size, view: resized(size, viewBounds(originalKind, profile)), fromStep: null, label: video ? `frame ${i + 1}` : `image ${i + 1}` }
  })
  const returned: EditorImage[] = []
  const targets = new Map<number, CropTarget>()
  const choices = new Map<number, Array<{ target: number; image: EditorImage }>>()
  const addReturned = (hash: string | null, size: Size, view: Size, fromStep: number, label: string): void => {
    returned.push({ key: `r${returned.length}`, kind: 'returned', index: returned.length, hash, size, view, fromStep, label })
  }
  const context = (): MediaContext => (video ? { kind: 'video', frames: originals.length, returned: returned.length } : { kind: 'images', originals: originals.length, returned: returned.length })
  const imageFor = (target: number): CropTarget => {
    const t = resolveCropTarget(target, context())
    if (!t.ok) return { ok: false, message: t.error.message }
    const image = t.value.kind === 'returned' ? returned[t.value.index] : originals[t.value.index]
    return image ? { ok: true, image } : { ok: false, message: `no image ${target}` }
  }

  let op = 0
  steps.forEach((step, i) => {
    if (!isCallStep(step)) return
    op++
    const result = steps[i + 1]?.kind === 'observation' ? (steps[i + 1] as Extract<Step, { kind: 'observation' }>).result : null
    if (step.kind === 'crop') {
      targets.set(i, imageFor(step.targetImage))
      const ctx = context()
      const count = ctx.kind === 'images' ? ctx.originals + ctx.returned : ctx.returned === 0 ? ctx.frames : 1 + ctx.returned
      const first = ctx.kind === 'video' && ctx.returned > 0 ? 2 : 1
      const list: Array<{ target: number; image: EditorImage }> = []
      for (let target = first; target <= count; target++) {
        const r = imageFor(target)
        if (r.ok) list.push({ target, image: r.image })
      }
      choices.set(i, list)
      if (result?.type === 'crop') addReturned(result.image ?? null, { width: result.width, height: result.height }, { width: result.width, height: result.height }, i, `crop ${op}`)
      else if (!result) {
        // not saved yet: a crop that will succeed returns an image once the server computes it
        const source = targets.get(i)
        const region = source?.ok ? cropRegion(source.image.view, step.bbox, profile.padding, profile.minCropSide) : null
        if (source?.ok && region?.ok) addReturned(null, source.image.view, source.image.view, i, `crop ${op} (saving)`)
      }
      return
    }
    if (result?.type === 'frames') {
      // media not rendered yet (a trace that stores only frame picks): one image per pick
      const hashes = result.images ?? step.frames.map(() => null)
      hashes.forEach((hash, k) => addReturned(hash, { width: result.width, height: result.height }, { width: result.width, height: result.height }, i, `op ${op} frame ${step.frames[k] ?? k + 1}`))
    } else if (!result && resolveFrameSelection(step.frames, context(), profile.maxSelectedFrames).ok) {
      // not saved yet: show the original frames the selection will return
      for (const f of step.frames) {
        const frame = originals[f - 1]
        if (frame) addReturned(frame.hash, frame.size, resized(frame.size, profile.frames), i, `op ${op} frame ${f} (saving)`)
      }
    }
  })
  return { originals, returned, targets, choices }
}

/** 1-based operation number of each call step (what boxes and step cards are labelled with). */
export function operationNumbers(steps: readonly Step[]): Map<number, number> {
  const numbers = new Map<number, number>()
  let op = 0
  steps.forEach((s, i) => {
    if (isCallStep(s)) numbers.set(i, ++op)
  })
  return numbers
}

const OP_COLORS = ['#ff6b6b', '#4dabf7', '#69db7c', '#ffa94d', '#da77f2', '#ffd43b', '#38d9a9', '#f783ac']

/** The colour of operation `n` (1-based), the same on the image and in the step list. */
export function operationColor(n: number): string {
  return OP_COLORS[(n - 1) % OP_COLORS.length] ?? '#fff'
}
