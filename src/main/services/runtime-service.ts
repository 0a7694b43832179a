import type { ServiceContext } from './context'
import type { Handlers } from '../rpc/handlers'
import { runtimeReport } from '../runtime/execution-providers'

export function runtimeHandlers(studio: ServiceContext): Pick<Handlers, 'runtime.report'> {
  return {
    'runtime.report': () => runtimeReport(studio.version)
  }
}
