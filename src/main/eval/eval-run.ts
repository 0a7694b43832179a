// An evaluation run: one model over every sample of one source, scored the way Pixel-Reasoner's
// eval does (src/shared/eval). Each sample's trajectory is stored as a trace (origin inference,
// originDetail.runId = the run) so the drill-down opens it in Review; the scored row goes to
// <project>/evals/<run id>/results.jsonl, appended after the trace is stored, so a cancelled
// or crashed run resumes where it stopped (a sample cut between the two writes simply runs
// again and its trace gets a new revision: trace ids are fixed per run and sample).
import { createHash, randomUUID } from 'node:crypto'
import { existsSync, mkdirSync, readFileSync, readdirSync } from 'node:fs'
import { appendFile, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { z } from 'zod'
import {
  EVAL_DEFAULT_SETTINGS,
  EvalSampleResult,
  EvalSplit,
  InferenceSettings,
  StudioError,
  type EvalMetrics,
  type EvalRun,
  type InferenceResult,
  type JobProgress
} from '../../shared/contract'
import { metricsByGroup, runMetrics } from '../../shared/eval/metrics'
import { suiteLabel } from '../../shared/eval/paper-table'
import { anls, goldProblem, scoreAnswer } from '../../shared/eval/scoring'
import { runBatchSample } from '../inference/batch-inference'
import type { InferenceManager } from '../inference/inference-manager'
import { ProgressMeter } from '../jobs/progress-meter'
import type { Project } from '../project/project'
import { benchmarkItems } from './benchmark-items'

const RunFile = z.object({
  id: z.string(),
  label: z.string(),
  source: z.string(),
  metric: z.enum(['accuracy', 'anls']),
  model: z.object({ id: z.string(), name: z.string() }),
  settings: InferenceSettings,
  limit: z.number().int().nullable(),
  /** absent in runs made before splits could be evaluated */
  split: EvalSplit.nullable().default(null),
  createdAt: z.string()
})
type RunFile = z.infer<typeof RunFile>

/**
 * The samples a run covers, in order: every sample of its source, or with a split only the
 * source's samples on that side of the snapshot (in snapshot order, each once).
 */
function runSampleIds(project: Project, source: string, split: EvalSplit | null): string[] {
  const all = project.samples.idsBySource(source)
  if (!split) return all
  const ofSource = new Set(all)
  return project.snapshots.sampleIds(split.snapshotId, split.side).filter((id) => ofSource.has(id))
}

/** Runs in progress in this process, by project folder and run id: done and total samples. */
const active = new Map<string, { done: number; total: number }>()
const activeKey = (project: Project, runId: string): string => `${project.dir}\n${runId}`

function evalsDir(project: Project): string {
  return join(project.dir, 'evals')
}

/** A run id names a folder: letters, digits, '.', '_', '-' only (never a path). */
function runDir(project: Project, runId: string): string {
  if (!/^[A-Za-z0-9][A-Za-z0-9._-]*$/.test(runId)) throw new StudioError('invalid_input', `"${runId}" is not an eval run id`)
  return join(evalsDir(project), runId)
}

/** The trace of one sample in one run: fixed, so a re-run of the sample updates it. */
export function evalTraceId(runId: string, sampleId: string): string {
  return `trace-eval-${createHash('sha256').update(`${runId}\n${sampleId}`).digest('hex').slice(0, 24)}`
}

/** InfographicsVQA is scored by ANLS (paper Table 1); everything else by exact match. */
export function metricFor(source: string): 'accuracy' | 'anls' {
  return /infovqa|infographic/i.test(source) ? 'anls' : 'accuracy'
}

/** Everything the model wrote, observations included: what the reference scores (after the first assistant tag). */
function solutionText(result: InferenceResult): string {
  return result.steps.map((s) => (s.kind === 'thought' || s.kind === 'answer' ? s.text : s.kind === 'operation' ? s.raw : s.kind === 'result' ? s.text : s.raw)).join('\n')
}

/**
 * The gold as the reference's rule_reward receives it: one accepted answer is a string (no '%'
 * variant is added, scoring.ts rule 1), several are a list. Benchmark items keep a list either way.
 */
function goldOf(golds: readonly string[]): string | string[] {
  return golds.length === 1 ? (golds[0] ?? '') : [...golds]
}

/** 0/1 exact match against any accepted answer, or the best ANLS over them. */
export function scoreResult(result: InferenceResult, metric: 'accuracy' | 'anls', golds: readonly string[] = [result.gold]): number {
  if (metric === 'anls') return anls(result.answer ?? '', [...golds])
  return scoreAnswer(solutionText(result), goldOf(golds)).correct ? 1 : 0
}

/** Why the golds of a sample cannot be scored under the run's metric, or null. */
export function unscorableReason(metric: 'accuracy' | 'anls', golds: readonly string[]): string | null {
  if (metric === 'anls') return golds.length === 0 ? 'no gold answer' : null
  return goldProblem(goldOf(golds))
}

/** A row that counts in the metrics: it ran, and its gold can be scored. */
const isScored = (r: EvalSampleResult): boolean => r.error === null && r.unscorable === null

/** The rows of a results file, the last row of each sample winning (a failed sample may succeed later). */
function readResults(file: string): EvalSampleResult[] {
  if (!existsSync(file)) return []
  const bySample = new Map<string, EvalSampleResult>()
  for (const line of readFileSync(file, 'utf8').split('\n')) {
    if (!line.trim()) continue
    // a line cut by a crash (or from an older format) is dropped; that sample simply runs again
    try {
      const row = EvalSampleResult.parse(JSON.parse(line))
      bySample.set(row.sampleId, row)
    } catch {
      continue
    }
  }
  return [...bySample.values()]
}

export function summarize(results: readonly EvalSampleResult[]): EvalMetrics {
  const scored = results.filter(isScored)
  const m = runMetrics(scored.map((r) => ({ qid: r.sampleId, score: r.score, operations: r.operations })))
  const latency = scored.length ? scored.reduce((a, r) => a + r.ms, 0) / scored.length : 0
  return { ...m, meanLatencyMs: latency }
}

function byCategory(results: readonly EvalSampleResult[]): EvalRun['byCategory'] {
  const scored = results.filter((r) => isScored(r) && r.category !== null)
  const groups = metricsByGroup(
    scored.map((r) => ({ qid: r.sampleId, score: r.score, operations: r.operations, category: r.category ?? '' })),
    'category'
  )
  return [...groups.keys()].sort().map((category) => {
    const rows = scored.filter((r) => r.category === category)
    return { category, metrics: summarize(rows) }
  })
}

function readRunFile(dir: string): RunFile | null {
  const file = join(dir, 'run.json')
  if (!existsSync(file)) return null
  try {
    const parsed = RunFile.safeParse(JSON.parse(readFileSync(file, 'utf8')))
    return parsed.success ? parsed.data : null
  } catch {
    return null
  }
}

function describeRun(project: Project, run: RunFile, results: readonly EvalSampleResult[]): EvalRun {
  const available = run.split ? runSampleIds(project, run.source, run.split).length : project.samples.count(undefined, run.source)
  const total = run.limit === null ? available : Math.min(available, run.limit)
  const settled = results.filter((r) => r.error === null).length
  const running = active.has(activeKey(project, run.id))
  return {
    ...run,
    suite: suiteLabel(run.source),
    status: running ? 'running' : settled >= total && total > 0 ? 'complete' : 'incomplete',
    total,
    failed: results.length - settled,
    unscorable: results.filter((r) => r.unscorable !== null).length,
    metrics: summarize(results),
    byCategory: byCategory(results)
  }
}

export function listEvalRuns(project: Project): EvalRun[] {
  const dir = evalsDir(project)
  if (!existsSync(dir)) return []
  const runs: EvalRun[] = []
  for (const id of readdirSync(dir)) {
    const run = readRunFile(join(dir, id))
    if (run) runs.push(describeRun(project, run, readResults(join(dir, id, 'results.jsonl'))))
  }
  return runs.sort((a, b) => b.createdAt.localeCompare(a.createdAt) || b.id.localeCompare(a.id))
}

export function getEvalRun(project: Project, runId: string): EvalRun {
  const dir = runDir(project, runId)
  const run = readRunFile(dir)
  if (!run) throw new StudioError('not_found', `no eval run "${runId}" in this project`)
  return describeRun(project, run, readResults(join(dir, 'results.jsonl')))
}

export function evalResults(project: Project, runId: string): EvalSampleResult[] {
  const dir = runDir(project, runId)
  if (!readRunFile(dir)) throw new StudioError('not_found', `no eval run "${runId}" in this project`)
  return readResults(join(dir, 'results.jsonl'))
}

export interface EvalRunRequest {
  source: string
  modelId?: string | undefined
  runId?: string | undefined
  label?: string | undefined
  limit?: number | undefined
  settings?: InferenceSettings | undefined
  split?: EvalSplit | undefined
}

export interface EvalRunOptions {
  signal: AbortSignal
  onProgress: (p: JobProgress) => void
  /** the run started, moved on or stopped (the service turns this into `eval.changed`) */
  onChange?: (run: { runId: string; status: EvalRun['status']; done: number; total: number }) => void
}

export async function runEval(project: Project, inference: InferenceManager, input: EvalRunRequest, options: EvalRunOptions): Promise<EvalRun> {
  const resumed = input.runId ? readRunFile(runDir(project, input.runId)) : null
  if (input.runId && !resumed) throw new StudioError('not_found', `no eval run "${input.runId}" to resume`)
  if (resumed && resumed.source !== input.source) throw new StudioError('invalid_input', `eval run ${resumed.id} is over "${resumed.source}", not "${input.source}"`)
  const source = input.source
  const split = resumed ? resumed.split : (input.split ?? null)
  if (split) project.snapshots.get(split.snapshotId) // not_found, named, before anything runs
  const available = runSampleIds(project, source, split)
  if (available.length === 0) {
    throw new StudioError(
      'invalid_input',
      split ? `snapshot ${split.snapshotId} has no samples of source "${source}" on its ${split.side} side` : `no samples with source "${source}" in this project (import a benchmark first)`
    )
  }

  const runId = resumed?.id ?? `eval-${new Date().toISOString().slice(0, 10)}-${randomUUID().slice(0, 8)}`
  const lease = inference.beginBatch(`evaluation ${runId}`)
  const key = activeKey(project, runId)
  try {
    const model = await inference.ensureLoaded(resumed?.model.id ?? input.modelId, 'pick a model to evaluate, or load one first (Playground, or `inference.load`)')
    const dir = runDir(project, runId)
    const run: RunFile = resumed ?? {
      id: runId,
      label: input.label ?? model.name,
      source,
      metric: metricFor(source),
      model,
      settings: input.settings ?? EVAL_DEFAULT_SETTINGS,
      limit: input.limit ?? null,
      split,
      createdAt: new Date().toISOString()
    }
    if (resumed && input.limit !== undefined && input.limit !== resumed.limit) run.limit = input.limit
    mkdirSync(dir, { recursive: true })
    await writeFile(join(dir, 'run.json'), JSON.stringify(run, null, 2))

    const ids = run.limit === null ? available : available.slice(0, run.limit)
    const resultsFile = join(dir, 'results.jsonl')
    const done = new Set(readResults(resultsFile).flatMap((r) => (r.error === null ? [r.sampleId] : [])))
    const items = benchmarkItems(project)
    const meter = new ProgressMeter('samples')
    let finished = ids.filter((id) => done.has(id)).length
    active.set(key, { done: finished, total: ids.length })
    const report = (): void => {
      active.set(key, { done: finished, total: ids.length })
      options.onProgress(meter.update(finished, ids.length, finished === done.size && done.size > 0 ? `resuming: ${done.size} cached` : undefined))
      options.onChange?.({ runId, status: 'running', done: finished, total: ids.length })
    }
    report()
    for (const id of ids) {
      if (done.has(id)) continue
      options.signal.throwIfAborted()
      const sample = project.samples.get(id)
      const item = items.get(id)
      const base = { sampleId: id, category: item?.category ?? null, question: sample.question.split('\n')[0]?.slice(0, 300) ?? '', gold: sample.answer, unscorable: null }
      const golds = item?.answers ?? [sample.answer]
      const unscorable = unscorableReason(run.metric, golds)
      if (unscorable !== null) {
        // listed with its reason, never run nor counted as wrong (the reference would score it -1)
        const row: EvalSampleResult = { ...base, traceId: null, answer: null, score: 0, operations: 0, stop: 'unscorable', ms: 0, generatedTokens: 0, error: null, unscorable }
        await appendFile(resultsFile, `${JSON.stringify(row)}\n`)
        finished++
        report()
        continue
      }
      const outcome = await runBatchSample(project, inference, id, run.settings, { id: evalTraceId(runId, id), runId, author: `eval:${runId}` }, options.signal)
      const row: EvalSampleResult = outcome.ok
        ? {
            ...base,
            traceId: outcome.result.traceId,
            answer: outcome.result.answer,
            score: scoreResult(outcome.result, run.metric, golds),
            operations: outcome.result.operations,
            stop: outcome.result.stop,
            ms: outcome.result.ms,
            generatedTokens: outcome.result.generatedTokens,
            error: null
          }
        : { ...base, traceId: null, answer: null, score: 0, operations: 0, stop: 'error', ms: 0, generatedTokens: 0, error: outcome.error }
      await appendFile(resultsFile, `${JSON.stringify(row)}\n`)
      if (row.error === null) finished++
      report()
    }
  } finally {
    active.delete(key)
    lease.release()
    if (readRunFile(runDir(project, runId))) {
      const stopped = getEvalRun(project, runId)
      options.onChange?.({ runId, status: stopped.status, done: stopped.metrics.count, total: stopped.total })
    }
  }
  return getEvalRun(project, runId)
}
