// Training jobs as the studio shows them: what a person asks for (a run spec without the parts the
// studio fills in), a run's state (queue, step, checkpoints, artifacts, error with its log tail),
// its metrics and logs, and the machine it would run on (GPUs, Python, torch).
import { z } from 'zod'
import { Id, JobProgress } from './common'
import { JobStatus } from './job'
import { RunSpec, TrainingAlgorithm, TrainingBackend } from './training'

/** RunSpec minus what the studio fills (version, run id, dataset files, output dir, resume point). */
export const TrainingStartInput = RunSpec.omit({ version: true, runId: true, dataset: true, outputDir: true, resumeFrom: true }).extend({
  snapshotId: Id,
  title: z.string().min(1).max(200).optional(),
  hardware: RunSpec.shape.hardware.prefault({})
})
export type TrainingStartInput = z.input<typeof TrainingStartInput>

/** Why a run failed: the trainer's own error kinds, plus a studio that stopped while it ran. */
export const TrainingErrorKind = z.enum(['oom', 'data', 'dependency', 'disk', 'crash', 'interrupted'])
export type TrainingErrorKind = z.infer<typeof TrainingErrorKind>

export const TrainingCheckpoint = z.object({ step: z.number().int().nonnegative(), path: z.string(), at: z.string() })
export type TrainingCheckpoint = z.infer<typeof TrainingCheckpoint>

export const TrainingRun = z.object({
  id: Id,
  title: z.string(),
  status: JobStatus,
  backend: TrainingBackend,
  algorithm: TrainingAlgorithm,
  snapshotId: Id.nullable(),
  snapshotName: z.string().nullable(),
  /** the spec of the current (or next) attempt, as written to <run dir>/spec.json */
  spec: RunSpec,
  /** 0 until it first starts; each resume adds one */
  attempt: z.number().int().nonnegative(),
  /** 1 = next to start; null unless queued */
  queuePosition: z.number().int().positive().nullable(),
  step: z.number().int().nullable(),
  totalSteps: z.number().int().nullable(),
  epoch: z.number().nullable(),
  device: z.enum(['cpu', 'cuda']).nullable(),
  progress: JobProgress.nullable(),
  checkpoints: z.array(TrainingCheckpoint),
  /** absolute paths reported by the trainer's `done` event */
  modelDir: z.string().nullable(),
  onnxDir: z.string().nullable(),
  error: z.object({ kind: TrainingErrorKind, message: z.string(), logTail: z.array(z.string()) }).nullable(),
  cancelRequested: z.boolean(),
  /** the command line of the last attempt (argv) */
  command: z.array(z.string()),
  runDir: z.string(),
  logPath: z.string(),
  pid: z.number().int().nullable(),
  /** the latest value of every metric */
  latest: z.record(z.string(), z.number()),
  rollouts: z.number().int().nonnegative(),
  createdAt: z.string(),
  startedAt: z.string().nullable(),
  finishedAt: z.string().nullable(),
  updatedAt: z.string()
})
export type TrainingRun = z.infer<typeof TrainingRun>

export const TrainingLogsInput = z
  .object({
    id: Id,
    /** the last N lines */
    tail: z.number().int().min(1).max(20_000).default(500)
  })
  .strict()
export const TrainingLogs = z.object({ lines: z.array(z.string()), truncated: z.boolean() })
export type TrainingLogs = z.infer<typeof TrainingLogs>

export const TrainingMetricsInput = z
  .object({
    /** one run, or several to compare on one chart */
    ids: z.array(Id).min(1).max(12),
    names: z.array(z.string().min(1)).max(64).optional(),
    /** at most this many points per curve: longer curves are downsampled (min and max per bucket of steps) */
    maxPoints: z.number().int().min(4).max(1_000_000).optional()
  })
  .strict()
export const MetricSample = z.object({ name: z.string(), step: z.number().int(), value: z.number() })
export type MetricSample = z.infer<typeof MetricSample>
export const TrainingMetrics = z.object({
  runs: z.array(
    z.object({
      id: Id,
      title: z.string(),
      points: z.array(MetricSample),
      /** points stored per curve, before any downsampling */
      stored: z.record(z.string(), z.number().int()).optional()
    })
  )
})
export type TrainingMetrics = z.infer<typeof TrainingMetrics>

export const TrainingRolloutsInput = z
  .object({ id: Id, offset: z.number().int().nonnegative().default(0), limit: z.number().int().min(1).max(500).default(50) })
  .strict()
export const TrainingRollout = z.object({
  traceId: Id,
  sampleId: Id,
  step: z.number().int().nullable(),
  reward: z.number().nullable(),
  correct: z.boolean().nullable(),
  operations: z.number().int().nonnegative(),
  answer: z.string().nullable()
})
export type TrainingRollout = z.infer<typeof TrainingRollout>
export const TrainingRollouts = z.object({ total: z.number().int().nonnegative(), items: z.array(TrainingRollout) })

export const GpuInfo = z.object({
  index: z.number().int(),
  name: z.string(),
  memoryTotalMiB: z.number().nullable(),
  memoryUsedMiB: z.number().nullable(),
  utilizationPercent: z.number().nullable(),
  driver: z.string().nullable()
})
export type GpuInfo = z.infer<typeof GpuInfo>

/** What a training run would find on this machine: GPUs (nvidia-smi), the Python and its torch. */
/** The virtualenv `trainer setup` manages (default <studio home>/trainer-env). */
export const TrainerEnvInfo = z.object({
  dir: z.string(),
  python: z.string(),
  /** its python exists */
  exists: z.boolean(),
  /** a setup finished there (versions recorded) */
  complete: z.boolean(),
  /** distribution -> version as installed by the last setup */
  versions: z.record(z.string(), z.string().nullable()),
  torchVariant: z.enum(['cpu', 'cuda', 'index']).nullable(),
  problem: z.string().nullable(),
  setupCommand: z.string()
})
export type TrainerEnvInfo = z.infer<typeof TrainerEnvInfo>

export const TrainerSetupInput = z
  .object({
    /** default: <studio home>/trainer-env */
    dir: z.string().min(1).optional(),
    /** pip index URLs (the first is --index-url, the rest extra); default PIXEL_STUDIO_PIP_INDEX_URL, else the public index + torch's CPU/CUDA index */
    indexUrls: z.array(z.string().min(1)).optional()
  })
  .strict()
export const TrainerSetupResult = z.object({
  dir: z.string(),
  python: z.string(),
  versions: z.record(z.string(), z.string().nullable()),
  torchVariant: z.enum(['cpu', 'cuda', 'index']),
  seconds: z.number()
})
export type TrainerSetupResult = z.infer<typeof TrainerSetupResult>

export const TrainingEnvironment = z.object({
  gpu: z.object({ available: z.boolean(), description: z.string(), gpus: z.array(GpuInfo) }),
  python: z.object({
    path: z.string(),
    version: z.string().nullable(),
    torch: z.string().nullable(),
    torchCuda: z.boolean().nullable(),
    problem: z.string().nullable()
  }),
  /** the managed trainer environment, whether or not it is the Python in use */
  managed: TrainerEnvInfo,
  /** where `python.path` comes from */
  pythonSource: z.enum(['env', 'managed']),
  /** how many runs may train at once (PIXEL_STUDIO_TRAINING_SLOTS, default 1) */
  slots: z.number().int().positive(),
  /** what to do about anything missing, in plain words */
  advice: z.array(z.string())
})
export type TrainingEnvironment = z.infer<typeof TrainingEnvironment>

export const TrainingMetricsEvent = z.object({ jobId: Id, points: z.array(MetricSample) })
export const TrainingLogEvent = z.object({ jobId: Id, lines: z.array(z.string()) })
