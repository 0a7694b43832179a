// `pixel-studio experiment ...`: the curiosity ablation from a shell. The same contract methods as
// the Experiments screen. `run` keeps this process as the studio that runs the queue until every
// arm has ended (Ctrl+C leaves trainers running; a later studio re-attaches and advances).
import { readFileSync, writeFileSync } from 'node:fs'
import { InvalidArgumentError, type Command } from 'commander'
import type { Experiment, ExperimentReport, ZoomOracle } from '../../shared/contract'
import { EXPERIMENT_PRESETS, type ExperimentPresetName } from '../../shared/experiment/presets'
import { reportMarkdown } from '../../shared/experiment/report-markdown'
import { call, job, type CliIo } from './eval-commands'

const int = (v: string): number => {
  const n = Number(v)
  if (!Number.isInteger(n)) throw new InvalidArgumentError('expected a whole number')
  return n
}

function preset(name: string): ExperimentPresetName {
  if (!Object.hasOwn(EXPERIMENT_PRESETS, name)) throw new InvalidArgumentError(`a preset: ${Object.keys(EXPERIMENT_PRESETS).join(', ')}`)
  return name as ExperimentPresetName
}

const pct = (x: number): string => `${(100 * x).toFixed(1)}%`

export function describeOracle(o: ZoomOracle): string {
  return [
    `oracle on ${o.samples} seeded scenes (seven-segment template matching):`,
    `  full view as the model sees it (${o.modelView.width}x${o.modelView.height}): ${pct(o.fullView)}`,
    `  crop of the cue (${o.cropSize.width}x${o.cropSize.height}): ${pct(o.crop)}`,
    `  chance: ${pct(o.chance)}`
  ].join('\n')
}

function describeEvaluations(a: Experiment['arms'][number]): string {
  if (a.evaluations.length === 0) return ''
  const done = a.evaluations.filter((v) => v.status === 'done')
  const running = a.evaluations.find((v) => v.status === 'running')
  const failed = a.evaluations.filter((v) => v.status === 'failed').length
  const last = done.at(-1)?.metrics
  return `  eval ${done.length}/${a.evaluations.length}${running ? ` (step ${running.step} running)` : ''}${failed ? ` ${failed} failed` : ''}${last ? `  val acc ${pct(last.accuracy)} RaPR ${pct(last.rapr)}` : ''}`
}

function describeExperiment(e: Experiment): string {
  return [
    `${e.id}  ${e.definition.name}  ${e.status}`,
    ...e.arms.map((a) => `  ${a.name.padEnd(14)} ${a.kind.padEnd(13)} ${a.status}${a.runId ? `  run ${a.runId}` : ''}${describeEvaluations(a)}${a.blocked ? `  (${a.blocked})` : ''}`)
  ].join('\n')
}

function definitionFrom(file: string | undefined, flags: { preset?: string; snapshot?: string; model?: string }): unknown {
  if (file) return JSON.parse(readFileSync(file, 'utf8'))
  if (!flags.preset || !flags.snapshot) throw new InvalidArgumentError('give a definition file, or --preset and --snapshot')
  return EXPERIMENT_PRESETS[preset(flags.preset)].definition(flags.snapshot, flags.model)
}

export function registerExperimentCommands(program: Command, io: CliIo): void {
  const experiment = program.command('experiment').description('the curiosity ablation (Pixel Reasoner Table 1 in miniature): warm start, GRPO with and without the bonus, text-only')
  experiment
    .command('task')
    .description('add the zoom task to the project (one-digit signs, seen downscaled) and print its oracle: full view vs cue crop')
    .option('--preset <name>', 'cpu-mini | gpu-24gb', preset, 'cpu-mini')
    .option('--count <n>', 'samples (default: the preset\'s)', int)
    .option('--seed <n>', 'scene seed', int, 1)
    .action(async (cmd: { preset: ExperimentPresetName; count?: number; seed: number }) =>
      io.print(await job(io, 'experiments.task', { preset: cmd.preset, seed: cmd.seed, ...(cmd.count ? { count: cmd.count } : {}) }), (r: { added: number; source: string; oracle: ZoomOracle }) =>
        `${r.added} samples of source ${r.source}\n${describeOracle(r.oracle)}\nnext: synthesize traces for them (pixel-studio synthesize --source ${r.source}), accept, and make a snapshot with a validation split`
      )
    )
  experiment
    .command('oracle')
    .description('measure the zoom task\'s oracle without adding samples')
    .option('--preset <name>', 'cpu-mini | gpu-24gb', preset, 'cpu-mini')
    .option('--count <n>', 'scenes', int, 40)
    .option('--seed <n>', 'scene seed', int, 1)
    .action(async (cmd: { preset: ExperimentPresetName; count: number; seed: number }) => io.print(await call(io, 'experiments.oracle', cmd), describeOracle))
  const definitionOptions = (c: Command): Command =>
    c
      .option('--preset <name>', 'start from a preset (cpu-mini, gpu-24gb) instead of a file', preset)
      .option('--snapshot <id>', 'with --preset: the snapshot (with a validation split)')
      .option('--model <path>', 'with --preset gpu-24gb: the local Qwen2.5-VL folder')
  definitionOptions(experiment.command('validate [file]').description('print every problem of a definition (JSON file or a preset)')).action(
    async (file: string | undefined, cmd: { preset?: string; snapshot?: string; model?: string }) => {
      const result = (await call(io, 'experiments.validate', definitionFrom(file, cmd))) as { ok: boolean; problems: string[] }
      io.print(result, (r: typeof result) => (r.ok ? 'ok: the experiment can run' : r.problems.map((p) => `- ${p}`).join('\n')))
      if (!result.ok) process.exitCode = 2
    }
  )
  definitionOptions(experiment.command('create [file]').description('record an experiment from a definition (JSON file or a preset); refused with every problem'))
    .option('--write <file>', 'also write the definition as JSON (to edit and create again)')
    .action(async (file: string | undefined, cmd: { preset?: string; snapshot?: string; model?: string; write?: string }) => {
      const def = definitionFrom(file, cmd)
      const created = (await call(io, 'experiments.create', def)) as Experiment
      if (cmd.write) writeFileSync(cmd.write, `${JSON.stringify(created.definition, null, 2)}\n`)
      io.print(created, describeExperiment)
    })
  experiment
    .command('run <id>')
    .description('queue the warm start, then the GRPO arms from its model; follows until every arm ended (--detach: queue and return)')
    .option('--detach', 'queue and return; a studio that runs the queue (serve, the app) trains the arms')
    .action(async (id: string, cmd: { detach?: boolean }) => {
      const studio = await io.openStudio()
      try {
        if (!cmd.detach) studio.runTrainingQueue()
        let e = (await studio.dispatcher.invoke('experiments.run', { id })) as Experiment
        let last = ''
        while (!cmd.detach && e.status === 'running') {
          const now = describeExperiment(e)
          if (now !== last) process.stderr.write(`${now}\n`)
          last = now
          await new Promise((r) => setTimeout(r, 2000))
          e = (await studio.dispatcher.invoke('experiments.get', { id })) as Experiment
        }
        io.print(e, describeExperiment)
      } finally {
        studio.close()
      }
    })
  experiment
    .command('status [id]')
    .description('one experiment with its arms, or every experiment')
    .action(async (id: string | undefined) =>
      id
        ? io.print(await call(io, 'experiments.get', { id }), describeExperiment)
        : io.print(await call(io, 'experiments.list', {}), (list: Experiment[]) => (list.length === 0 ? 'no experiments yet' : list.map(describeExperiment).join('\n')))
    )
  experiment
    .command('cancel <id>')
    .description('cancel every queued or running arm (each stays resumable with train resume)')
    .action(async (id: string) => io.print(await call(io, 'experiments.cancel', { id }), describeExperiment))
  experiment
    .command('report <id>')
    .description('curves per arm and the Table 1 rows plus RaPR, as Markdown (--json: the whole report)')
    .option('--out <file>', 'write the Markdown (or with --json the JSON) to a file')
    .action(async (id: string, cmd: { out?: string }) => {
      const report = (await call(io, 'experiments.report', { id })) as ExperimentReport
      if (cmd.out) writeFileSync(cmd.out, program.opts<{ json?: boolean }>().json ? `${JSON.stringify(report, null, 2)}\n` : reportMarkdown(report))
      io.print(report, (r: ExperimentReport) => reportMarkdown(r))
    })
}
