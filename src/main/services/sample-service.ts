import type { Sample } from '../../shared/contract'
import type { ServiceContext } from './context'
import { importCoco, importImageFolder, importVideos } from '../import/folder-import'
import { importSampleJsonl } from '../import/sample-jsonl'
import type { Handlers } from '../rpc/handlers'

export function sampleHandlers(studio: ServiceContext): Pick<Handlers, 'samples.list' | 'samples.get' | 'samples.import' | 'samples.update' | 'samples.restore' | 'samples.revisions'> {
  // a sample edit changes what its traces are checked against (gold answer): their views refresh
  const changed = (sample: Sample): Sample => {
    const ids = studio.project.traces.seqs({ sampleId: sample.id }).map((t) => t.id)
    studio.dispatcher.emit('traces.changed', { ids: ids.length <= 500 ? ids : null, reason: 'sample edited' })
    return sample
  }
  return {
    'samples.update': ({ id, expectedRevision, question, answer, answerType, choices, flags, action, author }) =>
      changed(studio.project.samples.update(id, { question, answer, answerType, choices, flags }, expectedRevision, author, action)),
    'samples.restore': ({ id, revision, expectedRevision, action, author }) => changed(studio.project.samples.restore(id, revision, expectedRevision, author, action)),
    'samples.revisions': ({ id }) => studio.project.samples.revisions(id),
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
