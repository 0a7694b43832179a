import { describe, expect, it } from 'vitest'
import { smooth } from '../../src/renderer/src/features/training/smoothing'

describe('chart smoothing (debiased EMA)', () => {
  it('leaves a curve as it is at weight 0 and keeps gaps as gaps', () => {
    expect(smooth([1, null, 3, undefined], 0)).toEqual([1, null, 3, null])
    expect(smooth([1, null, 3], 0.5)[1]).toBeNull()
  })

  it('starts at the first value (no pull towards zero) and follows a step change gradually', () => {
    const out = smooth([10, 10, 10, 0, 0, 0], 0.9) as number[]
    expect(out[0]).toBeCloseTo(10, 12)
    expect(out[2]).toBeCloseTo(10, 12)
    expect(out[3]).toBeGreaterThan(5)
    expect(out[3]).toBeLessThan(10)
    expect(out[5]).toBeLessThan(out[4]!)
  })

  it('damps noise: a smoothed alternating series varies far less', () => {
    const noisy = Array.from({ length: 1000 }, (_, i) => (i % 2 === 0 ? 1 : -1))
    const out = smooth(noisy, 0.95).slice(100) as number[]
    expect(Math.max(...out) - Math.min(...out)).toBeLessThan(0.1)
  })
})
