// A new trace as the rows the store writes for it: its state checked (TraceState), the columns
// lists filter on, revision 1's JSON and the text full-text search indexes. Pure (no database),
// so it runs wherever the traces come from: insertMany builds them on the writing thread, a trace
// import in its worker thread (import/record-rows.ts), and the writer only binds them.
import { OriginDetail, TraceState, type TraceOrigin, type TraceStatus } from '../../shared/contract'
import type { Step } from '../../shared/toolcall/steps'
import { orderedId } from '../store/ordered-id'
import { deriveColumns, type DerivedColumns } from './trace-columns'

export interface NewTrace {
  id?: string
  sampleId: string
  origin: TraceOrigin
  originDetail?: OriginDetail
  question: string
  steps: Step[]
  status?: TraceStatus
  flags?: string[]
}

/** Flags are a set: sorted, no duplicates, so equal states compare equal (samples' flags too). */
export function normalizeFlags(flags: readonly string[]): string[] {
  return [...new Set(flags)].sort()
}

/**
 * A state as JSON (its revision) and its steps as JSON (the `trace_bodies` column), with the
 * steps stringified once: the state's text is put together around them, key for key what
 * JSON.stringify(state) writes for a parsed TraceState (its keys in schema order, comment only
 * when set), without walking the steps a second time.
 */
export function serialize(state: TraceState): { state: string; steps: string } {
  const steps = JSON.stringify(state.steps)
  const comment = state.comment === undefined ? '' : `,"comment":${JSON.stringify(state.comment)}`
  return { state: `{"question":${JSON.stringify(state.question)},"steps":${steps},"status":${JSON.stringify(state.status)},"flags":${JSON.stringify(state.flags)}${comment}}`, steps }
}

export interface StateColumns {
  status: TraceStatus
  flags: string
  answer: string | null
  crops: number
  frameSelections: number
  question: string
  steps: string
  comment: string
}

/** The `traces` and `trace_bodies` columns a state sets (inserts and updates write the same ones). */
export function stateColumns(state: TraceState, stepsJson: string, derived: DerivedColumns): StateColumns {
  return {
    status: state.status,
    flags: JSON.stringify(state.flags),
    answer: derived.answer,
    crops: derived.crops,
    frameSelections: derived.frameSelections,
    question: state.question,
    steps: stepsJson,
    comment: state.comment ?? ''
  }
}

/** What insertRows writes for one trace: plain strings and numbers (they cross threads as JSON). */
export interface TraceRows extends Omit<StateColumns, 'steps'> {
  id: string
  sampleId: string
  origin: TraceOrigin
  /** JSON of the origin detail */
  originDetail: string
  /** revision 1: JSON of the whole state */
  state: string
  /** the flags, one trace_flags row each */
  flagList: string[]
  /** thought, answer and observation text, for the full-text entry (trace-columns.ts) */
  text: string
}

/** A new trace checked and laid out as its rows; throws (a zod error) when its state is not valid. */
export function traceRows(trace: NewTrace): TraceRows {
  const state = TraceState.parse({ question: trace.question, steps: trace.steps, status: trace.status ?? 'unreviewed', flags: normalizeFlags(trace.flags ?? []) })
  const derived = deriveColumns(state.steps)
  const json = serialize(state)
  const { steps: _steps, ...columns } = stateColumns(state, json.steps, derived)
  return {
    // time-ordered: a new id appends to the id index instead of dirtying a random page
    id: trace.id ?? `trace-${orderedId()}`,
    sampleId: trace.sampleId,
    origin: trace.origin,
    originDetail: trace.originDetail === undefined ? '{}' : JSON.stringify(OriginDetail.parse(trace.originDetail)),
    state: json.state,
    flagList: state.flags,
    text: derived.text,
    ...columns
  }
}
