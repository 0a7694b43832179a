// TRL on the tiny Qwen2.5-VL, through the studio and run directly: SFT samples/s and GRPO steps/s
// for a whole run (wall time from training.start to the run's end: process start, imports, the
// tiny model build, training, the final save), beside the same launcher command on a copy of the
// same run folder started by hand. The ratio is the studio's overhead (queue, preflight, dataset
// export, log tailing, metric storage). PIXEL_STUDIO_PYTHON (or .trainer-env) runs the trainer;
// PIXEL_STUDIO_BENCH_SFT_STEPS (default 40) and PIXEL_STUDIO_BENCH_GRPO_STEPS (default 3) size it.
import { spawnSync } from 'node:child_process'
import { cpSync, mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { Studio } from '../src/main/app/studio'
import type { TrainingRun } from '../src/shared/contract'
import { buildTrainingData } from '../test/training/training-data'
import type { BenchReporter, BenchSuite } from './harness'

const SFT_STEPS = Number(process.env.PIXEL_STUDIO_BENCH_SFT_STEPS ?? 40)
const GRPO_STEPS = Number(process.env.PIXEL_STUDIO_BENCH_GRPO_STEPS ?? 3)
const hardware = { device: 'cpu' as const, gpus: 1, nodes: 1 }

/** The finished run's launcher command, run by hand on a fresh copy of its folder. */
function runDirect(run: TrainingRun, into: string): void {
  cpSync(run.runDir, into, { recursive: true })
  rmSync(join(into, 'output'), { recursive: true, force: true })
  rmSync(join(into, 'base-model'), { recursive: true, force: true })
  rmSync(join(into, 'train.log'), { force: true })
  const [python, ...args] = run.command.map((a) => a.replaceAll(run.runDir, into))
  const out = spawnSync(python!, args, { cwd: into, encoding: 'utf8', env: { ...process.env, PYTHONPATH: join(into, 'python'), TRL_EXPERIMENTAL_SILENCE: '1' }, maxBuffer: 1 << 28 })
  if (out.status !== 0 || !out.stdout.includes('"event":"done"')) throw new Error(`direct run failed (${out.status}): ${out.stderr.slice(-2000)}`)
}

async function run(r: BenchReporter): Promise<void> {
  process.env.PIXEL_STUDIO_PYTHON ??= resolve('.trainer-env/bin/python')
  const dir = mkdtempSync(join(tmpdir(), 'pixel-studio-bench-trl-'))
  const studio = new Studio({ home: join(dir, 'home'), log: () => {} })
  // the supervisor's timers and the detached trainer do not hold the event loop: this does
  const keepAlive = setInterval(() => undefined, 1000)
  try {
    const data = await buildTrainingData(dir)
    studio.openProject(join(dir, 'project'))
    studio.runTrainingQueue()
    const finished = async (input: Parameters<Studio['training']['start']>[0]): Promise<TrainingRun> => {
      const done = await studio.training.finished((await studio.training.start(input)).id)
      if (done.status !== 'succeeded') throw new Error(`run ${done.id} ${done.status}: ${done.error?.message ?? ''}`)
      return done
    }

    let sft: TrainingRun | null = null
    const viaStudio = await r.time(`SFT through the studio (samples, ${SFT_STEPS} steps of 1)`, async () => {
      sft = await finished({ snapshotId: data.snapshotId, backend: 'trl', algorithm: 'sft', baseModel: { kind: 'tiny-init', seed: 0 }, hyper: { learningRate: 3e-3, maxSteps: SFT_STEPS, batchSize: 1 }, hardware })
      return SFT_STEPS
    })
    const direct = await r.time('SFT, the same launcher run directly (samples)', () => {
      runDirect(sft!, join(dir, 'direct-sft'))
      return SFT_STEPS
    })
    r.compare(viaStudio, direct)

    let grpo: TrainingRun | null = null
    const grpoStudio = await r.time(`GRPO through the studio (steps, 4 rollouts each)`, async () => {
      grpo = await finished({
        snapshotId: data.snapshotId,
        backend: 'trl',
        algorithm: 'grpo',
        baseModel: { kind: 'path', path: sft!.modelDir! },
        hyper: { learningRate: 1e-4, maxSteps: GRPO_STEPS, batchSize: 1 },
        grpo: { groupSize: 4, maxOperations: 2, maxCompletionTokens: 96, temperature: 0.3 },
        hardware
      })
      return GRPO_STEPS
    })
    const grpoDirect = await r.time('GRPO, the same launcher run directly (steps)', () => {
      runDirect(grpo!, join(dir, 'direct-grpo'))
      return GRPO_STEPS
    })
    r.compare(grpoStudio, grpoDirect)
  } finally {
    clearInterval(keepAlive)
    studio.close()
    rmSync(dir, { recursive: true, force: true })
  }
}

export default { name: 'training-trl', run } satisfies BenchSuite
