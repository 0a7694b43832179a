// What the store derives from a trace's steps: the columns that lists filter on and the text
// that full-text search indexes. One place, so the list, the filters and search never disagree.
import { z } from 'zod'
import { lastBoxed } from '../../shared/eval/answer-extraction'
import { Step } from '../../shared/toolcall/steps'

/** A trace's steps as stored (the `trace_bodies.steps` column), checked on every read. */
export const Steps = z.array(Step)

/**
 * A body's steps are written at its first edit, not at insert (issue 15: ~500 bytes a trace, a
 * second copy of what revision 1 holds; measured at 1M, a body row with them 8-10 µs of CPU
 * with its checkpoint, without 2-3): `trace_bodies.steps` is '' while the trace's steps are
 * still those of revision 1, which every trace has whole. Read a body's steps with this column
 * beside them (`b` is trace_bodies) and `bodySteps`, never `b.steps` alone.
 */
export const FIRST_STATE_SQL = `CASE WHEN b.steps = '' THEN (SELECT r.state FROM trace_revisions r WHERE r.trace_seq = b.seq AND r.revision = 1) END AS first_state`

/** A body's steps, parsed (not yet checked): the column, or revision 1's steps while the column is '' (FIRST_STATE_SQL). */
export function bodyStepsValue(steps: string, firstState: string | null): unknown {
  if (steps !== '' || firstState === null) return safeJson(steps)
  const state = safeJson(firstState)
  return typeof state === 'object' && state !== null && 'steps' in state ? state.steps : undefined
}

/** The JSON text of a body's steps, as bodyStepsValue reads them. */
export function bodySteps(steps: string, firstState: string | null): string {
  // revision 1's state is JSON.stringify of a TraceState: its steps stringify back to the same text insertMany wrote
  return steps !== '' || firstState === null ? steps : (JSON.stringify(bodyStepsValue(steps, firstState)) ?? '')
}

export interface DerivedColumns {
  answer: string | null
  crops: number
  frameSelections: number
  /** thought, answer and observation text, for FTS */
  text: string
}

/** JSON.parse that gives undefined for text that is not JSON (a schema then refuses it). */
export function safeJson(text: string): unknown {
  try {
    return JSON.parse(text)
  } catch {
    return undefined
  }
}

export function deriveColumns(steps: readonly Step[]): DerivedColumns {
  let answer: string | null = null
  let crops = 0
  let frameSelections = 0
  const text: string[] = []
  for (const s of steps) {
    if (s.kind === 'thought') text.push(s.text)
    else if (s.kind === 'answer') {
      text.push(s.text)
      answer = s.boxed ?? lastBoxed(s.text)
    } else if (s.kind === 'crop') crops++
    else if (s.kind === 'select_frames') frameSelections++
    else if (s.kind === 'observation' && s.result.type === 'error') text.push(s.result.message)
  }
  return { answer, crops, frameSelections, text: text.join('\n') }
}

/**
 * Plain words a person types into a search box, made safe for FTS5: each word becomes a quoted
 * term (so punctuation such as an apostrophe is not syntax), "quoted phrases" stay phrases, and
 * a trailing * keeps prefix search. Terms are ANDed.
 */
export function toFtsQuery(input: string): string | null {
  const tokens = input.match(/"[^"]*"|[^\s"]+/g) ?? []
  const terms: string[] = []
  for (const token of tokens) {
    const quoted = token.startsWith('"')
    const prefix = !quoted && token.endsWith('*')
    const body = (quoted ? token.slice(1, -1) : prefix ? token.slice(0, -1) : token).replaceAll('"', '')
    if (!/[\p{L}\p{N}]/u.test(body)) continue
    terms.push(`"${body}"${prefix ? '*' : ''}`)
  }
  return terms.length ? terms.join(' ') : null
}
