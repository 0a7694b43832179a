// The train/validation split of a snapshot: seeded, by sample (every trace of a sample lands on
// the same side, so nothing the model trained on leaks into what it is evaluated on) and
// stratified by sample source (each source keeps its share on both sides). The same seed over the
// same traces holds out the same samples whatever order they came in: samples are ranked by a
// hash of seed and sample id.
import { createHash } from 'node:crypto'
import type { SnapshotSplit } from '../../shared/contract'

export interface SplitCandidate {
  id: string
  sampleId: string
  source: string
}

/** How many of `total` samples to hold out: round(total * f), at least 1 and at most total - 1 when there are two or more. */
function heldOut(total: number, fraction: number): number {
  if (total < 2) return 0
  return Math.min(total - 1, Math.max(1, Math.round(total * fraction)))
}

const byText = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0)

/** The trace ids held out for validation. */
export function validationIds(candidates: readonly SplitCandidate[], split: SnapshotSplit): Set<string> {
  const samplesBySource = new Map<string, Set<string>>()
  for (const c of candidates) {
    const set = samplesBySource.get(c.source)
    if (set) set.add(c.sampleId)
    else samplesBySource.set(c.source, new Set([c.sampleId]))
  }
  const sampleCount = [...samplesBySource.values()].reduce((n, s) => n + s.size, 0)
  const target = heldOut(sampleCount, split.valFraction)
  // largest remainder: each source gets floor(its share), the sources with the largest fractions one more
  const strata = [...samplesBySource.entries()]
    .sort(([a], [b]) => byText(a, b))
    .map(([source, samples]) => {
      const exact = samples.size * (target / sampleCount)
      return { source, samples: [...samples], take: Math.floor(exact), rest: exact - Math.floor(exact) }
    })
  let left = target - strata.reduce((n, s) => n + s.take, 0)
  for (const s of [...strata].sort((a, b) => b.rest - a.rest || byText(a.source, b.source))) {
    if (left <= 0) break
    if (s.take < s.samples.length) {
      s.take++
      left--
    }
  }
  const rank = (id: string): string => createHash('sha256').update(`${split.seed}\t${id}`).digest('hex')
  const heldSamples = new Set<string>()
  for (const s of strata) {
    const ranked = s.samples.map((id) => ({ id, key: rank(id) })).sort((a, b) => byText(a.key, b.key))
    for (const r of ranked.slice(0, s.take)) heldSamples.add(r.id)
  }
  return new Set(candidates.filter((c) => heldSamples.has(c.sampleId)).map((c) => c.id))
}
