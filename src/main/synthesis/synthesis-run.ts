// Runs a synthesis job over its selected samples: a few samples at once, traces and skips
// committed in batches (one transaction each), progress with rate and ETA, cancel, and resume.
// Resume is by construction: a trace's id comes from (job id, sample id), so a sample whose trace
// exists is done, and a kill -9 loses at most the batch that was not committed yet, which the
// next run makes again (identically: the sample's random numbers come from the seed and its id).
// Used in-process (the sample project, tests, the benchmark) and inside the synthesis worker.
import { performance } from 'node:perf_hooks'
import { StudioError, type JobProgress, type SynthesisResult } from '../../shared/contract'
import { TRAIN_PROFILE, type PixelProfile } from '../../shared/pixel-ops/profiles'
import { ProgressMeter } from '../jobs/progress-meter'
import { ViewCache } from '../pixel-ops/view-cache'
import type { Project } from '../project/project'
import type { Narrator } from './narrators/narrator'
import type { RecipeName } from './recipes'
import { countSelected, readSelected, type ReadSample } from './sample-reader'
import { specOf } from './synthesis-jobs'
import { synthesizeSample, traceIdFor, type SampleOutcome, type SynthesisContext } from './synthesize-sample'
import { jobTracesSql } from '../traces/trace-query'
import { templateSet } from './templates'
import type { SynthesisTimings } from './timings'

export interface RunOptions {
  signal?: AbortSignal
  onProgress?: (progress: JobProgress) => void
  /** after each committed batch: the new trace ids */
  onCommitted?: (ids: string[]) => void
  profile?: PixelProfile
  /** traces and skips per transaction */
  batchSize?: number
  /** commit a smaller batch when this long has passed (ms), so progress shows up in the store */
  commitEveryMs?: number
  /** time spent per phase, for the benchmark */
  timings?: SynthesisTimings
  /** keep decoded views of images for the next crop (default true; off only to measure the difference) */
  keepViews?: boolean
}

const SKIPS_IN_RESULT = 200

/** Traces of this job already in the store (an earlier run made them). */
function existingTraces(project: Project, jobId: string): number {
  return (
    project.db
      .prepare<{ jobId: string }, { n: number }>(`SELECT count(*) AS n ${jobTracesSql('synthesized')}`)
      .get({ jobId })?.n ?? 0
  )
}

function templatesLabel(custom: object): string {
  return Object.keys(custom).length ? `custom (${Object.keys(custom).sort().join(', ')})` : 'default'
}

export async function runSynthesisJob(project: Project, jobId: string, narrator: Narrator, options: RunOptions = {}): Promise<SynthesisResult> {
  const started = performance.now()
  const job = project.jobs.get(jobId)
  const spec = specOf(job)
  const jobSeq = project.jobs.seqOf(jobId)
  const author = `synthesis:${jobId}`
  project.jobs.start(jobId, process.pid)

  const outer = options.signal ?? new AbortController().signal
  const inner = new AbortController()
  const onOuterAbort = (): void => inner.abort(outer.reason)
  outer.addEventListener('abort', onOuterAbort, { once: true })
  if (outer.aborted) inner.abort(outer.reason)

  const total = countSelected(project.db, spec.samples)
  const baseline = existingTraces(project, jobId)
  const meter = new ProgressMeter('samples', undefined, baseline)
  const timings = options.timings
  const ctx: SynthesisContext = {
    project,
    jobId,
    settings: spec.settings,
    templates: templateSet(spec.settings.templates),
    narrator,
    profile: options.profile ?? TRAIN_PROFILE,
    signal: inner.signal,
    ...(options.keepViews === false ? {} : { views: new ViewCache((options.profile ?? TRAIN_PROFILE).view) }),
    ...(timings ? { timings } : {}),
    recorded: {
      imageSelfCorrection: spec.settings.imageSelfCorrection,
      videoSelfCorrection: spec.settings.videoSelfCorrection,
      cueIouThreshold: spec.settings.cueIouThreshold,
      templates: templatesLabel(spec.settings.templates),
      profile: (options.profile ?? TRAIN_PROFILE).name
    }
  }

  let done = baseline
  let created = 0
  let skippedNow = 0
  let flagged = 0
  const byRecipe: Partial<Record<RecipeName, number>> = {}
  let failuresInARow = 0
  let stopError: string | null = null
  let crash: unknown = null
  const pending: Array<{ sampleId: string; outcome: SampleOutcome }> = []
  let lastCommit = performance.now()
  const batchSize = options.batchSize ?? 64
  const commitEveryMs = options.commitEveryMs ?? 250
  const message = (): string => `job ${jobId}: ${created} traces, ${skippedNow} skipped, ${flagged} flagged`
  const progress = (): JobProgress => meter.update(done, total, message())

  const commit = (): void => {
    lastCommit = performance.now()
    if (pending.length === 0) return
    const t = performance.now()
    const batch = pending.splice(0)
    const ids: string[] = []
    project.db.transaction(() => {
      const traces = []
      for (const { sampleId, outcome } of batch) {
        if (outcome.kind === 'skip') project.jobSkips.record(jobSeq, sampleId, outcome.code, outcome.message)
        else if (!project.traces.exists(outcome.trace.id)) {
          traces.push(outcome.trace)
          project.jobSkips.clear(jobSeq, sampleId)
        }
      }
      ids.push(...project.traces.insertMany(traces, author, 'synthesize'))
      project.jobs.progress(jobId, progress())
    })()
    if (timings) timings.commit += performance.now() - t
    if (ids.length) options.onCommitted?.(ids)
  }

  const source = readSelected(project.db, spec.samples)
  const next = (): ReadSample | undefined => {
    if (inner.signal.aborted) return undefined
    const t = performance.now()
    const r = source.next()
    if (timings) timings.read += performance.now() - t
    return r.done ? undefined : r.value
  }

  const record = (sampleId: string, outcome: SampleOutcome): void => {
    pending.push({ sampleId, outcome })
    done++
    if (outcome.kind === 'trace') {
      created++
      byRecipe[outcome.recipe] = (byRecipe[outcome.recipe] ?? 0) + 1
      if (outcome.flagged) flagged++
      failuresInARow = 0
    } else {
      skippedNow++
      if (outcome.code.startsWith('narrator_')) failuresInARow++
      const limit = spec.settings.maxConsecutiveNarratorFailures
      if (limit > 0 && failuresInARow >= limit && !stopError) {
        stopError = `the narrator failed ${failuresInARow} times in a row (last: ${outcome.message}); the job stopped. Fix the narrator and resume the job.`
        inner.abort(new StudioError('failed_precondition', stopError))
      }
    }
    options.onProgress?.(progress())
    if (pending.length >= batchSize || performance.now() - lastCommit >= commitEveryMs) commit()
  }

  const work = async (): Promise<void> => {
    for (let item = next(); item; item = next()) {
      const sampleId = item.ok ? item.sample.id : item.sampleId
      if (project.traces.exists(traceIdFor(jobId, sampleId))) continue // made by an earlier run: counted in the baseline
      if (!item.ok) {
        record(sampleId, { kind: 'skip', code: item.code, message: item.message })
        continue
      }
      const t = performance.now()
      let outcome: SampleOutcome
      try {
        outcome = await synthesizeSample(item.sample, item.cue, ctx)
      } catch (error) {
        if (inner.signal.aborted) return // cancelled or stopped: this sample is simply not done
        crash ??= error
        inner.abort(error)
        return
      } finally {
        if (timings) timings.synthesize += performance.now() - t
      }
      record(sampleId, outcome)
    }
  }

  options.onProgress?.(progress())
  const concurrency = spec.settings.concurrency ?? narrator.concurrency
  try {
    await Promise.all([...Array(concurrency)].map(() => work()))
    commit()
  } catch (error) {
    crash ??= error
  } finally {
    outer.removeEventListener('abort', onOuterAbort)
  }

  const status: SynthesisResult['status'] = crash ? 'failed' : outer.aborted ? 'cancelled' : stopError ? 'failed' : 'succeeded'
  const error = crash ? (crash instanceof Error ? crash.message : String(crash)) : stopError
  const result: SynthesisResult = {
    jobId,
    status,
    total,
    created,
    alreadyPresent: baseline,
    flagged,
    byRecipe,
    skipped: project.jobSkips.count(jobSeq),
    skippedByCode: project.jobSkips.byCode(jobSeq),
    skippedSamples: project.jobSkips.list(jobSeq, 0, SKIPS_IN_RESULT),
    narrator: narrator.id,
    seed: spec.settings.seed,
    error,
    ms: performance.now() - started
  }
  project.jobs.progress(jobId, progress())
  project.jobs.finish(jobId, status, { result, ...(error ? { error } : {}) })
  if (crash) throw crash
  return result
}
