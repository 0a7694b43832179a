// A run's training data: the ACCEPTED traces of its snapshot (review decides what a model learns
// from), written in the format its backend reads — TRL conversational JSONL (TRL) or
// verl's RL parquet (one row per query). With a split snapshot the run trains on the train side
// only, and the validation side's accepted traces become the eval set (TRL data/eval.jsonl, verl
// data/val.parquet), so nothing the model is evaluated on was trained on. A snapshot without
// accepted training traces is refused before a run is queued.
import { mkdir, writeFile } from 'node:fs/promises'
import { join, relative } from 'node:path'
import { StudioError, type RunSpec } from '../../shared/contract'
import { exportRecords } from '../export/export-writer'
import { mediaPathOf, snapshotExportRecords, withRenderedMedia } from '../export/snapshot-records'
import { writeVerlParquet, type RlQuery } from '../export/verl'
import type { Project } from '../project/project'
import type { RunLayout } from './paths'

export type DatasetFormat = 'trl' | 'verl'
export type SplitSide = 'train' | 'validation'

/** Accepted trace id -> sample id on one side of the snapshot's split (no split: every trace is train), in snapshot order. */
export function acceptedTraces(project: Project, snapshotId: string, side: SplitSide = 'train'): Map<string, string> {
  const accepted = new Map<string, string>()
  for (const item of project.snapshots.items(snapshotId)) if (item.state.status === 'accepted' && item.split === side) accepted.set(item.traceId, item.sampleId)
  return accepted
}

/** Refuses (before anything is queued) a snapshot a run could not learn from; returns its accepted training traces. */
export function assertTrainable(project: Project, snapshotId: string): number {
  const snapshot = project.snapshots.get(snapshotId)
  const accepted = acceptedTraces(project, snapshotId).size
  if (accepted === 0) {
    throw new StudioError(
      'failed_precondition',
      snapshot.split
        ? `snapshot "${snapshot.name}" has no accepted traces on the train side of its split (${snapshot.traceCount} traces): accept traces in Review, make a new snapshot, then train on it`
        : `snapshot "${snapshot.name}" has no accepted traces (${snapshot.traceCount} traces, none accepted): accept traces in Review, make a new snapshot, then train on it`
    )
  }
  return accepted
}

/** verl RL: one query per sample (several accepted traces of one sample are one query). */
function rlQueries(project: Project, accepted: Map<string, string>, signal?: AbortSignal): RlQuery[] {
  const pathOf = mediaPathOf(project)
  const queries: RlQuery[] = []
  const seen = new Set<string>()
  for (const sampleId of accepted.values()) {
    if (seen.has(sampleId)) continue
    seen.add(sampleId)
    signal?.throwIfAborted()
    const sample = project.samples.get(sampleId)
    queries.push({ id: sample.id, question: sample.question, images: sample.media.map((m) => pathOf(m.hash)), isVideo: sample.kind === 'video', answer: sample.answer, source: sample.source })
  }
  return queries
}

/** Writes the dataset under layout.data; returns RunSpec.dataset (paths relative to the run dir). */
export async function writeDataset(project: Project, snapshotId: string, format: DatasetFormat, layout: RunLayout, signal?: AbortSignal): Promise<RunSpec['dataset']> {
  const snapshot = project.snapshots.get(snapshotId)
  const accepted = acceptedTraces(project, snapshotId)
  if (accepted.size === 0) assertTrainable(project, snapshotId)
  // the held-out side; empty without a split, or when none of its traces is accepted (then the run has no eval set)
  const held = snapshot.split ? acceptedTraces(project, snapshotId, 'validation') : new Map<string, string>()
  await mkdir(layout.data, { recursive: true })
  // Which sample each record comes from: the trainers report rollouts by record, the studio
  // files them under the sample.
  const index = [...accepted, ...held].map(([traceId, sampleId]) => JSON.stringify({ id: traceId, sample_id: sampleId, is_video: project.samples.get(sampleId).kind === 'video' }))
  await writeFile(join(layout.data, 'samples.jsonl'), `${index.join('\n')}\n`)

  if (format === 'trl') {
    const records = (function* () {
      for (const record of snapshotExportRecords(project, snapshotId)) if (accepted.has(record.id) || held.has(record.id)) yield record
    })()
    // the export writer sends validation-side records to eval.jsonl (the same pass, the same rows)
    const summary = await exportRecords(withRenderedMedia(project, records), { format: 'trl', outDir: layout.data, name: 'train', ...(held.size > 0 ? { evalName: 'eval' } : {}), pathOf: mediaPathOf(project), total: accepted.size + held.size, ...(signal ? { signal } : {}) })
    return {
      snapshotId,
      snapshotHash: snapshot.hash,
      train: relative(layout.dir, summary.file),
      format: 'trl',
      records: summary.records,
      ...(summary.evalFile ? { eval: relative(layout.dir, summary.evalFile), evalRecords: summary.evalRecords } : {})
    }
  }

  const queries = rlQueries(project, accepted, signal)
  const file = join(layout.data, 'train.parquet')
  await writeFile(join(layout.data, 'queries.jsonl'), `${queries.map((q, i) => JSON.stringify({ index: i, sample_id: q.id, is_video: q.isVideo })).join('\n')}\n`)
  const records = await writeVerlParquet(queries, { file, cropToolName: 'crop_image_normalized' })
  if (held.size === 0) return { snapshotId, snapshotHash: snapshot.hash, train: relative(layout.dir, file), format: 'verl', records }
  // the held-out queries as verl's val_files (split "test", as the exporter and verl's data scripts write it)
  const valFile = join(layout.data, 'val.parquet')
  const evalRecords = await writeVerlParquet(rlQueries(project, held, signal), { file: valFile, split: 'test', cropToolName: 'crop_image_normalized' })
  return { snapshotId, snapshotHash: snapshot.hash, train: relative(layout.dir, file), format: 'verl', records, eval: relative(layout.dir, valFile), evalRecords }
}
