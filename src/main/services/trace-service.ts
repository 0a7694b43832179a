import type { BulkChange, StoredTrace } from '../../shared/contract'
import type { ServiceContext } from './context'
import type { Handlers } from '../rpc/handlers'
import { importTraces } from '../import/trace-import'
import { materializeObservations, renderObservations } from '../traces/materialize'

type TraceMethods = 'traces.bulk' | 'traces.bulkUndo' | 'traces.bulkChanges' | 'traces.list' | 'traces.counts' | 'traces.get' | 'traces.renderMedia' | 'traces.create' | 'traces.update' | 'traces.restore' | 'traces.revisions' | 'traces.import'

export function traceHandlers(studio: ServiceContext): Pick<Handlers, TraceMethods> {
  const changed = (trace: StoredTrace, reason: string): StoredTrace => {
    studio.dispatcher.emit('traces.changed', { ids: [trace.id], reason })
    return trace
  }
  const bulkChanged = (change: BulkChange): BulkChange => {
    // too many ids to list: every view of traces refreshes
    studio.dispatcher.emit('traces.changed', { ids: null, reason: `bulk: ${change.label}` })
    return change
  }
  return {
    'traces.bulk': ({ filter, action, expectedCount, author }) => bulkChanged(studio.project.bulk.apply(filter, action, { expectedCount, author })),
    'traces.bulkUndo': ({ id, action, author }) => bulkChanged(studio.project.bulk.revert(id, action, author)),
    'traces.bulkChanges': ({ limit }) => studio.project.bulk.list(limit),
    'traces.list': (input) => studio.project.traces.list(input),
    'traces.counts': (filter) => studio.project.traces.counts(filter),
    'traces.get': ({ id }) => studio.project.traces.get(id),
    'traces.renderMedia': async ({ id }) => {
      const project = studio.project
      const trace = project.traces.get(id)
      return { id, revision: trace.revision, steps: await renderObservations(project, project.samples.get(trace.sampleId), trace.steps) }
    },
    'traces.revisions': ({ id }) => studio.project.traces.revisions(id),
    'traces.create': async (input) => {
      const project = studio.project
      const sample = project.samples.get(input.sampleId)
      const steps = input.materialize ? await materializeObservations(project, sample, input.steps) : input.steps
      const trace = project.traces.insert(
        { sampleId: sample.id, origin: input.origin, originDetail: input.originDetail, question: input.question ?? sample.question, steps, status: input.status, flags: input.flags },
        input.author
      )
      studio.dispatcher.emit('project.changed', project.info())
      return changed(trace, 'created')
    },
    'traces.update': async (input) => {
      const project = studio.project
      let steps = input.steps
      if (steps && input.materialize) {
        const sample = project.samples.get(project.traces.get(input.id).sampleId)
        steps = await materializeObservations(project, sample, steps)
      }
      const trace = project.traces.update(input.id, { question: input.question, steps, status: input.status, flags: input.flags, comment: input.comment }, input.expectedRevision, input.author, input.action)
      return changed(trace, input.action)
    },
    'traces.restore': ({ id, revision, expectedRevision, action, author }) => changed(studio.project.traces.restore(id, revision, expectedRevision, author, action), action),
    'traces.import': async ({ format, path, imageRoot }, ctx) => {
      const project = studio.project
      try {
        return await importTraces(project, format, path, { imageRoot, signal: ctx.signal, onProgress: (p) => ctx.progress(p) })
      } finally {
        // counts changed, even on cancel (whole records stay)
        studio.dispatcher.emit('project.changed', project.info())
        studio.dispatcher.emit('traces.changed', { ids: null, reason: 'imported' })
      }
    }
  }
}
