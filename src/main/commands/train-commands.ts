// `pixel-studio train ...`: training from a shell, for a GPU box without a browser. Everything goes
// through the contract (dispatcher.invoke), so validation and errors match the UI. `start` and
// `watch` keep this process as the studio that runs the queue and follows the trainer, streaming
// its log; Ctrl+C leaves the trainer running (a later studio re-attaches).
import { InvalidArgumentError, type Command } from 'commander'
import type { ServerMessage, TrainingEnvironment, TrainingRun, TrainingStartInput } from '../../shared/contract'
import { defaultLearningRate, PAPER_GRPO, PAPER_REWARD } from '../../shared/training/defaults'
import type { Studio } from '../app/studio'
import { prepareRunFolder } from '../training/run-folder'

interface GlobalOptions {
  json?: boolean
}

export interface CliHelpers {
  options(): GlobalOptions
  openStudio(): Promise<Studio>
}

const num = (v: string): number => {
  const n = Number(v)
  if (!Number.isFinite(n)) throw new InvalidArgumentError('expected a number')
  return n
}
const int = (v: string): number => {
  const n = num(v)
  if (!Number.isInteger(n)) throw new InvalidArgumentError('expected a whole number')
  return n
}

interface StartFlags {
  snapshot: string
  backend: 'trl' | 'verl'
  algorithm: 'sft' | 'grpo'
  model?: string
  title?: string
  lr?: number
  epochs: number
  maxSteps: number
  batchSize: number
  gradAccum: number
  loraRank: number
  saveEvery: number
  seed: number
  groupSize: number
  maxOperations: number
  rewardFormula: 'paper' | 'released'
  curiosity: boolean
  device: 'auto' | 'cpu' | 'cuda'
  gpus: number
  nodes: number
  rayAddress?: string
  onnx: boolean
  reportTo: Array<'tensorboard' | 'wandb'>
  gradientCheckpointing?: boolean
  maxCompletionTokens: number
  vllm: boolean
  detach?: boolean
}

function startInput(f: StartFlags): TrainingStartInput {
  return {
    snapshotId: f.snapshot,
    backend: f.backend,
    algorithm: f.algorithm,
    ...(f.title ? { title: f.title } : {}),
    baseModel: f.model ? { kind: 'path', path: f.model } : { kind: 'tiny-init', seed: 0 },
    hyper: {
      learningRate: f.lr ?? defaultLearningRate(f.algorithm, !f.model),
      epochs: f.epochs,
      maxSteps: f.maxSteps,
      batchSize: f.batchSize,
      gradAccum: f.gradAccum,
      seed: f.seed,
      loraRank: f.loraRank,
      saveEverySteps: f.saveEvery,
      ...(f.gradientCheckpointing !== undefined ? { gradientCheckpointing: f.gradientCheckpointing } : {})
    },
    ...(f.algorithm === 'grpo'
      ? { grpo: { ...PAPER_GRPO, groupSize: f.groupSize, maxOperations: f.maxOperations, maxCompletionTokens: f.maxCompletionTokens, useVllm: f.vllm, reward: { ...PAPER_REWARD, formula: f.rewardFormula, curiosity: f.curiosity } } }
      : {}),
    reportTo: f.reportTo,
    hardware: { device: f.device, gpus: f.gpus, nodes: f.nodes, ...(f.rayAddress ? { rayAddress: f.rayAddress } : {}) },
    exportOnnx: f.onnx
  }
}

function withRunFlags(cmd: Command): Command {
  return cmd
    .requiredOption('--snapshot <id>', 'dataset snapshot (its accepted traces)')
    .option('--backend <name>', 'trl | verl', 'trl')
    .option('--algorithm <name>', 'sft | grpo', 'sft')
    .option('--model <path>', 'base model folder, a Qwen2-VL/Qwen2.5-VL (default: a fresh tiny Qwen2.5-VL, TRL)')
    .option('--title <text>', 'a name for the run')
    .option('--lr <n>', 'learning rate (default: 1e-5/1e-6 SFT/GRPO; 3e-3/1e-4 for a fresh tiny model)', num)
    .option('--epochs <n>', 'epochs', num, 1)
    .option('--max-steps <n>', 'stop after this many optimizer steps (0: run the epochs)', int, 0)
    .option('--batch-size <n>', 'batch size (GRPO: prompts per step)', int, 1)
    .option('--grad-accum <n>', 'gradient accumulation steps', int, 1)
    .option('--lora-rank <n>', 'LoRA rank (0: full fine-tuning)', int, 0)
    .option('--save-every <n>', 'checkpoint every N steps (0: the backend default)', int, 0)
    .option('--seed <n>', 'random seed', int, 42)
    .option('--group-size <n>', 'GRPO rollouts per query', int, PAPER_GRPO.groupSize)
    .option('--max-operations <n>', 'GRPO operations per rollout', int, PAPER_GRPO.maxOperations)
    .option('--reward-formula <name>', 'curiosity bonus: paper | released', 'paper')
    .option('--no-curiosity', 'GRPO without the curiosity bonus (the paper\'s ablation)')
    .option('--device <device>', 'auto | cpu | cuda', 'auto')
    .option('--gpus <n>', 'GPUs per node (TRL: processes, DDP through accelerate; on --device cpu, CPU processes)', int, 1)
    .option('--nodes <n>', 'nodes (verl on Ray)', int, 1)
    .option('--ray-address <addr>', 'an existing Ray cluster (verl)')
    .option('--no-onnx', 'skip the ONNX export at the end (unused by TRL and verl)')
    .option('--report-to <tracker>', 'also report to an experiment tracker: tensorboard | wandb (repeatable)', (v: string, all: string[]) => [...all, v], [])
    .option('--gradient-checkpointing', 'trade compute for memory (default: on for a GPU run)')
    .option('--no-gradient-checkpointing', 'never checkpoint activations')
    .option('--max-completion-tokens <n>', 'GRPO: tokens a rollout may generate over all its turns', int, 2048)
    .option('--vllm', 'GRPO: generate rollouts with vLLM (where installed)', false)
}

function describe(run: TrainingRun): string {
  const step = run.step === null ? '-' : `${run.step}${run.totalSteps ? `/${run.totalSteps}` : ''}`
  const extra = run.status === 'queued' ? ` (#${run.queuePosition} in queue)` : run.error ? ` ${run.error.kind}: ${run.error.message}` : ''
  return `${run.id}  ${run.status.padEnd(11)} ${`${run.backend} ${run.algorithm}`.padEnd(15)} step ${step.padEnd(9)} ${run.title}${extra}`
}

function details(run: TrainingRun): string {
  const lines = [describe(run), `  run folder: ${run.runDir}`, `  log: ${run.logPath}`]
  if (run.command.length) lines.push(`  command: ${run.command.join(' ')}`)
  for (const c of run.checkpoints) lines.push(`  checkpoint step ${c.step}: ${c.path}`)
  if (run.modelDir) lines.push(`  model: ${run.modelDir}`)
  if (run.onnxDir) lines.push(`  onnx: ${run.onnxDir} (register it: pixel-studio model add ${run.onnxDir})`)
  const latest = Object.entries(run.latest)
  if (latest.length) lines.push(`  latest: ${latest.map(([k, v]) => `${k}=${v.toPrecision(4)}`).join(' ')}`)
  if (run.error?.logTail.length) lines.push('  log tail:', ...run.error.logTail.map((l) => `    ${l}`))
  return lines.join('\n')
}

/** Streams a run's log until it ends; resolves with how it ended. Ctrl+C leaves it running. */
async function follow(studio: Studio, id: string): Promise<TrainingRun> {
  const keepAlive = setInterval(() => {}, 1 << 30)
  const link = studio.dispatcher.attach({
    send: (m: ServerMessage) => {
      if (m.t === 'event' && m.topic === 'training.log' && (m.payload as { jobId: string }).jobId === id) {
        for (const line of (m.payload as { lines: string[] }).lines) process.stdout.write(`${line}\n`)
      }
    }
  })
  const interrupt = (): void => {
    process.stderr.write(`\nstopped following ${id}; the trainer keeps running (pixel-studio train cancel ${id} stops it)\n`)
    studio.close()
    process.exit(130)
  }
  process.once('SIGINT', interrupt)
  try {
    return await studio.training.finished(id)
  } finally {
    process.off('SIGINT', interrupt)
    link.detach()
    clearInterval(keepAlive)
  }
}

export function registerTrainCommands(program: Command, helpers: CliHelpers): void {
  const print = (value: unknown, human: string): void => console.log(helpers.options().json ? JSON.stringify(value, null, 2) : human)
  const train = program.command('train').description('SFT and GRPO runs: queue, follow, cancel, resume (TRL, verl)')

  const run = async <T>(work: (studio: Studio) => Promise<T>, keepOpen = false): Promise<T> => {
    const studio = await helpers.openStudio()
    try {
      return await work(studio)
    } finally {
      if (!keepOpen) studio.close()
    }
  }
  const finishWith = (result: TrainingRun): void => {
    print(result, details(result))
    process.exitCode = result.status === 'succeeded' ? 0 : 1
  }

  withRunFlags(train.command('start').description('queue a run; without --detach, run the queue here and stream the log until it ends'))
    .option('--detach', 'queue it and return (a running studio, `serve` or `train watch`, starts it)')
    .action(async (flags: StartFlags) => {
      await run(async (studio) => {
        if (!flags.detach) studio.runTrainingQueue()
        const queued = (await studio.dispatcher.invoke('training.start', startInput(flags))) as TrainingRun
        if (flags.detach) return print(queued, describe(queued))
        process.stderr.write(`${describe(queued)}\n`)
        finishWith(await follow(studio, queued.id))
      })
    })

  withRunFlags(train.command('prepare <folder>').description('write a run folder (dataset, spec.json, configs, command) to train elsewhere; nothing is queued'))
    .action(async (folder: string, flags: StartFlags) => {
      await run(async (studio) => {
        const prepared = await prepareRunFolder(studio.project, startInput(flags), folder, studio.training.python)
        print(prepared, [`wrote ${folder}: ${prepared.files.join(', ')}`, `run it there with: (cd ${folder} && ${[prepared.command.command, ...prepared.command.args].join(' ')})`].join('\n'))
      })
    })

  train
    .command('list')
    .description('runs, newest first')
    .action(async () => {
      await run(async (studio) => {
        const runs = (await studio.dispatcher.invoke('training.list', {})) as TrainingRun[]
        print(runs, runs.length ? runs.map(describe).join('\n') : 'no training runs yet (pixel-studio train start --snapshot <id>)')
      })
    })

  train
    .command('show <id>')
    .description('one run: folder, command, checkpoints, artifacts, error with its log tail')
    .action(async (id: string) => {
      await run(async (studio) => {
        const found = (await studio.dispatcher.invoke('training.get', { id })) as TrainingRun
        print(found, details(found))
      })
    })

  train
    .command('logs <id>')
    .description('the last lines of a run\'s log')
    .option('--tail <n>', 'lines', int, 100)
    .action(async (id: string, cmd: { tail: number }) => {
      await run(async (studio) => {
        const logs = (await studio.dispatcher.invoke('training.logs', { id, tail: cmd.tail })) as { lines: string[] }
        print(logs, logs.lines.join('\n'))
      })
    })

  train
    .command('metrics <ids...>')
    .description('metrics per step of one or more runs')
    .option('--name <names...>', 'only these metrics (e.g. loss reward rapr)')
    .action(async (ids: string[], cmd: { name?: string[] }) => {
      await run(async (studio) => {
        const result = (await studio.dispatcher.invoke('training.metrics', { ids, ...(cmd.name ? { names: cmd.name } : {}) })) as { runs: Array<{ id: string; title: string; points: Array<{ name: string; step: number; value: number }> }> }
        print(result, result.runs.map((r) => [`${r.id} ${r.title}`, ...r.points.map((p) => `  ${p.name}\t${p.step}\t${p.value}`)].join('\n')).join('\n'))
      })
    })

  train
    .command('cancel <id>')
    .description('cancel a run (SIGTERM: the trainer saves a checkpoint; SIGKILL after a grace period)')
    .action(async (id: string) => {
      await run(async (studio) => {
        const result = (await studio.dispatcher.invoke('training.cancel', { id })) as TrainingRun
        print(result, describe(result))
      })
    })

  train
    .command('resume <id>')
    .description('queue a failed, cancelled or interrupted run from its last checkpoint; without --detach, run it here')
    .option('--detach', 'queue it and return')
    .action(async (id: string, cmd: { detach?: boolean }) => {
      await run(async (studio) => {
        if (!cmd.detach) studio.runTrainingQueue()
        const queued = (await studio.dispatcher.invoke('training.resume', { id })) as TrainingRun
        if (cmd.detach) return print(queued, describe(queued))
        finishWith(await follow(studio, id))
      })
    })

  train
    .command('watch <id>')
    .description('run the queue here and stream a run\'s log until it ends (re-attaches to a running trainer)')
    .action(async (id: string) => {
      await run(async (studio) => {
        studio.runTrainingQueue()
        finishWith(await follow(studio, id))
      })
    })

  train
    .command('gpu')
    .description('GPUs (nvidia-smi), the Python that runs trainers and its torch, with advice')
    .action(async () => {
      await run(async (studio) => {
        const env = (await studio.dispatcher.invoke('training.gpu', {})) as TrainingEnvironment
        const managed = env.managed.complete
          ? `managed env: ${env.managed.dir} (torch ${env.managed.torchVariant}): ${Object.entries(env.managed.versions).map(([k, v]) => `${k} ${v ?? '-'}`).join(', ')}`
          : `managed env: ${env.managed.problem ?? env.managed.dir}`
        print(
          env,
          [
            `gpu: ${env.gpu.description}`,
            managed,
            `python (${env.pythonSource === 'env' ? 'PIXEL_STUDIO_PYTHON' : 'managed env'}): ${env.python.path} ${env.python.version ?? '(not runnable)'}`,
            `torch: ${env.python.torch ?? 'not installed'}${env.python.torchCuda ? ' (CUDA)' : env.python.torch ? ' (CPU)' : ''}`,
            `runs at once: ${env.slots}`,
            ...env.advice.map((a) => `- ${a}`)
          ].join('\n')
        )
      })
    })
}
