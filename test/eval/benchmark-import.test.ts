// Importing local benchmark copies (Pixel-Reasoner eval layout) through the contract: parquet and
// JSONL, images and videos, bad records named by row and skipped, re-runs resume.
import { mkdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import sharp from 'sharp'
import { parquetWriteBuffer } from 'hyparquet-writer'
import { beforeAll, describe, expect, it } from 'vitest'
import { StudioError } from '../../src/shared/contract'
import { StudioClient } from '../../src/shared/contract/client'
import { Studio } from '../../src/main/app/studio'
import { benchmarkItems } from '../../src/main/eval/benchmark-items'
import { inMemoryTransport } from '../../src/main/rpc/in-memory'
import { tempDir } from '../helpers/temp'

const root = tempDir()
let studio: Studio
let client: StudioClient

async function png(dir: string, name: string, color: string): Promise<void> {
  mkdirSync(dir, { recursive: true })
  await sharp({ create: { width: 64, height: 48, channels: 3, background: color } }).png().toFile(join(dir, name))
}

beforeAll(async () => {
  studio = new Studio({ home: join(root, 'home'), log: () => {} })
  await studio.createProject(join(root, 'project'), false)
  client = new StudioClient(inMemoryTransport(studio.dispatcher))
})

describe('benchmark import', () => {
  it('imports a V*-style parquet, skipping bad records with their row, and resumes on re-run', async () => {
    const dir = join(root, 'vstar')
    await png(join(dir, 'images'), '1.png', '#f00')
    await png(join(dir, 'images'), '2.png', '#0f0')
    writeFileSync(join(dir, 'broken.png'), 'not an image')
    const file = join(dir, 'vstar.parquet')
    writeFileSync(
      file,
      Buffer.from(
        parquetWriteBuffer({
          columnData: [
            { name: 'qid', data: ['vstar-0', 'vstar-1', 'vstar-2', 'vstar-3'], type: 'STRING' },
            { name: 'question', data: ['What color?\nA. red\nB. green', 'Which?', 'Broken image?', 'Missing?'], type: 'STRING' },
            { name: 'image', data: [['images/1.png'], ['images/2.png'], ['broken.png'], ['images/nope.png']] },
            { name: 'answer', data: ['A', 'B', 'A', 'B'], type: 'STRING' },
            { name: 'is_video', data: [false, false, false, false], type: 'BOOLEAN' }
          ]
        })
      )
    )
    const first = await client.call('benchmarks.import', { path: file })
    expect(first).toMatchObject({ suite: 'vstar', imported: 2, alreadyPresent: 0 })
    expect(first.skipped.map((s) => [s.row, s.qid])).toEqual([
      [3, 'vstar-2'],
      [4, 'vstar-3']
    ])
    expect(first.skipped[0]?.message).toMatch(/not a readable image/)
    expect(first.skipped[1]?.message).toMatch(/images\/nope.png not found/)
    // every message names the file, the row and the record
    expect(first.skipped[1]?.message).toMatch(new RegExp(`^${file.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}:4 \\(qid vstar-3\\): `))
    const sample = await client.call('samples.get', { id: 'bench:vstar:vstar-0' })
    expect(sample).toMatchObject({ kind: 'image', answer: 'A', answerType: 'multiple_choice', source: 'bench:vstar' })
    expect(sample.media[0]).toMatchObject({ width: 64, height: 48 })

    const again = await client.call('benchmarks.import', { path: file })
    expect(again).toMatchObject({ imported: 0, alreadyPresent: 2 })
    expect(studio.project.samples.count()).toBe(2)
  })

  it('imports JSONL with video frames and lists of answers, and names malformed lines', async () => {
    const dir = join(root, 'mixed')
    for (let f = 1; f <= 16; f++) await png(join(dir, 'frames'), `${f}.png`, `rgb(${f * 10},0,0)`)
    await png(dir, 'count.png', '#00f')
    const lines = [
      JSON.stringify({ qid: 'mvbench-7', question: 'What happens?', image: Array.from({ length: 16 }, (_, i) => `frames/${i + 1}.png`), answer: 'C', is_video: true }),
      '{ this is not json',
      JSON.stringify({ qid: 'tallyqa-3', question: 'How many?', image: 'count.png', answer: ['4', 'four'] }),
      JSON.stringify({ qid: 'tallyqa-4', question: '', image: 'count.png', answer: '1' })
    ]
    const file = join(dir, 'mixed.jsonl')
    writeFileSync(file, lines.join('\n') + '\n')
    const result = await client.call('benchmarks.import', { path: file })
    expect(result.imported).toBe(2)
    expect(result.skipped.map((s) => s.row)).toEqual([2, 4])
    expect(result.skipped[0]?.message).toMatch(/not valid JSON/)
    expect(result.skipped[1]?.message).toMatch(/question/)
    const video = await client.call('samples.get', { id: 'bench:mvbench:mvbench-7' })
    expect(video).toMatchObject({ kind: 'video', answerType: 'multiple_choice' })
    expect(video.media).toHaveLength(16)
    expect((await client.call('samples.get', { id: 'bench:tallyqa:tallyqa-3' })).answerType).toBe('number')
  })

  it('skips answers that do not fit the suite, naming file and record, and keeps categories and every accepted answer', async () => {
    const dir = join(root, 'formats')
    await png(join(dir, 'direct_attributes'), 'sa_1.png', '#f00')
    await png(join(dir, 'relative_position'), 'sa_2.png', '#0f0')
    const vstar = join(dir, 'vstar.jsonl')
    writeFileSync(
      vstar,
      [
        { qid: 'vstar-11', question: 'What colour is the cup?\n(A) red\n(B) blue', image: 'direct_attributes/sa_1.png', answer: 'A' },
        { qid: 'vstar-12', question: 'Is the cup left of the dog?', image: 'relative_position/sa_2.png', answer: 'left of the dog' },
        { qid: 'vstar-13', question: 'Where is the dog?', image: 'relative_position/sa_2.png', answer: '(B)' }
      ]
        .map((r) => JSON.stringify(r))
        .join('\n')
    )
    const result = await client.call('benchmarks.import', { path: vstar })
    expect(result).toMatchObject({ suite: 'vstar', imported: 2 })
    expect(result.skipped).toEqual([{ row: 2, qid: 'vstar-12', message: `${vstar}:2 (qid vstar-12): answer "left of the dog" is not a choice letter (A-K), but vstar is scored as multiple choice` }])
    const items = benchmarkItems(studio.project)
    expect(items.get('bench:vstar:vstar-11')).toEqual({ suite: 'vstar', qid: 'vstar-11', category: 'direct_attributes', answers: ['A'], file: vstar, row: 1 })
    expect(items.get('bench:vstar:vstar-13')?.category).toBe('relative_position')
    // a parenthesised choice letter is stored bare, as the sample's gold and among its answers
    expect(items.get('bench:vstar:vstar-13')?.answers).toEqual(['B'])
    expect(studio.project.samples.get('bench:vstar:vstar-13').answer).toBe('B')

    const tally = join(dir, 'tallyqa.jsonl')
    writeFileSync(tally, [JSON.stringify({ qid: 'tallyqa-9', question: 'How many?', image: 'direct_attributes/sa_1.png', answer: 'many' }), JSON.stringify({ qid: 'tallyqa-10', question: 'How many?', image: 'direct_attributes/sa_1.png', answer: ' ' })].join('\n'))
    const counted = await client.call('benchmarks.import', { path: tally })
    expect(counted.imported).toBe(0)
    expect(counted.skipped.map((s) => s.message)).toEqual([
      `${tally}:1 (qid tallyqa-9): answer "many" is not a number, but tallyqa is scored as number`,
      `${tally}:2 (qid tallyqa-10): the answer is empty`
    ])

    const info = join(dir, 'infovqa.jsonl')
    writeFileSync(info, JSON.stringify({ qid: 'infovqa-1', question: 'Which year?', image: 'direct_attributes/sa_1.png', answer: ['2019', 'in 2019'] }))
    expect((await client.call('benchmarks.import', { path: info })).imported).toBe(1)
    expect(items.get('bench:infovqa:infovqa-1')).toMatchObject({ category: null, answers: ['2019', 'in 2019'] })
    expect(items.get('sample-that-is-not-a-benchmark')).toBeNull()
  })

  it('says clearly what is wrong with the file itself', async () => {
    const missing = await client.call('benchmarks.import', { path: join(root, 'nope.parquet') }).catch((e: StudioError) => e)
    expect(missing).toMatchObject({ code: 'not_found' })
    const csv = join(root, 'data.csv')
    writeFileSync(csv, 'a,b')
    expect(await client.call('benchmarks.import', { path: csv }).catch((e: StudioError) => e.message)).toMatch(/expected a .parquet or .jsonl/)
    const fake = join(root, 'fake.parquet')
    writeFileSync(fake, 'PAR1 but not really')
    expect(await client.call('benchmarks.import', { path: fake }).catch((e: StudioError) => e.message)).toMatch(/not a readable parquet file/)
  })
})
