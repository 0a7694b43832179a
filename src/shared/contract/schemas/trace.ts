// Traces as the store keeps them: a sample's question and the ordered steps of one reasoning
// trajectory (the codec's steps, src/shared/toolcall), with where it came from, its review status
// and flags. Every change is a revision holding the whole state after it, so any edit can be
// undone, audited, and pointed to by an immutable dataset snapshot.
import { z } from 'zod'
import { TraceWarning } from '../../traces/checks'
import { Step } from '../../toolcall/steps'
import { Author, Flag, Id, RestoreInput, revisionOf } from './common'
import { MediaRef } from './media'

export const TraceOrigin = z.enum(['synthesized', 'human', 'inference', 'rollout', 'imported'])
export type TraceOrigin = z.infer<typeof TraceOrigin>

export const TraceStatus = z.enum(['unreviewed', 'accepted', 'rejected', 'needs_fix'])
export type TraceStatus = z.infer<typeof TraceStatus>

export const TraceFlag = Flag

/** How a model run went (origin `inference`): where it ran, how long, how many tokens, per turn. */
export const InferenceTimings = z
  .object({
    provider: z.enum(['cpu', 'cuda']),
    ms: z.number().nonnegative(),
    generatedTokens: z.number().int().nonnegative(),
    turns: z.array(
      z.object({ promptTokens: z.number().int(), generatedTokens: z.number().int(), images: z.number().int(), ms: z.number(), tokensPerSecond: z.number() }).strict()
    )
  })
  .strict()
export type InferenceTimings = z.infer<typeof InferenceTimings>

/** Who or what made the trace: the model, run and step; the recipe, narrator, seed and settings. */
export const OriginDetail = z
  .object({
    model: z.string().optional(),
    runId: z.string().optional(),
    jobId: z.string().optional(),
    step: z.number().int().nonnegative().optional(),
    recipe: z.string().optional(),
    narrator: z.string().optional(),
    seed: z.number().int().optional(),
    /** an imported file and record */
    file: z.string().optional(),
    record: z.string().optional(),
    settings: z.record(z.string(), z.unknown()).optional(),
    timings: InferenceTimings.optional()
  })
  .strict()
export type OriginDetail = z.infer<typeof OriginDetail>

/**
 * A trace's steps with the media of every observation rendered (a synthesized trace stores only
 * its boxes and frame picks; see ObservationResult), for the revision they were rendered from.
 */
export const RenderedSteps = z
  .object({
    id: Id,
    revision: z.number().int().positive(),
    steps: z.array(Step)
  })
  .strict()
export type RenderedSteps = z.infer<typeof RenderedSteps>

export const TRACE_COMMENT_MAX = 10_000

/** What one revision holds: everything an edit can change. */
export const TraceState = z.object({
  question: z.string(),
  steps: z.array(Step),
  status: TraceStatus,
  flags: z.array(TraceFlag),
  /** a reviewer's free-text note (searchable); absent when empty */
  comment: z.string().min(1).max(TRACE_COMMENT_MAX).optional()
})
export type TraceState = z.infer<typeof TraceState>

export const StoredTrace = TraceState.extend({
  id: Id,
  sampleId: Id,
  origin: TraceOrigin,
  originDetail: OriginDetail,
  revision: z.number().int().positive(),
  /** the content of the last \boxed{} of the answer step, if any */
  answer: z.string().nullable(),
  operations: z.number().int().nonnegative(),
  /** the sample's gold answer */
  gold: z.string(),
  /** src/shared/traces/checks: box out of range, answer differs from gold, too many operations... */
  warnings: z.array(TraceWarning),
  createdAt: z.string(),
  updatedAt: z.string()
})
export type StoredTrace = z.infer<typeof StoredTrace>

export const TraceSummary = StoredTrace.pick({
  id: true,
  sampleId: true,
  origin: true,
  status: true,
  flags: true,
  revision: true,
  answer: true,
  operations: true,
  updatedAt: true
}).extend({
  /** first line of the question */
  question: z.string(),
  gold: z.string(),
  source: z.string(),
  kind: z.enum(['image', 'video']),
  thumb: MediaRef
})
export type TraceSummary = z.infer<typeof TraceSummary>

export const TraceOperationFilter = z.enum(['any', 'none', 'crop', 'select_frames'])

/** The most traces a selection may name one by one (larger sets are selected by filter). */
export const BULK_MAX_IDS = 100_000

/** Which traces: every field narrows; absent fields do not. Snapshots store this too. */
export const TraceFilter = z
  .object({
    status: z.array(TraceStatus).min(1).optional(),
    origin: z.array(TraceOrigin).min(1).optional(),
    /** any: used at least one operation; none: text only; crop / select_frames: used that one */
    operation: TraceOperationFilter.optional(),
    flag: TraceFlag.optional(),
    source: z.string().min(1).max(200).optional(),
    sampleId: Id.optional(),
    /** traces in this snapshot (at their current revision) */
    snapshotId: Id.optional(),
    /** full-text search over question, answer, step text and comment (SQLite FTS5 syntax: words, "phrases", prefix*) */
    query: z.string().min(1).max(500).optional(),
    /** exactly these traces (a multi-selection in the list) */
    ids: z.array(Id).min(1).max(BULK_MAX_IDS).optional()
  })
  .strict()
export type TraceFilter = z.infer<typeof TraceFilter>

/** Where a keyset page starts: opaque, from a page's `next` / `prev` (same filter and sort). */
export const TraceCursor = z.string().min(1).max(200)

export const TraceListInput = TraceFilter.extend({
  sort: z.enum(['created', 'updated']).default('created'),
  order: z.enum(['asc', 'desc']).default('asc'),
  /** the rows after this cursor (the next page): an index seek, the same cost at any depth */
  after: TraceCursor.optional(),
  /** the rows before this cursor (the previous page), still in list order */
  before: TraceCursor.optional(),
  /** rows to skip (after the cursor, if any); deep offsets walk the index: prefer cursors */
  offset: z.number().int().nonnegative().default(0),
  limit: z.number().int().min(1).max(500).default(100)
})
  .strict()
  .refine((v) => v.after === undefined || v.before === undefined, { message: 'give after or before, not both' })
export type TraceListInput = z.input<typeof TraceListInput>

export const TracePage = z.object({
  total: z.number().int().nonnegative(),
  /** total is extrapolated (a search with many hits), not counted: show it as "about" */
  estimate: z.boolean(),
  items: z.array(TraceSummary),
  /** cursor for the page after this one; null at the end */
  next: TraceCursor.nullable(),
  /** cursor for the page before this one; null at the start */
  prev: TraceCursor.nullable(),
  /** a search: traces written but not yet in the full-text index (a bulk insert's tail, indexed in the background), which it does not find yet */
  pending: z.number().int().positive().optional()
})
export type TracePage = z.infer<typeof TracePage>

export const TraceCounts = z.object({
  total: z.number().int().nonnegative(),
  byStatus: z.record(TraceStatus, z.number().int().nonnegative()),
  byOrigin: z.record(TraceOrigin, z.number().int().nonnegative()),
  /** extrapolated from the first hits of a search with many (shown as "about"), not counted */
  estimate: z.boolean(),
  /** a search: traces not yet in the full-text index, which it does not count yet (as TracePage.pending) */
  pending: z.number().int().positive().optional()
})
export type TraceCounts = z.infer<typeof TraceCounts>


export const TraceCreateInput = z
  .object({
    sampleId: Id,
    origin: TraceOrigin.default('human'),
    originDetail: OriginDetail.default({}),
    /** defaults to the sample's question */
    question: z.string().optional(),
    steps: z.array(Step),
    status: TraceStatus.default('unreviewed'),
    flags: z.array(TraceFlag).default([]),
    author: Author.default('human'),
    /** compute each operation's result (crops, frames) with pixel-ops and store it after the call */
    materialize: z.boolean().default(true)
  })
  .strict()
export type TraceCreateInput = z.input<typeof TraceCreateInput>

export const TraceUpdateInput = z
  .object({
    id: Id,
    /** the revision the change was made against; a newer one is a conflict, nothing is written */
    expectedRevision: z.number().int().positive(),
    question: z.string().optional(),
    steps: z.array(Step).optional(),
    status: TraceStatus.optional(),
    flags: z.array(TraceFlag).optional(),
    /** the reviewer's note; "" removes it */
    comment: z.string().max(TRACE_COMMENT_MAX).optional(),
    /** what the person did, for the history: "move box 2", "accept" */
    action: z.string().min(1).max(200).default('edit'),
    author: Author.default('human'),
    materialize: z.boolean().default(true)
  })
  .strict()
export type TraceUpdateInput = z.input<typeof TraceUpdateInput>

/** Undo/redo/restore: write a new revision whose state is that of an earlier one. */
export const TraceRestoreInput = RestoreInput

export const TraceRevision = revisionOf(TraceState)
export type TraceRevision = z.infer<typeof TraceRevision>

/**
 * A seeded train/validation split chosen when a snapshot is made: by sample (a sample's traces
 * stay on one side) and stratified by sample source.
 */
export const SnapshotSplit = z
  .object({
    /** share of each source's samples held out for validation (0 < f < 1) */
    valFraction: z.number().gt(0).lt(1),
    seed: z.number().int().nonnegative().max(2 ** 31 - 1)
  })
  .strict()
export type SnapshotSplit = z.infer<typeof SnapshotSplit>

export const Snapshot = z.object({
  id: Id,
  name: z.string(),
  /** sha256 over every (trace id, revision, state hash) in order: equal hashes, equal data */
  hash: z.string(),
  traceCount: z.number().int().nonnegative(),
  filter: TraceFilter,
  /** the train/validation split, if one was chosen; `validationCount` traces (of the held-out samples) */
  split: SnapshotSplit.extend({ validationCount: z.number().int().nonnegative() }).nullable(),
  /** the snapshot this one added traces to (its traces first, at their frozen revisions), if any */
  base: Id.nullable(),
  createdAt: z.string(),
  /** jobs (training, evaluation, export) that point to this snapshot */
  usedBy: z.array(z.object({ jobId: Id, kind: z.string(), title: z.string(), status: z.string() }))
})
export type Snapshot = z.infer<typeof Snapshot>

export const SnapshotCreateInput = z
  .object({
    name: z.string().min(1).max(200),
    filter: TraceFilter.default({}),
    /** refuse an empty snapshot instead of creating it */
    allowEmpty: z.boolean().default(false),
    /** hold out a seeded, per-source share of the traces for validation (exports write it as the eval set) */
    split: SnapshotSplit.optional(),
    /** add to this snapshot: the new one holds its traces (at their frozen revisions), then the filter's others */
    base: Id.optional()
  })
  .strict()

/** Traces changed: the renderer refreshes what shows them (ids: these; null: too many to list). */
export const TracesChanged = z.object({
  ids: z.array(Id).nullable(),
  reason: z.string()
})
export type TracesChanged = z.infer<typeof TracesChanged>

/** What a bulk change does to every selected trace. */
export const BulkAction = z.discriminatedUnion('type', [
  z.object({ type: z.literal('status'), status: TraceStatus }).strict(),
  z.object({ type: z.literal('addFlag'), flag: TraceFlag }).strict(),
  z.object({ type: z.literal('removeFlag'), flag: TraceFlag }).strict(),
  /**
   * freeze the selection as a new snapshot, or with `base` add it to that snapshot as a new one
   * (snapshots are immutable: the base stays as it was, and no trace changes)
   */
  z.object({ type: z.literal('snapshot'), name: z.string().min(1).max(200), split: SnapshotSplit.optional(), base: Id.optional() }).strict()
])
export type BulkAction = z.infer<typeof BulkAction>

export const TraceBulkInput = z
  .object({
    /** the selection: the list's filter, or `{ ids }` for a multi-selection */
    filter: TraceFilter,
    action: BulkAction,
    /** the count the person confirmed; when the filter now matches another number, nothing is written (conflict) */
    expectedCount: z.number().int().nonnegative().optional(),
    author: Author.default('human')
  })
  .strict()
export type TraceBulkInput = z.input<typeof TraceBulkInput>

export const BulkChange = z.object({
  id: Id,
  /** "accept 523 traces" */
  label: z.string(),
  action: BulkAction,
  filter: TraceFilter,
  author: z.string(),
  /** traces the selection matched */
  selected: z.number().int().nonnegative(),
  /** traces that got a new revision (the others already were that way) */
  changed: z.number().int().nonnegative(),
  state: z.enum(['applied', 'undone']),
  /** traces the last undo or redo left alone because they were edited since */
  skipped: z.number().int().nonnegative(),
  /** set for a snapshot action: the snapshot made */
  snapshotId: Id.nullable(),
  createdAt: z.string(),
  updatedAt: z.string()
})
export type BulkChange = z.infer<typeof BulkChange>

export const TraceBulkUndoInput = z.object({ id: Id, action: z.enum(['undo', 'redo']), author: Author.default('human') }).strict()
