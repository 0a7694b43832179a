// The `snapshots.export` job: a dataset snapshot written as files in one format, with a
// manifest.json that names the snapshot (id + hash) so a training run can prove what it read.
// Written into a staging folder beside the target (`<out>.partial-<job>`) and renamed into place
// only when whole: a cancel or failure removes it, a crash leaves it under a name that says it is
// incomplete, and the target folder never holds half an export. Each export is a row of the jobs
// table pointing to the snapshot, so Snapshot.usedBy lists it.
import { existsSync, readdirSync, statSync } from 'node:fs'
import { mkdir, rename, rm, rmdir, writeFile } from 'node:fs/promises'
import { join, resolve } from 'node:path'
import { StudioError, type JobProgress, type Snapshot, type SnapshotExportResult } from '../../shared/contract'
import type { SnapshotExportInput } from '../../shared/contract/schemas/export'
import type { z } from 'zod'
import { STUDIO_VERSION } from '../settings/version'
import { ProgressMeter } from '../jobs/progress-meter'
import type { Project } from '../project/project'
import type { ExportRecord } from './export-record'
import { defaultMediaRoot, exportRecords } from './export-writer'
import { mediaPathOf, snapshotExportRecords, withRenderedMedia } from './snapshot-records'
import { writeVerlParquet, type RlQuery } from './verl'

type ExportInput = z.output<typeof SnapshotExportInput>

const FORMAT_LABELS: Record<ExportInput['format'], string> = {
  trl: 'TRL conversational JSONL',
  llamafactory: 'LLaMA-Factory ShareGPT',
  verl: 'verl RL parquet',
  pixelreasoner: 'Pixel-Reasoner SFT JSON'
}

export const MANIFEST_FILE = 'manifest.json'

export interface ExportManifest {
  format: ExportInput['format']
  /** the data file a reader opens */
  dataFile: string
  files: string[]
  snapshot: { id: string; name: string; hash: string; traceCount: number }
  counts: { records: number; images: number }
  /** the snapshot's train/validation split: the held-out file and how to point a trainer at it */
  split?: {
    valFraction: number
    seed: number
    trainRecords: number
    validationRecords: number
    evalDataFile: string
    /** trl: the eval_dataset file; llamafactory: `eval_dataset: <key>` (not val_size, which would re-split the train set); verl: data.val_files; pixelreasoner: the second SFT file */
    use: string
  }
  cropToolName: string
  llamaFactoryMode?: 'text' | 'tools'
  /** media paths in the data file: absolute (under the export folder) or relative to it */
  mediaPaths?: 'absolute' | 'relative'
  jobId: string
  createdAt: string
  studioVersion: string
}

/** A file name from a snapshot name: what LLaMA-Factory's dataset key and the data file use. */
export function exportName(snapshot: Snapshot): string {
  const slug = snapshot.name.replace(/[^A-Za-z0-9_.-]+/g, '_').replace(/^[^A-Za-z0-9]+/, '').slice(0, 100)
  return slug || 'pixel_reasoner'
}

function checkTarget(outDir: string): void {
  if (!existsSync(outDir)) return
  if (!statSync(outDir).isDirectory()) throw new StudioError('conflict', `${outDir} exists and is not a folder`)
  if (readdirSync(outDir).length > 0) throw new StudioError('conflict', `${outDir} is not empty; export into a new or empty folder`)
}

/** The held-out file's name beside `<name>`: `<name>_eval` (verl: `<name>_val`, its val_files). */
export function evalName(name: string, format: ExportInput['format']): string {
  return `${name}${format === 'verl' ? '_val' : '_eval'}`
}

const SPLIT_USE: Record<ExportInput['format'], (file: string, key: string) => string> = {
  trl: (file) => `load ${file} as the eval_dataset of SFTTrainer`,
  llamafactory: (_file, key) => `eval_dataset: ${key} (registered in dataset_info.json; leave val_size unset: the split is already made)`,
  verl: (file) => `data.val_files=${file}`,
  pixelreasoner: (file) => `a second SFT file: evaluate on ${file}`
}

/** verl wants one RL query per sample: the first trace of each sample stands for it. */
async function* rlQueries(records: Iterable<ExportRecord>, pathOf: (hash: string) => string, side?: 'train' | 'validation'): AsyncGenerator<RlQuery> {
  const seen = new Set<string>()
  for (const r of records) {
    if (side && (r.split ?? 'train') !== side) continue
    const key = r.sampleId ?? r.id
    if (seen.has(key)) continue
    seen.add(key)
    const media = r.trace.media.kind === 'video' ? r.trace.media.frames : r.trace.media.images
    yield { id: key, question: r.trace.question, images: media.map(pathOf), isVideo: r.trace.media.kind === 'video', answer: r.gold, source: r.source }
  }
}

export async function exportSnapshot(project: Project, input: ExportInput, options: { signal?: AbortSignal; onProgress?: (p: JobProgress) => void } = {}): Promise<SnapshotExportResult> {
  const snapshot = project.snapshots.get(input.snapshotId)
  const outDir = resolve(input.outDir)
  checkTarget(outDir)
  const name = input.name ?? exportName(snapshot)
  const job = project.jobs.create({
    kind: 'export',
    title: `Export "${snapshot.name}" as ${FORMAT_LABELS[input.format]}`,
    spec: { ...input, outDir, name },
    snapshotSeq: project.snapshots.seqOf(snapshot.id)
  })
  project.jobs.start(job.id)
  const staging = `${outDir}.partial-${job.id}`
  const meter = new ProgressMeter(input.format === 'verl' ? 'queries' : 'traces')
  let reported = 0
  const progress = (p: JobProgress): void => {
    options.onProgress?.(p)
    // the jobs row follows at a slower pace: a write per 1000 rows, not per progress event
    if (p.done - reported >= 1000 || p.done === p.total) {
      reported = p.done
      project.jobs.progress(job.id, p)
    }
  }
  try {
    await mkdir(staging, { recursive: true })
    const pathOf = mediaPathOf(project)
    const records = snapshotExportRecords(project, snapshot.id)
    const held = snapshot.split ? evalName(name, input.format) : undefined
    let written: { dataFile: string; files: string[]; records: number; validationRecords: number; images: number; mediaPaths?: 'absolute' | 'relative' }
    if (input.format === 'verl') {
      const dataFile = `${name}.parquet`
      const verlOptions = (file: string, offset: number, split: string): Parameters<typeof writeVerlParquet>[1] => ({
        file: join(staging, file),
        split,
        cropToolName: input.cropToolName === 'crop_image' ? 'crop_image' : 'crop_image_normalized',
        ...(options.signal ? { signal: options.signal } : {}),
        onRow: (n) => {
          if ((offset + n) % 100 === 0) progress(meter.update(offset + n, null))
        }
      })
      // a split: the train side, then the held-out side as verl's val_files (split "test", as verl's own data scripts write it)
      const rows = await writeVerlParquet(rlQueries(records, pathOf, held ? 'train' : undefined), verlOptions(dataFile, 0, 'train'))
      const valRows = held ? await writeVerlParquet(rlQueries(snapshotExportRecords(project, snapshot.id), pathOf, 'validation'), verlOptions(`${held}.parquet`, rows, 'test')) : 0
      progress(meter.update(rows + valRows, rows + valRows))
      written = { dataFile, files: held ? [dataFile, `${held}.parquet`] : [dataFile], records: rows + valRows, validationRecords: valRows, images: 0 }
    } else {
      const mediaPaths = input.mediaPaths ?? (defaultMediaRoot(input.format, outDir) === null ? 'relative' : 'absolute')
      const summary = await exportRecords(withRenderedMedia(project, records), {
        format: input.format,
        outDir: staging,
        name,
        ...(held ? { evalName: held } : {}),
        mode: input.llamaFactoryMode,
        render: { cropToolName: input.cropToolName },
        // paths point at the final folder, not the staging one the files are written into
        mediaRoot: mediaPaths === 'absolute' ? outDir : null,
        total: snapshot.traceCount,
        ...(options.signal ? { signal: options.signal } : {}),
        onProgress: progress,
        pathOf
      })
      written = { dataFile: summary.files[0] ?? '', files: summary.files, records: summary.records + summary.evalRecords, validationRecords: summary.evalRecords, images: summary.images, mediaPaths }
    }
    const manifest: ExportManifest = {
      format: input.format,
      dataFile: written.dataFile,
      files: [...written.files, ...(written.images > 0 ? ['images/'] : [])],
      snapshot: { id: snapshot.id, name: snapshot.name, hash: snapshot.hash, traceCount: snapshot.traceCount },
      counts: { records: written.records, images: written.images },
      ...(snapshot.split && held
        ? {
            split: {
              valFraction: snapshot.split.valFraction,
              seed: snapshot.split.seed,
              trainRecords: written.records - written.validationRecords,
              validationRecords: written.validationRecords,
              evalDataFile: written.files[1] ?? '',
              use: SPLIT_USE[input.format](written.files[1] ?? '', held)
            }
          }
        : {}),
      cropToolName: input.cropToolName,
      ...(input.format === 'llamafactory' ? { llamaFactoryMode: input.llamaFactoryMode } : {}),
      ...(written.mediaPaths ? { mediaPaths: written.mediaPaths } : {}),
      jobId: job.id,
      createdAt: new Date().toISOString(),
      studioVersion: STUDIO_VERSION
    }
    await writeFile(join(staging, MANIFEST_FILE), `${JSON.stringify(manifest, null, 2)}\n`)
    options.signal?.throwIfAborted()
    checkTarget(outDir) // someone may have put files there meanwhile
    if (existsSync(outDir)) await rmdir(outDir)
    await rename(staging, outDir)
    const result: SnapshotExportResult = { jobId: job.id, outDir, format: input.format, files: [...manifest.files, MANIFEST_FILE], records: written.records, validationRecords: written.validationRecords, images: written.images, manifest: join(outDir, MANIFEST_FILE) }
    project.jobs.finish(job.id, 'succeeded', { result: { ...result } })
    return result
  } catch (error) {
    await rm(staging, { recursive: true, force: true })
    const cancelled = options.signal?.aborted === true
    const message = cancelled ? 'the export was cancelled; its partial output was removed' : error instanceof Error ? error.message : String(error)
    project.jobs.finish(job.id, cancelled ? 'cancelled' : 'failed', { error: message })
    throw cancelled ? new StudioError('cancelled', message) : error
  }
}
