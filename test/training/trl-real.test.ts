// TRL for real, through the studio (training.start, backend trl) on the tiny Qwen2.5-VL the
// launcher builds (baseModel tiny-init): SFT on an accepted snapshot of the sample project (loss
// on assistant turns only — checked on a collated batch — and a loss that falls), then GRPO from
// that warm start through TRL's own tool-calling loop: the crop tool is called, its image goes back
// into the conversation, the reward is logged per part. Needs the trainer Python (trainerPython():
// PIXEL_STUDIO_PYTHON or .trainer-env); fails, never skips, without it.
import { spawnSync } from 'node:child_process'
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { Studio } from '../../src/main/app/studio'
import { inMemoryTransport } from '../../src/main/rpc/in-memory'
import { StudioClient } from '../../src/shared/contract/client'
import { trainerPython } from '../helpers/python'
import { rejection } from '../helpers/rejection'
import { tempDir } from '../helpers/temp'
import { buildTrainingData, type TrainingData } from './training-data'

const root = tempDir('pixel-studio-trl-real-')
let studio: Studio
let client: StudioClient
let data: TrainingData
let sftModel: string

const hardware = { device: 'cpu' as const, gpus: 1, nodes: 1 }

/** An SFT run of the tiny Qwen2.5-VL built from scratch, on the test snapshot, on the CPU. */
function start(title: string, hyper: Record<string, number>, extra: Record<string, unknown> = {}) {
  return client.call('training.start', { snapshotId: data.snapshotId, backend: 'trl', algorithm: 'sft', title, baseModel: { kind: 'tiny-init', seed: 0 }, hyper: { learningRate: 3e-3, batchSize: 1, ...hyper }, hardware, ...extra })
}

beforeAll(async () => {
  process.env.PIXEL_STUDIO_PYTHON = trainerPython()
  data = await buildTrainingData(root)
  studio = new Studio({ home: join(root, 'home'), log: () => {} })
  studio.openProject(join(root, 'project'))
  studio.runTrainingQueue()
  client = new StudioClient(inMemoryTransport(studio.dispatcher))
})
afterAll(() => studio?.close())

describe('TRL through the studio on the tiny Qwen2.5-VL', () => {
  it('SFT: labels cover exactly the assistant turns (wrong looks masked); the loss is finite and falls', { timeout: 1_800_000 }, async () => {
    const run = await start('tiny qwen sft', { maxSteps: 120, saveEverySteps: 60 })
    const done = await studio.training.finished(run.id)
    expect(done.error).toBeNull()
    expect(done.status).toBe('succeeded')
    const loss = studio.project.jobs.metrics(run.id, ['loss']).map((p) => p.value)
    expect(loss.length).toBe(120)
    expect(loss.every(Number.isFinite)).toBe(true)
    const mean = (xs: number[]): number => xs.reduce((a, b) => a + b, 0) / xs.length
    expect(mean(loss.slice(-10))).toBeLessThan(mean(loss.slice(0, 10)) / 4)
    expect(done.checkpoints.map((c) => c.step)).toEqual([60, 120])
    sftModel = done.modelDir!

    // the collated batch of the run's own data, on the model it trained
    const runDir = join(root, 'project', 'runs', run.id)
    const check = spawnSync(trainerPython(), ['test/training/fixtures/collated_batch.py', join(runDir, 'base-model'), join(runDir, 'data', 'train.jsonl')], { encoding: 'utf8', timeout: 300_000 })
    expect(check.status, check.stderr.slice(-2000)).toBe(0)
    const batch = JSON.parse(check.stdout.trim().split('\n').at(-1) ?? '') as { records: Array<{ labelled: string[]; expected: string[]; wrong_look_turns: number[]; labels_match_ids: boolean; vision_labelled: boolean; image_tokens: number }> }
    expect(batch.records.length).toBe(data.records)
    expect(batch.records.some((r) => r.wrong_look_turns.length > 0)).toBe(true)
    for (const r of batch.records) {
      expect(r.labelled).toEqual(r.expected)
      expect(r.labels_match_ids).toBe(true)
      expect(r.vision_labelled).toBe(false)
      expect(r.image_tokens).toBeGreaterThan(0)
    }
  })

  it('GRPO after the warm start: the crop tool runs, its image returns to the model, the reward is logged per part', { timeout: 1_800_000 }, async () => {
    expect(sftModel).toBeTruthy()
    const run = await client.call('training.start', {
      snapshotId: data.snapshotId,
      backend: 'trl',
      algorithm: 'grpo',
      title: 'tiny qwen grpo',
      baseModel: { kind: 'path', path: sftModel },
      hyper: { learningRate: 1e-4, maxSteps: 2, batchSize: 1 },
      grpo: { groupSize: 4, maxOperations: 2, maxCompletionTokens: 96, temperature: 0.3 },
      hardware
    })
    const done = await studio.training.finished(run.id)
    expect(done.error).toBeNull()
    expect(done.status).toBe('succeeded')
    const metrics = studio.project.jobs.metrics(run.id)
    const names = new Set(metrics.map((p) => p.name))
    for (const name of ['reward', 'rewards/correctness/mean', 'rewards/curiosity/mean', 'rewards/penalty/mean', 'rapr', 'tools/call_frequency', 'tools/failure_frequency']) expect(names.has(name), name).toBe(true)
    // TRL executed the tool and appended its result (a tool message with the crop) to the rollout
    expect(Math.max(...metrics.filter((p) => p.name === 'tools/call_frequency').map((p) => p.value))).toBeGreaterThan(0)

    const rollouts = await client.call('training.rollouts', { id: run.id })
    expect(rollouts.items.length).toBeGreaterThan(0)
    let sawCropAndAnswer = false
    for (const item of rollouts.items) {
      const trace = await client.call('traces.get', { id: item.traceId })
      expect(trace.origin).toBe('rollout')
      const kinds = trace.steps.map((s) => s.kind)
      const observation = trace.steps.find((s) => s.kind === 'observation')
      // the model wrote a turn after the observation: the crop went back into its conversation
      if (kinds.includes('crop') && observation?.kind === 'observation' && observation.result.type === 'crop' && kinds.indexOf('answer') > kinds.indexOf('observation')) sawCropAndAnswer = true
    }
    expect(sawCropAndAnswer).toBe(true)
  })

  it('the trained SFT run comes back: its folder registers as a checkpoint model, answers a sample through the agent loop (stored as a trace) and Evaluate scores it', { timeout: 1_800_000 }, async () => {
    expect(sftModel).toBeTruthy()
    const sftRun = studio.project.jobs.list().find((j) => j.title === 'tiny qwen sft')
    expect(sftRun).toBeTruthy()
    // the run's folder, as the Train page's "Serve checkpoint" passes it: its final model is found
    const entry = await client.call('models.addCheckpoint', { path: join(root, 'project', 'runs', sftRun!.id) })
    expect(entry).toMatchObject({ kind: 'checkpoint' })
    try {
      await client.call('inference.load', { modelId: entry.id, device: 'cpu' })
      const sampleId = data.samples[0]!.id
      const result = await client.call('inference.run', { sampleId })
      expect(result.stop).not.toBe('error')
      // 120 SFT steps on these traces: the model writes a parsed call or a boxed answer
      expect(result.operations > 0 || result.answer !== null, JSON.stringify(result.steps.slice(0, 3))).toBe(true)
      const trace = await client.call('traces.get', { id: result.traceId })
      expect(trace).toMatchObject({ origin: 'inference', sampleId })
      const source = data.samples[0]!.source
      const evaluated = await client.call('eval.run', { source, modelId: entry.id, limit: 1, label: 'trained-sft' })
      expect(evaluated).toMatchObject({ status: 'complete' })
    } finally {
      await client.call('inference.unload', {})
    }
  })

  it('the same SFT through `accelerate launch --num_processes 2` (DDP on the CPU) finishes', { timeout: 1_800_000 }, async () => {
    const run = await start('tiny qwen sft ddp', { maxSteps: 4 }, { hardware: { device: 'cpu', gpus: 2, nodes: 1 } })
    const done = await studio.training.finished(run.id)
    expect(done.error).toBeNull()
    expect(done.status).toBe('succeeded')
    expect(studio.project.jobs.metrics(run.id, ['loss']).length).toBe(4)
    // two processes split the 3 records: an epoch is 2 steps (one process alone needs 3)
    const epochs = studio.project.jobs.metrics(run.id, ['epoch'])
    expect(epochs.find((p) => p.step === 1)?.value).toBe(0.5)
    const runDir = join(root, 'project', 'runs', run.id)
    expect(readFileSync(join(runDir, 'accelerate-multinode.yaml'), 'utf8')).toContain('main_process_ip: "NODE0_ADDRESS"')
  })

  it('LoRA SFT with a tracker: the final model is merged (loads like any folder) and TensorBoard gets the curves', { timeout: 1_800_000 }, async () => {
    const run = await start('tiny qwen lora', { maxSteps: 3, loraRank: 4 }, { reportTo: ['tensorboard'] })
    const done = await studio.training.finished(run.id)
    expect(done.error).toBeNull()
    expect(done.status).toBe('succeeded')
    const files = readdirSync(done.modelDir!)
    expect(files).toContain('model.safetensors')
    expect(files).not.toContain('adapter_config.json')
    expect(files).toContain('chat_template.jinja')
    const runDir = join(root, 'project', 'runs', run.id)
    const events = readdirSync(join(runDir, 'output', 'runs'), { recursive: true }).map(String)
    expect(events.some((f) => f.includes('events.out.tfevents'))).toBe(true)
  })

  it('cancels a TRL run (SIGTERM: it saves a checkpoint) and resumes it from that checkpoint', { timeout: 1_800_000 }, async () => {
    const run = await start('tiny qwen sft cancel', { maxSteps: 400, saveEverySteps: 200 })
    await expect.poll(() => studio.training.runs.get(run.id).step ?? 0, { timeout: 600_000, interval: 200 }).toBeGreaterThanOrEqual(2)
    await client.call('training.cancel', { id: run.id })
    const cancelled = await studio.training.finished(run.id)
    expect(cancelled.status).toBe('cancelled')
    // the launcher saved a checkpoint at the step it stopped on (none was due before step 200)
    const checkpoint = cancelled.checkpoints.at(-1)
    expect(checkpoint).toBeDefined()
    expect(checkpoint!.step).toBeLessThan(200)
    expect(existsSync(join(checkpoint!.path, 'trainer_state.json'))).toBe(true)

    await client.call('training.resume', { id: run.id })
    // the resumed attempt continues from the checkpoint: its next logged step follows it
    await expect.poll(() => studio.training.runs.get(run.id).step ?? 0, { timeout: 600_000, interval: 200 }).toBeGreaterThan(checkpoint!.step)
    const logs = await client.call('training.logs', { id: run.id, tail: 400 })
    expect(logs.lines.join('\n')).toContain(`resuming from ${checkpoint!.path}`)
    const steps = studio.project.jobs.metrics(run.id, ['loss']).map((p) => p.step)
    expect(steps).toContain(checkpoint!.step + 1)
    await client.call('training.cancel', { id: run.id })
    expect((await studio.training.finished(run.id)).status).toBe('cancelled')
  })

  it('a killed trainer fails its run with the log, and the studio keeps serving', { timeout: 1_800_000 }, async () => {
    const run = await start('tiny qwen sft killed', { maxSteps: 400 })
    await expect.poll(() => studio.training.runs.get(run.id).step ?? 0, { timeout: 600_000, interval: 200 }).toBeGreaterThanOrEqual(1)
    process.kill(studio.training.runs.get(run.id).pid!, 'SIGKILL')
    const failed = await studio.training.finished(run.id)
    expect(failed.status).toBe('failed')
    expect(failed.error?.message).toContain('SIGKILL')
    expect(failed.error?.logTail?.some((l) => l.includes('"event":"metrics"'))).toBe(true)
    expect((await client.call('training.list', {})).some((r) => r.id === run.id)).toBe(true)
  })

  it('refuses a model folder that is not Qwen2-VL / Qwen2.5-VL, naming what it is', async () => {
    const folder = join(root, 'not-qwen')
    mkdirSync(folder, { recursive: true })
    writeFileSync(join(folder, 'config.json'), JSON.stringify({ model_type: 'llama' }))
    const error = await rejection(client.call('training.start', { snapshotId: data.snapshotId, backend: 'trl', algorithm: 'sft', baseModel: { kind: 'path', path: folder }, hyper: { learningRate: 1e-5 }, hardware }))
    expect(error.code).toBe('invalid_input')
    expect(error.message).toContain('is a "llama" model; the TRL trainer trains Qwen2-VL and Qwen2.5-VL')
  })
})
