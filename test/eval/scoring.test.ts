// The scorer against the shared vectors (resources/test-vectors/scoring.json) and the metrics.
import { readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import { z } from 'zod'
import { lastBoxed } from '../../src/shared/eval/answer-extraction'
import { runMetrics, metricsByGroup } from '../../src/shared/eval/metrics'
import { anls, answerUnreadable, benchmarkOf, goldProblem, scoreAnswer } from '../../src/shared/eval/scoring'

const Vectors = z.object({
  exact_match: z.array(z.object({ solution: z.string(), gold: z.union([z.string(), z.array(z.string())]), correct: z.boolean(), matchedBy: z.string().nullable() })),
  anls: z.array(z.object({ prediction: z.string(), golds: z.array(z.string()), anls: z.number() })),
  gold_problems: z.array(z.object({ gold: z.union([z.string(), z.array(z.string())]), problem: z.string().nullable() })),
  unreadable: z.array(z.object({ solution: z.string(), gold: z.string(), unreadable: z.boolean() }))
})
const vectors = Vectors.parse(JSON.parse(readFileSync('resources/test-vectors/scoring.json', 'utf8')))

describe('scoring as the reference does', () => {
  it.each(vectors.exact_match)('$solution vs $gold', (v) => {
    expect(scoreAnswer(v.solution, v.gold)).toEqual({ correct: v.correct, matchedBy: v.matchedBy })
  })

  it.each(vectors.anls)('ANLS $prediction vs $golds', (v) => {
    expect(anls(v.prediction, v.golds)).toBeCloseTo(v.anls, 10)
  })

  it.each(vectors.gold_problems)('gold $gold is scorable or names why not', (v) => {
    expect(goldProblem(v.gold)).toBe(v.problem)
  })

  it.each(vectors.unreadable)('$solution vs $gold: the reference scores -1 = $unreadable', (v) => {
    expect(answerUnreadable(v.solution, v.gold)).toBe(v.unreadable)
  })

  it('reads the last balanced \\boxed{}', () => {
    expect(lastBoxed('\\boxed{a} then \\boxed{\\frac{1}{2}}')).toBe('\\frac{1}{2}')
    expect(lastBoxed('no box')).toBeNull()
    expect(lastBoxed('\\boxed{open')).toBeNull()
  })

  it('the multi-span quirk matters only where the reference slices spans off', () => {
    // with the reference slice, "ab, cd" becomes [""] + ... : spans lose their first 7 / last char
    const quirky = scoreAnswer('\\boxed{alpha beta}', 'alphabet, beta', { referenceMultiSpanSlice: true })
    const fixed = scoreAnswer('\\boxed{alpha beta}', 'alphabet, beta', { referenceMultiSpanSlice: false })
    expect(quirky.correct).toBe(true) // "t" and "bet" both occur
    expect(fixed.correct).toBe(false) // "alphabet" does not
  })
})

describe('run metrics', () => {
  it('computes accuracy per query mean, RaPR, ops per answer and accuracy with/without operations', () => {
    const m = runMetrics([
      { qid: 'vstar-1', score: 1, operations: 1 },
      { qid: 'vstar-1', score: 0, operations: 0 },
      { qid: 'vstar-2', score: 1, operations: 2 },
      { qid: 'tally-1', score: 0, operations: 0 }
    ])
    expect(m.accuracy).toBeCloseTo((0.5 + 1 + 0) / 3, 10)
    expect(m.rapr).toBe(0.5)
    expect(m.opsPerAnswer).toBe(0.75)
    expect(m.accuracyWithOps).toBe(1)
    expect(m.accuracyWithoutOps).toBe(0)
    expect(benchmarkOf('vstar-direct_attributes-12')).toBe('vstar')
    const groups = metricsByGroup([{ qid: 'vstar-1', score: 1, operations: 1 }, { qid: 'tally-9', score: 0, operations: 0 }], 'benchmark')
    expect([...groups.keys()].sort()).toEqual(['tally', 'vstar'])
    expect(runMetrics([]).accuracy).toBe(0)
  })
})
