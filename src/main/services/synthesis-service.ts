import { StudioError, type NarratorKind } from '../../shared/contract'
import type { ServiceContext } from './context'
import type { Handlers } from '../rpc/handlers'
import { vlmChat } from '../synthesis/narrators/vlm-chat'
import { sampleSources } from '../synthesis/sample-reader'
import { runSynthesisWorker } from '../synthesis/synthesis-host'
import { createSynthesisJob, jobToResume, listSynthesisJobs, specOf, SYNTHESIS_JOB_KIND } from '../synthesis/synthesis-jobs'
import type { NarratorSetup } from '../synthesis/worker-protocol'

type SynthesisMethods = 'synthesis.run' | 'synthesis.jobs' | 'synthesis.skipped' | 'synthesis.sources' | 'synthesis.endpoint' | 'synthesis.setEndpoint'

/** Change events at most this often while a job commits batches. */
const EVENTS_EVERY_MS = 500

/** What the worker needs for a narrator, checked before any job row is written. */
function narratorSetup(studio: ServiceContext, kind: NarratorKind): NarratorSetup {
  if (kind === 'template') return { kind }
  if (kind === 'vlm') {
    const loaded = studio.inference.status().loaded
    if (!loaded) throw new StudioError('failed_precondition', 'the vlm narrator needs a loaded model: load one first (Playground, or inference.load)')
    return { kind, modelName: loaded.name }
  }
  const e = studio.settings.narratorEndpoint
  if (!e.baseUrl || !e.model) throw new StudioError('failed_precondition', 'the openai narrator needs an endpoint: set its base URL and model first (synthesis.setEndpoint, or the Synthesize dialog)')
  return { kind, endpoint: { baseUrl: e.baseUrl, model: e.model, apiKey: studio.settings.narratorApiKey, timeoutMs: e.timeoutMs, retries: e.retries, maxTokens: e.maxTokens } }
}

export function synthesisHandlers(studio: ServiceContext): Pick<Handlers, SynthesisMethods> {
  /** jobs this studio is running now (a second resume of one is refused) */
  const active = new Set<string>()
  return {
    'synthesis.run': async (input, ctx) => {
      const project = studio.project
      const resumed = input.resume ? jobToResume(project, input.resume, active) : null
      const spec = resumed ? specOf(resumed) : { settings: input.settings, samples: input.samples }
      const narrator = narratorSetup(studio, spec.settings.narrator)
      const job = resumed ?? createSynthesisJob(project, spec)
      active.add(job.id)
      let last = 0
      let changed = false
      const announce = (force: boolean): void => {
        if (!changed || (!force && performance.now() - last < EVENTS_EVERY_MS)) return
        last = performance.now()
        changed = false
        studio.dispatcher.emit('traces.changed', { ids: null, reason: 'synthesized' })
        if (studio.hasProject && studio.project === project) studio.dispatcher.emit('project.changed', project.info())
      }
      try {
        return await runSynthesisWorker({
          projectDir: project.dir,
          jobId: job.id,
          narrator,
          ...(narrator.kind === 'vlm' ? { chat: vlmChat(studio.inference) } : {}),
          signal: ctx.signal,
          onProgress: (p) => ctx.progress(p),
          onCommitted: () => {
            changed = true
            announce(false)
          }
        })
      } catch (error) {
        // the worker died before recording an outcome: the row must not say "running" forever
        if (project.db.open && project.jobs.get(job.id).status === 'running') {
          project.jobs.finish(job.id, 'failed', { error: error instanceof Error ? error.message : String(error) })
        }
        throw error
      } finally {
        active.delete(job.id)
        announce(true)
      }
    },
    'synthesis.jobs': () => listSynthesisJobs(studio.project, active),
    'synthesis.skipped': ({ jobId, offset, limit }) => {
      const project = studio.project
      const job = project.jobs.get(jobId)
      if (job.kind !== SYNTHESIS_JOB_KIND) throw new StudioError('invalid_input', `job ${jobId} is a ${job.kind} job, not a synthesis job`)
      const seq = project.jobs.seqOf(jobId)
      return { total: project.jobSkips.count(seq), items: project.jobSkips.list(seq, offset, limit) }
    },
    'synthesis.sources': () => sampleSources(studio.project.db),
    'synthesis.endpoint': () => studio.settings.narratorEndpoint,
    'synthesis.setEndpoint': (change) => {
      studio.settings.setNarratorEndpoint(change)
      return studio.settings.narratorEndpoint
    }
  }
}
