// A snapshot's train/validation split reaches every trainer format: the held-out traces (whole
// samples) go to a second file that each trainer reads as its eval set, and nowhere else.
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { asyncBufferFromFile, parquetReadObjects } from 'hyparquet'
import { beforeAll, describe, expect, it } from 'vitest'
import type { Snapshot } from '../../src/shared/contract'
import { defaultStudio } from '../helpers/default-studio'
import { tempDir } from '../helpers/temp'

const root = tempDir()
const ctx = defaultStudio(root)
let snapshot: Snapshot
let held: Set<string>
let heldSamples: Set<string>

beforeAll(async () => {
  snapshot = await ctx.client.call('snapshots.create', { name: 'split', filter: {}, split: { valFraction: 0.3, seed: 4 } })
  const items = [...ctx.studio.project.snapshots.items(snapshot.id)]
  held = new Set(items.filter((i) => i.split === 'validation').map((i) => i.traceId))
  heldSamples = new Set(items.filter((i) => i.split === 'validation').map((i) => i.sampleId))
  expect(held.size).toBe(snapshot.split?.validationCount)
  expect(held.size).toBeGreaterThan(0)
})

const jsonl = (file: string): Array<{ id: string }> =>
  readFileSync(file, 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as { id: string })

function expectSides(trainIds: string[], evalIds: string[]): void {
  expect(new Set(evalIds)).toEqual(held)
  expect(trainIds.filter((id) => held.has(id))).toEqual([])
  expect(trainIds.length + evalIds.length).toBe(snapshot.traceCount)
}

describe('exports of a split snapshot', () => {
  it('TRL: the eval set in <name>_eval.jsonl, named in the manifest', async () => {
    const outDir = join(root, 'trl')
    const result = await ctx.client.call('snapshots.export', { snapshotId: snapshot.id, format: 'trl', outDir, name: 'data' })
    expect(result.files).toEqual(['data.jsonl', 'data_eval.jsonl', 'images/', 'manifest.json'])
    expect(result).toMatchObject({ records: snapshot.traceCount, validationRecords: held.size })
    expectSides(jsonl(join(outDir, 'data.jsonl')).map((r) => r.id), jsonl(join(outDir, 'data_eval.jsonl')).map((r) => r.id))
    const manifest = JSON.parse(readFileSync(join(outDir, 'manifest.json'), 'utf8')) as { split: Record<string, unknown> }
    expect(manifest.split).toMatchObject({ valFraction: 0.3, seed: 4, validationRecords: held.size, trainRecords: snapshot.traceCount - held.size, evalDataFile: 'data_eval.jsonl' })
  })

  it('LLaMA-Factory: a second dataset registered in dataset_info.json for eval_dataset', async () => {
    const outDir = join(root, 'lf')
    await ctx.client.call('snapshots.export', { snapshotId: snapshot.id, format: 'llamafactory', outDir, name: 'data' })
    const info = JSON.parse(readFileSync(join(outDir, 'dataset_info.json'), 'utf8')) as Record<string, { file_name: string }>
    expect(Object.keys(info)).toEqual(['data', 'data_eval'])
    expect(info.data_eval?.file_name).toBe('data_eval.json')
    const ids = (f: string): string[] => (JSON.parse(readFileSync(join(outDir, f), 'utf8')) as Array<{ id: string }>).map((r) => r.id)
    expectSides(ids('data.json'), ids('data_eval.json'))
    const manifest = JSON.parse(readFileSync(join(outDir, 'manifest.json'), 'utf8')) as { split: { use: string } }
    expect(manifest.split.use).toMatch(/^eval_dataset: data_eval/)
  })

  it('Pixel-Reasoner SFT: a second file', async () => {
    const outDir = join(root, 'pr')
    await ctx.client.call('snapshots.export', { snapshotId: snapshot.id, format: 'pixelreasoner', outDir, name: 'sft' })
    const ids = (f: string): string[] => (JSON.parse(readFileSync(join(outDir, f), 'utf8')) as Array<{ qid: string }>).map((r) => r.qid)
    expectSides(ids('sft.json'), ids('sft_eval.json'))
  })

  it('verl: the held-out samples as val_files parquet (split "test"), one query per sample', async () => {
    const outDir = join(root, 'verl')
    const result = await ctx.client.call('snapshots.export', { snapshotId: snapshot.id, format: 'verl', outDir, name: 'rl' })
    expect(result.files).toEqual(['rl.parquet', 'rl_val.parquet', 'manifest.json'])
    const read = async (f: string): Promise<Array<{ extra_info: { split: string; question: string } }>> =>
      (await parquetReadObjects({ file: await asyncBufferFromFile(join(outDir, f)) })) as Array<{ extra_info: { split: string; question: string } }>
    const train = await read('rl.parquet')
    const val = await read('rl_val.parquet')
    expect(val).toHaveLength(heldSamples.size)
    expect(new Set(val.map((r) => r.extra_info.split))).toEqual(new Set(['test']))
    expect(new Set(train.map((r) => r.extra_info.split))).toEqual(new Set(['train']))
    expect(result).toMatchObject({ records: train.length + val.length, validationRecords: val.length })
    const manifest = JSON.parse(readFileSync(join(outDir, 'manifest.json'), 'utf8')) as { split: { use: string } }
    expect(manifest.split.use).toBe('data.val_files=rl_val.parquet')
  })
})
