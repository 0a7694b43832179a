import { existsSync } from 'node:fs'
import type { ServiceContext } from './context'
import type { Handlers } from '../rpc/handlers'

export function projectHandlers(studio: ServiceContext): Pick<Handlers, 'project.current' | 'project.open' | 'project.create' | 'project.recent'> {
  return {
    'project.current': () => studio.project.info(),
    'project.open': ({ path }) => studio.openProject(path),
    'project.create': ({ path, withSampleData }, ctx) => studio.createProject(path, withSampleData, ctx.signal, (p) => ctx.progress(p)),
    'project.recent': () => studio.settings.recent.map((r) => ({ ...r, exists: existsSync(r.path) }))
  }
}
