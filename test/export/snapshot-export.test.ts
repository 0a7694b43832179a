// The snapshots.export job through the contract: the Pixel-Reasoner SFT layout (message_list,
// typed items, absolute paths by default, text-first question turn, exact tool-call text), the crop tool name option,
// progress, a manifest, the jobs row; cancel removes the partial output; a used folder is refused.
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { beforeAll, describe, expect, it } from 'vitest'
import type { JobProgress, Snapshot, StudioError } from '../../src/shared/contract'
import { StudioClient } from '../../src/shared/contract/client'
import { Studio } from '../../src/main/app/studio'
import { importTraces } from '../../src/main/import/trace-import'
import { Project } from '../../src/main/project/project'
import { inMemoryTransport } from '../../src/main/rpc/in-memory'
import { traceProject } from '../fixtures/trace-project'
import { tempDir } from '../helpers/temp'

const root = tempDir()
let project: Project
let snapshot: Snapshot
let client: StudioClient

type PrItem = { type: string; text?: string; image?: string; video?: string[] }
type PrRecord = { message_list: Array<{ role: string; content: PrItem[] }>; qid: string; answer: string; wrong_look_turns: number[] }

beforeAll(async () => {
  ;({ project, snapshot } = await traceProject(join(root, 'p')))
  const studio = new Studio({ home: join(root, 'home'), log: () => {} })
  studio.openProject(project.dir)
  project = studio.project
  client = new StudioClient(inMemoryTransport(studio.dispatcher))
})

describe('Pixel-Reasoner SFT export', () => {
  it('writes a JSON array of message_list records, every item typed, with absolute media paths and the exact call text', async () => {
    const outDir = join(root, 'pr')
    const progress: JobProgress[] = []
    const result = await client.call('snapshots.export', { snapshotId: snapshot.id, format: 'pixelreasoner', outDir, name: 'sft' }, { onProgress: (p) => progress.push(p) })
    expect(result.files).toEqual(['sft.json', 'images/', 'manifest.json'])
    expect(progress.at(-1)).toMatchObject({ done: snapshot.traceCount, total: snapshot.traceCount, unit: 'traces' })
    const records = JSON.parse(readFileSync(join(outDir, 'sft.json'), 'utf8')) as PrRecord[]
    expect(records).toHaveLength(snapshot.traceCount)
    const paths = records.flatMap((r) => r.message_list.flatMap((m) => m.content.flatMap((c) => [...(c.image ? [c.image] : []), ...(c.video ?? [])])))
    // the reference opens paths as given (no root prefix): absolute, in the final folder (not the staging one)
    for (const p of paths) {
      expect(p.startsWith(`${join(outDir, 'images')}/`)).toBe(true)
      expect(p).toMatch(/\/[0-9a-f]{64}\.(png|jpg)$/)
      expect(existsSync(p)).toBe(true)
    }
    // qwen-vl-utils 0.0.10 reads ele["type"] of every item without an image/video key
    for (const r of records) for (const m of r.message_list) for (const c of m.content) expect(['text', 'image', 'video']).toContain(c.type)
    expect(readdirSync(join(outDir, 'images'))).toHaveLength(result.images)

    const image = records[0]!
    expect(image.message_list.map((m) => m.role)).toEqual(['system', 'user', 'assistant', 'user', 'assistant', 'user', 'assistant', 'user', 'assistant'])
    expect(image.message_list[0]!.content[0]!.text).toContain('{"type": "function", "function": {"name": "crop_image_normalized"')
    const question = image.message_list[1]!.content
    expect(Object.keys(question[0]!)).toEqual(['type', 'text']) // text first: the reference reads media at content[1]
    expect(question[0]!.text).toMatch(/\n\n\n\nGuidelines: /)
    expect(Object.keys(question[1]!)).toEqual(['type', 'image'])
    expect(image.message_list[2]!.content[0]!.text).toBe(
      'The sign is small. Now I will zoom in to look clearer at the top left.\n<tool_call>\n{"name": "crop_image_normalized", "arguments": {"bbox_2d": [0.0, 0.0, 0.25, 0.25], "target_image": 1}}\n</tool_call>'
    )
    expect(image.message_list[3]!.content[0]!.text).toMatch(/^\nHere is the cropped image \(Image Size: \d+x\d+\):$/)
    expect(image.wrong_look_turns).toEqual([0])
    const video = records[1]!
    expect(video.message_list[1]!.content[1]!.video).toHaveLength(16)
    expect(video.message_list[3]!.content.filter((c) => c.image)).toHaveLength(3)
  })

  it('writes paths relative to the export folder when asked, and says which in the manifest', async () => {
    const outDir = join(root, 'pr-relative')
    await client.call('snapshots.export', { snapshotId: snapshot.id, format: 'pixelreasoner', outDir, name: 'sft', mediaPaths: 'relative' })
    const records = JSON.parse(readFileSync(join(outDir, 'sft.json'), 'utf8')) as PrRecord[]
    const image = records[0]!.message_list[1]!.content[1]!.image ?? ''
    expect(image).toMatch(/^images\/[0-9a-f]{64}\.(png|jpg)$/)
    expect(existsSync(join(outDir, image))).toBe(true)
    expect(JSON.parse(readFileSync(join(outDir, 'manifest.json'), 'utf8'))).toMatchObject({ mediaPaths: 'relative' })
    const trlDir = join(root, 'trl-absolute')
    await client.call('snapshots.export', { snapshotId: snapshot.id, format: 'trl', outDir: trlDir, name: 'train' })
    const row = JSON.parse(readFileSync(join(trlDir, 'train.jsonl'), 'utf8').split('\n')[0]!) as { images: string[] }
    // a hand-run `trl sft` hands these strings to the processor, which opens them from its working directory
    for (const p of row.images) expect(p.startsWith(join(trlDir, 'images')) && existsSync(p)).toBe(true)
    expect(JSON.parse(readFileSync(join(trlDir, 'manifest.json'), 'utf8'))).toMatchObject({ mediaPaths: 'absolute' })
  })

  it('names the crop tool as asked, in the tools block and in every call, and imports it back', async () => {
    const outDir = join(root, 'trl-crop-image')
    await client.call('snapshots.export', { snapshotId: snapshot.id, format: 'trl', outDir, cropToolName: 'crop_image' })
    const text = readFileSync(join(outDir, readdirSync(outDir).find((f) => f.endsWith('.jsonl'))!), 'utf8')
    expect(text).toContain('{\\"name\\": \\"crop_image\\", \\"arguments\\"')
    expect(text).toContain('{\\"type\\": \\"function\\", \\"function\\": {\\"name\\": \\"crop_image\\"')
    // what still says crop_image_normalized is verbatim: the reference's error wording and the
    // malformed call the model wrote
    const verbatim = JSON.stringify('{"name": "crop_image_normalized", "arguments": {\n</tool_call>').slice(1, -1)
    expect(text).toContain(verbatim)
    expect(text.replace(verbatim, '').match(/\\"name\\": \\"crop_image_normalized/g)).toBeNull()
    const target = Project.create(join(root, 'crop-image-import'))
    try {
      expect((await importTraces(target, 'trl', outDir)).imported).toBe(snapshot.traceCount)
      const crops = target.traces.list({ limit: 50, offset: 0, sort: 'created', order: 'asc' }).items.flatMap((t) => target.traces.get(t.id).steps.filter((s) => s.kind === 'crop'))
      expect(crops.length).toBeGreaterThan(0)
      expect(new Set(crops.map((c) => (c.kind === 'crop' ? c.toolName : '')))).toEqual(new Set(['crop_image']))
    } finally {
      target.close()
    }
  })
})

describe('export job control', () => {
  it('removes the partial output when cancelled and records the job as cancelled', async () => {
    // enough traces that the export is still running at its first progress report
    const sample = project.samples.get('sample-img-001')
    for (let i = 0; i < 400; i++) project.traces.insert({ sampleId: sample.id, origin: 'human', question: `q${i}`, steps: [{ kind: 'answer', text: `\\boxed{${i}}`, boxed: String(i) }] }, 'test')
    const big = project.snapshots.create('big', {})
    const outDir = join(root, 'cancelled')
    const controller = new AbortController()
    const error = await client
      .call('snapshots.export', { snapshotId: big.id, format: 'llamafactory', outDir }, { signal: controller.signal, onProgress: () => controller.abort() })
      .catch((e: StudioError) => e)
    expect(error).toMatchObject({ code: 'cancelled' })
    expect(existsSync(outDir)).toBe(false)
    expect(readdirSync(dirname(outDir)).filter((f) => f.includes('.partial-'))).toEqual([])
    const usedBy = (await client.call('snapshots.get', { id: big.id })).usedBy
    expect(usedBy).toEqual([expect.objectContaining({ kind: 'export', status: 'cancelled' })])
    expect(project.jobs.get(usedBy[0]!.jobId).error).toMatch(/cancelled; its partial output was removed/)
  })

  it('refuses a folder that already holds files, writing nothing', async () => {
    const outDir = join(root, 'used')
    mkdirSync(outDir)
    writeFileSync(join(outDir, 'keep.txt'), 'mine')
    const jobsBefore = project.jobs.list().length
    const error = await client.call('snapshots.export', { snapshotId: snapshot.id, format: 'trl', outDir }).catch((e: StudioError) => e)
    expect(error).toMatchObject({ code: 'conflict', message: expect.stringMatching(/not empty/) })
    expect(readdirSync(outDir)).toEqual(['keep.txt'])
    expect(project.jobs.list()).toHaveLength(jobsBefore)
    const zoom = await client.call('snapshots.export', { snapshotId: snapshot.id, format: 'verl', outDir: join(root, 'v'), cropToolName: 'zoom_in' }).catch((e: StudioError) => e)
    expect(zoom).toMatchObject({ code: 'invalid_input' })
  })
})
