import type { ServiceContext } from './context'
import { compareRuns } from '../eval/compare'
import { evalResults, listEvalRuns, runEval } from '../eval/eval-run'
import { listSuites } from '../eval/suites'
import type { Handlers } from '../rpc/handlers'

export function evalHandlers(studio: ServiceContext): Pick<Handlers, 'eval.run' | 'eval.runs' | 'eval.results' | 'eval.suites' | 'eval.compare'> {
  return {
    'eval.run': async (input, ctx) => {
      const project = studio.project
      try {
        return await runEval(project, studio.inference, input, {
          signal: ctx.signal,
          onProgress: (p) => ctx.progress(p),
          onChange: (change) => studio.dispatcher.emit('eval.changed', change)
        })
      } finally {
        // every scored sample added (or revised) a trace
        studio.dispatcher.emit('traces.changed', { ids: null, reason: 'evaluation' })
        studio.dispatcher.emit('project.changed', project.info())
      }
    },
    'eval.runs': () => listEvalRuns(studio.project),
    'eval.results': ({ runId, outcome, usedOperation, category, offset, limit }) => {
      const all = evalResults(studio.project, runId).filter((r) => {
        if (category !== undefined && r.category !== category) return false
        if (outcome === 'failed') return r.error !== null
        if (outcome === 'unscorable') return r.unscorable !== null
        if (r.unscorable !== null) return outcome === 'all' && usedOperation === undefined
        // a sample that did not run has no outcome and no operations: listed under "all" only
        if (r.error !== null) return outcome === 'all' && usedOperation === undefined
        if (outcome !== 'all' && (outcome === 'right') !== r.score >= 0.5) return false
        return usedOperation === undefined || usedOperation === r.operations > 0
      })
      return { total: all.length, items: all.slice(offset, offset + limit) }
    },
    'eval.suites': () => listSuites(studio.project),
    'eval.compare': ({ a, b }) => compareRuns(studio.project, a, b)
  }
}
