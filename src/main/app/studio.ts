// The studio core shared by every front door (Electron, `serve`, CLI): settings, the open
// project, and the dispatcher that serves the contract over them.
import { existsSync, readdirSync, rmSync } from 'node:fs'
import { join } from 'node:path'
import { StudioError, type JobProgress, type ProjectInfo } from '../../shared/contract'
import { addSampleData } from '../project/sample-data'
import { synthesizeDefaultTraces } from '../synthesis/default-traces'
import { PROJECT_DB_FILE, Project, creationInterrupted } from '../project/project'
import { Dispatcher } from '../rpc/dispatcher'
import { createHandlers } from '../services'
import type { ServiceContext } from '../services/context'
import { ProgressMeter } from '../jobs/progress-meter'
import { InferenceManager } from '../inference/inference-manager'
import { ModelRegistry } from '../inference/model-registry'
import { TrainingSupervisor } from '../training/supervisor'
import { pythonPath } from '../training/paths'
import { setupCommand } from '../training/trainer-env'
import { onTrainingRunChanged } from '../experiment/orchestrator'
import { Settings } from '../settings/settings'
import { STUDIO_VERSION } from '../settings/version'

export interface StudioOptions {
  home: string
  log?: (line: string) => void
}

export class Studio implements ServiceContext {
  readonly settings: Settings
  readonly dispatcher: Dispatcher
  readonly version = STUDIO_VERSION
  readonly log: (line: string) => void
  readonly models: ModelRegistry
  readonly inference: InferenceManager
  private current: Project | null = null
  private trainingSupervisor: TrainingSupervisor | null = null
  private trainingQueue = false

  constructor(options: StudioOptions) {
    this.log = options.log ?? ((line) => console.error(`[studio] ${line}`))
    this.settings = new Settings(options.home, this.log)
    this.models = new ModelRegistry(this.settings)
    this.inference = new InferenceManager(this.models, (status) => this.dispatcher.emit('inference.changed', status), {
      python: () => ({ path: pythonPath(process.env, this.settings.home).path, setupHint: `run \`${setupCommand()}\` (or set PIXEL_STUDIO_PYTHON to a Python with torch and transformers)` }),
      log: this.log
    })
    this.dispatcher = new Dispatcher(createHandlers(this), this.log)
  }

  /** The open project; calls that need one fail clearly when there is none. */
  get project(): Project {
    if (!this.current) throw new StudioError('failed_precondition', 'no project is open')
    return this.current
  }

  get hasProject(): boolean {
    return this.current !== null
  }

  openProject(path: string): ProjectInfo {
    const project = Project.open(path)
    this.setProject(project)
    return project.info()
  }

  /** Creates a project; on cancel or failure everything it wrote is removed again. */
  async createProject(
    path: string,
    withSampleData: boolean,
    signal: AbortSignal = new AbortController().signal,
    onProgress: (p: JobProgress) => void = () => {}
  ): Promise<ProjectInfo> {
    const project = Project.create(path, undefined, { pending: withSampleData })
    try {
      if (withSampleData) {
        const meter = new ProgressMeter('samples')
        await addSampleData(project, { signal, onProgress: (done, total) => onProgress(meter.update(done, total)) })
        // then traces to review, written by the template narrator (no model needed)
        await synthesizeDefaultTraces(project, { signal, onProgress: (p) => onProgress({ ...p, unit: 'traces', message: 'synthesizing the sample traces' }) })
        signal.throwIfAborted()
        project.markCreated()
      }
    } catch (error) {
      project.close()
      // Project.create only accepts a new, empty or interrupted folder, so its contents are all ours.
      for (const entry of readdirSync(project.dir)) rmSync(join(project.dir, entry), { recursive: true, force: true })
      throw signal.aborted ? new StudioError('cancelled', 'project creation was cancelled; nothing was kept') : error
    }
    this.setProject(project)
    return project.info()
  }

  /** At start: the most recent project that still exists, else the embedded sample project. */
  async openDefault(): Promise<ProjectInfo> {
    for (const recent of this.settings.recent) {
      if (!existsSync(join(recent.path, PROJECT_DB_FILE))) continue
      try {
        return this.openProject(recent.path)
      } catch (error) {
        this.log(`could not reopen ${recent.path}: ${error instanceof Error ? error.message : String(error)}`)
      }
    }
    const dir = this.settings.defaultProjectDir
    if (creationInterrupted(dir)) this.log(`an earlier creation of the sample project in ${dir} was interrupted; creating it again`)
    else if (existsSync(join(dir, PROJECT_DB_FILE))) return this.openProject(dir)
    else if (existsSync(dir) && readdirSync(dir).length > 0) {
      // the studio's own folder, half made by a version before the creation marker: start over
      this.log(`${dir} holds an incomplete sample project; creating it again`)
      rmSync(dir, { recursive: true, force: true })
    } else this.log(`creating the sample project in ${dir}`)
    let logged = ''
    return this.createProject(dir, true, undefined, (p) => {
      // a line per phase and every 25%: the first start takes a while, and a log shows how far it got
      const line = `sample project: ${p.done}/${p.total ?? '?'} ${p.unit}`
      const step = p.total ? Math.floor((p.done / p.total) * 4) : 0
      if (`${p.unit}:${step}` !== logged) this.log(line)
      logged = `${p.unit}:${step}`
    })
  }

  /**
   * The open project's training supervisor. Only a studio that runs the queue (runTrainingQueue)
   * starts trainers, follows them and settles runs that ended while no studio watched.
   */
  get training(): TrainingSupervisor {
    const project = this.project
    if (this.trainingSupervisor?.project !== project) {
      this.trainingSupervisor?.detach()
      this.trainingSupervisor = new TrainingSupervisor(project, {
        runQueue: this.trainingQueue,
        home: this.settings.home,
        log: this.log,
        events: {
          run: (run) => {
            this.dispatcher.emit('training.changed', run)
            // an experiment queues its GRPO arms when its warm start ends
            if (this.trainingQueue && this.trainingSupervisor) onTrainingRunChanged(project, this.trainingSupervisor, run, this, this.log)
          },
          metrics: (jobId, points) => this.dispatcher.emit('training.metrics', { jobId, points }),
          log: (jobId, lines) => this.dispatcher.emit('training.log', { jobId, lines }),
          traces: (ids) => this.dispatcher.emit('traces.changed', { ids, reason: 'rollout' })
        }
      })
    }
    return this.trainingSupervisor
  }

  /** serve, the desktop app and `train start`: start queued runs and follow running trainers. */
  runTrainingQueue(): void {
    this.trainingQueue = true
    this.trainingSupervisor?.detach()
    this.trainingSupervisor = null
    if (this.current) void this.training
  }

  close(): void {
    void this.inference.close() // terminates the model worker, if any
    this.trainingSupervisor?.detach() // trainers keep running; the next studio re-attaches
    this.trainingSupervisor = null
    this.current?.close()
    this.current = null
  }

  private setProject(project: Project): void {
    if (this.trainingSupervisor && this.trainingSupervisor.project !== project) {
      this.trainingSupervisor.detach()
      this.trainingSupervisor = null
    }
    if (this.current && this.current !== project) this.current.close()
    this.current = project
    if (this.trainingQueue) void this.training
    const info = project.info()
    this.settings.rememberProject(project.dir, info.name)
    this.dispatcher.emit('project.changed', info)
  }
}
