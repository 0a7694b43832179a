// Export a snapshot, import the files into a NEW project: the same traces come back (same steps,
// same media hashes, since media are content-addressed) for every format that carries whole
// traces; verl carries RL queries, which are read back and compared. All through the contract.
import { readFileSync } from 'node:fs'
import { createHash } from 'node:crypto'
import { join } from 'node:path'
import { asyncBufferFromFile, parquetReadObjects } from 'hyparquet'
import { beforeAll, describe, expect, it } from 'vitest'
import type { Snapshot, StoredTrace } from '../../src/shared/contract'
import { StudioClient } from '../../src/shared/contract/client'
import { Studio } from '../../src/main/app/studio'
import { importIds } from '../../src/main/import/trace-convert'
import type { Project } from '../../src/main/project/project'
import { inMemoryTransport } from '../../src/main/rpc/in-memory'
import { traceProject } from '../fixtures/trace-project'
import { tempDir } from '../helpers/temp'

const root = tempDir()
let source: Project
let snapshot: Snapshot
let originals: StoredTrace[]
let client: StudioClient
let studio: Studio

beforeAll(async () => {
  ;({ project: source, snapshot } = await traceProject(join(root, 'source')))
  originals = source.traces.list({ limit: 100, sort: 'created', order: 'asc', offset: 0 }).items.map((t) => source.traces.get(t.id))
  studio = new Studio({ home: join(root, 'home'), log: () => {} })
  studio.openProject(source.dir)
  client = new StudioClient(inMemoryTransport(studio.dispatcher))
})

describe.each(['trl', 'llamafactory', 'pixelreasoner'] as const)('round trip through %s', (format) => {
  it('exports the snapshot and imports the same traces into a new project', async () => {
    studio.openProject(source.dir)
    const outDir = join(root, `export-${format}`)
    const exported = await client.call('snapshots.export', { snapshotId: snapshot.id, format, outDir })
    expect(exported.records).toBe(originals.length)
    const manifest = JSON.parse(readFileSync(exported.manifest, 'utf8')) as { snapshot: { id: string; hash: string }; format: string; dataFile: string; counts: { records: number } }
    expect(manifest).toMatchObject({ format, snapshot: { id: snapshot.id, hash: snapshot.hash }, counts: { records: originals.length } })
    expect((await client.call('snapshots.get', { id: snapshot.id })).usedBy).toContainEqual(expect.objectContaining({ jobId: exported.jobId, kind: 'export', status: 'succeeded' }))

    await client.call('project.create', { path: join(root, `target-${format}`), withSampleData: false })
    const imported = await client.call('traces.import', { format, path: outDir })
    expect(imported).toEqual({ imported: originals.length, alreadyPresent: 0, skipped: [] })
    const target = studio.project
    const file = join(outDir, manifest.dataFile)
    for (const original of originals) {
      const ids = importIds(file, original.id)
      const copy = target.traces.get(ids.traceId)
      expect(copy.steps, `${format}: steps of ${original.id}`).toEqual(original.steps)
      expect(copy.question).toBe(original.question)
      expect(copy).toMatchObject({ origin: 'imported', originDetail: { file }, gold: original.gold, answer: original.answer })
      const from = source.samples.get(original.sampleId)
      const to = target.samples.get(copy.sampleId)
      expect(to.media.map((m) => m.hash)).toEqual(from.media.map((m) => m.hash))
      expect(to.kind).toBe(from.kind)
    }
    // a re-run finds everything there
    expect(await client.call('traces.import', { format, path: outDir })).toEqual({ imported: 0, alreadyPresent: originals.length, skipped: [] })
  })
})

describe('LLaMA-Factory tools mode', () => {
  it('reads function_call / observation turns back as the same operations and results (its thoughts are not in the format)', async () => {
    studio.openProject(source.dir)
    const outDir = join(root, 'export-lf-tools')
    await client.call('snapshots.export', { snapshotId: snapshot.id, format: 'llamafactory', outDir, llamaFactoryMode: 'tools' })
    await client.call('project.create', { path: join(root, 'target-lf-tools'), withSampleData: false })
    expect((await client.call('traces.import', { format: 'llamafactory', path: outDir })).imported).toBe(originals.length)
    const file = join(outDir, `${snapshot.name.replace(/ /g, '_')}.json`)
    const essentials = (steps: StoredTrace['steps']): unknown[] =>
      steps.flatMap((s): unknown[] => (s.kind === 'crop' ? [{ kind: s.kind, bbox: s.bbox, targetImage: s.targetImage, wrongLook: s.wrongLook ?? false }] : s.kind === 'select_frames' ? [{ kind: s.kind, frames: s.frames }] : s.kind === 'observation' ? [s] : []))
    for (const original of originals) {
      const copy = studio.project.traces.get(importIds(file, original.id).traceId)
      expect(essentials(copy.steps)).toEqual(essentials(original.steps))
      expect(copy.answer).toBe(original.answer)
    }
  })
})

describe('verl round trip', () => {
  it('writes one RL query per sample whose question, answer and image bytes are the snapshot samples', async () => {
    studio.openProject(source.dir)
    const outDir = join(root, 'export-verl')
    const exported = await client.call('snapshots.export', { snapshotId: snapshot.id, format: 'verl', outDir, cropToolName: 'crop_image' })
    const sampleIds = [...new Set(originals.map((t) => t.sampleId))]
    expect(exported.records).toBe(sampleIds.length)
    const rows = (await parquetReadObjects({ file: await asyncBufferFromFile(join(outDir, exported.files[0]!)), utf8: false })) as Array<{
      images: Array<{ bytes: Uint8Array }>
      ability: string
      reward_model: { ground_truth: string }
      extra_info: { question: string; answer: string; tools_kwargs: string }
    }>
    const sha = (b: Uint8Array): string => createHash('sha256').update(b).digest('hex')
    expect(
      rows.map((r) => ({ question: r.extra_info.question, answer: r.reward_model.ground_truth, images: r.images.map((i) => sha(i.bytes)), video: r.ability === 'video_reasoning' }))
    ).toEqual(
      sampleIds.map((id) => {
        const s = source.samples.get(id)
        const t = originals.find((o) => o.sampleId === id)!
        return { question: t.question, answer: s.answer, images: s.media.map((m) => m.hash), video: s.kind === 'video' }
      })
    )
    expect(Object.keys(JSON.parse(rows[0]!.extra_info.tools_kwargs) as object)).toEqual(['crop_image'])
  })
})
