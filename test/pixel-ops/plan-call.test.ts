// planCall is executeCall without pixels: for the same calls on real images (sharp-encoded files
// of sizes the view bounds shrink, enlarge or keep, video frames, crops of crops) it must give the
// same observation but for its media, and the same errors (too small, inverted, out of range,
// bad targets, too many frames, not a video). The sizes it starts from are what a media row holds
// (the file header's), so the check also pins that the header size is what decoding sees.
import sharp from 'sharp'
import { beforeAll, describe, expect, it } from 'vitest'
import { seededRandom } from '../../src/main/project/sample-data'
import { executeCall, planCall, type ExecutionState, type PlanState } from '../../src/main/pixel-ops/execute'
import { imageSize } from '../../src/main/pixel-ops/image'
import { EVAL_PROFILE, TRAIN_PROFILE, type PixelProfile } from '../../src/shared/pixel-ops/profiles'
import type { Size } from '../../src/shared/pixel-ops/smart-resize'
import type { CallStep, ObservationResult } from '../../src/shared/toolcall/steps'

const SIZES: Size[] = [
  { width: 4000, height: 3000 }, // shrunk into the view
  { width: 1280, height: 960 },
  { width: 97, height: 61 }, // enlarged to the minimum
  { width: 3001, height: 157 } // a strip
]

const encode = (s: Size, i: number): Promise<Buffer> =>
  sharp({ create: { width: s.width, height: s.height, channels: 3, background: { r: 40 * i, g: 120, b: 200 - 30 * i } } })
    .jpeg({ quality: 70 })
    .toBuffer()

let images: Buffer[] = []
let frames: Buffer[] = []

beforeAll(async () => {
  images = await Promise.all(SIZES.map(encode))
  frames = await Promise.all([...Array(6).keys()].map((i) => encode({ width: 640, height: 360 }, i)))
})

/** the observation without its media */
function planned(o: ObservationResult): ObservationResult {
  if (o.type === 'crop') return { type: 'crop', width: o.width, height: o.height }
  if (o.type === 'frames') return { type: 'frames', width: o.width, height: o.height, first: o.first, last: o.last }
  return o
}

/** Runs the calls in order both ways, each on the state its own way built, and compares every observation. */
async function compare(kind: 'images' | 'video', calls: CallStep[], profile: PixelProfile): Promise<ObservationResult[]> {
  const files = kind === 'images' ? images : frames
  const sizes = await Promise.all(files.map((f) => imageSize(f)))
  const exec: ExecutionState & { returned: Uint8Array[] } = { media: kind === 'images' ? { kind: 'images', images: files } : { kind: 'video', frames: files }, returned: [] }
  const plan: PlanState & { returned: Size[] } = { media: kind === 'images' ? { kind: 'images', images: sizes } : { kind: 'video', frames: sizes }, returned: [] }
  const out: ObservationResult[] = []
  for (const call of calls) {
    const e = await executeCall(call, exec, { profile })
    const p = planCall(call, plan, profile)
    expect(p.observation).toEqual(planned(e.observation))
    expect(p.returned).toEqual(e.images.map((i) => ({ width: i.width, height: i.height })))
    exec.returned.push(...e.images.map((i) => i.png))
    plan.returned.push(...p.returned)
    out.push(p.observation)
  }
  return out
}

const crop = (targetImage: number, bbox: [number, number, number, number], bboxUnits: 'normalized' | 'pixels' = 'normalized'): CallStep => ({ kind: 'crop', toolName: 'crop_image_normalized', targetImage, bbox, bboxUnits })

describe('planCall gives what executeCall gives, without pixels', () => {
  it('for random boxes on images of every shape, crops of crops included, in both profiles', async () => {
    const rand = seededRandom(99)
    const kinds = new Set<string>()
    for (const profile of [TRAIN_PROFILE, EVAL_PROFILE]) {
      const calls: CallStep[] = []
      for (let i = 0; i < 40; i++) {
        const w = rand() * 0.4
        const h = rand() * 0.4
        const x = rand() * (1 - w)
        const y = rand() * (1 - h)
        const r = (v: number): number => Math.round(v * 1000) / 1000
        // mostly originals; some crops of returned images (numbered after the 4 originals)
        const target = i > 4 && rand() < 0.3 ? 5 + Math.floor(rand() * 3) : 1 + Math.floor(rand() * SIZES.length)
        calls.push(rand() < 0.1 ? crop(target, [r(x + w), r(y), r(x), r(y + h)]) : crop(target, [r(x), r(y), r(x + w), r(y + h)]))
      }
      calls.push(crop(1, [100, 100, 900, 700], 'pixels'), crop(0, [0.1, 0.1, 0.2, 0.2]), crop(99, [0.1, 0.1, 0.2, 0.2]), crop(3, [0.5, 0.5, 0.51, 0.51]))
      calls.push({ kind: 'select_frames', frames: [1, 2] })
      for (const o of await compare('images', calls, profile)) kinds.add(o.type === 'error' ? `error:${o.code}` : o.type)
    }
    // the run met successes and the errors the rules give
    expect([...kinds].sort()).toEqual(['crop', 'error:crop_too_small', 'error:inverted_box', 'error:not_a_video', 'error:target_out_of_range'])
  })

  it('for frame selections (duplicates, too many, out of range) and crops of frames and of returned frames', async () => {
    for (const profile of [TRAIN_PROFILE, EVAL_PROFILE]) {
      const out = await compare(
        'video',
        [
          crop(2, [0.2, 0.2, 0.6, 0.6]),
          { kind: 'select_frames', frames: [3, 1, 3] },
          { kind: 'select_frames', frames: [1, 2, 3, 4, 5, 6, 1, 2, 3] },
          { kind: 'select_frames', frames: [7] },
          { kind: 'select_frames', frames: [] },
          crop(3, [0.1, 0.1, 0.5, 0.5]),
          crop(1, [0.1, 0.1, 0.5, 0.5])
        ],
        profile
      )
      expect(out.map((o) => (o.type === 'error' ? o.code : o.type))).toEqual(['crop', 'frames', 'too_many_frames', 'frame_out_of_range', 'empty_selection', 'crop', 'target_out_of_range'])
    }
  })
})
