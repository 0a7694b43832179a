// The shared vectors (resources/test-vectors/pixel-ops.json), which check_vectors.py also
// asserts against a Python re-implementation of the reference.
import { readFileSync } from 'node:fs'
import { resolve } from 'node:path'
import { describe, expect, it } from 'vitest'
import { cropRegion } from '../../src/shared/pixel-ops/geometry'
import { PROFILES } from '../../src/shared/pixel-ops/profiles'
import { smartResize, type PixelBounds } from '../../src/shared/pixel-ops/smart-resize'
import { resolveCropTarget, resolveFrameSelection, type MediaContext } from '../../src/shared/pixel-ops/targets'

type Expect<T> = T | { error: string; message: string }
interface Vectors {
  smart_resize: Array<{ width: number; height: number; bounds: PixelBounds; expected: Expect<{ width: number; height: number }> }>
  crop_box: Array<{ size: [number, number]; bbox: number[]; padding?: number; expected: Expect<{ units: string; box: [number, number, number, number] }> }>
  crop_pipeline: Array<{ profile: 'train' | 'eval'; source: [number, number]; bbox: number[]; expected: { view: [number, number]; box: number[]; output: [number, number] } }>
  targets: Array<{ context: MediaContext; target: number; expected: Expect<{ ok: unknown }>; reference: { ok: unknown } | { error: string } }>
  frames: Array<{ context: MediaContext; selection: number[]; expected: Expect<{ ok: number[] }>; reference: { ok: unknown } | { error: string } }>
}

const vectors = JSON.parse(readFileSync(resolve('resources/test-vectors/pixel-ops.json'), 'utf8')) as Vectors

function asResult<T>(r: { ok: true; value: T } | { ok: false; error: { code: string; message: string } }): unknown {
  return r.ok ? r.value : { error: r.error.code, message: r.error.message }
}

describe('pixel-ops vectors', () => {
  it.each(vectors.smart_resize.map((v) => [`${v.width}x${v.height} in [${v.bounds.minPixels},${v.bounds.maxPixels}]`, v] as const))('smart_resize %s', (_, v) => {
    expect(asResult(smartResize({ width: v.width, height: v.height }, v.bounds))).toEqual(v.expected)
  })

  it.each(vectors.crop_box.map((v) => [`${v.size.join('x')} ${JSON.stringify(v.bbox)}`, v] as const))('crop box %s', (_, v) => {
    const r = cropRegion({ width: v.size[0], height: v.size[1] }, v.bbox, v.padding ?? 0.1)
    const got = r.ok ? { units: r.value.units, box: [r.value.box.left, r.value.box.top, r.value.box.width, r.value.box.height] } : { error: r.error.code, message: r.error.message }
    expect(got).toEqual(v.expected)
  })

  it.each(vectors.crop_pipeline.map((v) => [`${v.profile} ${v.source.join('x')} ${JSON.stringify(v.bbox)}`, v] as const))('crop pipeline sizes %s', (_, v) => {
    const profile = PROFILES[v.profile]
    const view = smartResize({ width: v.source[0], height: v.source[1] }, profile.view)
    if (!view.ok) throw view.error
    expect([view.value.width, view.value.height]).toEqual(v.expected.view)
    const region = cropRegion(view.value, v.bbox)
    if (!region.ok) throw region.error
    const b = region.value.box
    expect([b.left, b.top, b.width, b.height]).toEqual(v.expected.box)
    const out = smartResize({ width: b.width, height: b.height }, profile.crop)
    if (!out.ok) throw out.error
    expect([out.value.width, out.value.height]).toEqual(v.expected.output)
  })

  it.each(vectors.targets.map((v) => [`${JSON.stringify(v.context)} target ${v.target}`, v] as const))('target_image %s', (_, v) => {
    const r = resolveCropTarget(v.target, v.context)
    expect(r.ok ? { ok: r.value } : { error: r.error.code, message: r.error.message }).toEqual(v.expected)
  })

  it.each(vectors.frames.map((v) => [`${JSON.stringify(v.context)} ${JSON.stringify(v.selection)}`, v] as const))('select_frames %s', (_, v) => {
    const r = resolveFrameSelection(v.selection, v.context)
    expect(r.ok ? { ok: r.value } : { error: r.error.code, message: r.error.message }).toEqual(v.expected)
  })

  // the agent loop's semantics: what the reference's Python does (check_vectors.py computes `reference`)
  it.each(vectors.targets.map((v) => [`${JSON.stringify(v.context)} target ${v.target}`, v] as const))('target_image as the reference %s', (_, v) => {
    const r = resolveCropTarget(v.target, v.context, 'reference')
    expect(r.ok ? { ok: r.value } : { error: r.error.message }).toEqual(v.reference)
  })

  it.each(vectors.frames.map((v) => [`${JSON.stringify(v.context)} ${JSON.stringify(v.selection)}`, v] as const))('select_frames as the reference %s', (_, v) => {
    const r = resolveFrameSelection(v.selection, v.context, 8, 'reference')
    expect(r.ok ? { ok: r.value } : { error: r.error.message }).toEqual(v.reference)
  })
})
