// The training job supervisor of one project: a queue (one run at a time by default, so runs
// queued in the evening train one after another overnight), launching trainers as supervised
// processes, following them (RunWatcher), cancel (SIGTERM, grace period, SIGKILL), resume from
// the last checkpoint, and deciding how each run ended. A trainer that crashes or is killed marks
// its run failed with its log tail and an error kind; the studio itself never goes down with it.
// A studio that (re)opens a project re-attaches to trainers still running and settles the ones
// that ended while it was away.
import { randomUUID } from 'node:crypto'
import { appendFileSync, existsSync, mkdirSync } from 'node:fs'
import { StudioError, TrainingStartInput, type JobStatus, type RunSpec, type TrainingRun } from '../../shared/contract'
import type { Project } from '../project/project'
import { adapterFor } from './adapters'
import type { PrepareContext, TrainerAdapter } from './adapters/adapter'
import { assertTrainable } from './dataset'
import { classifyFailure, type Failure } from './failure'
import { lastLines } from './file-tail'
import { pythonPath, runLayout } from './paths'
import { studioHome } from '../settings/settings'
import { assertRunnable } from './preflight'
import { writeRunFolder } from './run-folder'
import { buildRunSpec, defaultTitle } from './run-spec'
import { TrainingRunRepository } from './run-repository'
import { RunWatcher, type TrainingEvents } from './run-watcher'
import { resolveTrainerPath } from './trainer-events'
import { isTrainerOf, TrainerProcess, type TrainerExit } from './trainer-process'

export interface SupervisorOptions {
  /** run the queue and follow running trainers (serve, Electron, `train start`); false: read only */
  runQueue: boolean
  /** runs that may train at once (PIXEL_STUDIO_TRAINING_SLOTS, default 1: one GPU job at a time) */
  slots?: number
  /** SIGTERM -> SIGKILL delay (PIXEL_STUDIO_TRAINING_GRACE_MS, default 90 s: a tiny-model GRPO step took up to ~20 s on a loaded 2-core machine, and the trainer finishes its step before it checkpoints) */
  graceMs?: number
  pollMs?: number
  env?: NodeJS.ProcessEnv
  /** where the managed trainer environment lives (<home>/trainer-env); default studioHome(env) */
  home?: string
  events: Omit<TrainingEvents, 'changed'> & { run(run: TrainingRun): void }
  log?: (line: string) => void
}

interface Active {
  watcher: RunWatcher | null
  proc: TrainerProcess | null
  abort: AbortController
  /** already dead when the studio found it */
  foundDead: boolean
}

const LOG_TAIL = 40
/** What the TRL launcher prints when a SIGTERM/SIGINT stopped them after a checkpoint. */
const STOPPED_ON_SIGNAL = /stopped (by SIG[A-Z]+|on request)/

/** Why a run failed before its trainer started: the environment, a full disk, or its data. */
function launchFailure(error: unknown): Failure {
  const message = error instanceof Error ? error.message : String(error)
  if (error instanceof StudioError && error.code === 'failed_precondition' && message.startsWith('cannot train with')) return { kind: 'dependency', message }
  if ((error as NodeJS.ErrnoException).code === 'ENOSPC' || classifyFailure([message], { code: null, signal: null }).kind === 'disk') {
    return { kind: 'disk', message: `the disk is full while writing the run folder: ${message}` }
  }
  return { kind: 'data', message: `the training data could not be written: ${message}` }
}

function envNumber(value: string | undefined, fallback: number): number {
  const n = Number(value)
  return value && Number.isFinite(n) && n > 0 ? n : fallback
}

export class TrainingSupervisor {
  readonly runs: TrainingRunRepository
  readonly slots: number
  private readonly graceMs: number
  private readonly pollMs: number
  private readonly env: NodeJS.ProcessEnv
  private readonly log: (line: string) => void
  private readonly active = new Map<string, Active>()
  private readonly waiters = new Map<string, Array<(run: TrainingRun) => void>>()
  private closed = false

  /** true when this supervisor starts queued runs (a studio that runs the queue), false when it only reads */
  get runsQueue(): boolean {
    return this.options.runQueue
  }

  constructor(
    readonly project: Project,
    private readonly options: SupervisorOptions
  ) {
    this.env = options.env ?? process.env
    this.runs = new TrainingRunRepository(project)
    this.slots = options.slots ?? envNumber(this.env.PIXEL_STUDIO_TRAINING_SLOTS, 1)
    this.graceMs = options.graceMs ?? envNumber(this.env.PIXEL_STUDIO_TRAINING_GRACE_MS, 90_000)
    this.pollMs = options.pollMs ?? 250
    this.log = options.log ?? (() => {})
    this.reconcile()
    this.pump()
  }

  get python(): string {
    return this.pythonChoice.path
  }

  /** The Python that runs trainers and where it comes from (PIXEL_STUDIO_PYTHON or the managed env). */
  get pythonChoice(): { path: string; source: 'env' | 'managed' } {
    return pythonPath(this.env, this.options.home ?? studioHome(this.env))
  }

  // ------------------------------------------------------------------ requests

  /** Checks the data and the Python environment, then queues the run (it starts when a slot is free). */
  async start(raw: TrainingStartInput): Promise<TrainingRun> {
    const input = TrainingStartInput.parse(raw)
    const snapshot = this.project.snapshots.get(input.snapshotId)
    const accepted = assertTrainable(this.project, snapshot.id)
    const adapter = adapterFor(input.backend)
    const jobId = `train-${new Date().toISOString().slice(0, 10)}-${randomUUID().slice(0, 8)}`
    const spec = buildRunSpec(input, jobId, { snapshotId: snapshot.id, snapshotHash: snapshot.hash, format: adapter.datasetFormat(), records: accepted })
    await assertRunnable(this.pythonChoice, adapter.requirements(spec), `cannot train with ${input.backend}`)
    const layout = runLayout(this.project.dir, jobId)
    const run = this.runs.create({
      jobId,
      title: input.title ?? defaultTitle(input, snapshot.name),
      snapshotSeq: this.project.snapshots.seqOf(snapshot.id),
      spec,
      runDir: layout.dir,
      logPath: layout.log,
      request: raw as unknown as Record<string, unknown>
    })
    this.announce(run.id)
    this.pump()
    return this.runs.get(run.id)
  }

  cancel(id: string): TrainingRun {
    const run = this.runs.get(id)
    if (run.status === 'queued') {
      this.project.jobs.finish(id, 'cancelled', { error: 'cancelled before it started' })
      this.settle(id)
      return this.runs.get(id)
    }
    if (run.status !== 'running') throw new StudioError('conflict', `run ${id} is ${run.status}; only queued or running runs can be cancelled`)
    this.runs.update(id, { cancelRequested: true })
    const active = this.active.get(id)
    if (active?.proc) void active.proc.terminate(this.graceMs)
    else if (active) active.abort.abort()
    else if (run.pid !== null && isTrainerOf(run.pid, run.runDir)) {
      // followed by another studio (or this one is read-only): ask the trainer; its supervisor settles it
      TrainerProcess.attach(run.pid, run.runDir).terminate(this.graceMs).catch(() => {})
    } else {
      this.project.jobs.finish(id, 'cancelled', { error: 'cancelled' })
      this.settle(id)
    }
    this.announce(id)
    return this.runs.get(id)
  }

  /** Queues a failed, cancelled or interrupted run again, from its last checkpoint that still exists. */
  resume(id: string): TrainingRun {
    const run = this.runs.get(id)
    if (!['failed', 'cancelled', 'interrupted'].includes(run.status)) throw new StudioError('conflict', `run ${id} is ${run.status}; only failed, cancelled or interrupted runs can be resumed`)
    const checkpoint = [...run.checkpoints].reverse().find((c) => existsSync(c.path)) ?? null
    const spec: RunSpec = { ...run.spec, resumeFrom: checkpoint?.path ?? null }
    this.runs.update(id, { spec, queuedAt: new Date().toISOString(), cancelRequested: false, errorKind: null, logTail: null })
    this.project.jobs.requeue(id)
    this.appendLog(run.logPath, checkpoint ? `resume queued: continues from step ${checkpoint.step} (${checkpoint.path})` : 'resume queued: no checkpoint was saved, so the run starts over')
    this.announce(id)
    this.pump()
    return this.runs.get(id)
  }

  /** Resolves when the run has ended (succeeded, failed, cancelled or interrupted). */
  finished(id: string): Promise<TrainingRun> {
    const run = this.runs.get(id)
    if (!['queued', 'running'].includes(run.status)) return Promise.resolve(run)
    return new Promise((resolve) => this.waiters.set(id, [...(this.waiters.get(id) ?? []), resolve]))
  }

  /** Stops following (the studio closes or switches project); trainers keep running. */
  detach(): void {
    this.closed = true
    for (const active of this.active.values()) {
      active.watcher?.stop()
      active.proc?.stopWatching()
      active.abort.abort()
    }
    this.active.clear()
  }

  // ------------------------------------------------------------------ the queue

  private pump(): void {
    if (!this.options.runQueue || this.closed) return
    for (let id = this.runs.claimNext(this.slots); id !== null; id = this.runs.claimNext(this.slots)) {
      const claimed = id
      this.announce(claimed)
      void this.launch(claimed).catch((error: unknown) => this.log(`training ${claimed}: launch failed: ${error instanceof Error ? error.message : String(error)}`))
    }
  }

  private context(run: TrainingRun, attempt: number): PrepareContext {
    return { spec: run.spec, layout: runLayout(this.project.dir, run.id, run.spec.outputDir), attempt, python: this.python }
  }

  private async launch(id: string): Promise<void> {
    const run = this.runs.get(id)
    const adapter = adapterFor(run.backend)
    const attempt = run.attempt + 1
    const ctx = this.context(run, attempt)
    const active: Active = { watcher: null, proc: null, abort: new AbortController(), foundDead: false }
    this.active.set(id, active)
    try {
      mkdirSync(ctx.layout.dir, { recursive: true })
      this.appendLog(ctx.layout.log, `attempt ${attempt}: ${run.backend} ${run.algorithm}${run.spec.resumeFrom ? `, resuming from ${run.spec.resumeFrom}` : ''}`)
      await assertRunnable(this.pythonChoice, adapter.requirements(run.spec), `cannot train with ${run.backend}`)
      const { ctx: prepared, command } = await writeRunFolder(this.project, run.spec, ctx.layout, { attempt, python: this.python, signal: active.abort.signal })
      ctx.spec = prepared.spec
      this.runs.update(id, { attempt, spec: prepared.spec, command: [command.command, ...command.args], errorKind: null, logTail: null })
      // cancelled meanwhile, here or by another studio on this project
      if (this.runs.get(id).cancelRequested) active.abort.abort()
      active.abort.signal.throwIfAborted()
      this.appendLog(ctx.layout.log, `$ ${[command.command, ...command.args].join(' ')}`)
      const proc = TrainerProcess.start(command, ctx.layout.log)
      active.proc = proc
      this.project.jobs.start(id, proc.pid)
      this.follow(id, adapter, ctx, active, proc)
    } catch (error) {
      this.active.delete(id)
      if (this.closed) {
        this.project.jobs.requeue(id) // the studio went away before the trainer started: keep its place
        return
      }
      if (active.abort.signal.aborted || this.runs.get(id).cancelRequested) {
        this.finish(id, 'cancelled', null)
        return
      }
      const failure = launchFailure(error)
      this.appendLog(ctx.layout.log, `could not start: ${failure.message}`)
      this.finish(id, 'failed', failure)
    }
  }

  private follow(id: string, adapter: TrainerAdapter, ctx: PrepareContext, active: Active, proc: TrainerProcess): void {
    const watcher = new RunWatcher(this.project, this.runs, id, adapter, ctx, { ...this.options.events, changed: (jobId) => this.announce(jobId) }, this.log)
    active.watcher = watcher
    watcher.start(this.pollMs)
    this.announce(id)
    void proc.wait().then((exit) => this.ended(id, adapter, active, exit))
  }

  private async ended(id: string, adapter: TrainerAdapter, active: Active, exit: TrainerExit): Promise<void> {
    if (this.closed || this.active.get(id) !== active) return // detached: the next studio settles it
    const watcher = active.watcher
    try {
      if (watcher && exit.code === 0) watcher.applyCleanExit()
      await watcher?.drain()
    } catch (error) {
      this.log(`training ${id}: final read failed: ${error instanceof Error ? error.message : String(error)}`)
    }
    this.active.delete(id)
    const run = this.runs.get(id)
    const outcome = watcher?.outcome ?? { done: null, error: null }
    if (run.cancelRequested) {
      this.finish(id, 'cancelled', null)
    } else if (outcome.done) {
      const layout = runLayout(this.project.dir, id, run.spec.outputDir)
      this.runs.update(id, {
        modelDir: resolveTrainerPath(outcome.done.modelDir, layout.dir, run.spec.outputDir),
        onnxDir: outcome.done.onnxDir ? resolveTrainerPath(outcome.done.onnxDir, layout.dir, run.spec.outputDir) : null
      })
      this.finish(id, 'succeeded', null)
    } else if (outcome.error) {
      this.finish(id, 'failed', { kind: outcome.error.kind, message: outcome.error.message })
    } else if (active.foundDead) {
      this.finish(id, 'interrupted', { kind: 'interrupted', message: 'the trainer stopped while no studio was watching it (its exit code is unknown); resume it to continue from the last checkpoint' })
    } else if (exit.spawnError) {
      this.finish(id, 'failed', { kind: 'dependency', message: exit.spawnError })
    } else {
      const tail = lastLines(run.logPath, LOG_TAIL).lines
      if (exit.code === 0 && tail.some((l) => STOPPED_ON_SIGNAL.test(l))) {
        // stopped by a signal that did not come from a cancel here (a shutdown, a scheduler): resumable
        this.finish(id, 'interrupted', { kind: 'interrupted', message: 'the trainer was stopped by a signal and saved a checkpoint; resume it to continue' })
      } else {
        const failure = exit.code === 0 ? { kind: 'crash' as const, message: 'the trainer exited without reporting that it finished (no `done` event)' } : classifyFailure(tail, exit)
        this.finish(id, 'failed', failure)
      }
    }
    this.pump()
  }

  private finish(id: string, status: Exclude<JobStatus, 'queued' | 'running'>, failure: Failure | null): void {
    const run = this.runs.get(id)
    const tail = lastLines(run.logPath, LOG_TAIL).lines
    this.appendLog(run.logPath, `${status}${failure ? ` (${failure.kind}): ${failure.message}` : ''}`)
    this.runs.update(id, { errorKind: failure?.kind ?? null, logTail: failure ? tail : null })
    this.project.jobs.finish(id, status, failure ? { error: failure.message } : {})
    this.settle(id)
  }

  // ------------------------------------------------------------------ restart

  /**
   * Runs the database says are running: re-attach to a trainer that is still alive, settle one
   * that ended while nobody watched (reading its log first: it may have finished or failed on
   * its own), and interrupt one that never got a process.
   */
  private reconcile(): void {
    // Settling means reading a log to its end (metrics, rollouts): only a studio that stays to
    // follow runs does it, not a short CLI call that only reads.
    if (!this.options.runQueue) return
    for (const id of this.runs.running()) {
      const run = this.runs.get(id)
      const alive = run.pid !== null && isTrainerOf(run.pid, run.runDir)
      if (run.pid === null) {
        this.finish(id, 'interrupted', { kind: 'interrupted', message: 'the studio stopped while this run was being prepared; resume it to start again' })
        continue
      }
      const adapter = adapterFor(run.backend)
      const ctx = this.context(run, Math.max(run.attempt, 1))
      const active: Active = { watcher: null, proc: null, abort: new AbortController(), foundDead: !alive }
      const proc = TrainerProcess.attach(run.pid, run.runDir)
      active.proc = proc
      this.active.set(id, active)
      this.appendLog(run.logPath, alive ? `a restarted studio re-attached to pid ${run.pid}` : `the studio found pid ${run.pid} gone`)
      this.follow(id, adapter, ctx, active, proc)
    }
  }

  // ------------------------------------------------------------------ helpers

  private appendLog(path: string, line: string): void {
    try {
      appendFileSync(path, `[pixel-studio ${new Date().toISOString()}] ${line}\n`)
    } catch {
      // the run folder may not exist yet (a queued run); the database holds the state
    }
  }

  private announce(id: string): void {
    try {
      this.options.events.run(this.runs.get(id))
    } catch (error) {
      this.log(`training ${id}: ${error instanceof Error ? error.message : String(error)}`)
    }
  }

  private settle(id: string): void {
    this.announce(id)
    const run = this.runs.get(id)
    for (const resolve of this.waiters.get(id) ?? []) resolve(run)
    this.waiters.delete(id)
  }
}
