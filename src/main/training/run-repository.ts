// The training side of a job (migration 003): backend, run folder, attempts, the spec of the
// current attempt, progress, artifacts, error and checkpoints. The generic status, pid, log path
// and metrics stay in the jobs/metrics tables (JobRepository); this reads both as a TrainingRun.
import { z } from 'zod'
import {
  JobProgress,
  RunSpec,
  StudioError,
  TrainingErrorKind,
  type JobStatus,
  type TrainingAlgorithm,
  type TrainingBackend,
  type TrainingCheckpoint,
  type TrainingRun
} from '../../shared/contract'
import type { Project } from '../project/project'
import { jobTracesSql } from '../traces/trace-query'

export const TRAINING_KIND = 'training'

interface RunRow {
  id: string
  seq: number
  title: string
  status: JobStatus
  progress: string | null
  error: string | null
  pid: number | null
  log_path: string | null
  created_at: string
  started_at: string | null
  finished_at: string | null
  updated_at: string
  snapshot_id: string | null
  snapshot_name: string | null
  backend: TrainingBackend
  algorithm: TrainingAlgorithm
  run_dir: string
  attempt: number
  queued_at: string
  run_spec: string
  command: string
  step: number | null
  total_steps: number | null
  epoch: number | null
  device: 'cpu' | 'cuda' | null
  model_dir: string | null
  onnx_dir: string | null
  error_kind: TrainingErrorKind | null
  log_tail: string | null
  cancel_requested: number
  latest: string
  rollouts: number
}

const SELECT = `
  SELECT j.id, j.seq, j.title, j.status, j.progress, j.error, j.pid, j.log_path, j.created_at, j.started_at, j.finished_at, j.updated_at,
         s.id AS snapshot_id, s.name AS snapshot_name, r.*,
         (SELECT count(*) ${jobTracesSql('rollout', 'j.id')}) AS rollouts
  FROM training_runs r JOIN jobs j ON j.seq = r.job_seq LEFT JOIN snapshots s ON s.seq = j.snapshot_seq`

const Strings = z.array(z.string())
const Latest = z.record(z.string(), z.number())

/** Fields the supervisor updates as a run goes. */
export interface RunPatch {
  attempt?: number
  queuedAt?: string
  spec?: RunSpec
  command?: string[]
  step?: number | null
  totalSteps?: number | null
  epoch?: number | null
  device?: 'cpu' | 'cuda' | null
  modelDir?: string | null
  onnxDir?: string | null
  errorKind?: TrainingErrorKind | null
  logTail?: string[] | null
  cancelRequested?: boolean
  latest?: Record<string, number>
}

const COLUMNS: Record<keyof RunPatch, string> = {
  attempt: 'attempt',
  queuedAt: 'queued_at',
  spec: 'run_spec',
  command: 'command',
  step: 'step',
  totalSteps: 'total_steps',
  epoch: 'epoch',
  device: 'device',
  modelDir: 'model_dir',
  onnxDir: 'onnx_dir',
  errorKind: 'error_kind',
  logTail: 'log_tail',
  cancelRequested: 'cancel_requested',
  latest: 'latest'
}

function columnValue(key: keyof RunPatch, value: unknown): unknown {
  if (value === null || value === undefined) return null
  if (key === 'spec' || key === 'command' || key === 'logTail' || key === 'latest') return JSON.stringify(value)
  if (key === 'cancelRequested') return value ? 1 : 0
  return value
}

export class TrainingRunRepository {
  constructor(private readonly project: Project) {}

  private get db(): Project['db'] {
    return this.project.db
  }

  /** A new queued training job and its run row, in one transaction. */
  create(input: { jobId: string; title: string; snapshotSeq: number; spec: RunSpec; runDir: string; logPath: string; request: Record<string, unknown> }): TrainingRun {
    this.db.transaction(() => {
      this.project.jobs.create({ id: input.jobId, kind: TRAINING_KIND, title: input.title, spec: input.request, snapshotSeq: input.snapshotSeq, logPath: input.logPath })
      this.db
        .prepare('INSERT INTO training_runs (job_seq, backend, algorithm, run_dir, queued_at, run_spec) VALUES (?, ?, ?, ?, ?, ?)')
        .run(this.project.jobs.seqOf(input.jobId), input.spec.backend, input.spec.algorithm, input.runDir, new Date().toISOString(), JSON.stringify(input.spec))
    })()
    return this.get(input.jobId)
  }

  exists(id: string): boolean {
    return this.db.prepare(`SELECT 1 FROM training_runs r JOIN jobs j ON j.seq = r.job_seq WHERE j.id = ?`).get(id) !== undefined
  }

  get(id: string): TrainingRun {
    const row = this.db.prepare<[string], RunRow>(`${SELECT} WHERE j.id = ?`).get(id)
    if (!row) throw new StudioError('not_found', `no training run with id "${id}"`)
    return this.toRun(row, this.queuePositions())
  }

  list(status?: readonly JobStatus[]): TrainingRun[] {
    const where = status?.length ? `WHERE j.status IN (${status.map(() => '?').join(', ')})` : ''
    const positions = this.queuePositions()
    return this.db
      .prepare<unknown[], RunRow>(`${SELECT} ${where} ORDER BY j.seq DESC`)
      .all(...(status ?? []))
      .map((r) => this.toRun(r, positions))
  }

  /** Queued runs in the order they will start (by when they were queued, then created). */
  queue(): string[] {
    return this.db
      .prepare<[], { id: string }>(`SELECT j.id FROM training_runs r JOIN jobs j ON j.seq = r.job_seq WHERE j.status = 'queued' ORDER BY r.queued_at, j.seq`)
      .all()
      .map((r) => r.id)
  }

  running(): string[] {
    return this.db
      .prepare<[], { id: string }>(`SELECT j.id FROM training_runs r JOIN jobs j ON j.seq = r.job_seq WHERE j.status = 'running' ORDER BY j.seq`)
      .all()
      .map((r) => r.id)
  }

  /**
   * Takes the next queued run if fewer than `slots` run now, marking it running (pid unknown
   * yet). One IMMEDIATE transaction, so two studios on one project never start the same run.
   */
  claimNext(slots: number): string | null {
    return this.db
      .transaction(() => {
        if (this.running().length >= slots) return null
        const next = this.queue()[0]
        if (!next) return null
        this.project.jobs.start(next, null)
        return next
      })
      .immediate()
  }

  update(id: string, patch: RunPatch): void {
    const keys = (Object.keys(patch) as Array<keyof RunPatch>).filter((k) => patch[k] !== undefined)
    if (keys.length === 0) return
    const sets = keys.map((k) => `${COLUMNS[k]} = ?`).join(', ')
    this.db.prepare(`UPDATE training_runs SET ${sets} WHERE job_seq = ?`).run(...keys.map((k) => columnValue(k, patch[k])), this.project.jobs.seqOf(id))
  }

  addCheckpoint(id: string, step: number, path: string): void {
    this.db.prepare('INSERT OR REPLACE INTO training_checkpoints (job_seq, step, path, at) VALUES (?, ?, ?, ?)').run(this.project.jobs.seqOf(id), step, path, new Date().toISOString())
  }

  checkpoints(id: string): TrainingCheckpoint[] {
    return this.db
      .prepare<[number], TrainingCheckpoint>('SELECT step, path, at FROM training_checkpoints WHERE job_seq = ? ORDER BY step')
      .all(this.project.jobs.seqOf(id))
  }

  private queuePositions(): Map<string, number> {
    return new Map(this.queue().map((id, i) => [id, i + 1]))
  }

  private toRun(row: RunRow, positions: Map<string, number>): TrainingRun {
    const progress = row.progress === null ? null : JobProgress.safeParse(JSON.parse(row.progress))
    const spec = RunSpec.safeParse(JSON.parse(row.run_spec))
    if (!spec.success) throw new StudioError('internal', `training run ${row.id}: its stored spec does not match the schema`)
    const logTail = row.log_tail === null ? [] : Strings.parse(JSON.parse(row.log_tail))
    const error =
      row.status === 'failed' || row.status === 'interrupted'
        ? { kind: row.error_kind ?? (row.status === 'interrupted' ? 'interrupted' : 'crash'), message: row.error ?? 'the run failed', logTail }
        : null
    return {
      id: row.id,
      title: row.title,
      status: row.status,
      backend: row.backend,
      algorithm: row.algorithm,
      snapshotId: row.snapshot_id,
      snapshotName: row.snapshot_name,
      spec: spec.data,
      attempt: row.attempt,
      queuePosition: row.status === 'queued' ? (positions.get(row.id) ?? null) : null,
      step: row.step,
      totalSteps: row.total_steps,
      epoch: row.epoch,
      device: row.device,
      progress: progress?.success ? progress.data : null,
      checkpoints: this.db
        .prepare<[number], TrainingCheckpoint>('SELECT step, path, at FROM training_checkpoints WHERE job_seq = ? ORDER BY step')
        .all(row.seq),
      modelDir: row.model_dir,
      onnxDir: row.onnx_dir,
      error,
      cancelRequested: row.cancel_requested === 1,
      command: Strings.parse(JSON.parse(row.command)),
      runDir: row.run_dir,
      logPath: row.log_path ?? '',
      pid: row.pid,
      latest: Latest.parse(JSON.parse(row.latest)),
      rollouts: row.rollouts,
      createdAt: row.created_at,
      startedAt: row.started_at,
      finishedAt: row.finished_at,
      updatedAt: row.updated_at
    }
  }
}
