import type { ServiceContext } from './context'
import { assertEmptyFolder } from '../inference/model-registry'
import type { Handlers } from '../rpc/handlers'

export function modelHandlers(studio: ServiceContext): Pick<Handlers, 'models.list' | 'models.add' | 'models.addEndpoint' | 'models.addCheckpoint' | 'models.remove' | 'models.createDemo'> {
  return {
    'models.list': () => studio.models.list(),
    'models.add': ({ path, name }) => studio.models.add(path, name ? { name } : {}),
    'models.addEndpoint': (input) => studio.models.addEndpoint(input),
    'models.addCheckpoint': ({ path, name }) => studio.models.addCheckpoint(path, name ? { name } : {}),
    'models.remove': ({ id }) => studio.models.remove(id),
    'models.createDemo': async ({ path, script }) => {
      const dir = assertEmptyFolder(path)
      // loaded on demand: the generator (and onnx-proto) stay off the start-up path
      const { makeTinyModel } = await import('../inference/tiny-model/generate')
      const { TINY_SCRIPTS } = await import('../inference/tiny-model/scripts')
      makeTinyModel(dir, { script: TINY_SCRIPTS[script] })
      return studio.models.add(dir, { name: `demo (${script}, scripted)`, demo: true })
    }
  }
}
