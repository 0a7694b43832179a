import type { ServiceContext } from './context'
import { exportSnapshot } from '../export/snapshot-export'
import type { Handlers } from '../rpc/handlers'

export function snapshotHandlers(studio: ServiceContext): Pick<Handlers, 'snapshots.create' | 'snapshots.list' | 'snapshots.get' | 'snapshots.export'> {
  return {
    'snapshots.create': ({ name, filter, allowEmpty, split, base }) => studio.project.snapshots.create(name, filter, { allowEmpty, split, base }),
    'snapshots.list': () => studio.project.snapshots.list(),
    'snapshots.get': ({ id }) => studio.project.snapshots.get(id),
    'snapshots.export': (input, ctx) => exportSnapshot(studio.project, input, { signal: ctx.signal, onProgress: (p) => ctx.progress(p) })
  }
}
