import { z } from 'zod'
import { Id } from './common'
import { InferenceSettings } from './inference'

/** Greedy decoding, 4 operations: the paper's evaluation setting. */
export const EVAL_DEFAULT_SETTINGS: InferenceSettings = { maxOperations: 4, maxNewTokensPerTurn: 1024, temperature: 0, topP: 0.95 }

export const EvalMetrics = z.object({
  /** scored samples (samples that failed to run are not counted) */
  count: z.number().int(),
  /** mean score: exact-match accuracy, or mean ANLS for InfographicsVQA */
  accuracy: z.number(),
  /** share of answers that made at least one call (failed calls count, as in the reference) */
  rapr: z.number(),
  opsPerAnswer: z.number(),
  accuracyWithOps: z.number().nullable(),
  accuracyWithoutOps: z.number().nullable(),
  meanLatencyMs: z.number()
})
export type EvalMetrics = z.infer<typeof EvalMetrics>

/** One side of a snapshot's seeded train/validation split. */
export const EvalSplit = z.object({ snapshotId: Id, side: z.enum(['train', 'validation']) }).strict()
export type EvalSplit = z.infer<typeof EvalSplit>

export const EvalRunInput = z
  .object({
    /** the sample source to evaluate, e.g. "bench:vstar" (benchmarks.import names it) */
    source: z.string().min(1).max(200),
    /** the model to evaluate; loaded first when another (or none) is loaded. Default: the loaded one */
    modelId: Id.optional(),
    /** continue this run (results already cached are kept; its model, source and settings are reused) */
    runId: Id.optional(),
    /** the row this run is shown in, in the runs x suites table (default: the model's name) */
    label: z.string().min(1).max(100).optional(),
    limit: z.number().int().positive().max(100_000).optional(),
    settings: InferenceSettings.optional(),
    /** only the samples of the source on one side of a snapshot's train/validation split (an experiment's held-out set) */
    split: EvalSplit.optional()
  })
  .strict()

export const EvalRunStatus = z.enum(['running', 'incomplete', 'complete'])

export const CategoryMetrics = z.object({ category: z.string(), metrics: EvalMetrics })

export const EvalRun = z.object({
  id: Id,
  label: z.string(),
  source: z.string(),
  /** the paper's name for the suite (V*, TallyQA-Cx, MVBench, InfoVQA) or the source */
  suite: z.string(),
  /** "accuracy" (exact match as the reference scores it) or "anls" (InfographicsVQA) */
  metric: z.enum(['accuracy', 'anls']),
  model: z.object({ id: Id, name: z.string() }),
  settings: InferenceSettings,
  limit: z.number().int().nullable(),
  /** the run covers only this side of a snapshot's split (null: every sample of the source) */
  split: EvalSplit.nullable().default(null),
  createdAt: z.string(),
  status: EvalRunStatus,
  /** samples the run covers (the source, up to the limit) */
  total: z.number().int(),
  /** samples that could not run (missing media, ...); retried when the run resumes */
  failed: z.number().int(),
  /** samples whose gold answer cannot be scored under the reference's rules (not run, not counted) */
  unscorable: z.number().int().default(0),
  metrics: EvalMetrics,
  byCategory: z.array(CategoryMetrics)
})
export type EvalRun = z.infer<typeof EvalRun>

export const EvalSampleResult = z.object({
  sampleId: Id,
  /** the model's trajectory, stored as a trace (origin inference): open it in Review */
  traceId: Id.nullable(),
  category: z.string().nullable(),
  question: z.string(),
  answer: z.string().nullable(),
  gold: z.string(),
  score: z.number(),
  operations: z.number().int(),
  stop: z.string(),
  ms: z.number(),
  generatedTokens: z.number().int(),
  /** why the sample could not run; such rows are not scored */
  error: z.string().nullable(),
  /** why its gold answer can never be scored (src/shared/eval/scoring.ts goldProblem); such rows
   * are listed, not run, and count neither as right nor as wrong */
  unscorable: z.string().nullable().default(null)
})
export type EvalSampleResult = z.infer<typeof EvalSampleResult>

export const EvalResultsInput = z
  .object({
    runId: Id,
    outcome: z.enum(['all', 'right', 'wrong', 'failed', 'unscorable']).default('all'),
    usedOperation: z.boolean().optional(),
    category: z.string().min(1).max(200).optional(),
    offset: z.number().int().nonnegative().default(0),
    limit: z.number().int().min(1).max(500).default(100)
  })
  .strict()

export const EvalResultsPage = z.object({ total: z.number().int(), items: z.array(EvalSampleResult) })

/** A sample source that can be evaluated. */
export const EvalSuite = z.object({
  source: z.string(),
  suite: z.string(),
  metric: z.enum(['accuracy', 'anls']),
  count: z.number().int(),
  /** one of the paper's four suites */
  paper: z.boolean(),
  categories: z.array(z.object({ category: z.string(), count: z.number().int() }))
})
export type EvalSuite = z.infer<typeof EvalSuite>

export const EvalCompareInput = z.object({ a: Id, b: Id }).strict()

const CompareSide = z.object({ score: z.number(), answer: z.string().nullable(), operations: z.number().int(), traceId: Id.nullable() }).nullable()

export const EvalComparison = z.object({
  a: EvalRun,
  b: EvalRun,
  /** right/wrong by the 0.5 threshold (ANLS >= 0.5 counts as right) */
  counts: z.object({ gained: z.number().int(), lost: z.number().int(), bothRight: z.number().int(), bothWrong: z.number().int(), onlyOne: z.number().int() }),
  rows: z.array(
    z.object({
      sampleId: Id,
      question: z.string(),
      gold: z.string(),
      /** gained: wrong in a, right in b; lost: the reverse */
      change: z.enum(['gained', 'lost', 'both_right', 'both_wrong', 'only_a', 'only_b']),
      a: CompareSide,
      b: CompareSide
    })
  )
})
export type EvalComparison = z.infer<typeof EvalComparison>

/** An eval run moved on (a sample done, started, finished): the screen refreshes its tables. */
export const EvalChanged = z.object({ runId: Id, status: EvalRunStatus, done: z.number().int(), total: z.number().int() })
