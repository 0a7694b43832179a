// A run's training data: the ACCEPTED traces of its snapshot (review decides what a model learns
// from), written in the format its backend reads — TRL conversational JSONL (TRL) or
// verl's RL parquet (one row per query). A snapshot without accepted traces is refused before a
// run is queued.
import { mkdir, writeFile } from 'node:fs/promises'
import { join, relative } from 'node:path'
import { StudioError, type RunSpec } from '../../shared/contract'
import { exportRecords } from '../export/export-writer'
import { mediaPathOf, snapshotExportRecords } from '../export/snapshot-records'
import { writeVerlParquet, type RlQuery } from '../export/verl'
import type { Project } from '../project/project'
import type { RunLayout } from './paths'

export type DatasetFormat = 'trl' | 'verl'

/** Accepted trace id -> sample id, in snapshot order. */
export function acceptedTraces(project: Project, snapshotId: string): Map<string, string> {
  const accepted = new Map<string, string>()
  for (const item of project.snapshots.items(snapshotId)) if (item.state.status === 'accepted') accepted.set(item.traceId, item.sampleId)
  return accepted
}

/** Refuses (before anything is queued) a snapshot a run could not learn from. */
export function assertTrainable(project: Project, snapshotId: string): number {
  const snapshot = project.snapshots.get(snapshotId)
  const accepted = acceptedTraces(project, snapshotId).size
  if (accepted === 0) {
    throw new StudioError(
      'failed_precondition',
      `snapshot "${snapshot.name}" has no accepted traces (${snapshot.traceCount} traces, none accepted): accept traces in Review, make a new snapshot, then train on it`
    )
  }
  return accepted
}

/** Writes the dataset under layout.data; returns RunSpec.dataset (paths relative to the run dir). */
export async function writeDataset(project: Project, snapshotId: string, format: DatasetFormat, layout: RunLayout, signal?: AbortSignal): Promise<RunSpec['dataset']> {
  const snapshot = project.snapshots.get(snapshotId)
  const accepted = acceptedTraces(project, snapshotId)
  if (accepted.size === 0) assertTrainable(project, snapshotId)
  await mkdir(layout.data, { recursive: true })
  // Which sample each record comes from: the trainers report rollouts by record, the studio
  // files them under the sample.
  const index = [...accepted].map(([traceId, sampleId]) => JSON.stringify({ id: traceId, sample_id: sampleId, is_video: project.samples.get(sampleId).kind === 'video' }))
  await writeFile(join(layout.data, 'samples.jsonl'), `${index.join('\n')}\n`)

  if (format === 'trl') {
    const records = (function* () {
      for (const record of snapshotExportRecords(project, snapshotId)) if (accepted.has(record.id)) yield record
    })()
    const summary = await exportRecords(records, { format: 'trl', outDir: layout.data, name: 'train', pathOf: mediaPathOf(project), total: accepted.size, ...(signal ? { signal } : {}) })
    return { snapshotId, snapshotHash: snapshot.hash, train: relative(layout.dir, summary.file), format: 'trl', records: summary.records }
  }

  // verl RL: one query per sample (several accepted traces of one sample are one query).
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
  const file = join(layout.data, 'train.parquet')
  await writeFile(join(layout.data, 'queries.jsonl'), `${queries.map((q, i) => JSON.stringify({ index: i, sample_id: q.id, is_video: q.isVideo })).join('\n')}\n`)
  const records = await writeVerlParquet(queries, { file, cropToolName: 'crop_image_normalized' })
  return { snapshotId, snapshotHash: snapshot.hash, train: relative(layout.dir, file), format: 'verl', records }
}
