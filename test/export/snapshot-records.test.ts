// A snapshot read back as exporter records and written as TRL: the frozen revision's steps, the
// sample's media, the wrong look's assistant turn, and real files.
import { existsSync, readFileSync } from 'node:fs'
import { isAbsolute, join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { exportRecords } from '../../src/main/export/export-writer'
import { mediaPathOf, snapshotExportRecords } from '../../src/main/export/snapshot-records'
import { Project } from '../../src/main/project/project'
import { addSampleData } from '../../src/main/project/sample-data'
import { materializeObservations } from '../../src/main/traces/materialize'
import { tempDir } from '../helpers/temp'

const root = tempDir()

describe('snapshot records', () => {
  it('stream the frozen revision with its media and wrong-look turns, and export as TRL', async () => {
    const project = Project.create(join(root, 'p'))
    await addSampleData(project, { images: 2, videos: 0 })
    const sample = project.samples.get('sample-img-001')
    const steps = await materializeObservations(project, sample, [
      { kind: 'thought', text: 'Top left first.' },
      { kind: 'crop', toolName: 'crop_image_normalized', targetImage: 1, bbox: [0, 0, 0.3, 0.3], bboxUnits: 'normalized', wrongLook: true },
      { kind: 'thought', text: 'Not there. The sign then.' },
      { kind: 'crop', toolName: 'crop_image_normalized', targetImage: 1, bbox: [0.3, 0.3, 0.7, 0.7], bboxUnits: 'normalized' },
      { kind: 'answer', text: `\\boxed{${sample.answer}}`, boxed: sample.answer }
    ])
    const trace = project.traces.insert({ sampleId: sample.id, origin: 'synthesized', question: sample.question, steps, status: 'accepted' }, 'test')
    const snap = project.snapshots.create('v1', { status: ['accepted'] })
    project.traces.update(trace.id, { status: 'rejected' }, 1, 'human', 'reject') // after the snapshot: not seen by it

    const records = [...snapshotExportRecords(project, snap.id)]
    expect(records).toHaveLength(1)
    expect(records[0]).toMatchObject({ id: trace.id, sampleId: sample.id, gold: sample.answer, wrongLookTurns: [0], trace: { media: { kind: 'images', images: [sample.media[0]!.hash] } } })
    expect(records[0]!.trace.steps).toEqual(steps)

    const out = join(root, 'trl')
    const summary = await exportRecords(records, { format: 'trl', outDir: out, name: 'v1', pathOf: mediaPathOf(project) })
    expect(summary.records).toBe(1)
    const row = JSON.parse(readFileSync(summary.file, 'utf8').trim()) as { images: string[]; messages: Array<{ role: string }>; sample_id: string; is_video: boolean; wrong_look_turns: number[] }
    expect(row.images).toHaveLength(3) // the original and two crops
    for (const path of row.images) expect(isAbsolute(path) && existsSync(path)).toBe(true) // trainers open paths as given
    expect(row.messages.map((m) => m.role)).toEqual(['system', 'user', 'assistant', 'user', 'assistant', 'user', 'assistant'])
    // what trainers need beyond the conversation: the first assistant turn is the wrong look
    expect(row).toMatchObject({ sample_id: sample.id, is_video: false, wrong_look_turns: [0] })
    project.close()
  })
})
