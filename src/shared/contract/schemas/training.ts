// The trainer-adapter contract: what the studio hands a trainer (a run spec, written as
// <run dir>/spec.json) and what a trainer says back (one JSON object a line, on stdout or in a
// file the adapter tails). Every backend (tiny-torch, TRL, verl) is translated into these events;
// the studio validates each line with `TrainerEvent` and stores metrics, checkpoints and rollouts.
import { z } from 'zod'
import { Id } from './common'

/** 'tiny-torch': the retired hand-written trainer; kept so runs it made still read (new ones are refused) */
export const TrainingBackend = z.enum(['tiny-torch', 'trl', 'verl'])
export type TrainingBackend = z.infer<typeof TrainingBackend>

export const TrainingAlgorithm = z.enum(['sft', 'grpo'])
export type TrainingAlgorithm = z.infer<typeof TrainingAlgorithm>

/** The Pixel Reasoner reward (paper Eq. 3-5; the released code's variant as an option). */
export const RewardSpec = z
  .object({
    /** paper: alpha*max(H-RaPR,0)*1[ops>0]; released: max(H-RaPR,0)/2*0.25/RaPR (/1.5 for video) */
    formula: z.enum(['paper', 'released']).default('paper'),
    alpha: z.number().min(0).default(0.5),
    beta: z.number().min(0).default(0.05),
    /** H: the RaPR target */
    targetRapr: z.number().min(0).max(1).default(0.3),
    /** N: operations allowed before the penalty */
    freeOperations: z.number().int().min(0).default(1),
    /** turn the curiosity bonus off (the paper's "RL without curiosity" ablation) */
    curiosity: z.boolean().default(true)
  })
  .strict()
export type RewardSpec = z.infer<typeof RewardSpec>

export const RunSpec = z
  .object({
    version: z.literal(1),
    runId: Id,
    backend: TrainingBackend,
    algorithm: TrainingAlgorithm,
    /** a model folder (HF layout or a previous run's checkpoint), or a fresh tiny Qwen2.5-VL (resources/trainer/tiny_qwen) */
    baseModel: z.discriminatedUnion('kind', [z.object({ kind: z.literal('tiny-init'), seed: z.number().int().default(0) }), z.object({ kind: z.literal('path'), path: z.string().min(1) })]),
    dataset: z
      .object({
        snapshotId: Id,
        snapshotHash: z.string(),
        /** paths relative to the run dir */
        train: z.string().min(1),
        format: z.enum(['trl', 'llamafactory', 'verl', 'pixel-reasoner']),
        records: z.number().int().nonnegative(),
        /** a split snapshot: its validation side's accepted traces, the run's eval set (never trained on) */
        eval: z.string().min(1).optional(),
        evalRecords: z.number().int().nonnegative().optional()
      })
      .strict(),
    hyper: z
      .object({
        learningRate: z.number().positive(),
        epochs: z.number().positive().default(1),
        /** stop after this many optimizer steps (0: run the epochs) */
        maxSteps: z.number().int().nonnegative().default(0),
        batchSize: z.number().int().positive().default(1),
        gradAccum: z.number().int().positive().default(1),
        warmupRatio: z.number().min(0).max(1).default(0.1),
        seed: z.number().int().default(42),
        /** 0: full fine-tuning */
        loraRank: z.number().int().nonnegative().default(0),
        saveEverySteps: z.number().int().nonnegative().default(0),
        /** trade compute for memory (TRL); default: on for a GPU run */
        gradientCheckpointing: z.boolean().optional()
      })
      .strict(),
    grpo: z
      .object({
        groupSize: z.number().int().min(2).default(8),
        temperature: z.number().positive().default(1),
        topP: z.number().gt(0).max(1).default(0.95),
        clipLow: z.number().positive().default(0.2),
        clipHigh: z.number().positive().default(0.35),
        klCoef: z.number().min(0).default(0),
        maxOperations: z.number().int().min(0).default(4),
        /** tokens a rollout may generate over all its turns (TRL max_completion_length) */
        maxCompletionTokens: z.number().int().positive().default(2048),
        /** generate rollouts with vLLM (TRL use_vllm, colocated); off: transformers generate */
        useVllm: z.boolean().default(false),
        reward: RewardSpec.default({ formula: 'paper', alpha: 0.5, beta: 0.05, targetRapr: 0.3, freeOperations: 1, curiosity: true })
      })
      .strict()
      .optional(),
    hardware: z
      .object({
        device: z.enum(['auto', 'cpu', 'cuda']).default('auto'),
        gpus: z.number().int().positive().default(1),
        nodes: z.number().int().positive().default(1),
        /** verl/Ray: an existing cluster to submit to */
        rayAddress: z.string().optional()
      })
      .strict(),
    /** relative to the run dir */
    outputDir: z.string().min(1).default('output'),
    /** a checkpoint folder to continue from */
    resumeFrom: z.string().nullable().default(null),
    /** experiment trackers the trainer also reports to (TRL report_to); the studio's curves need none */
    reportTo: z.array(z.enum(['tensorboard', 'wandb'])).default([]),
    /** write an ONNX model in the transformers.js layout when done (the retired tiny-torch; TRL ignores it) */
    exportOnnx: z.boolean().default(true)
  })
  .strict()
export type RunSpec = z.infer<typeof RunSpec>

/** One line a trainer prints. Unknown lines are kept in the log but are not events. */
export const TrainerEvent = z.discriminatedUnion('event', [
  z.object({ event: z.literal('started'), device: z.enum(['cpu', 'cuda']), detail: z.string().optional() }),
  z.object({
    event: z.literal('metrics'),
    step: z.number().int().nonnegative(),
    epoch: z.number().nonnegative().optional(),
    /** TRL's names where they exist: loss, learning_rate, reward, rewards/<fn>/mean, plus rapr, ops_per_response, accuracy */
    values: z.record(z.string(), z.number())
  }),
  z.object({ event: z.literal('checkpoint'), step: z.number().int().nonnegative(), path: z.string().min(1) }),
  z.object({
    event: z.literal('rollout'),
    step: z.number().int().nonnegative(),
    sampleId: Id,
    /** the assistant turns as the model wrote them (the studio parses and re-executes the calls) */
    turns: z.array(z.string()),
    reward: z.number(),
    correct: z.boolean(),
    operations: z.number().int().nonnegative()
  }),
  z.object({ event: z.literal('log'), level: z.enum(['debug', 'info', 'warn', 'error']), message: z.string() }),
  /** outputDir-relative or absolute paths */
  z.object({ event: z.literal('done'), modelDir: z.string().min(1), onnxDir: z.string().nullable() }),
  z.object({ event: z.literal('error'), kind: z.enum(['oom', 'data', 'dependency', 'disk', 'crash']), message: z.string() })
])
export type TrainerEvent = z.infer<typeof TrainerEvent>
