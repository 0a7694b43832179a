// What a run trains on: a split snapshot's run reads the accepted traces of its train side only,
// and its eval set is exactly the validation side's accepted traces (TRL eval.jsonl, verl
// val.parquet), named in RunSpec.dataset and handed to the trainer. Built on the sample project.
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { asyncBufferFromFile, parquetReadObjects } from 'hyparquet'
import { beforeAll, describe, expect, it } from 'vitest'
import type { Snapshot } from '../../src/shared/contract'
import { prepareRunFolder } from '../../src/main/training/run-folder'
import { defaultStudio } from '../helpers/default-studio'
import { tempDir } from '../helpers/temp'
import { tinyRun, trainerResources } from './helpers'

const root = tempDir('pixel-studio-trainer-input-')
const ctx = defaultStudio(root)
let snapshot: Snapshot
/** accepted trace id -> sample id, per side */
const accepted = { train: new Map<string, string>(), validation: new Map<string, string>() }
const validationSamples = new Set<string>()

beforeAll(async () => {
  process.env.PIXEL_STUDIO_RESOURCES = trainerResources(join(root, 'resources'))
  // review: accept two traces of every three, as a reviewer would
  const page = await ctx.client.call('traces.list', { limit: 500 })
  for (const [i, t] of page.items.entries()) if (i % 3 !== 2) await ctx.client.call('traces.update', { id: t.id, expectedRevision: t.revision, status: 'accepted', action: 'accept' })
  snapshot = await ctx.client.call('snapshots.create', { name: 'split', filter: {}, split: { valFraction: 0.3, seed: 4 } })
  for (const item of ctx.studio.project.snapshots.items(snapshot.id)) {
    if (item.split === 'validation') validationSamples.add(item.sampleId)
    if (item.state.status === 'accepted') accepted[item.split].set(item.traceId, item.sampleId)
  }
  // accepted traces on both sides, and traces that are not accepted
  expect(accepted.train.size).toBeGreaterThan(0)
  expect(accepted.validation.size).toBeGreaterThan(0)
  expect(accepted.train.size + accepted.validation.size).toBeLessThan(snapshot.traceCount)
})

const jsonlIds = (file: string): string[] =>
  readFileSync(file, 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((l) => (JSON.parse(l) as { id: string }).id)

describe('a run on a split snapshot', () => {
  it('TRL: trains on the accepted train-side traces; eval.jsonl holds exactly the validation side\'s accepted traces', async () => {
    const dir = join(root, 'trl-run')
    const { spec, files } = await prepareRunFolder(ctx.studio.project, tinyRun(snapshot.id, 42, { algorithm: 'sft', hyper: { learningRate: 1e-3, epochs: 1, maxSteps: 0, batchSize: 1, gradAccum: 1, warmupRatio: 0, seed: 42, loraRank: 0, saveEverySteps: 5 } }), dir, '/usr/bin/python3')
    expect(spec.dataset).toMatchObject({ train: 'data/train.jsonl', eval: 'data/eval.jsonl', records: accepted.train.size, evalRecords: accepted.validation.size })
    expect(files).toContain('data/eval.jsonl')
    const train = jsonlIds(join(dir, spec.dataset.train))
    const held = jsonlIds(join(dir, 'data', 'eval.jsonl'))
    expect(new Set(train)).toEqual(new Set(accepted.train.keys()))
    expect(train.filter((id) => validationSamples.has(accepted.train.get(id) ?? ''))).toEqual([])
    expect(new Set(held)).toEqual(new Set(accepted.validation.keys()))
    expect(held).toHaveLength(accepted.validation.size)
    // the config evaluates at the save points; the launcher reads the file named in spec.json
    const yaml = readFileSync(join(dir, 'sft.yaml'), 'utf8')
    expect(yaml).toMatch(/^eval_strategy: "steps"$/m)
    expect(yaml).toMatch(/^eval_steps: 5$/m)
    expect(JSON.parse(readFileSync(join(dir, 'spec.json'), 'utf8'))).toMatchObject({ dataset: { eval: 'data/eval.jsonl' } })
  })

  it('verl: one query per train-side sample in train.parquet, the validation side\'s as val_files', async () => {
    const dir = join(root, 'verl-run')
    const { spec, command } = await prepareRunFolder(ctx.studio.project, tinyRun(snapshot.id, 42, { backend: 'verl', baseModel: { kind: 'path', path: '/models/qwen' }, hardware: { device: 'cuda', gpus: 1, nodes: 1 } }), dir, '/usr/bin/python3')
    const read = async (f: string): Promise<Array<{ extra_info: { split: string; question: string } }>> =>
      (await parquetReadObjects({ file: await asyncBufferFromFile(join(dir, f)) })) as Array<{ extra_info: { split: string; question: string } }>
    const questionOf = (sampleId: string): string => ctx.studio.project.samples.get(sampleId).question
    const trainQuestions = new Set([...accepted.train.values()].map(questionOf))
    const valQuestions = new Set([...accepted.validation.values()].map(questionOf))
    const train = await read(spec.dataset.train)
    const val = await read('data/val.parquet')
    expect(spec.dataset).toMatchObject({ eval: 'data/val.parquet', records: new Set(accepted.train.values()).size, evalRecords: new Set(accepted.validation.values()).size })
    expect(new Set(train.map((r) => r.extra_info.question))).toEqual(trainQuestions)
    expect(new Set(val.map((r) => r.extra_info.question))).toEqual(valQuestions)
    expect(val.map((r) => r.extra_info.split).filter((s) => s !== 'test')).toEqual([])
    expect(command.args).toContain(`data.val_files=${join(dir, 'data', 'val.parquet')}`)
    expect(command.args).toContain('trainer.test_freq=20')
  })

  it('a snapshot without a split trains on every accepted trace and has no eval set', async () => {
    const plain = await ctx.client.call('snapshots.create', { name: 'plain', filter: {} })
    const dir = join(root, 'plain-run')
    const { spec } = await prepareRunFolder(ctx.studio.project, tinyRun(plain.id, 42, { algorithm: 'sft' }), dir, '/usr/bin/python3')
    expect(spec.dataset.eval).toBeUndefined()
    expect(new Set(jsonlIds(join(dir, spec.dataset.train)))).toEqual(new Set([...accepted.train.keys(), ...accepted.validation.keys()]))
    expect(readFileSync(join(dir, 'sft.yaml'), 'utf8')).not.toMatch(/eval_strategy/)
  })
})
