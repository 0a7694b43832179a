// The CI smoke version of the curiosity ablation on the REAL trainer (TRL, the tiny Qwen2.5-VL
// built by baseModel tiny-init; no fake trainer): the cpu-mini zoom task, template-synthesized
// traces accepted and snapshotted with a validation split, the cpu-mini preset's definition with
// a few steps per arm, run through the studio's queue. Each arm must end as a succeeded run with
// metrics, the GRPO arms with rollouts, and a row in the report. Needs the trainer Python
// (trainerPython(): PIXEL_STUDIO_PYTHON or .trainer-env); fails, never skips, without it.
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { Studio } from '../../src/main/app/studio'
import { Project } from '../../src/main/project/project'
import { inMemoryTransport } from '../../src/main/rpc/in-memory'
import { StudioClient } from '../../src/shared/contract/client'
import { reportMarkdown } from '../../src/shared/experiment/report-markdown'
import { CPU_MINI } from '../../src/shared/experiment/presets'
import { trainerPython } from '../helpers/python'
import { tempDir } from '../helpers/temp'

const root = tempDir('pixel-studio-ablation-smoke-')
let studio: Studio
let client: StudioClient

beforeAll(() => {
  process.env.PIXEL_STUDIO_PYTHON = trainerPython()
  Project.create(join(root, 'project')).close()
  studio = new Studio({ home: join(root, 'home'), log: () => {} })
  studio.openProject(join(root, 'project'))
  studio.runTrainingQueue()
  client = new StudioClient(inMemoryTransport(studio.dispatcher))
})
afterAll(() => studio?.close())

const ARMS = ['warm-start', 'curiosity', 'no-curiosity', 'text-only']

describe('curiosity ablation smoke (real TRL, tiny Qwen2.5-VL)', () => {
  it('every arm trains for real: the warm start, then three GRPO arms from its model, each with metrics, rollouts and a report row', { timeout: 1_200_000 }, async () => {
    const task = await client.call('experiments.task', { preset: 'cpu-mini', count: 24, seed: 1 })
    expect(task.added).toBe(24)
    const synthesized = await client.call('synthesis.run', { settings: { seed: 1 }, samples: { sampleIds: task.sampleIds } })
    expect(synthesized).toMatchObject({ status: 'succeeded', created: 24 })
    const filter = { source: task.source }
    await client.call('traces.bulk', { filter, action: { type: 'status', status: 'accepted' } })
    const snapshot = await client.call('snapshots.create', { name: 'zoom smoke', filter: { ...filter, status: ['accepted'] }, split: { valFraction: 0.2, seed: 1 } })
    expect(snapshot.traceCount).toBe(24)

    const preset = CPU_MINI.definition(snapshot.id)
    const created = await client.call('experiments.create', {
      ...preset,
      name: 'ablation smoke',
      sft: { ...preset.sft, maxSteps: 20, saveEverySteps: 20 },
      grpo: {
        hyper: { ...preset.grpo.hyper, maxSteps: 2, batchSize: 2, saveEverySteps: 2 },
        settings: { ...preset.grpo.settings, groupSize: 2, maxCompletionTokens: 96 }
      },
      evaluation: { checkpoints: 'every', settings: { maxNewTokensPerTurn: 96 } }
    })
    expect((await client.call('experiments.run', { id: created.id })).status).toBe('running')
    await expect.poll(async () => (await client.call('experiments.get', { id: created.id })).status, { timeout: 1_100_000, interval: 1000 }).toBe('finished')

    const experiment = await client.call('experiments.get', { id: created.id })
    expect(experiment.arms.map((a) => [a.name, a.status])).toEqual(ARMS.map((a) => [a, 'succeeded']))
    const runs = await Promise.all(experiment.arms.map((a) => client.call('training.get', { id: a.runId! })))
    const [warm, ...grpoRuns] = runs
    expect(runs.map((r) => [r.algorithm, r.backend, r.status])).toEqual([['sft', 'trl', 'succeeded'], ...ARMS.slice(1).map(() => ['grpo', 'trl', 'succeeded'])])
    expect(warm!.modelDir).toBeTruthy()
    for (const r of grpoRuns) {
      expect(r.spec.baseModel).toEqual({ kind: 'path', path: warm!.modelDir })
      expect(r.spec.grpo!.maxCompletionTokens).toBe(96)
    }
    expect(grpoRuns.map((r) => [r.spec.grpo!.reward.curiosity, r.spec.grpo!.maxOperations, r.spec.grpo!.groupSize])).toEqual([[true, 4, 2], [false, 4, 2], [false, 0, 2]])

    expect(studio.project.jobs.metrics(warm!.id, ['loss']).length).toBe(20)
    for (const [i, r] of grpoRuns.entries()) {
      const arm = ARMS[i + 1]!
      const steps = (name: string) => studio.project.jobs.metrics(r.id, [name])
      for (const name of ['rapr', 'rewards/curiosity/mean', 'completions/mean_length']) expect(steps(name).map((p) => p.step), `${arm} ${name}`).toEqual([1, 2])
      if (arm !== 'curiosity') expect(steps('rewards/curiosity/mean').map((p) => p.value), arm).toEqual([0, 0])
      const rollouts = await client.call('training.rollouts', { id: r.id })
      expect(rollouts.items.length, arm).toBeGreaterThan(0)
      if (arm === 'text-only') {
        for (const item of rollouts.items) {
          const trace = await client.call('traces.get', { id: item.traceId })
          expect(trace.steps.filter((s) => s.kind === 'crop' || s.kind === 'select_frames' || s.kind === 'observation'), item.traceId).toEqual([])
        }
      }
    }

    // each arm's final model was served and evaluated on the validation split (greedy, stored as traces)
    const validation = new Set([...studio.project.snapshots.items(snapshot.id)].filter((i) => i.split === 'validation').map((i) => i.sampleId))
    expect(validation.size).toBeGreaterThan(0)
    for (const [i, arm] of experiment.arms.entries()) {
      expect(arm.evaluations.map((v) => [v.step, v.status, v.error]), arm.name).toEqual([[runs[i]!.step, 'done', null]])
      const evalRun = (await client.call('eval.runs', {})).find((r) => r.id === arm.evaluations[0]!.evalRunId)!
      expect(evalRun, arm.name).toMatchObject({ status: 'complete', total: validation.size, split: { snapshotId: snapshot.id, side: 'validation' } })
      expect(evalRun.settings.maxOperations, arm.name).toBe(arm.kind === 'text-only' ? 0 : 4)
      const results = await client.call('eval.results', { runId: evalRun.id, outcome: 'all', offset: 0, limit: 100 })
      expect(new Set(results.items.map((r) => r.sampleId)), arm.name).toEqual(validation)
      if (arm.kind === 'text-only') expect(results.items.map((r) => r.operations), arm.name).toEqual(results.items.map(() => 0))
    }

    const report = await client.call('experiments.report', { id: created.id })
    expect(report.table.map((row) => row.arm)).toEqual(ARMS)
    for (const row of report.table) {
      expect(row.steps, row.arm).toBeGreaterThan(0)
      expect(row.accuracy, row.arm).not.toBeNull()
      expect(row.evalRunId, row.arm).toBe(experiment.arms.find((a) => a.name === row.arm)!.evaluations[0]!.evalRunId)
    }
    // the GRPO arms' validation curves start at the warm start's model (step 0)
    const warmFinal = report.curves[0]!.metrics['val/accuracy']!
    for (const c of report.curves.slice(1)) expect(c.metrics['val/accuracy']![0], c.arm).toEqual({ step: 0, value: warmFinal.at(-1)!.value })
    const md = reportMarkdown(report)
    for (const arm of ARMS) expect(md.match(new RegExp(`^\\| ${arm} \\| ${arm} \\| `, 'gm')), arm).toHaveLength(1)
  })
})
