// THE contract: every capability of the main process, with a schema for its input and output.
// Main implements it (a missing handler is a compile error), preload and `serve` carry it, the
// renderer and the CLI call it. Add a method here first, then its handler in src/main/services.
import { z } from 'zod'
import { call, job } from './define'
import { Empty, JobProgress } from './schemas/common'
import { ProjectCreateInput, ProjectInfo, ProjectOpenInput, RecentProject } from './schemas/project'
import { RuntimeReport } from './schemas/runtime'
import { KeymapSettings } from './schemas/keymap'
import { BenchmarkImportInput, BenchmarkImportResult } from './schemas/benchmark'
import { SampleImportInput, SampleImportResult, TraceImportInput, TraceImportResult } from './schemas/import'
import { SnapshotExportInput, SnapshotExportResult } from './schemas/export'
import { EvalChanged, EvalCompareInput, EvalComparison, EvalResultsInput, EvalResultsPage, EvalRun, EvalRunInput, EvalSuite } from './schemas/eval'
import {
  DemoModelScript,
  Device,
  InferenceBatchInput,
  InferenceBatchResult,
  InferenceProgress,
  InferenceResult,
  InferenceRunInput,
  InferenceStatus,
  ModelEndpointInput,
  ModelEntry
} from './schemas/inference'
import { JobRecord } from './schemas/job'
import { Id } from './schemas/common'
import { Sample, SampleListInput, SamplePage, SampleRestoreInput, SampleRevision, SampleUpdateInput } from './schemas/sample'
import {
  BulkChange,
  RenderedSteps,
  Snapshot,
  SnapshotCreateInput,
  StoredTrace,
  TraceCounts,
  TraceBulkInput,
  TraceBulkUndoInput,
  TraceCreateInput,
  TraceFilter,
  TraceListInput,
  TracePage,
  TraceRestoreInput,
  TraceRevision,
  TracesChanged,
  TraceUpdateInput
} from './schemas/trace'
import {
  TrainerSetupInput,
  TrainerSetupResult,
  TrainingEnvironment,
  TrainingLogEvent,
  TrainingLogs,
  TrainingLogsInput,
  TrainingMetrics,
  TrainingMetricsEvent,
  TrainingMetricsInput,
  TrainingRollouts,
  TrainingRolloutsInput,
  TrainingRun,
  TrainingStartInput
} from './schemas/training-jobs'
import { JobStatus } from './schemas/job'
import { Experiment, ExperimentDefinition, ExperimentIdInput, ExperimentReport, ExperimentValidation, ZoomOracle, ZoomTaskInput, ZoomTaskResult } from './schemas/experiment'
import { NarratorEndpoint, NarratorEndpointInput, SynthesisJob, SynthesisResult, SynthesisRunInput, SynthesisSkip, SynthesisSkippedInput, SynthesisSource } from './schemas/synthesis'

export const contract = {
  'runtime.report': call('Versions, execution providers (CPU/CUDA) and why each is or is not active', Empty, RuntimeReport),
  'settings.keymap': call('The person\'s own review keys (per command, the combos that replace its defaults), a studio setting', Empty, KeymapSettings),
  'settings.setKeymap': call('Replace the review keymap (an empty map restores every default)', KeymapSettings.strict(), KeymapSettings),

  'project.current': call('The open project', Empty, ProjectInfo),
  'project.open': call('Open an existing project folder', ProjectOpenInput, ProjectInfo),
  'project.create': job('Create a project folder, optionally filled with sample data', ProjectCreateInput, JobProgress, ProjectInfo),
  'project.recent': call('Recently opened projects, newest first', Empty, z.array(RecentProject)),

  'samples.list': call('A page of samples in the open project', SampleListInput, SamplePage),
  'samples.get': call('One sample with its media and visual cues', z.object({ id: Id }).strict(), Sample),
  'samples.update': call('Edit a sample (question, gold answer, answer type, choices, flags) as a new revision; refused with a conflict when it changed since `expectedRevision`', SampleUpdateInput, Sample),
  'samples.restore': call('Undo, redo or restore a sample edit: a new revision with the state of an earlier one', SampleRestoreInput, Sample),
  'samples.revisions': call('Every revision of a sample (its first edit stores the original as revision 1)', z.object({ id: Id }).strict(), z.array(SampleRevision)),
  'samples.import': job(
    'Import samples: JSONL with boxes/key frames, an image folder, videos (sampled to 16 frames with ffmpeg) or COCO boxes; bad records are reported and skipped, re-runs resume',
    SampleImportInput,
    JobProgress,
    SampleImportResult
  ),

  'traces.list': call('A page of traces matching a filter (status, origin, operation, flag, source, snapshot, full-text search)', TraceListInput, TracePage),
  'traces.counts': call('How many traces match a filter, by status and by origin', TraceFilter, TraceCounts),
  'traces.get': call('One trace with its steps, revision and validation warnings', z.object({ id: Id }).strict(), StoredTrace),
  'traces.renderMedia': call(
    "A trace's steps with every observation's crop or frames rendered: a synthesized trace stores only its boxes and frame picks, and pixels are derived on demand (cached: the next call reads files); the stored trace is not changed",
    z.object({ id: Id }).strict(),
    RenderedSteps
  ),
  'traces.create': call('Add a trace to a sample (each operation\'s crop or frames computed and stored)', TraceCreateInput, StoredTrace),
  'traces.update': call('Change a trace as a new revision; refused with a conflict when it changed since `expectedRevision`', TraceUpdateInput, StoredTrace),
  'traces.restore': call('Undo, redo or restore: a new revision with the state of an earlier one', TraceRestoreInput, StoredTrace),
  'traces.revisions': call('Every revision of a trace (who, when, what, the whole state after it)', z.object({ id: Id }).strict(), z.array(TraceRevision)),
  'traces.bulk': call(
    'One change to every trace a filter (or a list of ids) selects: accept / reject / needs fix, add or remove a flag, or freeze them as a snapshot; one stored record, undone as one step',
    TraceBulkInput,
    BulkChange
  ),
  'traces.bulkUndo': call('Undo or redo a whole bulk change; traces edited since it are left as they are and counted as skipped', TraceBulkUndoInput, BulkChange),
  'traces.bulkChanges': call('Recent bulk changes, newest first (undo works after a reload)', z.object({ limit: z.number().int().min(1).max(200).default(20) }).strict(), z.array(BulkChange)),
  'snapshots.create': call('Freeze the traces a filter matches, each at its current revision, as an immutable hashed dataset', SnapshotCreateInput, Snapshot),
  'snapshots.list': call('Dataset snapshots, newest first, with the jobs that used each', Empty, z.array(Snapshot)),
  'snapshots.get': call('One dataset snapshot', z.object({ id: Id }).strict(), Snapshot),
  'snapshots.export': job(
    'Write a snapshot as TRL JSONL, LLaMA-Factory ShareGPT, verl parquet or Pixel-Reasoner SFT JSON (crops as files, a manifest); recorded as a job of the snapshot',
    SnapshotExportInput,
    JobProgress,
    SnapshotExportResult
  ),
  'traces.import': job(
    'Import traces with their samples from TRL / LLaMA-Factory exports or Pixel-Reasoner SFT JSON; bad records are reported and skipped, re-runs resume',
    TraceImportInput,
    JobProgress,
    TraceImportResult
  ),

  'models.list': call('Registered local model folders, each re-validated', Empty, z.array(ModelEntry)),
  'models.add': call('Register a local model folder (validated; nothing is downloaded)', z.object({ path: z.string().min(1), name: z.string().min(1).max(200).optional() }).strict(), ModelEntry),
  'models.addEndpoint': call('Register an OpenAI-compatible chat endpoint (vLLM, SGLang, a served checkpoint) as a model: it writes the turns, the studio runs the crops', ModelEndpointInput, ModelEntry),
  'models.addCheckpoint': call(
    'Register a PyTorch Qwen2-VL / Qwen2.5-VL checkpoint (full, or a LoRA adapter merged on load) or a training run\'s folder (its final model, else its newest checkpoint); loading it starts serve_checkpoint.py with the trainer environment',
    z.object({ path: z.string().min(1), name: z.string().min(1).max(200).optional() }).strict(),
    ModelEntry
  ),
  'models.remove': call('Forget a model (its folder is left alone)', z.object({ id: Id }).strict(), z.array(ModelEntry)),
  'models.createDemo': call(
    'Generate a tiny scripted demo model (not a real VLM) into a new folder and register it',
    z.object({ path: z.string().min(1), script: DemoModelScript.default('cropThenAnswer') }).strict(),
    ModelEntry
  ),
  'benchmarks.import': job(
    'Import a local benchmark copy (Pixel-Reasoner eval parquet or JSONL) as samples; bad records are reported and skipped',
    BenchmarkImportInput,
    JobProgress,
    BenchmarkImportResult
  ),
  'eval.run': job(
    'Evaluate a model (default: the loaded one) on every sample of a source, scored as the paper does; each trajectory stored as a trace; cached per sample, resumable',
    EvalRunInput,
    JobProgress,
    EvalRun
  ),
  'eval.runs': call('Evaluation runs of this project with their metrics (per suite and per category)', Empty, z.array(EvalRun)),
  'eval.results': call('Per-sample results of a run (with the trace of each), filterable by right/wrong, operation use and category', EvalResultsInput, EvalResultsPage),
  'eval.suites': call('Sample sources that can be evaluated, the paper\'s four suites first, with their categories', Empty, z.array(EvalSuite)),
  'eval.compare': call('Two runs sample by sample: which answers flipped', EvalCompareInput, EvalComparison),
  'inference.status': call('The loaded model, its execution provider and the queue', Empty, InferenceStatus),
  'inference.load': call('Load a model in the inference worker (unloads any other)', z.object({ modelId: Id, device: Device.default('auto') }).strict(), InferenceStatus),
  'inference.unload': call('Unload the model and free its memory', Empty, InferenceStatus),
  'inference.run': job('Run the Pixel Reasoner agent loop on a sample, streaming tokens and operations; the run is stored as a trace', InferenceRunInput, InferenceProgress, InferenceResult),
  'inference.batch': job(
    'Run a model over a set of samples (source, kind or ids), each run stored as a trace; a re-run with the job id resumes, skipping samples done',
    InferenceBatchInput,
    JobProgress,
    InferenceBatchResult
  ),
  'inference.batches': call('Batch inference jobs of this project, newest first', Empty, z.array(JobRecord)),

  'training.start': call('Queue an SFT or GRPO run on a snapshot (its accepted traces) with a backend (TRL, or verl as generated files); refused before the run when the data or the Python environment cannot work', TrainingStartInput, TrainingRun),
  'training.list': call('Training runs, newest first, with their queue position, step, checkpoints and errors', z.object({ status: z.array(JobStatus).min(1).optional() }).strict(), z.array(TrainingRun)),
  'training.get': call('One training run', z.object({ id: Id }).strict(), TrainingRun),
  'training.cancel': call('Cancel a run: a queued one leaves the queue; a running trainer gets SIGTERM (it saves a checkpoint), then SIGKILL after a grace period', z.object({ id: Id }).strict(), TrainingRun),
  'training.resume': call('Queue a failed, cancelled or interrupted run again from its last checkpoint', z.object({ id: Id }).strict(), TrainingRun),
  'training.logs': call('The last lines of a run\'s log (stdout and stderr of every attempt)', TrainingLogsInput, TrainingLogs),
  'training.metrics': call('Metrics per step of one or several runs (to compare them on one chart)', TrainingMetricsInput, TrainingMetrics),
  'training.rollouts': call('Rollouts a GRPO run produced, stored as traces (origin rollout)', TrainingRolloutsInput, TrainingRollouts),
  'trainer.setup': job(
    'Create the managed trainer environment (a virtualenv with the pinned TRL stack of resources/trainer/requirements.txt; CUDA or CPU torch picked by nvidia-smi) and report its versions',
    TrainerSetupInput,
    JobProgress,
    TrainerSetupResult
  ),
  'training.gpu': call('GPUs (nvidia-smi), the Python that runs trainers and its torch, with advice for anything missing', Empty, TrainingEnvironment),

  'experiments.task': job(
    'Add the zoom task to the project (one-digit signs in cluttered images, seen downscaled as the model sees them) and measure its oracle: an extractor on the full view vs on the cue crop',
    ZoomTaskInput,
    JobProgress,
    ZoomTaskResult
  ),
  'experiments.oracle': call('The zoom task\'s oracle on seeded scenes, without adding samples: extractor accuracy on the model\'s full view and on the cue crop', ZoomTaskInput, ZoomOracle),
  'experiments.validate': call('Every problem of an experiment definition (validation split, arms that differ in more than they compare, a base model without tool support)', ExperimentDefinition, ExperimentValidation),
  'experiments.create': call('Record an experiment (refused with every problem when it cannot run); nothing is queued yet', ExperimentDefinition, Experiment),
  'experiments.run': call('Queue the warm start; each GRPO arm is queued from its model when it succeeds', ExperimentIdInput, Experiment),
  'experiments.cancel': call('Cancel every queued or running arm (each stays resumable)', ExperimentIdInput, Experiment),
  'experiments.list': call('Experiments of this project, newest first', Empty, z.array(Experiment)),
  'experiments.get': call('One experiment with the state of each arm (queues arms whose warm start has succeeded)', ExperimentIdInput, Experiment),
  'experiments.report': call('Per arm: curves over training steps and a row in the shape of the paper\'s Table 1 plus RaPR', ExperimentIdInput, ExperimentReport),

  'synthesis.run': job(
    'Synthesize pixel-space reasoning traces from annotated samples (paper recipe, self-correction mix, a narrator) off the main thread; checked, flagged, resumable',
    SynthesisRunInput,
    JobProgress,
    SynthesisResult
  ),
  'synthesis.jobs': call('Synthesis jobs of this project, newest first, with whether each can be resumed', Empty, z.array(SynthesisJob)),
  'synthesis.skipped': call('Samples a synthesis job could not use, with the reason', SynthesisSkippedInput, z.object({ total: z.number().int(), items: z.array(SynthesisSkip) })),
  'synthesis.sources': call('Sample sources of this project with their image and video counts (what a synthesis run can select)', Empty, z.array(SynthesisSource)),
  'synthesis.endpoint': call('The OpenAI-compatible narrator endpoint (the API key is never returned, only whether one is set)', Empty, NarratorEndpoint),
  'synthesis.setEndpoint': call('Change the narrator endpoint; an absent apiKey keeps the stored one, null removes it', NarratorEndpointInput, NarratorEndpoint)
} as const

/** Server-pushed events, each with its payload schema. */
export const events = {
  'project.changed': ProjectInfo,
  'inference.changed': InferenceStatus,
  'traces.changed': TracesChanged,
  'eval.changed': EvalChanged,
  'training.changed': TrainingRun,
  'training.metrics': TrainingMetricsEvent,
  'training.log': TrainingLogEvent
} as const

export type Contract = typeof contract
export type MethodName = keyof Contract
export type EventName = keyof typeof events

export type InputOf<M extends MethodName> = z.input<Contract[M]['input']>
export type ParsedInputOf<M extends MethodName> = z.output<Contract[M]['input']>
export type OutputOf<M extends MethodName> = z.output<Contract[M]['output']>
export type ProgressOf<M extends MethodName> = Contract[M] extends { kind: 'job'; progress: infer P extends z.ZodType } ? z.output<P> : never
export type EventPayload<E extends EventName> = z.output<(typeof events)[E]>

export function isMethodName(name: string): name is MethodName {
  return Object.hasOwn(contract, name)
}

export * from './define'
export * from './errors'
export * from './wire'
export * from './schemas/common'
export * from './schemas/media'
export * from './schemas/sample'
export * from './schemas/project'
export * from './schemas/runtime'
export * from './schemas/keymap'
export * from './schemas/inference'
export * from './schemas/benchmark'
export * from './schemas/import'
export * from './schemas/export'
export * from './schemas/eval'
export * from './schemas/trace'
export * from './schemas/job'
export * from './schemas/training'
export * from './schemas/training-jobs'
export * from './schemas/synthesis'
export * from './schemas/experiment'
