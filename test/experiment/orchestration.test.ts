// Orchestration tests: an experiment's arms as ordinary training runs through the real
// supervisor (real child processes, SQLite, run folders), with the supervisor tests' scripted
// fake trainer standing in for TRL (it replays a recorded GRPO event stream). They check what the
// studio does with the arms: the warm start first, each GRPO arm from its model with only the
// compared setting changed, the queue, a failed warm start holding the arms until it is resumed,
// cancel, and the report. Whether TRL itself trains is the trl branch's test.
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Project } from '../../src/main/project/project'
import { ExperimentOrchestrator, onTrainingRunChanged } from '../../src/main/experiment/orchestrator'
import { experimentReport } from '../../src/main/experiment/report'
import type { TrainingSupervisor } from '../../src/main/training/supervisor'
import { reportMarkdown } from '../../src/shared/experiment/report-markdown'
import { tempDir } from '../helpers/temp'
import { installFakeTrainer, RECORDED_GRPO, supervise, trainingProject, type FakeEnv } from '../training/helpers'
import { definition, holdOutForValidation, modelFolder, TOOL_TEMPLATE } from './helpers'

const root = tempDir('pixel-studio-experiment-run-')
let fake: FakeEnv
let project: Project
let snapshotId: string
let model: string

const done = { emit: { event: 'done', modelDir: 'output/model', onnxDir: null } }

/** The real supervisor, with the studio's hook: a run that ended advances its experiments. */
function studioSupervisor(): { supervisor: TrainingSupervisor; orchestrator: ExperimentOrchestrator } {
  let supervisor: TrainingSupervisor | null = null
  const made = supervise(project, { events: { run: (run) => supervisor && onTrainingRunChanged(project, supervisor, run, null), metrics: () => {}, log: () => {}, traces: () => {} } })
  supervisor = made.supervisor
  return { supervisor, orchestrator: new ExperimentOrchestrator(project, supervisor) }
}

beforeAll(async () => {
  fake = installFakeTrainer(join(root, 'fake'))
  ;({ project, snapshotId } = await trainingProject(join(root, 'project')))
  holdOutForValidation(project, snapshotId, 'sample-img-002')
  model = modelFolder(join(root, 'qwen-tools'), 'qwen2_5_vl', TOOL_TEMPLATE)
})
afterAll(() => project?.close())

describe('experiment orchestration (fake trainer)', () => {
  it('runs the warm start, then each GRPO arm from its model; every arm has metrics, rollouts and a report row', async () => {
    fake.setScenario({ default: [{ replay: RECORDED_GRPO, delayMs: 2 }, done] })
    const { supervisor, orchestrator } = studioSupervisor()
    const created = orchestrator.create(definition(snapshotId, model))
    const started = await orchestrator.run(created.id)
    expect(started.status).toBe('running')
    expect(started.arms.filter((a) => a.runId !== null).map((a) => a.name)).toEqual(['warm-start'])
    await expect.poll(() => orchestrator.store.get(created.id).status, { timeout: 90_000, interval: 200 }).toBe('finished')

    const experiment = orchestrator.store.get(created.id)
    const runs = experiment.arms.map((a) => supervisor.runs.get(a.runId!))
    const [warm, curiosity, plain, textOnly] = runs
    expect(runs.map((r) => [r.algorithm, r.backend, r.status])).toEqual([
      ['sft', 'trl', 'succeeded'],
      ['grpo', 'trl', 'succeeded'],
      ['grpo', 'trl', 'succeeded'],
      ['grpo', 'trl', 'succeeded']
    ])
    // the warm start trained first, then the arms in definition order, one at a time
    expect(readFileSync(fake.startsFile, 'utf8').trim().split('\n').slice(-4)).toEqual(runs.map((r) => r.id))
    for (const r of [curiosity, plain, textOnly]) {
      expect(r!.startedAt! >= warm!.finishedAt!).toBe(true)
      expect(r!.spec.baseModel).toEqual({ kind: 'path', path: join(warm!.runDir, 'output', 'model') })
    }
    // only the compared setting differs; the seed is the experiment's in every arm
    expect(runs.map((r) => r.spec.hyper.seed)).toEqual([7, 7, 7, 7])
    expect([curiosity, plain, textOnly].map((r) => [r!.spec.grpo!.reward.curiosity, r!.spec.grpo!.maxOperations])).toEqual([
      [true, 4],
      [false, 4],
      [false, 0]
    ])
    const same = (r: (typeof runs)[number]) => ({ ...r.spec, runId: '', baseModel: null, grpo: { ...r.spec.grpo!, maxOperations: 0, reward: { ...r.spec.grpo!.reward, curiosity: false } } })
    expect(same(curiosity!)).toEqual(same(plain!))
    expect(same(curiosity!)).toEqual(same(textOnly!))

    const report = experimentReport(project, supervisor, experiment)
    expect(report.table.map((r) => [r.arm, r.status, r.steps, r.rollouts])).toEqual([
      ['warm-start', 'succeeded', 6, 2],
      ['curiosity', 'succeeded', 6, 2],
      ['no-curiosity', 'succeeded', 6, 2],
      ['text-only', 'succeeded', 6, 2]
    ])
    for (const c of report.curves) {
      expect(c.metrics.rapr?.map((p) => p.step)).toEqual([1, 2, 3, 4, 5, 6])
      expect(c.metrics['rewards/curiosity/mean']).toHaveLength(6)
    }
    expect(report.table[1]!.trainRapr).toBe(report.curves[1]!.metrics.rapr!.at(-1)!.value)
    const md = reportMarkdown(report)
    for (const arm of ['warm-start', 'curiosity', 'no-curiosity', 'text-only']) expect(md).toMatch(new RegExp(`^\\| ${arm} \\| `, 'm'))
    await orchestrator.advance(created.id)
    supervisor.detach()
  }, 120_000)

  it('holds the GRPO arms while the warm start failed, and queues them when it is resumed and succeeds', async () => {
    fake.setScenario({ default: [{ emit: { event: 'metrics', step: 1, values: { loss: 2 } } }, { checkpoint: 1 }, { stderr: 'RuntimeError: boom' }, { exit: 1 }] })
    const { supervisor, orchestrator } = studioSupervisor()
    const created = orchestrator.create(definition(snapshotId, model))
    const warmId = (await orchestrator.run(created.id)).arms[0]!.runId!
    await expect.poll(() => orchestrator.store.get(created.id).status, { timeout: 60_000, interval: 100 }).toBe('failed')
    const held = orchestrator.store.get(created.id)
    expect(held.arms.slice(1).map((a) => [a.runId, a.status, a.blocked])).toEqual(
      ['curiosity', 'no-curiosity', 'text-only'].map(() => [null, 'waiting', `the warm start failed; resume run ${warmId} and this arm follows`])
    )

    fake.setScenario({ default: [{ replay: RECORDED_GRPO, delayMs: 1 }, done] })
    supervisor.resume(warmId)
    await expect.poll(() => orchestrator.store.get(created.id).status, { timeout: 90_000, interval: 200 }).toBe('finished')
    expect(orchestrator.store.get(created.id).arms.every((a) => a.runId !== null)).toBe(true)
    await orchestrator.advance(created.id)
    supervisor.detach()
  }, 150_000)

  it('cancels every queued or running arm; each stays resumable', async () => {
    fake.setScenario({ default: [{ replay: RECORDED_GRPO, delayMs: 1 }, done] })
    const { supervisor, orchestrator } = studioSupervisor()
    const created = orchestrator.create(definition(snapshotId, model))
    await orchestrator.run(created.id)
    // the arms start once the warm start succeeded; then make them hang
    await expect.poll(() => orchestrator.store.get(created.id).arms[1]!.runId, { timeout: 60_000, interval: 100 }).not.toBeNull()
    fake.setScenario({ default: [{ hang: true, everyMs: 30 }] })
    const experiment = orchestrator.store.get(created.id)
    await expect.poll(() => experiment.arms.slice(1).some((a) => supervisor.runs.get(a.runId!).status === 'running'), { timeout: 60_000, interval: 100 }).toBe(true)
    await orchestrator.cancel(created.id)
    await expect.poll(() => orchestrator.store.get(created.id).status, { timeout: 60_000, interval: 100 }).toBe('cancelled')
    const arms = orchestrator.store.get(created.id).arms
    expect(arms[0]!.status).toBe('succeeded')
    expect(arms.slice(1).map((a) => a.status)).toEqual(['cancelled', 'cancelled', 'cancelled'])
    expect(supervisor.resume(arms[1]!.runId!).status).toMatch(/queued|running/)
    supervisor.cancel(arms[1]!.runId!)
    await supervisor.finished(arms[1]!.runId!)
    // one advance at a time: this waits for the one the cancelled run's end started
    expect((await orchestrator.advance(created.id)).status).toBe('cancelled')
    supervisor.detach()
  }, 150_000)
})
