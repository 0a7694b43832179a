// The job supervisor with real child processes: a scripted fake trainer (replaying a recorded
// TrainerEvent stream, then crashing, printing OOM text, filling the disk, hanging until SIGTERM
// or ignoring it) run through the tiny-torch adapter's real command line, real SQLite, real logs.
import { existsSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { Project } from '../../src/main/project/project'
import { isAlive } from '../../src/main/jobs/process-alive'
import { tempDir } from '../helpers/temp'
import { installFakeTrainer, RECORDED_GRPO, supervise, tinyRun, trainingProject, type FakeEnv } from './helpers'

const root = tempDir('pixel-studio-train-')
let fake: FakeEnv
let project: Project
let snapshotId: string

beforeAll(async () => {
  fake = installFakeTrainer(join(root, 'fake'))
  ;({ project, snapshotId } = await trainingProject(join(root, 'project')))
})
afterAll(() => project?.close())

const done = { emit: { event: 'done', modelDir: 'output/model', onnxDir: null } }

describe('training supervisor', () => {
  it('runs a recorded GRPO stream to success: metrics per step, checkpoints, rollouts as traces, logs', async () => {
    fake.setScenario({ default: [{ replay: RECORDED_GRPO, delayMs: 5 }, done] })
    const { supervisor, seen } = supervise(project)
    const queued = await supervisor.start(tinyRun(snapshotId))
    expect(queued.status).toMatch(/queued|running/)
    const run = await supervisor.finished(queued.id)
    expect(run.status).toBe('succeeded')
    expect(run.error).toBeNull()
    expect(run.step).toBe(6)
    expect(run.device).toBe('cpu')
    expect(run.modelDir).toBe(join(run.runDir, 'output', 'model'))
    // the spec the trainer read, with the dataset written from the snapshot's accepted traces
    const spec = JSON.parse(readFileSync(join(run.runDir, 'spec.json'), 'utf8'))
    expect(spec).toMatchObject({ runId: run.id, backend: 'trl', algorithm: 'grpo', dataset: { snapshotId, format: 'trl', records: 2, train: 'data/train.jsonl' } })
    expect(spec.grpo.reward).toEqual({ formula: 'paper', alpha: 0.5, beta: 0.05, targetRapr: 0.3, freeOperations: 1, curiosity: true })
    expect(readFileSync(join(run.runDir, 'data', 'train.jsonl'), 'utf8').trim().split('\n')).toHaveLength(2)
    expect(run.command).toEqual([fake.python, join(run.runDir, 'python', 'pixel_studio_trl.py'), '--run-dir', run.runDir, '--config', 'grpo.yaml'])

    const loss = project.jobs.metrics(run.id, ['loss'])
    expect(loss.map((p) => p.step)).toEqual([1, 2, 3, 4, 5, 6])
    expect(loss.at(-1)!.value).toBeLessThan(loss[0]!.value)
    for (const name of ['reward', 'rewards/curiosity/mean', 'rapr', 'ops_per_response', 'accuracy']) expect(project.jobs.metrics(run.id, [name])).toHaveLength(6)
    expect(seen.metrics.filter((p) => p.name === 'loss')).toHaveLength(6)
    expect(run.latest.accuracy).toBeCloseTo(0.75)

    expect(run.checkpoints.map((c) => c.step)).toEqual([3, 6])
    for (const c of run.checkpoints) expect(existsSync(c.path)).toBe(true)
    expect(run.checkpoints[0]!.path).toBe(join(run.runDir, 'output', 'checkpoints', 'step-3'))

    // two rollouts at step 2, stored as traces with their crops recomputed
    expect(run.rollouts).toBe(2)
    expect(seen.traces).toHaveLength(2)
    const trace = project.traces.get(seen.traces[0]!)
    expect(trace).toMatchObject({ origin: 'rollout', sampleId: 'sample-img-001', status: 'unreviewed', originDetail: { jobId: run.id, runId: run.id, step: 2, settings: { reward: 1.15, correct: true, operations: 1 } } })
    expect(trace.steps.map((s) => s.kind)).toEqual(['thought', 'crop', 'observation', 'answer'])
    const observation = trace.steps[2]!
    expect(observation.kind === 'observation' && observation.result.type).toBe('crop')
    expect(project.traces.get(seen.traces[1]!).steps.map((s) => s.kind)).toEqual(['answer'])

    expect(seen.logs.some((l) => l.includes('"event":"started"'))).toBe(true)
    expect(readFileSync(run.logPath, 'utf8')).toContain('succeeded')
    expect(seen.runs.at(-1)!.status).toBe('succeeded')
    supervisor.detach()
  })

  it('marks a crashed trainer failed with its log tail, and keeps serving: the next run succeeds', async () => {
    fake.setScenario({
      bySeed: { '1': [{ emit: { event: 'metrics', step: 1, values: { loss: 3 } } }, { stderr: 'Traceback (most recent call last):\n  File "train.py", line 3\nRuntimeError: boom in the model' }, { exit: 1 }] },
      default: [done]
    })
    const { supervisor } = supervise(project)
    const crashed = await supervisor.finished((await supervisor.start(tinyRun(snapshotId, 1))).id)
    expect(crashed.status).toBe('failed')
    expect(crashed.error?.kind).toBe('crash')
    expect(crashed.error?.message).toContain('exited with code 1')
    expect(crashed.error?.message).toContain('RuntimeError: boom in the model')
    expect(crashed.error?.logTail.some((l) => l.includes('Traceback'))).toBe(true)
    expect(crashed.step).toBe(1)
    const next = await supervisor.finished((await supervisor.start(tinyRun(snapshotId, 2))).id)
    expect(next.status).toBe('succeeded')
    supervisor.detach()
  })

  it('names out-of-memory text, disk full (event or ENOSPC text) and a silent clean exit', async () => {
    fake.setScenario({
      bySeed: {
        '11': [{ stderr: 'torch.cuda.OutOfMemoryError: CUDA out of memory. Tried to allocate 2.00 GiB' }, { exit: 1 }],
        '12': [{ emit: { event: 'error', kind: 'disk', message: "[Errno 28] No space left on device: 'output/checkpoints/step-4'" } }, { exit: 1 }],
        '13': [{ stderr: "OSError: [Errno 28] No space left on device: 'output/onnx/model.onnx'" }, { exit: 1 }],
        '14': [{ emit: { event: 'metrics', step: 1, values: { loss: 1 } } }, { exit: 0 }],
        '15': [{ checkpoint: 3 }, { emit: { event: 'log', level: 'info', message: 'stopped by SIGTERM after step 3 of 10; resume from the checkpoint above' } }, { exit: 0 }]
      }
    })
    const { supervisor } = supervise(project)
    const outcome = async (seed: number) => supervisor.finished((await supervisor.start(tinyRun(snapshotId, seed))).id)
    const oom = await outcome(11)
    expect(oom.error).toMatchObject({ kind: 'oom' })
    expect(oom.error!.message).toMatch(/^out of memory: lower the batch size/)
    const diskEvent = await outcome(12)
    expect(diskEvent.error).toMatchObject({ kind: 'disk', message: expect.stringContaining('No space left on device') })
    const diskText = await outcome(13)
    expect(diskText.error).toMatchObject({ kind: 'disk', message: expect.stringContaining('the disk is full') })
    const silent = await outcome(14)
    expect(silent.status).toBe('failed')
    expect(silent.error!.message).toContain('without reporting that it finished')
    // stopped by a signal from elsewhere (a shutdown) after a checkpoint: resumable, not a failure
    const stopped = await outcome(15)
    expect(stopped.status).toBe('interrupted')
    expect(stopped.error).toMatchObject({ kind: 'interrupted', message: expect.stringContaining('saved a checkpoint') })
    expect(stopped.checkpoints.map((c) => c.step)).toEqual([3])
    supervisor.detach()
  })

  it('skips and counts malformed event lines while the run goes on', async () => {
    fake.setScenario({
      bySeed: {
        '16': [
          { emit: { event: 'metrics', step: 1, values: { loss: 3 } } },
          { emit: '{"event":"metrics","step":2,"values":{"loss":"high"}}' },
          { emit: '{"event": "metrics", "step": 2, "values": {"loss": 2.5' },
          { emit: { event: 'metrics', step: 3, values: { loss: 2 } } },
          { emit: { event: 'done', modelDir: 'output', onnxDir: null } },
          { exit: 0 }
        ]
      }
    })
    const { supervisor } = supervise(project)
    const run = await supervisor.finished((await supervisor.start(tinyRun(snapshotId, 16))).id)
    expect(run.status).toBe('succeeded')
    expect(project.jobs.metrics(run.id, ['loss']).map((p) => [p.step, p.value])).toEqual([[1, 3], [3, 2]])
    expect(run.latest.malformed_lines).toBe(2)
    expect(project.jobs.metrics(run.id, ['malformed_lines']).map((p) => [p.step, p.value])).toEqual([[1, 2]])
    supervisor.detach()
  })

  it('cancels gracefully (SIGTERM: the trainer checkpoints), then resumes from that checkpoint', async () => {
    fake.setScenario({ default: [{ hang: true, everyMs: 30 }] })
    const { supervisor } = supervise(project)
    const started = await supervisor.start(tinyRun(snapshotId))
    await expect.poll(() => supervisor.runs.get(started.id).step ?? 0).toBeGreaterThanOrEqual(3)
    const cancelling = supervisor.cancel(started.id)
    expect(cancelling.cancelRequested).toBe(true)
    const cancelled = await supervisor.finished(started.id)
    expect(cancelled.status).toBe('cancelled')
    expect(cancelled.error).toBeNull()
    const last = cancelled.checkpoints.at(-1)!
    expect(last.step).toBeGreaterThanOrEqual(3)
    expect(existsSync(last.path)).toBe(true)
    expect(readFileSync(cancelled.logPath, 'utf8')).toContain(`stopped at step ${last.step} on SIGTERM`)

    fake.setScenario({ default: [{ emit: { event: 'metrics', step: 100, values: { loss: 0.1 } } }, done] })
    const queued = supervisor.resume(started.id)
    expect(queued.spec.resumeFrom).toBe(last.path)
    const resumed = await supervisor.finished(started.id)
    expect(resumed.status).toBe('succeeded')
    expect(resumed.attempt).toBe(2)
    expect(JSON.parse(readFileSync(join(resumed.runDir, 'spec.json'), 'utf8')).resumeFrom).toBe(last.path)
    const log = readFileSync(resumed.logPath, 'utf8')
    expect(log).toContain(`resumed from step ${last.step}`)
    expect(log).toContain('attempt 2')
    expect(project.jobs.metrics(started.id, ['loss']).at(-1)).toMatchObject({ step: 100, value: 0.1 })
    expect(() => supervisor.resume(started.id)).toThrow(/succeeded/)
    supervisor.detach()
  })

  it('kills a trainer that ignores SIGTERM once the grace period is over', async () => {
    fake.setScenario({ default: [{ onTerm: 'ignore' }, { hang: true, everyMs: 30 }] })
    const { supervisor } = supervise(project, { graceMs: 600 })
    const started = await supervisor.start(tinyRun(snapshotId))
    await expect.poll(() => supervisor.runs.get(started.id).step ?? 0).toBeGreaterThanOrEqual(2)
    const pid = supervisor.runs.get(started.id).pid!
    supervisor.cancel(started.id)
    const cancelled = await supervisor.finished(started.id)
    expect(cancelled.status).toBe('cancelled')
    expect(readFileSync(cancelled.logPath, 'utf8')).toContain('ignoring SIGTERM')
    expect(isAlive(pid)).toBe(false)
    supervisor.detach()
  })

  it('starts queued runs one at a time, in the order they were queued', async () => {
    fake.setScenario({ default: [{ sleep: 200 }, done] })
    const { supervisor } = supervise(project)
    const runs = [await supervisor.start(tinyRun(snapshotId, 21)), await supervisor.start(tinyRun(snapshotId, 22)), await supervisor.start(tinyRun(snapshotId, 23))]
    expect(supervisor.runs.get(runs[1]!.id)).toMatchObject({ status: 'queued', queuePosition: 1 })
    expect(supervisor.runs.get(runs[2]!.id)).toMatchObject({ status: 'queued', queuePosition: 2 })
    const finished = await Promise.all(runs.map((r) => supervisor.finished(r.id)))
    expect(finished.map((r) => r.status)).toEqual(['succeeded', 'succeeded', 'succeeded'])
    const starts = readFileSync(fake.startsFile, 'utf8').trim().split('\n')
    expect(starts.slice(-3)).toEqual(runs.map((r) => r.id))
    for (let i = 1; i < 3; i++) expect(finished[i]!.startedAt! >= finished[i - 1]!.finishedAt!).toBe(true)
    supervisor.detach()
  })

  it('re-attaches after a studio restart to a trainer still running, and settles one that died', async () => {
    fake.setScenario({ default: [{ hang: true, everyMs: 30 }] })
    const first = supervise(project)
    const alive = await first.supervisor.start(tinyRun(snapshotId, 31))
    await expect.poll(() => first.supervisor.runs.get(alive.id).step ?? 0).toBeGreaterThanOrEqual(2)
    first.supervisor.detach() // the studio quits; the trainer keeps going
    const reopened = Project.open(project.dir)
    const second = supervise(reopened)
    expect(second.supervisor.runs.get(alive.id).status).toBe('running')
    const before = second.supervisor.runs.get(alive.id).step ?? 0
    await expect.poll(() => second.seen.metrics.length).toBeGreaterThan(0)
    await expect.poll(() => second.supervisor.runs.get(alive.id).step ?? 0).toBeGreaterThan(before)
    expect(readFileSync(alive.logPath, 'utf8')).toContain('re-attached')
    second.supervisor.cancel(alive.id)
    expect((await second.supervisor.finished(alive.id)).status).toBe('cancelled')
    second.supervisor.detach()

    // a trainer killed while no studio watched: the next studio marks its run interrupted
    const third = supervise(reopened)
    const doomed = await third.supervisor.start(tinyRun(snapshotId, 32))
    await expect.poll(() => third.supervisor.runs.get(doomed.id).step ?? 0).toBeGreaterThanOrEqual(1)
    const pid = third.supervisor.runs.get(doomed.id).pid!
    third.supervisor.detach()
    process.kill(-pid, 'SIGKILL')
    await expect.poll(() => isAlive(pid)).toBe(false)
    const fourth = supervise(reopened)
    const interrupted = await fourth.supervisor.finished(doomed.id)
    expect(interrupted.status).toBe('interrupted')
    expect(interrupted.error).toMatchObject({ kind: 'interrupted' })
    expect(interrupted.step).toBeGreaterThanOrEqual(1)
    fourth.supervisor.detach()
    reopened.close()
  })

  it('settles a run that finished while no studio watched it, from its log', async () => {
    fake.setScenario({ default: [{ sleep: 400 }, { emit: { event: 'metrics', step: 7, values: { loss: 0.5 } } }, done] })
    const first = supervise(project)
    const run = await first.supervisor.start(tinyRun(snapshotId, 41))
    await expect.poll(() => first.supervisor.runs.get(run.id).pid).not.toBeNull()
    const pid = first.supervisor.runs.get(run.id).pid!
    first.supervisor.detach()
    await expect.poll(() => isAlive(pid)).toBe(false)
    const second = supervise(project)
    const settled = await second.supervisor.finished(run.id)
    expect(settled.status).toBe('succeeded')
    expect(settled.step).toBe(7)
    second.supervisor.detach()
  })
})
