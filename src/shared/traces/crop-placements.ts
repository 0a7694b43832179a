// Where each crop of a trace landed on the sample's own media: the original image, or the video
// frame, the call addressed (pixel-ops target rule), and the padded, clamped region the executor
// cut (pixel-ops geometry) on that media as the model saw it. Pure, for drawing a trace's zooms:
// crops of returned images (a crop of a crop) have no place on the sample and are skipped, as
// are calls that failed to resolve or cut.
import { cropRegion, EVAL_PROFILE, resolveCropTarget, smartResize, type Bbox, type PixelProfile } from '../pixel-ops'
import { returnedImages, type Step } from '../toolcall/steps'

export interface CropPlacement {
  /** index of the crop step in `steps` */
  step: number
  /** 1-based count of crop calls so far (the label drawn beside the box) */
  crop: number
  /** 0-based index into the sample's media (the image, or the video frame) */
  mediaIndex: number
  /** normalized [x1, y1, x2, y2] of the region cut */
  region: Bbox
}

export function cropPlacements(
  sample: { kind: 'image' | 'video'; media: ReadonlyArray<{ width: number; height: number }> },
  steps: readonly Step[],
  profile: PixelProfile = EVAL_PROFILE
): CropPlacement[] {
  const out: CropPlacement[] = []
  let crop = 0
  let returned = 0
  steps.forEach((s, i) => {
    if (s.kind === 'observation') returned += returnedImages(steps, i)
    if (s.kind !== 'crop') return
    crop++
    const ctx = sample.kind === 'video' ? { kind: 'video' as const, frames: sample.media.length, returned } : { kind: 'images' as const, originals: sample.media.length, returned }
    const target = resolveCropTarget(s.targetImage, ctx)
    if (!target.ok || target.value.kind === 'returned') return
    const media = sample.media[target.value.index]
    if (!media) return
    const view = smartResize({ width: media.width, height: media.height }, target.value.kind === 'frame' ? profile.videoFrame : profile.view)
    if (!view.ok) return
    const region = cropRegion(view.value, s.bbox, profile.padding, profile.minCropSide)
    if (region.ok) out.push({ step: i, crop, mediaIndex: target.value.index, region: region.value.padded })
  })
  return out
}
