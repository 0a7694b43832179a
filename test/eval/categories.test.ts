// The category rule (src/main/eval/categories.ts) and the run summaries built on it: per-category
// metrics, samples that failed to run left out, ANLS taking the best accepted answer.
import { describe, expect, it } from 'vitest'
import type { EvalSampleResult, InferenceResult } from '../../src/shared/contract'
import { categoryOf } from '../../src/main/eval/categories'
import { scoreResult, summarize } from '../../src/main/eval/eval-run'

describe('category of a benchmark record', () => {
  it('takes an explicit category first, as written', () => {
    expect(categoryOf('vstar', { qid: 'vstar-relative_position-1', image: ['a.jpg'], category: 'Direct Attributes' })).toBe('Direct Attributes')
    expect(categoryOf('tallyqa', { qid: 'tallyqa-1', image: ['a.jpg'], category: 'complex' })).toBe('complex')
  })

  it('finds a known V* / MVBench category in the qid or in an image folder', () => {
    expect(categoryOf('vstar', { qid: 'vstar-direct_attributes-12', image: ['sa_1.jpg'] })).toBe('direct_attributes')
    expect(categoryOf('vstar', { qid: 'vstar-12', image: ['vstar_images/relative_position/sa_7.jpg'] })).toBe('relative_position')
    expect(categoryOf('vstar', { qid: 'vstar-Relative_Position/sa_7.jpg', image: ['x.jpg'] })).toBe('relative_position')
    expect(categoryOf('mvbench', { qid: 'mvbench-action_count-3', image: ['f1.png'] })).toBe('action_count')
    expect(categoryOf('mvbench', { qid: 'mvbench-9', image: ['videos/moving_count/v9/1.png', 'videos/moving_count/v9/2.png'] })).toBe('moving_count')
  })

  it('has none for suites without categories, unknown tokens, or a category only in a file name', () => {
    expect(categoryOf('tallyqa', { qid: 'tallyqa-direct_attributes-1', image: ['a.jpg'] })).toBeNull()
    expect(categoryOf('vstar', { qid: 'vstar-12', image: ['images/sa_12.jpg'] })).toBeNull()
    expect(categoryOf('vstar', { qid: 'vstar-12', image: ['direct_attributes'] })).toBeNull()
    expect(categoryOf('mvbench', { qid: 'mvbench-action_counting-1', image: ['f.png'] })).toBeNull()
    expect(categoryOf('vstar', { qid: 'vstar-1', image: ['a.jpg'], category: '  ' })).toBeNull()
  })
})

function row(over: Partial<EvalSampleResult>): EvalSampleResult {
  return { sampleId: 's', traceId: 't', category: null, question: 'q', answer: 'A', gold: 'A', score: 1, operations: 0, stop: 'answer', ms: 100, generatedTokens: 10, error: null, unscorable: null, ...over }
}

describe('run summaries', () => {
  it('RaPR, operations per answer, accuracy with and without operations; failed samples left out', () => {
    const rows = [
      row({ sampleId: 'a', score: 1, operations: 2, ms: 300 }),
      row({ sampleId: 'b', score: 0, operations: 1, ms: 100 }),
      row({ sampleId: 'c', score: 1, operations: 0, ms: 200 }),
      row({ sampleId: 'd', score: 0, operations: 0, ms: 200 }),
      row({ sampleId: 'e', score: 0, operations: 0, ms: 0, error: 'image missing', traceId: null })
    ]
    expect(summarize(rows)).toEqual({ count: 4, accuracy: 0.5, rapr: 0.5, opsPerAnswer: 0.75, accuracyWithOps: 0.5, accuracyWithoutOps: 0.5, meanLatencyMs: 200 })
    expect(summarize([])).toEqual({ count: 0, accuracy: 0, rapr: 0, opsPerAnswer: 0, accuracyWithOps: null, accuracyWithoutOps: null, meanLatencyMs: 0 })
  })

  it('scores against every accepted answer: exact match on any, ANLS the best', () => {
    const result = { answer: 'ten thousand', gold: '10000', steps: [{ kind: 'answer', turn: 0, text: 'It says \\boxed{ten thousand}', boxed: 'ten thousand' }] } as unknown as InferenceResult
    expect(scoreResult(result, 'accuracy')).toBe(0)
    expect(scoreResult(result, 'accuracy', ['10000', 'Ten Thousand'])).toBe(1)
    expect(scoreResult(result, 'anls', ['10000'])).toBe(0)
    expect(scoreResult(result, 'anls', ['10000', 'ten thousands'])).toBeCloseTo(1 - 1 / 13, 10)
  })
})
