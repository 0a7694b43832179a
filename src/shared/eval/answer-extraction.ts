// How Pixel-Reasoner reads an answer out of a model's text, and how math-verify 0.7.0 extracts
// a value from each candidate. References (read, not guessed):
//   [EM]  TIGER-AI-Lab/Pixel-Reasoner @ a3a6c3a, curiosity_driven_rl/openrlhf/trainer/ppo_utils/
//         experience_maker.py: do_verify l.789-802, normalize_answer l.806-816,
//         handle_boxed l.818-906, rule_reward l.908-997
//   [MVP] huggingface/Math-Verify @ 0.7.0, src/math_verify/parser.py: number_re l.170-180,
//         expression/number anchors l.186-207, plain boxed regex l.337-351, extract_expr l.406-444,
//         extract_target_from_pred l.573-645 (priority groups, rightmost match first), parse l.649-703
//   [L2S] huggingface/latex2sympy2_extended @ ef36bfe (1.10.1, math-verify 0.7.0's pin),
//         src/latex2sympy2_extended/math_normalization.py: extract_boxed_content l.258-338

/**
 * The content of the last `\boxed{...}` in `text`, braces balanced, or null. This is what the
 * studio shows as "the model's answer" (not the scoring rule: see `mathVerifyExtract`).
 */
export function lastBoxed(text: string): string | null {
  const at = text.lastIndexOf('\\boxed')
  if (at < 0) return null
  return boxedContentAt(text, at)
}

/** Reads `\boxed{...}` (or `\boxed ...` up to whitespace) starting at `at`. */
export function boxedContentAt(text: string, at: number): string | null {
  let i = at + '\\boxed'.length
  while (text[i] === ' ') i++
  if (text[i] !== '{') {
    // `\boxed 5` form: up to the next whitespace or `$`
    const m = /^\s*([^\s$]+)/.exec(text.slice(at + '\\boxed'.length))
    return m?.[1] ?? null
  }
  let depth = 0
  for (let j = i; j < text.length; j++) {
    const c = text[j]
    if (c === '{') depth++
    else if (c === '}') {
      depth--
      if (depth === 0) return text.slice(i + 1, j)
    }
  }
  return null // unbalanced: no answer
}

export type CandidateSource = 'boxed' | 'answer_tag' | 'answer_colon' | 'whole'

/**
 * The texts the reference hands to math-verify, in its order ([EM] l.869-897), stopping at the
 * first correct one: the text from the last `\boxed` (as is, `sol[rindex:]`), the first
 * `<answer>...</answer>` wrapped in `\boxed{}`, the tail after the last `Answer:` wrapped likewise,
 * and finally the whole solution (tried whenever none of those verified).
 */
export function answerCandidates(solution: string): Array<{ from: CandidateSource; text: string }> {
  const out: Array<{ from: CandidateSource; text: string }> = []
  if (solution.includes('\\boxed')) out.push({ from: 'boxed', text: solution.slice(solution.lastIndexOf('\\boxed')).trim() })
  if (solution.includes('<answer>')) {
    // re.search("<answer>(.*?)</answer>"): the first one, on a single line ('.' skips newlines)
    const m = /<answer>(.*?)<\/answer>/.exec(solution)
    if (m?.[1] !== undefined) out.push({ from: 'answer_tag', text: `\\boxed{${m[1]}}` })
  }
  if (solution.includes('Answer:')) out.push({ from: 'answer_colon', text: `\\boxed{${(solution.split('Answer:').at(-1) ?? '').trim()}}` })
  out.push({ from: 'whole', text: solution })
  return out
}

/** What math-verify extracts from a text: a text (boxed content, an expression) or a number. */
export interface Extracted {
  text: string
  /** set where the library reads a plain number (a percentage already divided by 100) */
  value?: number
}

/**
 * [L2S] extract_boxed_content(text, mode="last"): from the right, the last `\boxed{}` / `\fbox{}`
 * with balanced braces, plus earlier ones joined by "," when only a short separator (and / or /
 * "," / ";", under 70 characters) stands between them. An unbalanced last box yields the rest of
 * the text from its brace.
 */
export function extractBoxedContent(text: string): string {
  const results: string[] = []
  let current = text.length
  let maxPos = text.length
  let lastBoxedStart: number | null = null
  for (;;) {
    const boxedIdx = text.lastIndexOf('\\boxed', current - 1)
    const fboxIdx = text.lastIndexOf('\\fbox', current - 1)
    if (boxedIdx < 0 && fboxIdx < 0) break
    const start = Math.max(boxedIdx, fboxIdx)
    let next = start + (boxedIdx > fboxIdx ? 6 : 5)
    while (next < maxPos && /\s/.test(text[next] ?? '')) next++
    if (next >= maxPos) break
    if (text[next] !== '{') {
      if (results.length === 0) results.push(text.slice(next))
      break
    }
    let depth = 1
    let end = -1
    for (let i = next + 1; i < maxPos; i++) {
      if (text[i] === '{') depth++
      else if (text[i] === '}' && --depth === 0) {
        end = i
        break
      }
    }
    if (end < 0) {
      if (results.length === 0) results.push(text.slice(next))
      break
    }
    if (lastBoxedStart !== null) {
      const between = text.slice(end + 1, lastBoxedStart)
      if (!(between.length < 70 && /and|or|,|;/.test(between))) break
    }
    results.push(text.slice(next + 1, end).trim())
    lastBoxedStart = start
    maxPos = start
    current = start
  }
  return results.length === 0 ? text : results.reverse().join(',')
}

// [MVP] l.170-180 number_re and l.199/206 its anchor: start, whitespace or '=', optional '**', an
// optional currency sign. Format 2 reads "123,45" as 123.45, as the library does.
const CURRENCY = '$€£¥₹₽₪₩₫฿₡₢₣₤₥₦₧₨₩₪₫₭₮₯₰₱₲₳₴₵₶₷₸₹₺₻₼₽₾₿'
const NUMBER_RE = new RegExp(
  String.raw`(?:^|\s|=)(?:\*\*)?[${CURRENCY}]?(?<!\d)(?:(-?[1-9]\d{0,2}(?:[ ,]\d{3})+)(\.\d+)?|(-?\d+)([.,]\d+)|(\.\d+)|(-?\d+))(\s*(?:%|[Pp]ercent|\s*[Pp]ercentage|\s*[Pp]ct))?`,
  'gu'
)
// [MVP] l.186-194 expr_re with its anchors (l.199-205): at least one operator, starting with a digit.
const EXPR_RE = /(?:^|\s|=)(?:\*\*)?(-?\(?-?\d[\d.\s+\-*×/^()÷]*[+\-*×/^()÷][\d.\s+\-*×/^()÷]+\)?)(?:\*\*)?(?:\.|,|:|\s|\)|\$|$)/gu

/** [MVP] l.406-432 extract_expr for a number: separators dropped, a percentage divided by 100. */
function numberOf(m: RegExpMatchArray): Extracted {
  const integer = (m[1] ?? m[3] ?? m[6] ?? '').replace(/[, ]/g, '')
  const decimal = (m[2] ?? m[4] ?? m[5] ?? '').replace(',', '.')
  const value = Number(`${integer === '' || integer === '-' ? `${integer}0` : integer}${decimal}`)
  return { text: `${integer}${decimal}`, value: m[7] ? value / 100 : value }
}

/**
 * math_verify.parse(text) for the answer kinds of our benchmarks, or null where it extracts
 * nothing (the reference then scores -1, [EM] l.797):
 * - priority 50 ([MVP] l.350): `\\boxed{.+}` (DOTALL) spans the first `\boxed{` to the LAST `}`;
 *   inside it, [L2S] extract_boxed_content picks the last box. Any balanced box therefore wins over
 *   every number in the text; a `\boxed{` with no `}` after it is no box at all.
 * - priority 300 ([MVP] l.227-229): plain numbers and expressions, the match ending rightmost
 *   first ([MVP] l.620). Of expressions only `a/b` is evaluated; others compare as text.
 * Not reproduced: latex2sympy's own parse of the boxed text (we compare it in `equivalent`), the
 * "final answer is" / "answer" anchored patterns (priority 0-200) and `$...$` environments.
 */
export function mathVerifyExtract(text: string): Extracted | null {
  const open = text.indexOf('\\boxed{')
  const close = text.lastIndexOf('}')
  if (open >= 0 && close > open + '\\boxed{'.length) {
    // an empty box: latex2sympy fails on "", so the library goes on to the plain-text patterns
    const boxed = extractBoxedContent(text.slice(open, close + 1))
    if (boxed.trim() !== '') return { text: boxed }
  }
  let best: { end: number; start: number; value: Extracted } | null = null
  const consider = (start: number, end: number, value: Extracted): void => {
    if (best === null || end > best.end || (end === best.end && start < best.start)) best = { end, start, value }
  }
  for (const m of text.matchAll(NUMBER_RE)) consider(m.index, m.index + m[0].length, numberOf(m))
  for (const m of text.matchAll(EXPR_RE)) {
    const expr = m[1] ?? ''
    const frac = /^\s*(-?\d+(?:\.\d+)?)\s*\/\s*(-?\d+(?:\.\d+)?)\s*$/.exec(expr)
    consider(m.index, m.index + m[0].length, frac ? { text: expr, value: Number(frac[1]) / Number(frac[2]) } : { text: expr })
  }
  return (best as { value: Extracted } | null)?.value ?? null
}
