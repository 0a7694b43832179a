import { describe, expect, it } from 'vitest'
import { downsampleMinMax } from '../../src/shared/training/downsample'

const series = (n: number, f: (i: number) => number): Array<{ step: number; value: number }> => Array.from({ length: n }, (_, i) => ({ step: i, value: f(i) }))

describe('downsampleMinMax', () => {
  it('returns a short series as it is', () => {
    const s = series(10, (i) => i * i)
    expect(downsampleMinMax(s, 100)).toEqual(s)
  })

  it('bounds a million points, keeps the ends, the spike and the dip, in step order', () => {
    const s = series(1_000_000, (i) => Math.sin(i / 5000))
    s[123_457] = { step: 123_457, value: 50 }
    s[876_543] = { step: 876_543, value: -40 }
    const out = downsampleMinMax(s, 2000)
    expect(out.length).toBeLessThanOrEqual(2000)
    expect(out.length).toBeGreaterThan(1900)
    expect(out[0]).toEqual(s[0])
    expect(out.at(-1)).toEqual(s.at(-1))
    expect(out).toContainEqual({ step: 123_457, value: 50 })
    expect(out).toContainEqual({ step: 876_543, value: -40 })
    for (let i = 1; i < out.length; i++) expect(out[i]!.step).toBeGreaterThan(out[i - 1]!.step)
    // every kept point is a real one
    for (const p of out) expect(s[p.step]).toEqual(p)
  })

  it('keeps each bucket\'s extremes: the range of the result is the range of the input', () => {
    const s = series(50_000, (i) => ((i * 7919) % 1000) / 10)
    const out = downsampleMinMax(s, 500)
    const values = out.map((p) => p.value)
    expect(Math.min(...values)).toBe(0)
    expect(Math.max(...values)).toBe(99.9)
  })

  it('refuses a budget too small to keep both ends and one bucket', () => {
    expect(() => downsampleMinMax(series(10, (i) => i), 3)).toThrow(RangeError)
  })
})
