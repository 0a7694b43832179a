// Long metric series shrunk before they are sent: per bucket of steps, the lowest and the highest
// point in step order, plus the first and last point of the series. A loss spike or a reward dip
// survives (an average would smooth it away), the curve's ends stay exact, and the result never
// has more than `maxPoints` points whatever the series' length.

export interface SeriesPoint {
  step: number
  value: number
}

/** `points` sorted by step; returns them unchanged when there are at most `maxPoints`. */
export function downsampleMinMax<P extends SeriesPoint>(points: readonly P[], maxPoints: number): P[] {
  const n = points.length
  if (maxPoints < 4) throw new RangeError(`maxPoints must be at least 4 (got ${maxPoints})`)
  if (n <= maxPoints) return points.slice()
  const first = points[0] as P
  const last = points[n - 1] as P
  const buckets = Math.floor((maxPoints - 2) / 2)
  const inner = n - 2
  const out: P[] = [first]
  for (let b = 0; b < buckets; b++) {
    const from = 1 + Math.floor((b * inner) / buckets)
    const to = 1 + Math.floor(((b + 1) * inner) / buckets)
    if (from >= to) continue
    let lo = from
    let hi = from
    for (let i = from + 1; i < to; i++) {
      const v = (points[i] as P).value
      if (v < (points[lo] as P).value) lo = i
      if (v > (points[hi] as P).value) hi = i
    }
    out.push(points[Math.min(lo, hi)] as P)
    if (hi !== lo) out.push(points[Math.max(lo, hi)] as P)
  }
  out.push(last)
  return out
}
