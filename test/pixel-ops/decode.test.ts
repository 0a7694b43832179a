// The one image decode (pixel-ops decodeForModel; inference's decodeImage calls it) against what
// Pillow gives for the shared vectors (resources/test-vectors/decode.json, recomputed with real
// PIL by check_vectors.py): no EXIF rotation, transparency composited on white.
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { z } from 'zod'
import { decodeImage } from '../../src/main/inference/images'
import { decodeForModel } from '../../src/main/pixel-ops/image'

const Vectors = z.object({ images: z.array(z.object({ file: z.string(), rule: z.string(), size: z.tuple([z.number(), z.number()]), rgb: z.array(z.number()) })) })
const vectors = Vectors.parse(JSON.parse(readFileSync('resources/test-vectors/decode.json', 'utf8')))

/** Largest per-channel difference (JPEG decoders may round one step apart). */
function maxDiff(a: ArrayLike<number>, b: readonly number[]): number {
  let worst = 0
  for (let i = 0; i < b.length; i++) worst = Math.max(worst, Math.abs((a[i] ?? -999) - (b[i] ?? 0)))
  return worst
}

describe('image decode matches PIL', () => {
  it.each(vectors.images)('$file: $rule', async (v) => {
    const bytes = readFileSync(join('resources/test-vectors', v.file))
    const studio = await decodeForModel(bytes, null)
    expect([studio.width, studio.height]).toEqual(v.size)
    expect(studio.data.length).toBe(v.rgb.length)
    expect(maxDiff(studio.data, v.rgb)).toBeLessThanOrEqual(1)
    // inference decodes the same way (it rotated by EXIF and dropped alpha before)
    const inference = await decodeImage(bytes)
    expect([inference.width, inference.height, inference.channels]).toEqual([...v.size, 3])
    expect(Buffer.from(inference.data).equals(studio.data)).toBe(true)
  })
})
