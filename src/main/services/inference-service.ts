import type { ServiceContext } from './context'
import { listBatches, runBatch } from '../inference/batch-inference'
import type { Handlers } from '../rpc/handlers'

export function inferenceHandlers(studio: ServiceContext): Pick<Handlers, 'inference.status' | 'inference.load' | 'inference.unload' | 'inference.run' | 'inference.batch' | 'inference.batches'> {
  return {
    'inference.status': () => studio.inference.status(),
    'inference.load': ({ modelId, device }) => studio.inference.load(modelId, device),
    'inference.unload': () => studio.inference.unload(),
    'inference.run': async ({ sampleId, question, settings }, ctx) => {
      const project = studio.project
      const sample = project.samples.get(sampleId)
      const result = await studio.inference.run({
        project,
        sample,
        question: question ?? sample.question,
        settings,
        signal: ctx.signal,
        onEvent: (event, generated) => ctx.progress({ done: generated, total: null, unit: 'tokens', event })
      })
      studio.dispatcher.emit('traces.changed', { ids: [result.traceId], reason: 'inference' })
      studio.dispatcher.emit('project.changed', project.info())
      return result
    },
    'inference.batch': async (input, ctx) => {
      const project = studio.project
      try {
        return await runBatch(project, studio.inference, input, {
          signal: ctx.signal,
          onProgress: (p) => ctx.progress(p),
          onTrace: (id) => studio.dispatcher.emit('traces.changed', { ids: [id], reason: 'batch inference' })
        })
      } finally {
        studio.dispatcher.emit('project.changed', project.info())
      }
    },
    'inference.batches': () => listBatches(studio.project)
  }
}
