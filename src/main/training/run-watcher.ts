// Follows one running trainer: reads its log and its backend's own files as they grow, turns
// lines into TrainerEvents through its adapter, and stores what they say — metrics per step,
// checkpoints, rollouts as traces — while streaming log lines and metrics to the UI. Everything
// it writes is idempotent (metrics are upserts, checkpoints are keyed by step, rollout trace ids
// come from file offsets), so a re-attached studio may read a log from the start again.
import type { MetricSample, TrainerEvent } from '../../shared/contract'
import type { Project } from '../project/project'
import type { EventSource, PrepareContext, TrainerAdapter } from './adapters/adapter'
import { DirTail, FileTail, type TailedLine } from './file-tail'
import { rolloutTraceId, storeRollout } from './rollouts'
import type { TrainingRunRepository } from './run-repository'
import { looksLikeEvent, resolveTrainerPath } from './trainer-events'

export interface TrainingEvents {
  metrics(jobId: string, points: MetricSample[]): void
  log(jobId: string, lines: string[]): void
  traces(ids: string[]): void
  /** something a run shows changed (step, checkpoint, device) */
  changed(jobId: string): void
}

interface Source {
  tail: FileTail | DirTail
  isLog: boolean
  parse(line: string): TrainerEvent[]
}

/** What the events said, for deciding how the run ended. */
export interface WatchOutcome {
  done: Extract<TrainerEvent, { event: 'done' }> | null
  error: Extract<TrainerEvent, { event: 'error' }> | null
}

export class RunWatcher {
  readonly outcome: WatchOutcome = { done: null, error: null }
  private readonly sources: Source[]
  private timer: NodeJS.Timeout | null = null
  private rollouts: Promise<void> = Promise.resolve()
  private pendingPoints: MetricSample[] = []
  private pendingLines: string[] = []
  private pendingTraces: string[] = []
  private latest: Record<string, number>
  private step: number | null
  private epoch: number | null = null
  private dirty = false
  private lastFlush = 0
  /** event-like lines that failed the TrainerEvent schema: skipped, counted as the `malformed_lines` metric */
  private malformed = 0

  constructor(
    private readonly project: Project,
    private readonly runs: TrainingRunRepository,
    readonly jobId: string,
    private readonly adapter: TrainerAdapter,
    private readonly ctx: PrepareContext,
    private readonly events: TrainingEvents,
    private readonly log: (line: string) => void
  ) {
    const run = runs.get(jobId)
    this.latest = { ...run.latest }
    this.step = run.step
    this.malformed = run.latest.malformed_lines ?? 0
    const extra = adapter.sources(ctx).map((s: EventSource) => ({ tail: s.kind === 'dir' ? new DirTail(s.path) : new FileTail(s.path), isLog: false, parse: s.parse }))
    this.sources = [{ tail: new FileTail(ctx.layout.log), isLog: true, parse: (line) => adapter.parseLogLine(line) }, ...extra]
  }

  start(pollMs: number): void {
    this.timer = setInterval(() => this.poll(false), pollMs)
    this.timer.unref()
    this.poll(false)
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer)
    this.timer = null
  }

  /** Reads everything left (after the trainer exited) and waits for rollouts to be stored. */
  async drain(): Promise<void> {
    this.stop()
    this.poll(true)
    await this.rollouts
    this.flush(true)
  }

  /** Events a clean exit implies (verl prints no `done`), handled as if they had been read. */
  applyCleanExit(): void {
    for (const event of this.adapter.onCleanExit(this.ctx)) this.handle(event, { line: '', file: this.ctx.layout.log, offset: -1 })
  }

  private poll(final: boolean): void {
    try {
      for (const source of this.sources) {
        for (const line of source.tail.read(final)) {
          if (source.isLog) this.pendingLines.push(line.line)
          const events = source.parse(line.line)
          for (const event of events) this.handle(event, line)
          if (events.length === 0 && looksLikeEvent(line.line)) this.countMalformed()
        }
      }
    } catch (error) {
      this.log(`training ${this.jobId}: reading its output failed: ${error instanceof Error ? error.message : String(error)}`)
    }
    this.flush(false)
  }

  private countMalformed(): void {
    this.malformed++
    this.pendingPoints.push({ name: 'malformed_lines', step: this.step ?? 0, value: this.malformed })
    this.latest.malformed_lines = this.malformed
    this.dirty = true
  }

  private handle(event: TrainerEvent, at: TailedLine): void {
    const { layout, spec } = this.ctx
    switch (event.event) {
      case 'started':
        this.runs.update(this.jobId, { device: event.device })
        this.dirty = true
        break
      case 'metrics':
        for (const [name, value] of Object.entries(event.values)) {
          if (!Number.isFinite(value)) continue
          this.pendingPoints.push({ name, step: event.step, value })
          this.latest[name] = value
        }
        this.step = Math.max(this.step ?? 0, event.step)
        if (event.epoch !== undefined) this.epoch = event.epoch
        this.dirty = true
        break
      case 'checkpoint':
        this.runs.addCheckpoint(this.jobId, event.step, resolveTrainerPath(event.path, layout.dir, spec.outputDir))
        this.dirty = true
        break
      case 'rollout': {
        const id = rolloutTraceId(this.jobId, at.file, at.offset)
        const run = { jobId: this.jobId, title: this.runs.get(this.jobId).title, maxOperations: spec.grpo?.maxOperations ?? 4 }
        this.rollouts = this.rollouts
          .then(async () => {
            const trace = await storeRollout(this.project, run, event, id)
            if (trace) this.pendingTraces.push(trace.id)
          })
          .catch((error: unknown) => this.log(`training ${this.jobId}: rollout at step ${event.step} not stored: ${error instanceof Error ? error.message : String(error)}`))
        break
      }
      case 'done':
        this.outcome.done = event
        break
      case 'error':
        this.outcome.error = event
        break
      case 'log':
        break
    }
  }

  private flush(force: boolean): void {
    if (this.pendingLines.length) {
      this.events.log(this.jobId, this.pendingLines)
      this.pendingLines = []
    }
    if (this.pendingPoints.length) {
      this.project.jobs.addMetrics(this.jobId, this.pendingPoints)
      this.events.metrics(this.jobId, this.pendingPoints)
      this.pendingPoints = []
    }
    if (this.pendingTraces.length) {
      this.events.traces(this.pendingTraces)
      this.pendingTraces = []
    }
    const now = Date.now()
    if (this.dirty && (force || now - this.lastFlush >= 1000)) {
      this.dirty = false
      this.lastFlush = now
      const total = this.ctx.spec.hyper.maxSteps > 0 ? this.ctx.spec.hyper.maxSteps : null
      this.runs.update(this.jobId, { step: this.step, epoch: this.epoch, latest: this.latest, totalSteps: total })
      if (this.step !== null) {
        const loss = this.latest.loss ?? this.latest.reward
        this.project.jobs.progress(this.jobId, {
          done: this.step,
          total,
          unit: 'steps',
          ...(loss !== undefined ? { message: `${this.latest.loss !== undefined ? 'loss' : 'reward'} ${loss.toPrecision(4)}` } : {})
        })
      }
      this.events.changed(this.jobId)
    }
  }
}
