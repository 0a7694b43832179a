import type { ServiceContext } from './context'
import { importBenchmark } from '../eval/benchmark-import'
import type { Handlers } from '../rpc/handlers'

export function benchmarkHandlers(studio: ServiceContext): Pick<Handlers, 'benchmarks.import'> {
  return {
    'benchmarks.import': ({ path }, ctx) => importBenchmark(studio.project, path, { signal: ctx.signal, onProgress: (p) => ctx.progress(p) })
  }
}
