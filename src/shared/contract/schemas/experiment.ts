// The curiosity ablation as a studio experiment (Pixel Reasoner Table 1 in miniature): one
// dataset snapshot with a validation split, one base model, and arms that are ordinary training
// runs sharing every setting except the one they compare. The definition is a JSON file (or the
// form on the Experiments screen); the studio fills in the runs.
import { z } from 'zod'
import { Id } from './common'
import { EvalMetrics } from './eval'
import { InferenceSettings } from './inference'
import { JobStatus } from './job'
import { RunSpec, TrainingBackend } from './training'

/** The zoom task: a one-digit sign in a large cluttered image, seen downscaled by the model. */
export const ZoomTaskSpec = z
  .object({
    /** source images are square, this many pixels a side */
    imageSize: z.number().int().min(112).max(8192),
    /** seven-segment digit height range in source pixels */
    digitHeight: z.tuple([z.number().int().min(4), z.number().int().min(4)]),
    /** pixels of the whole image the model sees (the processor's max_pixels; Qwen2.5-VL smart_resize) */
    modelMaxPixels: z.number().int().min(4 * 784),
    /** a crop is resized into at most this many pixels (the profile's crop bound) */
    cropMaxPixels: z.number().int().min(4 * 784),
    clutter: z.number().int().min(0).max(2000).default(60)
  })
  .strict()
  .refine((t) => t.digitHeight[0] <= t.digitHeight[1], { message: 'digitHeight is [min, max]' })
export type ZoomTaskSpec = z.output<typeof ZoomTaskSpec>

/** What an arm is, and so what it may differ in from the others. */
export const ArmKind = z.enum(['warm-start', 'curiosity', 'no-curiosity', 'text-only'])
export type ArmKind = z.infer<typeof ArmKind>

/** Training settings without defaults: what is absent comes from the shared block (then the run's defaults). */
const Hyper = z
  .object({
    learningRate: z.number().positive().optional(),
    epochs: z.number().positive().optional(),
    maxSteps: z.number().int().nonnegative().optional(),
    batchSize: z.number().int().positive().optional(),
    gradAccum: z.number().int().positive().optional(),
    warmupRatio: z.number().min(0).max(1).optional(),
    seed: z.number().int().optional(),
    loraRank: z.number().int().nonnegative().optional(),
    saveEverySteps: z.number().int().nonnegative().optional()
  })
  .strict()
const Grpo = z
  .object({
    groupSize: z.number().int().min(2).optional(),
    temperature: z.number().positive().optional(),
    topP: z.number().gt(0).max(1).optional(),
    clipLow: z.number().positive().optional(),
    clipHigh: z.number().positive().optional(),
    klCoef: z.number().min(0).optional(),
    maxOperations: z.number().int().min(0).optional(),
    /** tokens over all turns of a rollout (the run's grpo.maxCompletionTokens) */
    maxCompletionTokens: z.number().int().positive().optional(),
    reward: z
      .object({
        formula: z.enum(['paper', 'released']).optional(),
        alpha: z.number().min(0).optional(),
        beta: z.number().min(0).optional(),
        targetRapr: z.number().min(0).max(1).optional(),
        freeOperations: z.number().int().min(0).optional(),
        curiosity: z.boolean().optional()
      })
      .strict()
      .optional()
  })
  .strict()

export const ExperimentArm = z
  .object({
    name: z.string().regex(/^[a-z0-9][a-z0-9-]{0,39}$/, 'an arm name is 1-40 chars of a-z, 0-9 and -'),
    kind: ArmKind,
    /** per-arm settings on top of the shared ones: only the compared setting may differ */
    hyper: Hyper.optional(),
    grpo: Grpo.optional()
  })
  .strict()
export type ExperimentArm = z.infer<typeof ExperimentArm>

export const ExperimentDefinition = z
  .object({
    version: z.literal(1),
    name: z.string().min(1).max(200),
    /** the snapshot's train split trains, its validation split evaluates */
    snapshotId: Id,
    backend: TrainingBackend.default('trl'),
    baseModel: RunSpec.shape.baseModel,
    /** 'model': the folder's own chat template, which must support tools; 'studio': train with the studio's tool template (the TRL launcher swaps it in) */
    chatTemplate: z.enum(['model', 'studio']).default('model'),
    /** every arm's seed (fixed, the same in every arm) */
    seed: z.number().int().default(1),
    hardware: RunSpec.shape.hardware.prefault({}),
    task: ZoomTaskSpec.optional(),
    /** the warm start (SFT) every GRPO arm starts from */
    sft: Hyper.extend({ learningRate: z.number().positive() }),
    /** shared by every GRPO arm */
    grpo: z.object({ hyper: Hyper.extend({ learningRate: z.number().positive() }), settings: Grpo.default({}) }).strict(),
    arms: z.array(ExperimentArm).min(1).max(8),
    /**
     * Evaluate each arm's models on the snapshot's validation split (Evaluate through a served
     * checkpoint): its final model, every checkpoint too, or none. The settings are the agent loop's
     * (an arm that may make no operation is evaluated with none offered); `limit` caps the samples.
     */
    evaluation: z
      .object({
        /** none: no validation evaluation (the table keeps the train-time columns only) */
        checkpoints: z.enum(['final', 'every', 'none']).default('final'),
        /** what is absent comes from Evaluate's defaults (the paper's evaluation settings) */
        settings: z
          .object({
            maxNewTokensPerTurn: InferenceSettings.shape.maxNewTokensPerTurn.unwrap().optional(),
            temperature: InferenceSettings.shape.temperature.unwrap().optional(),
            topP: InferenceSettings.shape.topP.unwrap().optional()
          })
          .strict()
          .optional(),
        limit: z.number().int().positive().optional()
      })
      .strict()
      .prefault({})
  })
  .strict()
export type ExperimentDefinition = z.output<typeof ExperimentDefinition>
export type ExperimentDefinitionInput = z.input<typeof ExperimentDefinition>

/** One model of an arm evaluated on the validation split. */
export const ArmEvaluation = z.object({
  /** the training step of the model (a checkpoint's, or the run's last step for its final model) */
  step: z.number().int().nonnegative(),
  /** the model folder served for it */
  model: z.string(),
  source: z.string(),
  /** the Evaluate run (its traces open in Review); null until it started */
  evalRunId: Id.nullable(),
  status: z.enum(['pending', 'running', 'done', 'failed']),
  error: z.string().nullable(),
  metrics: EvalMetrics.nullable()
})
export type ArmEvaluation = z.infer<typeof ArmEvaluation>

export const ExperimentArmState = z.object({
  name: z.string(),
  kind: ArmKind,
  /** the training run of this arm (null until it is queued: GRPO arms wait for the warm start) */
  runId: Id.nullable(),
  status: JobStatus.or(z.literal('waiting')),
  /** why it did not run */
  blocked: z.string().nullable(),
  /** its models evaluated on the validation split, by step (filled once the run succeeded) */
  evaluations: z.array(ArmEvaluation).default([])
})
export type ExperimentArmState = z.infer<typeof ExperimentArmState>

export const Experiment = z.object({
  id: Id,
  definition: ExperimentDefinition,
  arms: z.array(ExperimentArmState),
  status: z.enum(['defined', 'running', 'finished', 'failed', 'cancelled']),
  /** cancelled by the person: no arm is queued and no evaluation starts until it is run again */
  stopped: z.boolean().default(false),
  createdAt: z.string(),
  updatedAt: z.string()
})
export type Experiment = z.infer<typeof Experiment>

/** One curve point of one arm. */
export const ExperimentCurvePoint = z.object({ step: z.number().int(), value: z.number() })

export const ExperimentReport = z.object({
  experiment: Experiment,
  /** per arm, per metric: the curve over training steps */
  curves: z.array(z.object({ arm: z.string(), runId: Id.nullable(), metrics: z.record(z.string(), z.array(ExperimentCurvePoint)) })),
  /** the paper's Table 1 shape: one row per arm, plus RaPR */
  table: z.array(
    z.object({
      arm: z.string(),
      kind: ArmKind,
      status: z.string(),
      /** validation accuracy (Evaluate on the validation split); null until evaluated */
      accuracy: z.number().nullable(),
      rapr: z.number().nullable(),
      opsPerAnswer: z.number().nullable(),
      /** from the last training step's metrics */
      trainAccuracy: z.number().nullable(),
      trainRapr: z.number().nullable(),
      curiosity: z.number().nullable(),
      responseLength: z.number().nullable(),
      steps: z.number().int().nullable(),
      rollouts: z.number().int().nonnegative(),
      evalRunId: Id.nullable()
    })
  ),
  notes: z.array(z.string())
})
export type ExperimentReport = z.infer<typeof ExperimentReport>

export const ZoomOracle = z.object({
  samples: z.number().int(),
  /** accuracy of the extractor on the whole image as the model sees it */
  fullView: z.number(),
  /** on the crop of the cue (the tool's result) */
  crop: z.number(),
  /** guessing a digit */
  chance: z.number(),
  modelView: z.object({ width: z.number().int(), height: z.number().int() }),
  cropSize: z.object({ width: z.number().int(), height: z.number().int() })
})
export type ZoomOracle = z.infer<typeof ZoomOracle>

export const ExperimentIdInput = z.object({ id: Id }).strict()
export const ExperimentValidation = z.object({ ok: z.boolean(), problems: z.array(z.string()) })
export const ZoomTaskInput = z
  .object({
    /** a preset's task, or one given in full */
    preset: z.enum(['cpu-mini', 'gpu-24gb']).optional(),
    task: ZoomTaskSpec.optional(),
    count: z.number().int().min(1).max(100_000).optional(),
    seed: z.number().int().default(1)
  })
  .strict()
export const ZoomTaskResult = z.object({ added: z.number().int(), sampleIds: z.array(Id), source: z.string(), oracle: ZoomOracle })
