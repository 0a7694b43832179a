// Shared setup for training tests: a project with accepted traces and a snapshot, and the fake
// trainer installed as "the Python that runs trainers" (test/training/fixtures/fake-trainer.mjs).
import { chmodSync, cpSync, mkdirSync, writeFileSync } from 'node:fs'
import { join, resolve } from 'node:path'
import type { MetricSample, TrainingRun } from '../../src/shared/contract'
import { StudioClient } from '../../src/shared/contract/client'
import { Studio } from '../../src/main/app/studio'
import { Project } from '../../src/main/project/project'
import { inMemoryTransport } from '../../src/main/rpc/in-memory'
import { addSampleData } from '../../src/main/project/sample-data'
import { materializeObservations } from '../../src/main/traces/materialize'
import { TrainingSupervisor, type SupervisorOptions } from '../../src/main/training/supervisor'

export const FAKE_TRAINER = resolve('test/training/fixtures/fake-trainer.mjs')
export const RECORDED_GRPO = resolve('test/training/fixtures/tiny-torch-grpo.jsonl')

/** A resources folder with the trainer Python of this checkout (TRL launcher, verl, shared rules, tiny model). */
export function trainerResources(dir: string): string {
  for (const sub of ['trl', 'verl', 'pixel_reasoner', 'qwen_vl', 'tiny_qwen']) cpSync(resolve('resources/trainer', sub), join(dir, 'trainer', sub), { recursive: true })
  return dir
}

export interface FakeEnv {
  python: string
  scenarioFile: string
  startsFile: string
  resources: string
  setScenario(scenario: Record<string, unknown>): void
}

/** A `python` that runs the fake trainer (in place of the TRL launcher), and the trainer resources. */
export function installFakeTrainer(root: string): FakeEnv {
  mkdirSync(root, { recursive: true })
  const python = join(root, 'fake-python')
  writeFileSync(python, `#!/bin/sh\nexec "${process.execPath}" "${FAKE_TRAINER}" "$@"\n`)
  chmodSync(python, 0o755)
  const resources = trainerResources(join(root, 'resources'))
  const scenarioFile = join(root, 'scenario.json')
  const startsFile = join(root, 'starts.txt')
  writeFileSync(startsFile, '')
  const env: FakeEnv = {
    python,
    scenarioFile,
    startsFile,
    resources,
    setScenario: (scenario) => writeFileSync(scenarioFile, JSON.stringify(scenario))
  }
  env.setScenario({ default: [{ exit: 0 }] })
  Object.assign(process.env, {
    PIXEL_STUDIO_PYTHON: python,
    PIXEL_STUDIO_RESOURCES: resources,
    PIXEL_STUDIO_FAKE_SCENARIO: scenarioFile,
    PIXEL_STUDIO_FAKE_STARTS: startsFile
  })
  return env
}

/** A project with two image samples, an accepted trace on each, and a snapshot of them. */
export async function trainingProject(dir: string): Promise<{ project: Project; snapshotId: string }> {
  const project = Project.create(dir)
  await addSampleData(project, { images: 2, videos: 0 })
  for (const id of ['sample-img-001', 'sample-img-002']) {
    const sample = project.samples.get(id)
    const steps = await materializeObservations(project, sample, [
      { kind: 'thought', text: 'Zoom in first.' },
      { kind: 'crop', toolName: 'crop_image_normalized', targetImage: 1, bbox: [0.3, 0.3, 0.7, 0.7], bboxUnits: 'normalized' },
      { kind: 'answer', text: `\\boxed{${sample.answer}}`, boxed: sample.answer }
    ])
    project.traces.insert({ sampleId: id, origin: 'synthesized', question: sample.question, steps, status: 'accepted' }, 'test')
  }
  const snapshot = project.snapshots.create('v1', { status: ['accepted'] })
  return { project, snapshotId: snapshot.id }
}

export interface Recorded {
  runs: TrainingRun[]
  metrics: MetricSample[]
  logs: string[]
  traces: string[]
}

export function supervise(project: Project, options: Partial<SupervisorOptions> = {}): { supervisor: TrainingSupervisor; seen: Recorded } {
  const seen: Recorded = { runs: [], metrics: [], logs: [], traces: [] }
  const supervisor = new TrainingSupervisor(project, {
    runQueue: true,
    graceMs: 2000,
    pollMs: 40,
    events: {
      run: (run) => seen.runs.push(run),
      metrics: (_id, points) => seen.metrics.push(...points),
      log: (_id, lines) => seen.logs.push(...lines),
      traces: (ids) => seen.traces.push(...ids)
    },
    ...options
  })
  return { supervisor, seen }
}

export function tinyRun(snapshotId: string, seed = 42, extra: Record<string, unknown> = {}) {
  return {
    snapshotId,
    backend: 'trl' as const,
    algorithm: 'grpo' as const,
    baseModel: { kind: 'tiny-init' as const, seed: 0 },
    hyper: { learningRate: 1e-3, epochs: 1, maxSteps: 0, batchSize: 1, gradAccum: 1, warmupRatio: 0.1, seed, loraRank: 0, saveEverySteps: 0 },
    hardware: { device: 'cpu' as const, gpus: 1, nodes: 1 },
    exportOnnx: true,
    ...extra
  }
}

/** A studio that runs the training queue on a fresh training project, and a client for it. */
export async function trainingStudio(root: string): Promise<{ studio: Studio; client: StudioClient; snapshotId: string }> {
  const made = await trainingProject(join(root, 'project'))
  made.project.close()
  const studio = new Studio({ home: join(root, 'home'), log: () => {} })
  studio.openProject(join(root, 'project'))
  studio.runTrainingQueue()
  return { studio, client: new StudioClient(inMemoryTransport(studio.dispatcher)), snapshotId: made.snapshotId }
}

export { rejection } from '../helpers/rejection'
