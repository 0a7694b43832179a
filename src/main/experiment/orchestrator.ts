// Runs an experiment as ordinary training runs: the warm start (SFT) is queued first; when it
// succeeds, every GRPO arm is queued from its model, in definition order (the training queue
// runs them one after another). Each arm keeps what any run has: cancel, resume, curves,
// rollouts as traces. Once an arm succeeded its models are evaluated on the validation split
// (evaluation.ts), one at a time, while later arms train. `advance` is idempotent and is called
// whenever one of its runs changes, so an experiment picks up where it was after a studio
// restart or a resumed warm start.
import { ExperimentDefinition, StudioError, type ArmEvaluation, type Experiment, type ExperimentArmState, type ExperimentDefinitionInput, type TrainingRun } from '../../shared/contract'
import type { Project } from '../project/project'
import type { TrainingSupervisor } from '../training/supervisor'
import { armStartInput, assertRunnableDefinition, definitionProblems } from './definition'
import { plannedModels, runArmEvaluation, validationSources, withPlanned, type EvaluationHost } from './evaluation'
import { ExperimentStore } from './experiment-store'

const ENDED = ['succeeded', 'failed', 'cancelled', 'interrupted']

/** One advance at a time per experiment (a run event may arrive while one is starting runs). */
const locks = new Map<string, Promise<unknown>>()

function serialized<T>(key: string, work: () => Promise<T>): Promise<T> {
  const next = (locks.get(key) ?? Promise.resolve()).then(work, work)
  locks.set(key, next.catch(() => {}))
  return next
}

/** Experiments evaluating in this process (by project folder and id), to stop them on cancel. */
const evaluating = new Map<string, AbortController>()

/** The model a GRPO arm starts from: the warm start's final model, else its last checkpoint. */
export function warmStartModel(run: TrainingRun): string | null {
  return run.modelDir ?? run.checkpoints.at(-1)?.path ?? null
}

export class ExperimentOrchestrator {
  readonly store: ExperimentStore

  constructor(
    readonly project: Project,
    private readonly supervisor: TrainingSupervisor,
    /** null: this studio does not evaluate (it does not run the training queue either) */
    private readonly host: EvaluationHost | null = null
  ) {
    this.store = new ExperimentStore(project.dir)
  }

  validate(input: ExperimentDefinitionInput): { ok: boolean; problems: string[] } {
    const parsed = ExperimentDefinition.safeParse(input)
    if (!parsed.success) return { ok: false, problems: parsed.error.issues.map((i) => `${i.path.join('.') || 'definition'}: ${i.message}`) }
    const problems = definitionProblems(this.project, parsed.data)
    return { ok: problems.length === 0, problems }
  }

  /** Checks the definition (every problem at once) and records it; nothing runs yet. */
  create(input: ExperimentDefinitionInput): Experiment {
    const definition = ExperimentDefinition.parse(input)
    assertRunnableDefinition(this.project, definition)
    const now = new Date().toISOString()
    return this.store.save({
      id: this.store.newId(),
      definition,
      arms: definition.arms.map((a) => ({ name: a.name, kind: a.kind, runId: null, status: 'waiting', blocked: null, evaluations: [] })),
      status: 'defined',
      stopped: false,
      createdAt: now,
      updatedAt: now
    })
  }

  /** Queues the warm start (checked again first: the model folder or snapshot may have changed), then advances. */
  run(id: string): Promise<Experiment> {
    return serialized(this.key(id), async () => {
      const experiment = { ...this.store.get(id), stopped: false }
      const warm = experiment.arms.find((a) => a.kind === 'warm-start')
      if (!warm) throw new StudioError('invalid_input', `experiment ${id} has no warm-start arm`)
      this.store.save(experiment)
      if (warm.runId === null) {
        assertRunnableDefinition(this.project, experiment.definition)
        const arm = experiment.definition.arms.find((a) => a.name === warm.name)!
        const run = await this.supervisor.start(armStartInput(experiment.definition, arm, null))
        warm.runId = run.id
        this.store.save({ ...experiment, updatedAt: new Date().toISOString() })
      }
      return this.step(id)
    })
  }

  advance(id: string): Promise<Experiment> {
    return serialized(this.key(id), () => this.step(id))
  }

  /** Cancels every queued or running arm (each stays resumable like any run) and stops evaluating; `run` goes on. */
  cancel(id: string): Promise<Experiment> {
    return serialized(this.key(id), async () => {
      const experiment = this.store.save({ ...this.store.get(id), stopped: true, updatedAt: new Date().toISOString() })
      evaluating.get(this.key(id))?.abort()
      for (const arm of experiment.arms) {
        if (arm.runId && ['queued', 'running'].includes(this.supervisor.runs.get(arm.runId).status)) this.supervisor.cancel(arm.runId)
      }
      return this.step(id)
    })
  }

  /** Experiments that include this run. */
  containing(runId: string): Experiment[] {
    return this.store.list().filter((e) => e.arms.some((a) => a.runId === runId))
  }

  private key(id: string): string {
    return `${this.project.dir}\u0000${id}`
  }

  private async step(id: string): Promise<Experiment> {
    const experiment = this.store.get(id)
    const def = experiment.definition
    const warm = experiment.arms.find((a) => a.kind === 'warm-start')
    const warmRun = warm?.runId ? this.supervisor.runs.get(warm.runId) : null
    const arms: ExperimentArmState[] = []
    const inProcess = evaluating.has(this.key(id))
    let sources: string[] | null = null
    for (const state of experiment.arms) {
      const arm = def.arms.find((a) => a.name === state.name)!
      if (state.runId) {
        const run = this.supervisor.runs.get(state.runId)
        // an evaluation left running by a studio that stopped resumes from its eval run
        let evaluations = state.evaluations.map((e): ArmEvaluation => (e.status === 'running' && !inProcess ? { ...e, status: 'pending' } : e))
        if (run.status === 'succeeded') evaluations = withPlanned(evaluations, plannedModels(def, run), (sources ??= validationSources(this.project, def.snapshotId)))
        arms.push({ ...state, status: run.status, blocked: null, evaluations })
        continue
      }
      if (experiment.stopped) {
        arms.push({ ...state, status: 'waiting', blocked: 'the experiment was cancelled; run it again to go on' })
        continue
      }
      if (arm.kind === 'warm-start' || !warmRun || warmRun.status !== 'succeeded') {
        const blocked = warmRun && ENDED.includes(warmRun.status) && warmRun.status !== 'succeeded' ? `the warm start ${warmRun.status}; resume run ${warmRun.id} and this arm follows` : null
        arms.push({ ...state, status: 'waiting', blocked })
        continue
      }
      const model = warmStartModel(warmRun)
      if (!model) {
        arms.push({ ...state, status: 'waiting', blocked: `the warm start ${warmRun.id} finished without a model or checkpoint` })
        continue
      }
      try {
        const run = await this.supervisor.start(armStartInput(def, arm, model))
        arms.push({ ...state, runId: run.id, status: run.status, blocked: null })
      } catch (error) {
        arms.push({ ...state, status: 'waiting', blocked: error instanceof Error ? error.message : String(error) })
      }
    }
    const saved = this.store.save({ ...experiment, arms, status: overall(arms, experiment.stopped), updatedAt: new Date().toISOString() })
    if (!saved.stopped && arms.some((a) => a.evaluations.some((e) => e.status === 'pending'))) this.evaluate(id)
    return saved
  }

  /** Evaluates the pending models one after another in this process (not awaited: training goes on meanwhile). */
  private evaluate(id: string): void {
    const host = this.host
    const key = this.key(id)
    if (!host || evaluating.has(key)) return
    const controller = new AbortController()
    evaluating.set(key, controller)
    const update = (armName: string, step: number, source: string, patch: Partial<ArmEvaluation>): Promise<void> =>
      serialized(key, async () => {
        const e = this.store.get(id)
        const arms = e.arms.map((a) => (a.name !== armName ? a : { ...a, evaluations: a.evaluations.map((v) => (v.step === step && v.source === source ? { ...v, ...patch } : v)) }))
        this.store.save({ ...e, arms, updatedAt: new Date().toISOString() })
      })
    let busy = false
    void (async () => {
      try {
        for (;;) {
          const experiment = this.store.get(id)
          if (experiment.stopped || controller.signal.aborted) return
          const next = experiment.arms.flatMap((a) => a.evaluations.filter((v) => v.status === 'pending').map((v) => ({ arm: a.name, evaluation: v })))[0]
          if (!next) return
          await runArmEvaluation(this.project, host, experiment, next.arm, next.evaluation, update, controller.signal)
          const after = this.store.get(id).arms.find((a) => a.name === next.arm)?.evaluations.find((v) => v.step === next.evaluation.step && v.source === next.evaluation.source)
          if (after?.status === 'pending') {
            busy = true // the model is busy with another batch: the next advance (a run's end, a status read) tries again
            return
          }
        }
      } catch (error) {
        host.log(`experiment ${id}: evaluation stopped: ${error instanceof Error ? error.message : String(error)}`)
      } finally {
        evaluating.delete(key)
        // the status may now be finished (not when busy: that would retry at once, in a loop)
        if (!busy) this.advance(id).catch(() => {})
      }
    })()
  }
}

function overall(arms: readonly ExperimentArmState[], stopped: boolean): Experiment['status'] {
  if (arms.every((a) => a.runId === null)) return stopped ? 'cancelled' : 'defined'
  const evaluating = arms.some((a) => a.evaluations.some((e) => e.status === 'pending' || e.status === 'running'))
  if (arms.every((a) => a.status === 'succeeded')) return !evaluating ? 'finished' : stopped ? 'cancelled' : 'running'
  if (arms.some((a) => a.status === 'queued' || a.status === 'running' || (a.status === 'waiting' && a.blocked === null))) return 'running'
  if (arms.some((a) => a.status === 'cancelled') || stopped) return 'cancelled'
  return 'failed'
}

/** The studio's hook: a training run changed; advance the experiments it belongs to once it ended. */
export function onTrainingRunChanged(project: Project, supervisor: TrainingSupervisor, run: TrainingRun, host: EvaluationHost | null, log: (line: string) => void = () => {}): void {
  if (!ENDED.includes(run.status)) return
  const orchestrator = new ExperimentOrchestrator(project, supervisor, host)
  for (const experiment of orchestrator.containing(run.id)) {
    orchestrator.advance(experiment.id).catch((error: unknown) => log(`experiment ${experiment.id}: ${error instanceof Error ? error.message : String(error)}`))
  }
}
