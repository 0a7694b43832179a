// Scoring as Pixel-Reasoner's eval does it ([EM] rule_reward / handle_boxed / do_verify; sources
// and line numbers in answer-extraction.ts), recorded rule by rule with the library behaviour each
// line reproduces:
// 1. Solution and gold are lower-cased ([EM] l.936-946). A gold LIST gets a '%'-stripped variant
//    of its first gold containing '%', put first; a single gold gets no variant ([EM] l.945).
// 2. Gold and candidate pass `normalize_answer` ([EM] l.806): dfrac->frac, drop "\text",
//    \varnothing->\emptyset, drop "minutes" and "cm". Nothing else (no trailing-period strip).
// 3. Candidates in the reference's order (answerCandidates), the first that verifies wins; the
//    whole solution is tried last. "Answer:" never fires: the solution was lower-cased.
// 4. Each candidate and `\boxed{gold}` go through math_verify.parse (mathVerifyExtract): a
//    balanced box anywhere is THE answer, else the rightmost anchored plain number. A candidate or
//    gold it extracts nothing from is never correct ([EM] l.797, l.863).
// 5. Equality is math_verify.verify (`equivalent`): numbers by value, rounded as its
//    float_rounding=6 does ([MVG] grader.py l.724-731); a percentage is the number / 100
//    (latex2sympy's X*Rational(1,100), [MVG] l.106-110), so 45 is not 45%; enclosing parentheses
//    are grouping to latex2sympy, so "(b)" is the symbol b; otherwise the same text after dropping
//    spaces, braces and \mathrm-like wrappers. The reference's option-letter branch
//    (`b[1] in 'ABCDEFGHIJK'`, l.793) never fires (golds are lower-cased); letters compare as
//    symbols: "\boxed{b}" matches gold "B", "\boxed{b. red}" does not.
// 6. Multi-span golds (containing ','): correct when every span occurs in the text after the
//    last "boxed" ([EM] l.977-993). The reference slices the spans from `ans[len("\\boxed{"):-1]`
//    although `ans` has no \boxed prefix, so it drops the gold's first 7 and last character before
//    splitting; we reproduce that (`referenceMultiSpanSlice`): the published numbers used it.
// 7. Benchmarks are grouped by the qid prefix before the first '-'; accuracy is the mean over
//    queries of the per-query mean (pass@1).
// [MVG] huggingface/Math-Verify @ 0.7.0, src/math_verify/grader.py.
import { answerCandidates, mathVerifyExtract, type Extracted } from './answer-extraction'

export function normalizeAnswer(answer: string): string {
  return answer.replaceAll('dfrac', 'frac').replaceAll('\\text', '').replaceAll('\\varnothing', '\\emptyset').replaceAll('minutes', '').replaceAll('cm', '')
}

/** Strips LaTeX wrappers, spacing and grouping parentheses, which latex2sympy ignores. */
function canonicalText(s: string): string {
  let t = s.trim()
  t = t.replace(/^\$+|\$+$/g, '')
  t = t.replace(/\\(mathrm|textbf|mathbf|operatorname)\{([^{}]*)\}/g, '$2')
  t = t.replace(/[{}]/g, '')
  t = t.replace(/\\[,;!: ]/g, '')
  t = t.replace(/\s+/g, '')
  while (/^\((?:[^()]|\([^()]*\))*\)$/.test(t)) t = t.slice(1, -1)
  return t
}

/** A number the text denotes, or null: 12, -3.5, 1,234, 3/4, \frac{3}{4}, (3); 45% and 45\% are 0.45. */
export function numericValue(s: string): number | null {
  const c = canonicalText(s)
  const percent = /(\\%|%)$/.test(c)
  const t = c.replace(/(\\%|%)$/, '')
  const scale = percent ? 0.01 : 1
  const frac = /^(-?)\\frac\{(-?\d+(?:\.\d+)?)\}\{(-?\d+(?:\.\d+)?)\}$/.exec(s.replace(/\s+/g, '').replace(/^\$+|\$+$/g, '').replace(/(\\%|%)$/, ''))
  if (frac) return (frac[1] === '-' ? -1 : 1) * (Number(frac[2]) / Number(frac[3])) * scale
  const slash = /^(-?\d+(?:\.\d+)?)\/(-?\d+(?:\.\d+)?)$/.exec(t)
  if (slash) return (Number(slash[1]) / Number(slash[2])) * scale
  const plain = /^-?(\d{1,3}(,\d{3})+|\d+)(\.\d+)?$/.exec(t)
  if (plain) return Number(t.replaceAll(',', '')) * scale
  return null
}

function valueOf(e: Extracted): number | null {
  return e.value ?? numericValue(e.text)
}

/** math_verify.verify on two extractions (rule 5). */
export function equivalent(candidate: Extracted, gold: Extracted): boolean {
  const a = valueOf(candidate)
  const b = valueOf(gold)
  if (a !== null && b !== null) return Math.abs(a - b) <= 1e-6 * Math.max(1, Math.abs(b))
  if (a !== null || b !== null) return false
  return canonicalText(candidate.text) === canonicalText(gold.text)
}

export interface ScoreOptions {
  /** reproduce the reference's multi-span slicing quirk (rule 6); on by default */
  referenceMultiSpanSlice?: boolean
}

export interface ScoreResult {
  correct: boolean
  /** which candidate matched: boxed, answer_tag, answer_colon, whole, multi_span */
  matchedBy: 'boxed' | 'answer_tag' | 'answer_colon' | 'whole' | 'multi_span' | null
}

function goldVariants(gold: string | string[]): string[] {
  if (!Array.isArray(gold)) return [gold.toLowerCase()]
  const golds = gold.map((g) => g.toLowerCase())
  const percent = golds.find((g) => g.includes('%'))
  if (percent !== undefined) {
    const stripped = percent.replaceAll('%', '')
    if (!golds.includes(stripped)) golds.unshift(stripped)
  }
  return golds
}

/** What math-verify makes of `\boxed{gold}` ([EM] l.858-866), or null: that gold scores nothing. */
function parsedGold(g: string): Extracted | null {
  const ng = normalizeAnswer(g)
  return mathVerifyExtract(ng.includes('\\boxed') ? ng : `\\boxed{${ng}}`)
}

/**
 * Why a gold answer (or list) can never be scored correct under these rules, or null. The
 * reference scores such a row -1 on every answer; Evaluate lists it instead of counting it wrong.
 */
export function goldProblem(gold: string | string[]): string | null {
  const golds = goldVariants(gold)
  if (golds.length === 0) return 'no gold answer'
  if (golds.every((g) => parsedGold(g) === null)) return `math-verify extracts nothing from the gold ${JSON.stringify(gold)}`
  return null
}

/** Exact-match correctness of a solution (all assistant text) against the gold answer(s). */
export function scoreAnswer(solution: string, gold: string | string[], options: ScoreOptions = {}): ScoreResult {
  const sol = solution.toLowerCase()
  const candidates = answerCandidates(sol).map((c) => ({ from: c.from, parsed: mathVerifyExtract(normalizeAnswer(c.text)) }))
  for (const g of goldVariants(gold)) {
    const b = parsedGold(g)
    if (b !== null) {
      for (const c of candidates) if (c.parsed !== null && equivalent(c.parsed, b)) return { correct: true, matchedBy: c.from }
    }
    if (g.includes(',')) {
      const spans = (options.referenceMultiSpanSlice ?? true ? g.slice('\\boxed{'.length, -1) : g).split(',').map((x) => x.trim())
      const at = sol.lastIndexOf('boxed')
      if (at >= 0) {
        const tail = `\\${sol.slice(at)}`
        if (spans.every((sp) => tail.includes(sp))) return { correct: true, matchedBy: 'multi_span' }
      }
    }
  }
  return { correct: false, matchedBy: null }
}

/**
 * The reference's correctness is -1, not 0, for a wrong answer when math-verify reads nothing in
 * the whole solution, or nothing in the last gold tried ([EM] l.797, l.863, l.897: `res` is the
 * last candidate's). The released reward adds its bonus to that -1 (src/shared/reward).
 */
export function answerUnreadable(solution: string, gold: string | string[]): boolean {
  if (scoreAnswer(solution, gold).correct) return false
  const last = goldVariants(gold).at(-1)
  if (last === undefined || parsedGold(last) === null) return true
  return mathVerifyExtract(normalizeAnswer(solution.toLowerCase())) === null
}

/** Levenshtein distance over code points (insert, delete, substitute all cost 1), as Python's str. */
export function levenshtein(a: string, b: string): number {
  const s = Array.from(a)
  const t = Array.from(b)
  let prev = Array.from({ length: t.length + 1 }, (_, j) => j)
  for (let i = 1; i <= s.length; i++) {
    const cur = [i]
    for (let j = 1; j <= t.length; j++) {
      cur[j] = Math.min((prev[j] ?? 0) + 1, (cur[j - 1] ?? 0) + 1, (prev[j - 1] ?? 0) + (s[i - 1] === t[j - 1] ? 0 : 1))
    }
    prev = cur
  }
  return prev[t.length] ?? 0
}

// Python's str.split() / strip() whitespace (str.isspace), which differs from JS \s: it has
// \x1c-\x1f and \x85, not \ufeff.
const PY_SPACE = '[\\t\\n\\v\\f\\r\\x1c-\\x20\\x85\\xa0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000]'
const PY_TRIM = new RegExp(`^${PY_SPACE}+|${PY_SPACE}+$`, 'gu')
const PY_RUNS = new RegExp(`${PY_SPACE}+`, 'gu')

/**
 * ANLS for InfographicsVQA exactly as Qwen-VL's eval_mm/infographicsvqa_eval.py (@ e6bbb9d,
 * evaluate_method l.140-154), the script the paper's maintainer pointed to (issue #6): per gold,
 * NL = levenshtein(' '.join(gold.strip().lower().split()), same of the prediction) divided by
 * max(len(gold.upper()), len(prediction.upper())) -- the RAW lengths, in code points; the score is
 * 1 - min(NL), and 0 when it is below the threshold (so NL = 0.5 still scores 0.5).
 */
export function anls(prediction: string, golds: string[], threshold = 0.5): number {
  const clean = (s: string): string => s.replace(PY_TRIM, '').toLowerCase().replace(PY_TRIM, '').replace(PY_RUNS, ' ')
  const length = (s: string): number => Array.from(s.toUpperCase()).length
  if (golds.length === 0) return 0
  const values = golds.map((g) => {
    const longest = Math.max(length(g), length(prediction))
    return longest === 0 ? 0 : levenshtein(clean(g), clean(prediction)) / longest
  })
  const score = 1 - Math.min(...values)
  return score < threshold ? 0 : score
}

/** The benchmark a qid belongs to: its prefix before the first '-' (ppo_trainer.py l.315). */
export function benchmarkOf(qid: string): string {
  return qid.split('-')[0] ?? qid
}
