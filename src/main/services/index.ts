// Assembles the handler map. Its return type is `Handlers`, so forgetting a contract method
// here fails the typecheck.
import type { ServiceContext } from './context'
import type { Handlers } from '../rpc/handlers'
import { benchmarkHandlers } from './benchmark-service'
import { evalHandlers } from './eval-service'
import { experimentHandlers } from './experiment-service'
import { inferenceHandlers } from './inference-service'
import { modelHandlers } from './model-service'
import { projectHandlers } from './project-service'
import { runtimeHandlers } from './runtime-service'
import { sampleHandlers } from './sample-service'
import { settingsHandlers } from './settings-service'
import { snapshotHandlers } from './snapshot-service'
import { synthesisHandlers } from './synthesis-service'
import { traceHandlers } from './trace-service'
import { trainingHandlers } from './training-service'

export function createHandlers(studio: ServiceContext): Handlers {
  return {
    ...runtimeHandlers(studio),
    ...settingsHandlers(studio),
    ...projectHandlers(studio),
    ...sampleHandlers(studio),
    ...modelHandlers(studio),
    ...inferenceHandlers(studio),
    ...benchmarkHandlers(studio),
    ...evalHandlers(studio),
    ...traceHandlers(studio),
    ...snapshotHandlers(studio),
    ...trainingHandlers(studio),
    ...experimentHandlers(studio),
    ...synthesisHandlers(studio)
  }
}
