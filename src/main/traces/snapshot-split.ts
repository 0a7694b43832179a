// The train/validation split of a snapshot: seeded and stratified by sample source, so each
// source keeps its share in both parts and the same seed over the same traces always holds out
// the same ones (whatever order they came in: each trace is ranked by a hash of seed and id).
import { createHash } from 'node:crypto'
import type { SnapshotSplit } from '../../shared/contract'

export interface SplitCandidate {
  id: string
  source: string
}

/** How many of `total` traces to hold out: round(total * f), at least 1 and at most total - 1 when there are two or more. */
function heldOut(total: number, fraction: number): number {
  if (total < 2) return 0
  return Math.min(total - 1, Math.max(1, Math.round(total * fraction)))
}

/** The ids held out for validation. */
export function validationIds(candidates: readonly SplitCandidate[], split: SnapshotSplit): Set<string> {
  const bySource = new Map<string, string[]>()
  for (const c of candidates) {
    const list = bySource.get(c.source)
    if (list) list.push(c.id)
    else bySource.set(c.source, [c.id])
  }
  const target = heldOut(candidates.length, split.valFraction)
  // largest remainder: each source gets floor(n * f), the sources with the largest fractions one more
  const strata = [...bySource.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([source, ids]) => {
    const exact = ids.length * (target / candidates.length)
    return { source, ids, take: Math.floor(exact), rest: exact - Math.floor(exact) }
  })
  let left = target - strata.reduce((n, s) => n + s.take, 0)
  for (const s of [...strata].sort((a, b) => b.rest - a.rest)) {
    if (left <= 0) break
    if (s.take < s.ids.length) {
      s.take++
      left--
    }
  }
  const rank = (id: string): string => createHash('sha256').update(`${split.seed}\t${id}`).digest('hex')
  const held = new Set<string>()
  for (const s of strata) {
    const ranked = s.ids.map((id) => ({ id, key: rank(id) })).sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0))
    for (const r of ranked.slice(0, s.take)) held.add(r.id)
  }
  return held
}
