// Bad input refused before a run: a snapshot with nothing accepted, no Python, no torch, a
// missing trainer file, an environment that broke while the run waited in the queue. And the
// machine report: GPUs through nvidia-smi (a stand-in script here), or a clear "no GPU".
import { chmodSync, mkdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { beforeAll, describe, expect, it } from 'vitest'
import { Project } from '../../src/main/project/project'
import { listGpus, parseGpuCsv } from '../../src/main/runtime/gpus'
import { forgetProbes, trainingEnvironment } from '../../src/main/training/preflight'
import { describeEnv } from '../../src/main/training/trainer-env'
import { tempDir } from '../helpers/temp'
import { installFakeTrainer, rejection, supervise, tinyRun, trainingProject, type FakeEnv } from './helpers'

const root = tempDir('pixel-studio-preflight-')
let fake: FakeEnv
let project: Project
let snapshotId: string

beforeAll(async () => {
  fake = installFakeTrainer(join(root, 'fake'))
  ;({ project, snapshotId } = await trainingProject(join(root, 'project')))
})

describe('refused before the run', () => {
  it('a snapshot with no accepted traces, with nothing queued', async () => {
    const sample = project.samples.get('sample-img-001')
    project.traces.insert({ sampleId: sample.id, origin: 'human', question: sample.question, steps: [{ kind: 'answer', text: '\\boxed{A}', boxed: 'A' }], status: 'needs_fix' }, 'test')
    const unreviewed = project.snapshots.create('only needs_fix', { status: ['needs_fix'] })
    const { supervisor } = supervise(project)
    const error = await rejection(supervisor.start(tinyRun(unreviewed.id)))
    expect(error.code).toBe('failed_precondition')
    expect(error.message).toBe('snapshot "only needs_fix" has no accepted traces (1 traces, none accepted): accept traces in Review, make a new snapshot, then train on it')
    expect(supervisor.runs.list()).toEqual([])
    supervisor.detach()
  })

  it('no Python, no torch, no trainer script: each named with what to do', async () => {
    const { supervisor } = supervise(project, { env: { ...process.env, PIXEL_STUDIO_PYTHON: join(root, 'nowhere', 'python3') } })
    const noPython = await rejection(supervisor.start(tinyRun(snapshotId)))
    expect(noPython.message).toContain(`no Python at ${join(root, 'nowhere', 'python3')}: install python3, or set PIXEL_STUDIO_PYTHON`)
    supervisor.detach()

    // no PIXEL_STUDIO_PYTHON and no managed environment: the exact command to run
    const { PIXEL_STUDIO_PYTHON: _unset, ...withoutPython } = process.env
    const managed = supervise(project, { env: withoutPython, home: join(root, 'home-without-env') })
    const noEnv = await rejection(managed.supervisor.start(tinyRun(snapshotId)))
    expect(noEnv.code).toBe('failed_precondition')
    expect(noEnv.message).toContain(`no trainer environment at ${join(root, 'home-without-env', 'trainer-env')}: run \`pixel-studio trainer setup\``)
    managed.supervisor.detach()

    forgetProbes()
    fake.setScenario({ missing: ['torch'], default: [{ exit: 0 }] })
    const second = supervise(project)
    const noTorch = await rejection(second.supervisor.start(tinyRun(snapshotId)))
    expect(noTorch.code).toBe('failed_precondition')
    expect(noTorch.message).toContain("torch cannot be imported by")
    expect(noTorch.message).toContain("ModuleNotFoundError: No module named 'torch'")
    expect(noTorch.message).toContain('pip install trl transformers')

    const resources = process.env.PIXEL_STUDIO_RESOURCES
    process.env.PIXEL_STUDIO_RESOURCES = join(root, 'empty-resources')
    const noScript = await rejection(second.supervisor.start(tinyRun(snapshotId)))
    expect(noScript.message).toContain(`the trainer file ${join(root, 'empty-resources', 'trainer', 'trl', 'pixel_studio_trl.py')} is missing`)
    process.env.PIXEL_STUDIO_RESOURCES = resources
    expect(second.supervisor.runs.list()).toEqual([])
    second.supervisor.detach()
  })

  it('a run whose environment broke while it waited in the queue fails as a dependency error, without starting', async () => {
    forgetProbes()
    fake.setScenario({ default: [{ exit: 0 }] })
    const reader = supervise(project, { runQueue: false })
    const queued = await reader.supervisor.start(tinyRun(snapshotId))
    expect(queued.status).toBe('queued')
    reader.supervisor.detach()
    forgetProbes()
    fake.setScenario({ missing: ['torch'], default: [{ exit: 0 }] })
    const runner = supervise(project)
    const failed = await runner.supervisor.finished(queued.id)
    expect(failed.status).toBe('failed')
    expect(failed.error).toMatchObject({ kind: 'dependency', message: expect.stringContaining('torch cannot be imported') })
    expect(failed.pid).toBeNull()
    runner.supervisor.detach()
    forgetProbes()
  })
})

describe('GPU detection', () => {
  function fakeSmi(name: string, script: string): string {
    const file = join(root, 'bin', name)
    mkdirSync(join(root, 'bin'), { recursive: true })
    writeFileSync(file, `#!/bin/sh\n${script}\n`)
    chmodSync(file, 0o755)
    return file
  }

  it('lists GPUs from nvidia-smi', async () => {
    const smi = fakeSmi('nvidia-smi-2', 'echo "0, NVIDIA A100-SXM4-80GB, 81920, 1024, 3, 550.54.15"\necho "1, NVIDIA A100-SXM4-80GB, 81920, 0, 0, 550.54.15"')
    const listing = await listGpus(smi)
    expect(listing.available).toBe(true)
    expect(listing.gpus).toEqual([
      { index: 0, name: 'NVIDIA A100-SXM4-80GB', memoryTotalMiB: 81920, memoryUsedMiB: 1024, utilizationPercent: 3, driver: '550.54.15' },
      { index: 1, name: 'NVIDIA A100-SXM4-80GB', memoryTotalMiB: 81920, memoryUsedMiB: 0, utilizationPercent: 0, driver: '550.54.15' }
    ])
    expect(listing.description).toBe('2 GPUs: NVIDIA A100-SXM4-80GB, 80 GB; NVIDIA A100-SXM4-80GB, 80 GB (driver 550.54.15)')
    expect(parseGpuCsv('0, T4, [N/A], [N/A], [N/A], 535.1\n')[0]).toMatchObject({ name: 'T4', memoryTotalMiB: null })
  })

  it('says clearly when there is no driver, or the driver does not answer', async () => {
    expect(await listGpus(join(root, 'bin', 'absent-nvidia-smi'))).toEqual({ available: false, description: 'no NVIDIA driver found (nvidia-smi is not installed)', gpus: [] })
    const broken = fakeSmi('nvidia-smi-broken', "echo \"NVIDIA-SMI has failed because it couldn't communicate with the NVIDIA driver.\" >&2\nexit 9")
    const listing = await listGpus(broken)
    expect(listing.available).toBe(false)
    expect(listing.description).toBe("nvidia-smi failed (NVIDIA-SMI has failed because it couldn't communicate with the NVIDIA driver.): is the NVIDIA driver loaded?")
  })

  it('reports the Python and its torch, with advice', async () => {
    forgetProbes()
    fake.setScenario({ missing: ['torch'], default: [] })
    process.env.PIXEL_STUDIO_NVIDIA_SMI = join(root, 'bin', 'absent-nvidia-smi')
    const env = await trainingEnvironment({ path: fake.python, source: 'env' }, describeEnv(join(root, 'no-managed-env')), 1)
    expect(env.python).toMatchObject({ path: fake.python, version: '3.11.0-fake', torch: null, problem: "ModuleNotFoundError: No module named 'torch'" })
    expect(env.pythonSource).toBe('env')
    expect(env.managed).toMatchObject({ exists: false, complete: false, problem: `no trainer environment at ${join(root, 'no-managed-env')}: run \`pixel-studio trainer setup\`` })
    expect(env.advice[0]).toContain('run `pixel-studio trainer setup`')
    expect(env.advice[1]).toContain('TRL trains the tiny model on the CPU; real models and verl need an NVIDIA GPU')
    delete process.env.PIXEL_STUDIO_NVIDIA_SMI
    forgetProbes()
  })
})
