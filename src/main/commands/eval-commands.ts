// CLI commands for evaluation and batch inference (registered by src/main/cli.ts). They call the
// same contract methods as the Evaluate screen; Ctrl+C cancels the job, which stays resumable.
import type { Command } from 'commander'
import type { EvalComparison, EvalRun, EvalSampleResult, InferenceBatchResult, JobProgress, JobRecord } from '../../shared/contract'
import type { Studio } from '../app/studio'

export interface CliIo {
  openStudio(): Promise<Studio>
  /** prints JSON with --json, else the human form */
  print(value: unknown, human: (v: never) => string): void
  progress(p: JobProgress): void
  /** the job ended: finish the progress output */
  progressEnd(): void
}

const pct = (x: number | null): string => (x === null ? '-' : `${(100 * x).toFixed(1)}`)

function runLine(r: EvalRun): string {
  const m = r.metrics
  return `${r.id}  ${r.label}  ${r.suite}  ${r.status} ${m.count}/${r.total}  ${r.metric === 'anls' ? 'ANLS' : 'acc'} ${pct(m.accuracy)}  RaPR ${pct(m.rapr)}  ops/answer ${m.opsPerAnswer.toFixed(2)}  acc with/without ops ${pct(m.accuracyWithOps)}/${pct(m.accuracyWithoutOps)}  ${m.meanLatencyMs.toFixed(0)} ms${r.failed ? `  ${r.failed} failed` : ''}${r.unscorable ? `  ${r.unscorable} unscorable (--outcome unscorable)` : ''}`
}

function describeRun(r: EvalRun): string {
  return [runLine(r), ...r.byCategory.map((c) => `    ${c.category}: ${pct(c.metrics.accuracy)} (${c.metrics.count}), RaPR ${pct(c.metrics.rapr)}`)].join('\n')
}

/** Runs one contract job with progress on stderr and Ctrl+C as cancel; frees the model after. */
export async function job(io: CliIo, method: string, input: unknown): Promise<unknown> {
  const studio = await io.openStudio()
  const controller = new AbortController()
  const cancel = (): void => controller.abort()
  process.once('SIGINT', cancel)
  try {
    const out = await studio.dispatcher.invoke(method, input, { signal: controller.signal, onProgress: (p) => io.progress(p as JobProgress) })
    io.progressEnd()
    return out
  } finally {
    process.off('SIGINT', cancel)
    await studio.inference.close()
    studio.close()
  }
}

export async function call(io: CliIo, method: string, input: unknown): Promise<unknown> {
  const studio = await io.openStudio()
  try {
    return await studio.dispatcher.invoke(method, input)
  } finally {
    studio.close()
  }
}

const int = (v: string): number => Number.parseInt(v, 10)

export function registerEvalCommands(program: Command, io: CliIo): void {
  program
    .command('benchmark-import <file>')
    .description('import a local benchmark copy (Pixel-Reasoner eval parquet or JSONL) as samples of source bench:<suite>')
    .action(async (file: string) =>
      io.print(await job(io, 'benchmarks.import', { path: file }), (r: { suite: string; imported: number; alreadyPresent: number; skipped: Array<{ message: string }> }) =>
        [`bench:${r.suite}: ${r.imported} imported, ${r.alreadyPresent} already present, ${r.skipped.length} skipped`, ...r.skipped.map((s) => `  skipped ${s.message}`)].join('\n')
      )
    )

  const evaluation = program.command('eval').description('evaluate a model on a benchmark or any sample source, scored as the paper does')
  evaluation
    .command('run <source>')
    .description('evaluate (e.g. source bench:vstar); every trajectory is stored as a trace; --run resumes')
    .option('--model <id>', 'registered model id (default: the loaded one)')
    .option('--run <id>', 'resume this run')
    .option('--label <name>', 'row name in the runs x suites table')
    .option('--limit <n>', 'first n samples', int)
    .action(async (source: string, cmd: { model?: string; run?: string; label?: string; limit?: number }) => {
      const input = { source, ...(cmd.model ? { modelId: cmd.model } : {}), ...(cmd.run ? { runId: cmd.run } : {}), ...(cmd.label ? { label: cmd.label } : {}), ...(cmd.limit ? { limit: cmd.limit } : {}) }
      io.print(await job(io, 'eval.run', input), describeRun)
    })
  evaluation
    .command('list')
    .description('evaluation runs with their metrics, per suite and per category')
    .action(async () => io.print(await call(io, 'eval.runs', {}), (runs: EvalRun[]) => (runs.length ? runs.map(describeRun).join('\n') : 'no evaluation runs yet (eval run <source>)')))
  evaluation
    .command('results <runId>')
    .description('per-sample results of a run, each with its trace id')
    .option('--outcome <which>', 'all | right | wrong | failed | unscorable', 'all')
    .option('--used-operation <yes|no>', 'only samples that did (yes) or did not (no) use an operation')
    .option('--category <name>', 'only this category')
    .option('--limit <n>', 'rows', int, 100)
    .action(async (runId: string, cmd: { outcome: string; usedOperation?: string; category?: string; limit: number }) => {
      const input = {
        runId,
        outcome: cmd.outcome,
        limit: cmd.limit,
        ...(cmd.usedOperation ? { usedOperation: cmd.usedOperation === 'yes' } : {}),
        ...(cmd.category ? { category: cmd.category } : {})
      }
      io.print(await call(io, 'eval.results', input), (page: { total: number; items: EvalSampleResult[] }) =>
        [...page.items.map((r) => `${r.sampleId}\t${r.error ? `failed: ${r.error}` : r.unscorable ? `unscorable: ${r.unscorable}` : `${r.score.toFixed(2)}\t${r.answer ?? '(none)'}\tgold ${r.gold}\t${r.operations} ops\t${r.traceId}`}`), `(${page.items.length} of ${page.total})`].join('\n')
      )
    })
  evaluation
    .command('compare <runA> <runB>')
    .description('two runs sample by sample: which answers flipped')
    .action(async (a: string, b: string) =>
      io.print(await call(io, 'eval.compare', { a, b }), (c: EvalComparison) =>
        [
          `${c.a.label} -> ${c.b.label} (${c.a.suite}): ${c.counts.gained} gained, ${c.counts.lost} lost, ${c.counts.bothRight} both right, ${c.counts.bothWrong} both wrong`,
          ...c.rows.filter((r) => r.change === 'gained' || r.change === 'lost').map((r) => `  ${r.change}\t${r.sampleId}\t${r.a?.answer ?? '-'} -> ${r.b?.answer ?? '-'} (gold ${r.gold})`)
        ].join('\n')
      )
    )

  program
    .command('infer-batch')
    .description('run a model over a set of samples as a job; each run is stored as a trace; --job resumes')
    .option('--model <id>', 'registered model id (default: the loaded one)')
    .option('--source <source>', 'only samples of this source')
    .option('--kind <kind>', 'image | video')
    .option('--limit <n>', 'first n samples', int)
    .option('--job <id>', 'resume this batch (skips the samples it already ran)')
    .option('--list', 'list batch jobs instead')
    .action(async (cmd: { model?: string; source?: string; kind?: string; limit?: number; job?: string; list?: boolean }) => {
      if (cmd.list) {
        io.print(await call(io, 'inference.batches', {}), (jobs: JobRecord[]) => jobs.map((j) => `${j.id}  ${j.status}  ${j.progress ? `${j.progress.done}/${j.progress.total ?? '?'}` : ''}  ${j.title}`).join('\n') || 'no batch jobs yet')
        return
      }
      const input = {
        ...(cmd.model ? { modelId: cmd.model } : {}),
        ...(cmd.source ? { source: cmd.source } : {}),
        ...(cmd.kind ? { kind: cmd.kind } : {}),
        ...(cmd.limit ? { limit: cmd.limit } : {}),
        ...(cmd.job ? { jobId: cmd.job } : {})
      }
      io.print(await job(io, 'inference.batch', input), (r: InferenceBatchResult) =>
        [`batch ${r.jobId} (${r.model.name}): ${r.ran} run now, ${r.alreadyDone} done before, of ${r.total}; ${r.answered} answered, ${r.matchesGold} match the gold, ${r.usedOperations} used an operation`, ...r.failed.map((f) => `  failed ${f.sampleId}: ${f.message}`)].join('\n')
      )
    })
}
