import type { ServiceContext } from './context'
import type { Handlers } from '../rpc/handlers'
import { StudioError, type ZoomTaskSpec } from '../../shared/contract'
import { EXPERIMENT_PRESETS } from '../../shared/experiment/presets'
import { zoomOracle } from '../experiment/oracle'
import { ExperimentOrchestrator } from '../experiment/orchestrator'
import { experimentReport } from '../experiment/report'
import { addZoomTaskSamples, ZOOM_TASK_SOURCE } from '../experiment/zoom-task'

type ExperimentMethods =
  | 'experiments.task'
  | 'experiments.oracle'
  | 'experiments.validate'
  | 'experiments.create'
  | 'experiments.run'
  | 'experiments.cancel'
  | 'experiments.list'
  | 'experiments.get'
  | 'experiments.report'

/** Oracle scenes measured per request (a fixed seeded set, separate from the samples' seeds). */
const ORACLE_SCENES = 40

function taskOf(input: { preset?: 'cpu-mini' | 'gpu-24gb' | undefined; task?: ZoomTaskSpec | undefined }): { task: ZoomTaskSpec; count: number } {
  const preset = input.preset ? EXPERIMENT_PRESETS[input.preset] : null
  const task = input.task ?? preset?.task
  if (!task) throw new StudioError('invalid_input', 'give a preset (cpu-mini, gpu-24gb) or a task')
  return { task, count: preset?.samples ?? 100 }
}

export function experimentHandlers(studio: ServiceContext): Pick<Handlers, ExperimentMethods> {
  // only a studio that runs the training queue evaluates (a one-off CLI call must not start a model)
  const orchestrator = (): ExperimentOrchestrator => new ExperimentOrchestrator(studio.project, studio.training, studio.training.runsQueue ? studio : null)
  return {
    'experiments.task': async (input, ctx) => {
      const { task, count } = taskOf(input)
      const total = input.count ?? count
      const sampleIds = await addZoomTaskSamples(studio.project, task, {
        count: total,
        seed: input.seed,
        signal: ctx.signal,
        onProgress: (done) => ctx.progress({ done, total, unit: 'samples' })
      })
      const oracle = await zoomOracle(task, { count: ORACLE_SCENES, seed: input.seed + 1_000_003 })
      return { added: sampleIds.length, sampleIds, source: ZOOM_TASK_SOURCE, oracle }
    },
    'experiments.oracle': (input) => zoomOracle(taskOf(input).task, { count: input.count ?? ORACLE_SCENES, seed: input.seed }),
    'experiments.validate': (def) => orchestrator().validate(def),
    'experiments.create': (def) => orchestrator().create(def),
    'experiments.run': ({ id }) => orchestrator().run(id),
    'experiments.cancel': ({ id }) => orchestrator().cancel(id),
    'experiments.list': () => orchestrator().store.list(),
    'experiments.get': ({ id }) => orchestrator().advance(id),
    'experiments.report': async ({ id }) => {
      const o = orchestrator()
      return experimentReport(studio.project, studio.training, await o.advance(id))
    }
  }
}
