import type { MetricSample } from '../../shared/contract'
import { downsampleMinMax } from '../../shared/training/downsample'
import type { ServiceContext } from './context'
import type { Handlers } from '../rpc/handlers'
import { lastLines } from '../training/file-tail'
import { defaultEnvDir } from '../training/paths'
import { forgetProbes, trainingEnvironment } from '../training/preflight'
import { describeEnv, indexUrlsOf, setupTrainerEnv } from '../training/trainer-env'
import { listRollouts } from '../training/rollouts'

type TrainingMethods = 'trainer.setup' | 'training.start' | 'training.list' | 'training.get' | 'training.cancel' | 'training.resume' | 'training.logs' | 'training.metrics' | 'training.rollouts' | 'training.gpu'

export function trainingHandlers(studio: ServiceContext): Pick<Handlers, TrainingMethods> {
  return {
    'training.start': (input) => studio.training.start(input),
    'training.list': ({ status }) => studio.training.runs.list(status),
    'training.get': ({ id }) => studio.training.runs.get(id),
    'training.cancel': ({ id }) => studio.training.cancel(id),
    'training.resume': ({ id }) => studio.training.resume(id),
    'training.logs': ({ id, tail }) => lastLines(studio.training.runs.get(id).logPath, tail),
    'training.metrics': ({ ids, names, maxPoints }) => ({
      runs: ids.map((id) => {
        const run = studio.training.runs.get(id)
        const curves = new Map<string, MetricSample[]>()
        // rows come ordered by name, then step
        for (const { name, step, value } of studio.project.jobs.metrics(id, names)) {
          let curve = curves.get(name)
          if (!curve) curves.set(name, (curve = []))
          curve.push({ name, step, value })
        }
        const points = [...curves.values()].flatMap((curve) => (maxPoints ? downsampleMinMax(curve, maxPoints) : curve))
        return { id, title: run.title, points, stored: Object.fromEntries([...curves].map(([name, curve]) => [name, curve.length])) }
      })
    }),
    'training.rollouts': ({ id, offset, limit }) => {
      studio.training.runs.get(id) // not_found for an unknown run
      return listRollouts(studio.project, id, offset, limit)
    },
    'training.gpu': () => trainingEnvironment(studio.training.pythonChoice, describeEnv(defaultEnvDir(studio.settings.home)), studio.training.slots),
    'trainer.setup': async ({ dir, indexUrls }, ctx) => {
      const result = await setupTrainerEnv({ dir: dir ?? defaultEnvDir(studio.settings.home), indexUrls: indexUrlsOf(indexUrls), signal: ctx.signal, onProgress: (p) => ctx.progress(p), onLine: (line) => studio.log(`trainer setup: ${line}`) })
      forgetProbes() // the next preflight sees the new environment
      return result
    }
  }
}
