// training.* through the contract (the in-memory transport, the same dispatcher as every front
// door): input validation, events for the UI (run changes, metrics, log lines, new rollout
// traces), logs and metrics of several runs to compare, rollouts, and unknown ids.
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { EventPayload } from '../../src/shared/contract'
import type { StudioClient } from '../../src/shared/contract/client'
import type { Studio } from '../../src/main/app/studio'
import { tempDir } from '../helpers/temp'
import { installFakeTrainer, RECORDED_GRPO, rejection, tinyRun, trainingStudio, type FakeEnv } from './helpers'

const root = tempDir('pixel-studio-train-contract-')
let fake: FakeEnv
let studio: Studio
let client: StudioClient
let snapshotId: string

beforeAll(async () => {
  fake = installFakeTrainer(join(root, 'fake'))
  ;({ studio, client, snapshotId } = await trainingStudio(root))
})
afterAll(() => studio?.close())

describe('training contract', () => {
  it('validates input and names unknown runs', async () => {
    expect((await rejection(client.call('training.start', { ...tinyRun(snapshotId), hyper: { learningRate: -1 } } as never))).code).toBe('invalid_input')
    expect((await rejection(client.call('training.start', { ...tinyRun(snapshotId), backend: 'deepspeed' } as never))).code).toBe('invalid_input')
    expect((await rejection(client.call('training.start', tinyRun('snap-missing')))).code).toBe('not_found')
    expect((await rejection(client.call('training.get', { id: 'train-nope' }))).message).toBe('no training run with id "train-nope"')
    expect((await rejection(client.call('training.metrics', { ids: [] }))).code).toBe('invalid_input')
  })

  it('streams a run to the UI and serves its logs, metrics (two runs to compare) and rollouts', async () => {
    const changed: Array<EventPayload<'training.changed'>> = []
    const metrics: Array<EventPayload<'training.metrics'>> = []
    const logs: Array<EventPayload<'training.log'>> = []
    const traces: Array<EventPayload<'traces.changed'>> = []
    client.on('training.changed', (e) => changed.push(e))
    client.on('training.metrics', (e) => metrics.push(e))
    client.on('training.log', (e) => logs.push(e))
    client.on('traces.changed', (e) => traces.push(e))
    fake.setScenario({ default: [{ replay: RECORDED_GRPO, delayMs: 5 }, { emit: { event: 'done', modelDir: 'output/model', onnxDir: null } }] })

    const a = await client.call('training.start', { ...tinyRun(snapshotId, 1), title: 'run A' })
    const b = await client.call('training.start', { ...tinyRun(snapshotId, 2), title: 'run B' })
    expect(a.title).toBe('run A')
    expect(b).toMatchObject({ status: 'queued', queuePosition: 1 })
    await expect.poll(async () => (await client.call('training.get', { id: b.id })).status, { timeout: 30_000 }).toBe('succeeded')
    expect((await client.call('training.get', { id: a.id })).status).toBe('succeeded')

    const statuses = changed.filter((e) => e.id === a.id).map((e) => e.status)
    expect(statuses[0]).toBe('queued')
    expect(statuses).toContain('running')
    expect(statuses.at(-1)).toBe('succeeded')
    expect(metrics.filter((e) => e.jobId === a.id).flatMap((e) => e.points).filter((p) => p.name === 'loss')).toHaveLength(6)
    expect(logs.filter((e) => e.jobId === b.id).flatMap((e) => e.lines).some((l) => l.includes('"event":"done"'))).toBe(true)
    expect(traces.filter((e) => e.reason === 'rollout').flatMap((e) => e.ids ?? [])).toHaveLength(4)

    const compare = await client.call('training.metrics', { ids: [a.id, b.id], names: ['loss', 'rapr'] })
    expect(compare.runs.map((r) => r.title)).toEqual(['run A', 'run B'])
    for (const r of compare.runs) expect(r.points.filter((p) => p.name === 'loss').map((p) => p.step)).toEqual([1, 2, 3, 4, 5, 6])
    expect(compare.runs[0]!.points.every((p) => p.name === 'loss' || p.name === 'rapr')).toBe(true)

    const log = await client.call('training.logs', { id: a.id, tail: 3 })
    expect(log.lines).toHaveLength(3)
    expect(log.truncated).toBe(true)
    expect(log.lines.at(-1)).toContain('succeeded')

    const rollouts = await client.call('training.rollouts', { id: a.id })
    expect(rollouts.total).toBe(2)
    expect(rollouts.items[0]).toMatchObject({ sampleId: 'sample-img-001', step: 2, reward: 1.15, correct: true, operations: 1, answer: 'B' })
    const trace = await client.call('traces.get', { id: rollouts.items[0]!.traceId })
    expect(trace.origin).toBe('rollout')

    const list = await client.call('training.list', { status: ['succeeded'] })
    expect(list.map((r) => r.id)).toEqual([b.id, a.id])
    const snapshot = await client.call('snapshots.get', { id: snapshotId })
    expect(snapshot.usedBy.map((u) => u.jobId)).toEqual(expect.arrayContaining([a.id, b.id]))
    expect((await rejection(client.call('training.cancel', { id: a.id }))).code).toBe('conflict')
  })

  it('downsamples a long curve on request, keeping its ends and extremes, and says how many points it holds', async () => {
    const run = (await client.call('training.list', {}))[0]!
    const long = Array.from({ length: 200_000 }, (_, i) => ({ name: 'long', step: i, value: i === 77_777 ? 9 : Math.cos(i / 1000) }))
    studio.project.jobs.addMetrics(run.id, long)
    const full = await client.call('training.metrics', { ids: [run.id], names: ['long'] })
    expect(full.runs[0]!.points).toHaveLength(200_000)
    const small = await client.call('training.metrics', { ids: [run.id], names: ['long', 'loss'], maxPoints: 500 })
    const points = small.runs[0]!.points.filter((p) => p.name === 'long')
    expect(points.length).toBeLessThanOrEqual(500)
    expect(points[0]).toEqual({ name: 'long', step: 0, value: 1 })
    expect(points.at(-1)?.step).toBe(199_999)
    expect(points).toContainEqual({ name: 'long', step: 77_777, value: 9 })
    expect(small.runs[0]!.stored).toEqual({ long: 200_000, loss: 6 })
    expect(small.runs[0]!.points.filter((p) => p.name === 'loss')).toHaveLength(6) // short curves come whole
    expect((await rejection(client.call('training.metrics', { ids: [run.id], maxPoints: 2 }))).code).toBe('invalid_input')
  })

  it('reports the machine', async () => {
    const env = await client.call('training.gpu', {})
    expect(env.python.path).toBe(fake.python)
    expect(env.slots).toBe(1)
  })
})
