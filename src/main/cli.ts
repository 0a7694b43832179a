// Front door 3: `pixel-studio <command>` for headless work (a GPU box, scripts, CI). Every
// command goes through the same dispatcher as the UI, so validation and errors are identical.
import { spawn } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { Command, CommanderError, InvalidArgumentError } from 'commander'
import { StudioError, contract, type JobProgress, type SynthesisResult } from '../shared/contract'
import { Studio } from './app/studio'
import { studioHome } from './settings/settings'
import { STUDIO_VERSION } from './settings/version'
import { registerEvalCommands } from './commands/eval-commands'
import { registerExperimentCommands } from './commands/experiment-commands'
import { startServer } from './serve/http-server'
import { registerTrainCommands } from './commands/train-commands'
import { ProgressPrinter } from './commands/progress-printer'
import { TEXT_CHUNK } from './traces/text-index'
import { registerTrainerCommands } from './commands/trainer-commands'

const program = new Command()
  .name('pixel-studio')
  .description('Pixel Studio: curate, train and inspect pixel-space reasoning (Pixel Reasoner)')
  .version(STUDIO_VERSION)
  .option('--home <dir>', 'where the studio keeps settings and the sample project (env PIXEL_STUDIO_HOME)')
  .option('--project <dir>', 'project folder to open (default: the last one, else the sample project)')
  .option('--json', 'print results as JSON; errors as one JSON object {code, message, issues} on stderr')
  // usage errors (unknown option, missing argument) come back to the catch at the end instead of
  // exiting, so --json reports them as JSON too (subcommands inherit both settings)
  .exitOverride()
  .configureOutput({ outputError: (text, write) => (wantsJson() ? undefined : write(text)) })

interface GlobalOptions {
  home?: string
  project?: string
  json?: boolean
}

function parsePort(value: string): number {
  const n = Number(value)
  if (!Number.isInteger(n) || n < 0 || n > 65535) throw new InvalidArgumentError('expected a port number 0-65535')
  return n
}

async function openStudio(options: GlobalOptions): Promise<Studio> {
  const studio = new Studio({ home: options.home ?? studioHome() })
  if (options.project) studio.openProject(options.project)
  else await studio.openDefault()
  return studio
}

const progress = new ProgressPrinter()
const printProgress = (p: JobProgress): void => progress.update(p)

async function invoke(options: GlobalOptions, method: string, input: unknown): Promise<unknown> {
  const studio = await openStudio(options)
  try {
    const result = await studio.dispatcher.invoke(method, input, { onProgress: (p) => printProgress(p as JobProgress) })
    // a command leaves its traces searchable: the full-text tail the process did not catch up
    // in the background (or a killed one left) is indexed before it exits (traces/text-index.ts);
    // more than a chunk says so (after a 1M-trace import: ~15 s)
    if (studio.hasProject) {
      const text = studio.project.traces.text
      const total = text.pending()
      if (total > TEXT_CHUNK) {
        progress.end() // the command's own line first
        text.drain((done) => printProgress({ done: Math.min(done, total), total, unit: 'traces indexed for search' }))
        progress.end()
      } else text.drain()
    }
    return result
  } finally {
    studio.close()
  }
}

function print(value: unknown, json: boolean | undefined, human?: (v: never) => string): void {
  console.log(json || !human ? JSON.stringify(value, null, 2) : human(value as never))
}

program
  .command('serve')
  .description('serve the studio over HTTP + WebSocket on 127.0.0.1 and print its URL')
  .option('-p, --port <port>', 'port (0 picks a free one)', parsePort, 5717)
  .option('--open', 'open the URL in the default browser')
  .action(async (cmd: { port: number; open?: boolean }) => {
    const options = program.opts<GlobalOptions>()
    const studio = await openStudio(options)
    studio.runTrainingQueue() // queued runs start here; running trainers are followed
    const server = await startServer({ studio, port: cmd.port, rendererDir: join(__dirname, '../renderer') })
    console.log(`Pixel Studio ${STUDIO_VERSION} serving project ${studio.project.dir}`)
    console.log(`Open: ${server.url}`)
    console.log('(only this URL, with its token, can use the studio; Ctrl+C stops it)')
    if (cmd.open) spawn('xdg-open', [server.url], { stdio: 'ignore', detached: true }).on('error', () => {}).unref()
    const stop = (): void => {
      void server.close().then(() => {
        studio.close()
        process.exit(0)
      })
    }
    process.once('SIGINT', stop)
    process.once('SIGTERM', stop)
  })

const project = program.command('project').description('create, open and describe projects')
project
  .command('create <dir>')
  .description('create a project folder (new or empty)')
  .option('--sample', 'fill it with the generated sample data')
  .action(async (dir: string, cmd: { sample?: boolean }) => {
    const options = program.opts<GlobalOptions>()
    const studio = new Studio({ home: options.home ?? studioHome() })
    const controller = new AbortController()
    process.once('SIGINT', () => controller.abort())
    try {
      const info = await studio.dispatcher.invoke('project.create', { path: dir, withSampleData: Boolean(cmd.sample) }, {
        signal: controller.signal,
        onProgress: (p) => printProgress(p as JobProgress)
      })
      progress.end()
      print(info, options.json, (i: { path: string; counts: { samples: number } }) => `created ${i.path} (${i.counts.samples} samples)`)
    } finally {
      studio.close()
    }
  })
project
  .command('info')
  .description('describe the open project')
  .action(async () => {
    const options = program.opts<GlobalOptions>()
    print(await invoke(options, 'project.current', {}), options.json, (i: { name: string; path: string; schemaVersion: number; counts: { samples: number; media: number } }) =>
      `${i.name}\n  path: ${i.path}\n  schema: v${i.schemaVersion}\n  samples: ${i.counts.samples}\n  media: ${i.counts.media}`
    )
  })

program
  .command('samples')
  .description('list samples of the project')
  .option('--offset <n>', 'first row', (v) => Number(v), 0)
  .option('--limit <n>', 'rows', (v) => Number(v), 50)
  .action(async (cmd: { offset: number; limit: number }) => {
    const options = program.opts<GlobalOptions>()
    print(await invoke(options, 'samples.list', { offset: cmd.offset, limit: cmd.limit }), options.json, (page: { total: number; items: Array<{ id: string; kind: string; answer: string; question: string }> }) =>
      [...page.items.map((s) => `${s.id}\t${s.kind}\t${s.answer}\t${s.question.split('\n')[0]}`), `(${page.items.length} of ${page.total})`].join('\n')
    )
  })

program
  .command('runtime')
  .description('which execution provider (CPU/CUDA) models use, and why')
  .action(async () => {
    const options = program.opts<GlobalOptions>()
    const studio = new Studio({ home: options.home ?? studioHome() })
    print(await studio.dispatcher.invoke('runtime.report', {}), options.json, (r: { active: string; providers: Array<{ name: string; available: boolean; reason: string }>; gpu: { description: string } }) =>
      [`active: ${r.active}`, ...r.providers.map((p) => `  ${p.name}: ${p.available ? 'available' : 'unavailable'} - ${p.reason}`), `  gpu: ${r.gpu.description}`].join('\n')
    )
  })

const model = program.command('model').description('register models: ONNX folders, PyTorch checkpoints, OpenAI-compatible endpoints (nothing is downloaded)')
model
  .command('list')
  .description('registered models, re-validated')
  .action(async () => {
    const options = program.opts<GlobalOptions>()
    const studio = new Studio({ home: options.home ?? studioHome() })
    print(await studio.dispatcher.invoke('models.list', {}), options.json, (models: Array<{ id: string; name: string; dtype: string; totalBytes: number; path: string; problem: string | null }>) =>
      models.length === 0
        ? 'no models registered (model add <folder>, or model make-demo <folder>)'
        : models.map((m) => `${m.id}  ${m.name}  ${m.dtype}  ${(m.totalBytes / 1e6).toFixed(1)} MB  ${m.path}${m.problem ? `\n    problem: ${m.problem}` : ''}`).join('\n')
    )
  })
model
  .command('add <folder>')
  .description('register a transformers.js Qwen2-VL / Qwen2.5-VL ONNX folder')
  .option('--name <name>', 'display name')
  .action(async (folder: string, cmd: { name?: string }) => {
    const options = program.opts<GlobalOptions>()
    const studio = new Studio({ home: options.home ?? studioHome() })
    print(await studio.dispatcher.invoke('models.add', { path: folder, ...(cmd.name ? { name: cmd.name } : {}) }), true)
  })
model
  .command('add-checkpoint <folder>')
  .description("register a PyTorch Qwen2-VL / Qwen2.5-VL checkpoint, a LoRA adapter (merged on load) or a training run's folder (its final model, else its newest checkpoint); loading it serves it with the trainer environment")
  .option('--name <name>', 'display name')
  .action(async (folder: string, cmd: { name?: string }) => {
    const options = program.opts<GlobalOptions>()
    const studio = new Studio({ home: options.home ?? studioHome() })
    print(await studio.dispatcher.invoke('models.addCheckpoint', { path: folder, ...(cmd.name ? { name: cmd.name } : {}) }), true)
  })
model
  .command('add-endpoint <baseUrl> <model>')
  .description('register an OpenAI-compatible chat endpoint (vLLM, SGLang, ...) serving <model>: it writes the turns, the studio runs the crops')
  .option('--name <name>', 'display name (default: "<model> (endpoint)")')
  .option('--timeout-ms <ms>', 'per request', (v) => Number(v))
  .action(async (baseUrl: string, served: string, cmd: { name?: string; timeoutMs?: number }) => {
    const options = program.opts<GlobalOptions>()
    const studio = new Studio({ home: options.home ?? studioHome() })
    // the key comes from the environment, never from a command line (shell history, ps)
    const apiKey = process.env.PIXEL_STUDIO_ENDPOINT_API_KEY
    print(await studio.dispatcher.invoke('models.addEndpoint', { name: cmd.name ?? `${served} (endpoint)`, baseUrl, model: served, ...(apiKey ? { apiKey } : {}), ...(cmd.timeoutMs ? { timeoutMs: cmd.timeoutMs } : {}) }), true)
  })
model
  .command('make-demo <folder>')
  .description('generate and register a tiny scripted demo model (not a real VLM)')
  .option('--script <name>', 'cropThenAnswer | selectFramesThenAnswer | answerOnly', 'cropThenAnswer')
  .action(async (folder: string, cmd: { script: string }) => {
    const options = program.opts<GlobalOptions>()
    const studio = new Studio({ home: options.home ?? studioHome() })
    print(await studio.dispatcher.invoke('models.createDemo', { path: folder, script: cmd.script }), true)
  })

program
  .command('infer <sampleId>')
  .description('run the agent loop of a model on a sample, streaming its text')
  .requiredOption('--model <id>', 'registered model id (model list)')
  .option('--device <device>', 'auto | cpu | cuda', 'auto')
  .option('--max-operations <n>', 'operations allowed', (v) => Number(v), 4)
  .action(async (sampleId: string, cmd: { model: string; device: string; maxOperations: number }) => {
    const options = program.opts<GlobalOptions>()
    const studio = await openStudio(options)
    const controller = new AbortController()
    process.once('SIGINT', () => controller.abort())
    try {
      const status = (await studio.dispatcher.invoke('inference.load', { modelId: cmd.model, device: cmd.device })) as { loaded: { provider: { active: string; reason: string } } }
      process.stderr.write(`provider: ${status.loaded.provider.active} (${status.loaded.provider.reason})\n`)
      const result = await studio.dispatcher.invoke('inference.run', { sampleId, settings: { maxOperations: cmd.maxOperations } }, {
        signal: controller.signal,
        onProgress: (p) => {
          const event = (p as { event: { type: string; text?: string; name?: string; args?: unknown } }).event
          if (options.json) return
          if (event.type === 'token') process.stdout.write(event.text ?? '')
          else if (event.type === 'observation') process.stdout.write(`\n[observation]${event.text ?? ''}\n`)
        }
      })
      if (options.json) print(result, true)
      else {
        const r = result as { answer: string | null; gold: string; stop: string; operations: number; ms: number }
        console.log(`\n\nanswer: ${r.answer ?? '(none)'}  gold: ${r.gold}  stop: ${r.stop}  operations: ${r.operations}  ${r.ms.toFixed(0)} ms`)
      }
    } finally {
      await studio.inference.close()
      studio.close()
    }
  })

/** A job with progress on stderr; Ctrl+C cancels it (the job cleans up what it wrote). */
async function invokeJob(options: GlobalOptions, method: string, input: unknown): Promise<unknown> {
  const studio = await openStudio(options)
  const controller = new AbortController()
  const cancel = (): void => controller.abort()
  process.once('SIGINT', cancel)
  try {
    const result = await studio.dispatcher.invoke(method, input, { signal: controller.signal, onProgress: (p) => printProgress(p as JobProgress) })
    progress.end()
    return result
  } finally {
    process.off('SIGINT', cancel)
    studio.close()
  }
}

/** A trace filter from the --status / --origin (comma-separated) / --source / --flag / --query flags (the contract validates it). */
function traceFilterFlags(cmd: { status?: string | undefined; origin?: string | undefined; source?: string | undefined; flag?: string | undefined; query?: string | undefined }): Record<string, unknown> {
  const list = (v: string | undefined): string[] | undefined => v?.split(',').map((x) => x.trim()).filter(Boolean)
  const filter = { status: list(cmd.status), origin: list(cmd.origin), source: cmd.source, flag: cmd.flag, query: cmd.query }
  return Object.fromEntries(Object.entries(filter).filter(([, v]) => v !== undefined))
}

const snapshot = program.command('snapshot').description('dataset snapshots: create, list and export')
snapshot
  .command('create <name>')
  .description('freeze the traces a filter matches (each at its current revision) as an immutable, hashed snapshot')
  .option('--status <statuses>', 'comma-separated: unreviewed,accepted,rejected,needs_fix (default: accepted)', 'accepted')
  .option('--origin <origins>', 'comma-separated: synthesized,human,inference,rollout,imported')
  .option('--source <source>', 'sample source, e.g. bench:vstar')
  .option('--flag <flag>', 'only traces with this flag')
  .option('--query <words>', 'full-text search')
  .option('--val-fraction <f>', 'hold out this share of the samples (per source, 0 < f < 1) for validation; exports write it as the eval set', (v) => Number(v))
  .option('--seed <n>', 'seed of the train/validation split (the same seed holds out the same samples)', (v) => Number(v), 1)
  .action(async (name: string, cmd: { status: string; origin?: string; source?: string; flag?: string; query?: string; valFraction?: number; seed: number }) => {
    const options = program.opts<GlobalOptions>()
    const input = { name, filter: traceFilterFlags(cmd), ...(cmd.valFraction !== undefined ? { split: { valFraction: cmd.valFraction, seed: cmd.seed } } : {}) }
    print(await invoke(options, 'snapshots.create', input), options.json, (s: { id: string; traceCount: number; hash: string; split: { validationCount: number } | null }) =>
      `${s.id}\t${s.traceCount} traces${s.split ? ` (${s.split.validationCount} held out for validation)` : ''}\t${s.hash}`
    )
  })
snapshot
  .command('list')
  .description('snapshots of the project, newest first')
  .action(async () => {
    const options = program.opts<GlobalOptions>()
    print(await invoke(options, 'snapshots.list', {}), options.json, (list: Array<{ id: string; name: string; traceCount: number; hash: string; usedBy: unknown[] }>) =>
      list.length === 0 ? 'no snapshots yet' : list.map((s) => `${s.id}\t${s.name}\t${s.traceCount} traces\t${s.hash.slice(0, 12)}\tused by ${s.usedBy.length}`).join('\n')
    )
  })
snapshot
  .command('export <snapshotId> <outDir>')
  .description('write a snapshot as trainer files (crops as files, manifest.json) into a new or empty folder')
  .option('--format <format>', 'trl | llamafactory | verl | pixelreasoner', 'trl')
  .option('--name <name>', 'data file name (default: from the snapshot name)')
  .option('--crop-tool-name <name>', 'crop_image_normalized | crop_image | zoom_in', 'crop_image_normalized')
  .option('--llamafactory-mode <mode>', 'text (exact chat) | tools (function_call turns)', 'text')
  .option('--media-paths <kind>', 'absolute | relative (default: absolute for trl and pixelreasoner, relative for llamafactory)')
  .action(async (snapshotId: string, outDir: string, cmd: { format: string; name?: string; cropToolName: string; llamafactoryMode: string; mediaPaths?: string }) => {
    const options = program.opts<GlobalOptions>()
    const input = {
      snapshotId,
      outDir,
      format: cmd.format,
      cropToolName: cmd.cropToolName,
      llamaFactoryMode: cmd.llamafactoryMode,
      ...(cmd.name ? { name: cmd.name } : {}),
      ...(cmd.mediaPaths ? { mediaPaths: cmd.mediaPaths } : {})
    }
    print(await invokeJob(options, 'snapshots.export', input), options.json, (r: { records: number; images: number; outDir: string; files: string[] }) =>
      `exported ${r.records} records and ${r.images} images to ${r.outDir}\n  ${r.files.join('\n  ')}`
    )
  })

const tracesCommand = program.command('traces').description('traces: import from trainer files')
tracesCommand
  .command('import <path>')
  .description('import traces (a sample each) from a data file or an export folder; bad records are listed and skipped; re-runs resume')
  .requiredOption('--format <format>', 'trl | llamafactory | pixelreasoner')
  .option('--image-root <dir>', 'where relative media paths start (default: the data file\'s folder)')
  .action(async (path: string, cmd: { format: string; imageRoot?: string }) => {
    const options = program.opts<GlobalOptions>()
    print(await invokeJob(options, 'traces.import', { path, format: cmd.format, ...(cmd.imageRoot ? { imageRoot: cmd.imageRoot } : {}) }), options.json, (r: { imported: number; alreadyPresent: number; skipped: Array<{ file: string; record: number; message: string }> }) =>
      [`${r.imported} imported, ${r.alreadyPresent} already present, ${r.skipped.length} skipped`, ...r.skipped.map((s) => `  ${s.file}:${s.record} ${s.message}`)].join('\n')
    )
  })

tracesCommand
  .command('bulk')
  .description('one bulk change over the traces a filter matches (one undo step in Review\'s bulk history): set a status, add or remove a flag')
  .option('--status <statuses>', 'select: comma-separated unreviewed,accepted,rejected,needs_fix')
  .option('--origin <origins>', 'select: comma-separated synthesized,human,inference,rollout,imported')
  .option('--source <source>', 'select: sample source, e.g. generated:zoom-task')
  .option('--flag <flag>', 'select: only traces with this flag')
  .option('--query <words>', 'select: full-text search')
  .option('--set-status <status>', 'action: accepted | rejected | needs_fix | unreviewed')
  .option('--add-flag <flag>', 'action: add this flag')
  .option('--remove-flag <flag>', 'action: remove this flag')
  .action(async (cmd: { status?: string; origin?: string; source?: string; flag?: string; query?: string; setStatus?: string; addFlag?: string; removeFlag?: string }) => {
    const options = program.opts<GlobalOptions>()
    const actions = [
      cmd.setStatus !== undefined ? { type: 'status', status: cmd.setStatus } : null,
      cmd.addFlag !== undefined ? { type: 'addFlag', flag: cmd.addFlag } : null,
      cmd.removeFlag !== undefined ? { type: 'removeFlag', flag: cmd.removeFlag } : null
    ].filter((a) => a !== null)
    if (actions.length !== 1) throw new InvalidArgumentError('give exactly one action: --set-status, --add-flag or --remove-flag')
    print(await invoke(options, 'traces.bulk', { filter: traceFilterFlags(cmd), action: actions[0] }), options.json, (r: { label: string; selected: number; changed: number; id: string }) =>
      `${r.label}: ${r.changed} of ${r.selected} selected traces changed (bulk change ${r.id}; undo in Review's bulk history)`
    )
  })

registerTrainCommands(program, { options: () => program.opts<GlobalOptions>(), openStudio: () => openStudio(program.opts<GlobalOptions>()) })
registerTrainerCommands(program, { options: () => program.opts<GlobalOptions>(), home: () => program.opts<GlobalOptions>().home ?? studioHome() })

program
  .command('synthesize')
  .description('synthesize reasoning traces from annotated samples (paper recipe, self-correction mix) as a resumable job')
  .option('--source <source>', 'only samples of this source (e.g. generated:sample-project)')
  .option('--kind <kind>', 'only image or video samples')
  .option('--sample <ids...>', 'only these sample ids')
  .option('--limit <n>', 'at most this many samples', (v) => Number(v))
  .option('--narrator <kind>', 'template | vlm | openai (endpoint: call synthesis.setEndpoint)', 'template')
  .option('--model <id>', 'with --narrator vlm: load this registered model first')
  .option('--seed <n>', 'random seed (the same seed writes the same traces)', (v) => Number(v), 1)
  .option('--image-self-correction <share>', 'share of image traces that correct themselves (paper: 0.7)', (v) => Number(v))
  .option('--video-self-correction <share>', 'share of video traces that re-select frames (paper: 0.1)', (v) => Number(v))
  .option('--iou <threshold>', 'least IoU of the final crop with the cue (both padded)', (v) => Number(v))
  .option('--templates <file>', 'JSON file of template overrides ({"zoomIn": ["..."], ...})')
  .option('--concurrency <n>', 'samples at once', (v) => Number(v))
  .option('--resume <jobId>', 'continue this job with its own settings')
  .action(async (cmd: { source?: string; kind?: string; sample?: string[]; limit?: number; narrator: string; model?: string; seed: number; imageSelfCorrection?: number; videoSelfCorrection?: number; iou?: number; templates?: string; concurrency?: number; resume?: string }) => {
    const options = program.opts<GlobalOptions>()
    const studio = await openStudio(options)
    const controller = new AbortController()
    process.once('SIGINT', () => controller.abort())
    let jobId = cmd.resume
    try {
      if (cmd.model) await studio.dispatcher.invoke('inference.load', { modelId: cmd.model, device: 'auto' })
      const templates: unknown = cmd.templates ? JSON.parse(readFileSync(cmd.templates, 'utf8')) : undefined
      const defined = <T extends Record<string, unknown>>(o: T): Partial<T> => Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>
      const input = cmd.resume
        ? { resume: cmd.resume }
        : {
            settings: defined({ narrator: cmd.narrator, seed: cmd.seed, imageSelfCorrection: cmd.imageSelfCorrection, videoSelfCorrection: cmd.videoSelfCorrection, cueIouThreshold: cmd.iou, templates, concurrency: cmd.concurrency }),
            samples: defined({ source: cmd.source, kind: cmd.kind, sampleIds: cmd.sample, limit: cmd.limit })
          }
      const result = (await studio.dispatcher.invoke('synthesis.run', input, {
        signal: controller.signal,
        onProgress: (p) => {
          const progress = p as JobProgress
          jobId = /^job (\S+):/.exec(progress.message ?? '')?.[1] ?? jobId
          printProgress(progress)
        }
      })) as SynthesisResult
      progress.end()
      print(result, options.json, (r: SynthesisResult) =>
        [
          `job ${r.jobId} ${r.status}: ${r.created} traces made, ${r.alreadyPresent} already there, ${r.flagged} flagged for review, ${r.skipped} samples skipped`,
          ...Object.entries(r.byRecipe).map(([recipe, n]) => `  ${recipe}: ${n}`),
          ...r.skippedSamples.slice(0, 20).map((s) => `  skipped ${s.sampleId}: [${s.code}] ${s.message}`),
          ...(r.error ? [`stopped: ${r.error}`] : []),
          ...(r.status !== 'succeeded' || r.skipped > 0 ? [`resume: pixel-studio synthesize --resume ${r.jobId}`] : [])
        ].join('\n')
      )
      if (result.status !== 'succeeded') process.exitCode = 1
    } catch (error) {
      if (error instanceof StudioError && error.code === 'cancelled' && jobId) process.stderr.write(`\ncancelled; resume: pixel-studio synthesize --resume ${jobId}\n`)
      throw error
    } finally {
      await studio.inference.close()
      studio.close()
    }
  })

program
  .command('methods')
  .description('list every method of the studio contract')
  .action(() => {
    for (const [name, spec] of Object.entries(contract)) console.log(`${name.padEnd(22)} ${spec.kind.padEnd(4)} ${spec.summary}`)
  })

program
  .command('call <method> [input]')
  .description('call any contract method with a JSON input, e.g. call samples.get \'{"id":"sample-img-001"}\'')
  .action(async (method: string, input: string | undefined) => {
    const options = program.opts<GlobalOptions>()
    let parsed: unknown = {}
    if (input !== undefined) {
      try {
        parsed = JSON.parse(input)
      } catch (error) {
        throw new StudioError('invalid_input', `input is not valid JSON: ${(error as Error).message}`)
      }
    }
    print(await invoke(options, method, parsed), true)
  })

const cliIo = {
  openStudio: () => openStudio(program.opts<GlobalOptions>()),
  print: (value: unknown, human: (v: never) => string) => print(value, program.opts<GlobalOptions>().json, human),
  progress: printProgress,
  progressEnd: () => progress.end()
}
registerEvalCommands(program, cliIo)
registerExperimentCommands(program, cliIo)

/** --json anywhere before a `--`: set before commander has parsed (a usage error may stop it). */
function wantsJson(): boolean {
  const args = process.argv.slice(2)
  const end = args.indexOf('--')
  return (end < 0 ? args : args.slice(0, end)).includes('--json')
}

program.parseAsync(process.argv).catch((error: unknown) => {
  // thrown by an action (commander prints only what its own parsing rejects)
  if (error instanceof InvalidArgumentError) reportError(new StudioError('invalid_input', error.message), 2)
  if (error instanceof CommanderError) {
    if (error.exitCode === 0) process.exit(0) // --help, --version
    if (!wantsJson()) process.exit(2) // commander has printed it
    reportError(new StudioError('invalid_input', error.message.replace(/^error: /, '')), 2)
  }
  if (error instanceof StudioError) reportError(error, error.code === 'invalid_input' || error.code === 'unknown_method' ? 2 : 1)
  if (wantsJson()) reportError(new StudioError('internal', error instanceof Error ? error.message : String(error)), 1)
  console.error(error instanceof Error ? (error.stack ?? error.message) : String(error))
  process.exit(1)
})

/** An error on stderr: `error [code]: message`, or with --json one JSON object {code, message, issues}. */
function reportError(error: StudioError, exitCode: number): never {
  if (wantsJson()) process.stderr.write(`${JSON.stringify({ code: error.code, message: error.message, issues: error.issues ?? [] })}\n`)
  else console.error(`error [${error.code}]: ${error.message}`)
  process.exit(exitCode)
}
