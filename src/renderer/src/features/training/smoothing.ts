// The chart's smoothing: an exponential moving average, debiased so the start of a curve is not
// pulled towards zero (as TensorBoard smooths). Weight 0 leaves the curve as it is.
export function smooth(values: ArrayLike<number | null | undefined>, weight: number): Array<number | null> {
  const out: Array<number | null> = new Array<number | null>(values.length)
  if (weight <= 0) {
    for (let i = 0; i < values.length; i++) out[i] = values[i] ?? null
    return out
  }
  let last = 0
  let n = 0
  for (let i = 0; i < values.length; i++) {
    const v = values[i]
    if (v === null || v === undefined || !Number.isFinite(v)) {
      out[i] = null
      continue
    }
    last = last * weight + (1 - weight) * v
    n++
    out[i] = last / (1 - weight ** n)
  }
  return out
}
