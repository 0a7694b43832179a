// `pixel-studio train ...` as a headless user on a GPU box runs it: the built CLI as a child
// process, the fake trainer as its Python.
import { spawnSync } from 'node:child_process'
import { existsSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { beforeAll, describe, expect, it } from 'vitest'
import type { TrainingRun } from '../../src/shared/contract'
import { CLI, assertBuilt } from '../helpers/serve-process'
import { tempDir } from '../helpers/temp'
import { installFakeTrainer, RECORDED_GRPO, trainingProject, type FakeEnv } from './helpers'

const root = tempDir('pixel-studio-train-cli-')
let fake: FakeEnv
let projectDir: string
let snapshotId: string

beforeAll(async () => {
  fake = installFakeTrainer(join(root, 'fake'))
  projectDir = join(root, 'project')
  const made = await trainingProject(projectDir)
  snapshotId = made.snapshotId
  made.project.close()
})

function cli(args: string[]): { status: number | null; stdout: string; stderr: string } {
  assertBuilt()
  const r = spawnSync(process.execPath, [CLI, '--home', join(root, 'home'), '--project', projectDir, ...args], { encoding: 'utf8', timeout: 60_000, env: process.env })
  return { status: r.status, stdout: r.stdout, stderr: r.stderr }
}

describe('pixel-studio train', () => {
  it('starts a run, streams its log until it ends, then lists, shows and reads its metrics', () => {
    fake.setScenario({ default: [{ replay: RECORDED_GRPO }, { emit: { event: 'done', modelDir: 'output/model', onnxDir: null } }] })
    const started = cli(['train', 'start', '--snapshot', snapshotId, '--algorithm', 'grpo', '--title', 'from the shell'])
    expect(started.status).toBe(0)
    expect(started.stderr).toMatch(/train-\S+ +(queued|running)/)
    expect(started.stdout).toContain('"event":"rollout"')
    expect(started.stdout).toMatch(/succeeded/)
    expect(started.stdout).toContain('checkpoint step 6:')

    const list = JSON.parse(cli(['--json', 'train', 'list']).stdout) as TrainingRun[]
    expect(list).toHaveLength(1)
    expect(list[0]).toMatchObject({ title: 'from the shell', status: 'succeeded', algorithm: 'grpo', step: 6 })
    expect(list[0]!.spec.hyper.learningRate).toBe(1e-4) // the GRPO default for a fresh tiny model
    const metrics = cli(['train', 'metrics', list[0]!.id, '--name', 'loss'])
    expect(metrics.stdout.trim().split('\n')).toHaveLength(7)
    expect(cli(['train', 'logs', list[0]!.id, '--tail', '1']).stdout).toContain('succeeded')
  })

  it('fails with exit code 1 and the error kind when the trainer runs out of memory', () => {
    fake.setScenario({ default: [{ stderr: 'RuntimeError: CUDA out of memory. Tried to allocate 20.00 MiB' }, { exit: 1 }] })
    const started = cli(['train', 'start', '--snapshot', snapshotId])
    expect(started.status).toBe(1)
    expect(started.stdout).toMatch(/failed +trl sft .* oom: out of memory: lower the batch size/)
  })

  it('queues with --detach, and refuses bad input with exit code 2', () => {
    const detached = cli(['--json', 'train', 'start', '--snapshot', snapshotId, '--detach'])
    expect(detached.status).toBe(0)
    expect(JSON.parse(detached.stdout)).toMatchObject({ status: 'queued', queuePosition: 1 })
    const cancelled = cli(['train', 'cancel', (JSON.parse(detached.stdout) as TrainingRun).id])
    expect(cancelled.stdout).toContain('cancelled')
    expect(cli(['train', 'start', '--snapshot', snapshotId, '--algorithm', 'ppo']).status).toBe(2)
  })

  it('prepares a TRL run folder to train elsewhere, without TRL installed here', () => {
    const out = join(root, 'trl-run')
    const prepared = cli(['train', 'prepare', out, '--snapshot', snapshotId, '--backend', 'trl', '--algorithm', 'sft', '--model', '/models/qwen', '--lora-rank', '8'])
    expect(prepared.status).toBe(0)
    for (const f of ['spec.json', 'sft.yaml', 'data/train.jsonl', 'python/pixel_studio_trl.py']) expect(existsSync(join(out, f))).toBe(true)
    expect(readFileSync(join(out, 'sft.yaml'), 'utf8')).toContain('lora_r: 8')
    expect(prepared.stdout).toContain(`run it there with: (cd ${out} &&`)
  })

  it('reports the machine', () => {
    const gpu = cli(['train', 'gpu'])
    expect(gpu.status).toBe(0)
    expect(gpu.stdout).toContain(`python (PIXEL_STUDIO_PYTHON): ${fake.python} 3.11.0-fake`)
    // no managed environment in this home: said, with the command that makes it
    expect(gpu.stdout).toMatch(/^managed env: no trainer environment at .*: run `pixel-studio trainer setup`$/m)
    expect(gpu.stdout).toMatch(/^gpu: /m)
  })
})
