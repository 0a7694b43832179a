// Real project data for training tests: generated samples, accepted traces made with
// TraceRepository + materializeObservations (one with a deliberate wrong look), a snapshot, and
// its TRL export (snapshotExportRecords + exportRecords), as the studio writes it for a run.
import { join } from 'node:path'
import type { Sample } from '../../src/shared/contract'
import type { Step } from '../../src/shared/toolcall'
import { exportRecords } from '../../src/main/export/export-writer'
import { mediaPathOf, snapshotExportRecords } from '../../src/main/export/snapshot-records'
import { Project } from '../../src/main/project/project'
import { addSampleData } from '../../src/main/project/sample-data'
import { materializeObservations } from '../../src/main/traces/materialize'

export interface TrainingData {
  /** the TRL JSONL (absolute) and its row count */
  file: string
  records: number
  snapshotId: string
  snapshotHash: string
  samples: Sample[]
  /** the crop box each sample's trace zooms into last (normalized) */
  cueOf: Map<string, number[]>
}

export function cueBox(sample: Sample): number[] {
  const cue = sample.cues.find((c) => c.kind === 'bbox')
  if (cue?.kind !== 'bbox') throw new Error(`${sample.id} has no bbox cue`)
  return [...cue.bbox]
}

export function crop(bbox: number[], options: { wrongLook?: boolean; targetImage?: number; units?: 'normalized' | 'pixels' } = {}): Step {
  return { kind: 'crop', toolName: 'crop_image_normalized', targetImage: options.targetImage ?? 1, bbox: bbox as [number, number, number, number], bboxUnits: options.units ?? 'normalized', ...(options.wrongLook ? { wrongLook: true } : {}) }
}

/**
 * Three accepted traces on generated samples: a zoom into the cue then the answer, twice, and
 * once with a deliberate wrong look first (the trainer must mask that turn), exported as TRL.
 */
export async function buildTrainingData(root: string): Promise<TrainingData> {
  const project = Project.create(join(root, 'project'))
  try {
    await addSampleData(project, { images: 3, videos: 0 })
    const samples = ['sample-img-001', 'sample-img-002', 'sample-img-003'].map((id) => project.samples.get(id))
    const cueOf = new Map<string, number[]>()
    for (const [i, sample] of samples.entries()) {
      const cue = cueBox(sample)
      cueOf.set(sample.id, cue)
      const look: Step[] =
        i === 1
          ? [{ kind: 'thought', text: 'Top left first.' }, crop([0.02, 0.02, 0.3, 0.3], { wrongLook: true }), { kind: 'thought', text: 'Not there. Zoom in on the sign.' }, crop(cue)]
          : [{ kind: 'thought', text: 'Zoom in on the cue.' }, crop(cue)]
      const steps = await materializeObservations(project, sample, [...look, { kind: 'answer', text: `\\boxed{${sample.answer}}`, boxed: sample.answer }])
      project.traces.insert({ sampleId: sample.id, origin: 'synthesized', question: sample.question, steps, status: 'accepted' }, 'test')
    }
    const snap = project.snapshots.create('tiny-torch', { status: ['accepted'] })
    const out = join(root, 'dataset')
    const summary = await exportRecords(snapshotExportRecords(project, snap.id), { format: 'trl', outDir: out, name: 'train', pathOf: mediaPathOf(project) })
    return { file: summary.file, records: summary.records, snapshotId: snap.id, snapshotHash: snap.hash, samples, cueOf }
  } finally {
    project.close()
  }
}

