import type { ServiceContext } from './context'
import { importCoco, importImageFolder, importVideos } from '../import/folder-import'
import { importSampleJsonl } from '../import/sample-jsonl'
import type { Handlers } from '../rpc/handlers'

export function sampleHandlers(studio: ServiceContext): Pick<Handlers, 'samples.list' | 'samples.get' | 'samples.import'> {
  return {
    'samples.list': (page) => studio.project.samples.list(page),
    'samples.get': ({ id }) => studio.project.samples.get(id),
    'samples.import': async ({ format, path }, ctx) => {
      const project = studio.project
      const options = { signal: ctx.signal, onProgress: (p: Parameters<typeof ctx.progress>[0]) => ctx.progress(p) }
      const importer = { jsonl: importSampleJsonl, images: importImageFolder, video: importVideos, coco: importCoco }[format]
      try {
        return await importer(project, path, options)
      } finally {
        studio.dispatcher.emit('project.changed', project.info()) // counts changed, even on cancel
      }
    }
  }
}
