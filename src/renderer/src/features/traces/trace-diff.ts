// A trace as lines a person can compare (status, flags, each step), and a line diff between two
// revisions: what review changed in a synthesized original.
import type { TraceState } from '../../../../shared/contract'
import type { Step } from '../../../../shared/toolcall/steps'

function fmt(n: number): string {
  return String(Math.round(n * 1000) / 1000)
}

function stepLines(step: Step, op: number): string[] {
  switch (step.kind) {
    case 'thought':
      return step.text.split('\n').map((l) => `thought: ${l}`)
    case 'answer':
      return [...step.text.split('\n').map((l) => `answer: ${l}`), `answer boxed: ${step.boxed ?? '(none)'}`]
    case 'crop':
      return [`op ${op} crop image ${step.targetImage} [${step.bbox.map(fmt).join(', ')}]${step.bboxUnits === 'pixels' ? ' px' : ''}${step.wrongLook ? ' (wrong look)' : ''}`]
    case 'select_frames':
      return [`op ${op} select frames ${step.frames.join(', ')}${step.wrongLook ? ' (wrong look)' : ''}`]
    case 'observation': {
      const r = step.result
      if (r.type === 'crop') return [`  result: crop ${r.width}x${r.height}${r.image ? ` ${r.image.slice(0, 10)}` : ''}`]
      if (r.type === 'frames') return [`  result: ${r.images ? `${r.images.length} ` : ''}frames ${r.width}x${r.height}`]
      return [`  result: error ${r.message}`]
    }
    case 'error':
      return [`error ${step.code}: ${step.message}`]
  }
}

export function traceLines(state: TraceState): string[] {
  const lines = [`status: ${state.status}`, `flags: ${state.flags.join(', ') || '(none)'}`, ...state.question.split('\n').map((l) => `question: ${l}`)]
  let op = 0
  for (const step of state.steps) {
    if (step.kind === 'crop' || step.kind === 'select_frames') op++
    lines.push(...stepLines(step, op))
  }
  return lines
}

export interface DiffLine {
  type: 'same' | 'added' | 'removed'
  text: string
}

/** Longest-common-subsequence line diff (traces are short: a few dozen lines). */
export function diffLines(a: readonly string[], b: readonly string[]): DiffLine[] {
  const n = a.length
  const m = b.length
  const lcs: number[][] = Array.from({ length: n + 1 }, () => new Array<number>(m + 1).fill(0))
  for (let i = n - 1; i >= 0; i--) {
    for (let j = m - 1; j >= 0; j--) {
      lcs[i]![j] = a[i] === b[j] ? lcs[i + 1]![j + 1]! + 1 : Math.max(lcs[i + 1]![j]!, lcs[i]![j + 1]!)
    }
  }
  const out: DiffLine[] = []
  let i = 0
  let j = 0
  while (i < n && j < m) {
    if (a[i] === b[j]) {
      out.push({ type: 'same', text: a[i]! })
      i++
      j++
    } else if (lcs[i + 1]![j]! >= lcs[i]![j + 1]!) out.push({ type: 'removed', text: a[i++]! })
    else out.push({ type: 'added', text: b[j++]! })
  }
  while (i < n) out.push({ type: 'removed', text: a[i++]! })
  while (j < m) out.push({ type: 'added', text: b[j++]! })
  return out
}
