// The `traces.import` job: each record of a TRL / LLaMA-Factory / Pixel-Reasoner SFT file
// becomes a sample (its media stored, content-addressed) and one trace (origin `imported`).
// A pipeline over two threads: a worker thread (trace-import-worker.ts) reads, parses, checks and
// converts the records, stores their files and lays them out as rows, in chunks (this thread does
// the first ones while the worker loads, and all of a small file: trace-import-host.ts); this
// thread takes each chunk, skips what is present and writes the rest in ONE transaction (the
// files' rows, samples, traces, their full-text entries) while the worker converts the next. A crash
// loses at most the uncommitted chunk and never leaves half a record; a chunk that fails is
// written record by record, so only the bad record is skipped (named by line and reason). Ids
// come from the file name and the record's id (or number), so a re-run skips what is there and
// an interrupted import resumes.
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs'
import { dirname, join, resolve } from 'node:path'
import { StudioError, type JobProgress, type TraceImportFormat, type TraceImportResult } from '../../shared/contract'
import type { StoredMedia } from '../media/media-files'
import type { Project } from '../project/project'
import type { NewSample } from '../samples/sample-repository'
import type { TraceRows } from '../traces/trace-rows'
import { ImportTally, messageOf } from './import-result'
import type { PreparedRecord } from './record-rows'
import type { RefusedRecord } from './trace-convert'
import { ImportChunks, WORKER_FROM_BYTES, type ImportThread } from './trace-import-host'

export interface TraceImportOptions {
  imageRoot?: string | undefined
  signal?: AbortSignal
  onProgress?: (p: JobProgress) => void
  /** who converts the records (trace-import-host.ts): 'both' (the default for a file of WORKER_FROM_BYTES or more: a worker thread takes over once it has started), 'inline' (the default below), 'worker' */
  thread?: ImportThread
  /** where the time went, once the import ends (benchmarks) */
  onStages?: (stages: ImportStages) => void
}

/** Milliseconds per stage, of the converting threads and of this one. */
export interface ImportStages {
  /** 'worker' when the worker took over, after `inlineRecords` converted here while it started */
  thread: 'worker' | 'inline'
  inlineRecords: number
  /** reading + JSON.parse, the format check + ids + conversion + files and rows (both threads); the worker's other busy time (loading, JSON of the chunks, messages) */
  converting: { read: number; convert: number; other: number }
  /** the worker's start: ms until it was loaded, and its CPU ms for that (tsx from source costs more than the built file) */
  workerLoad: { ms: number; cpuMs: number }
  /** this thread: the samples' presence lookup, the batch of what is new, the transactions, waiting for the next chunk (and taking it in: its structured clone) */
  main: { lookup: number; rows: number; write: number; wait: number }
  /** CPU ms (user + system) of this thread and of the worker thread */
  cpuMs: { main: number; worker: number }
}

const DATA_EXT: Record<TraceImportFormat, string[]> = { trl: ['.jsonl', '.json'], llamafactory: ['.json', '.jsonl'], pixelreasoner: ['.json', '.jsonl'] }
const NOT_DATA = new Set(['manifest.json', 'dataset_info.json'])

/** The data file: the path itself, or in an export folder the file its manifest names. */
export function dataFileOf(path: string, format: TraceImportFormat): string {
  const abs = resolve(path)
  if (!existsSync(abs)) throw new StudioError('not_found', `${abs} does not exist`)
  if (!statSync(abs).isDirectory()) return abs
  const manifest = join(abs, 'manifest.json')
  if (existsSync(manifest)) {
    let named: unknown
    try {
      named = (JSON.parse(readFileSync(manifest, 'utf8')) as { dataFile?: unknown }).dataFile
    } catch (error) {
      throw new StudioError('invalid_input', `${manifest} is not valid JSON: ${messageOf(error)}`)
    }
    if (typeof named === 'string' && existsSync(join(abs, named))) return join(abs, named)
  }
  const candidates = readdirSync(abs).filter((f) => !NOT_DATA.has(f) && DATA_EXT[format].some((ext) => f.endsWith(ext)))
  if (candidates.length === 1) return join(abs, candidates[0]!)
  throw new StudioError('invalid_input', candidates.length === 0 ? `${abs} holds no ${DATA_EXT[format].join(' or ')} data file` : `${abs} holds several data files (${candidates.join(', ')}); choose one`)
}

/** At most one progress event per this many ms (a chunk is also committed at least this often: converted-chunks.ts). */
const PROGRESS_MS = 250

interface Pending {
  index: number
  /** null: a sample with its id exists, or an earlier record of the batch brings it */
  sample: NewSample | null
  trace: TraceRows
}

/** PIXEL_STUDIO_TRACE_IMPORT_THREAD=inline|worker|both overrides the choice by file size (the built CLI's tests use the worker on a small file). */
function threadFromEnv(): ImportThread | undefined {
  const value = process.env.PIXEL_STUDIO_TRACE_IMPORT_THREAD
  if (value === undefined || value === '') return undefined
  if (value === 'inline' || value === 'worker' || value === 'both') return value
  throw new StudioError('invalid_input', `PIXEL_STUDIO_TRACE_IMPORT_THREAD is "${value}": use inline, worker or both`)
}

export async function importTraces(project: Project, format: TraceImportFormat, path: string, options: TraceImportOptions = {}): Promise<TraceImportResult> {
  const file = dataFileOf(path, format)
  const root = options.imageRoot ? resolve(options.imageRoot) : dirname(file)
  const size = statSync(file).size
  // a record counts (and shows in progress) once it is committed: progress never runs ahead of
  // the file; the total is estimated from the bytes read until the end of the file gives it
  const tally = new ImportTally(options, null, 1, PROGRESS_MS)
  const stages: ImportStages = { thread: 'inline', inlineRecords: 0, converting: { read: 0, convert: 0, other: 0 }, workerLoad: { ms: 0, cpuMs: 0 }, main: { lookup: 0, rows: 0, write: 0, wait: 0 }, cpuMs: { main: 0, worker: 0 } }
  const mainCpu = process.threadCpuUsage()
  const lap = (stage: keyof ImportStages['main'], since: number): number => {
    const now = performance.now()
    stages.main[stage] += now - since
    return now
  }
  // a batch's samples, then its traces (their full-text entries with them: the rows bring their text)
  const writeRecords = (batch: readonly Pending[]): void => {
    const samples = batch.flatMap((p) => (p.sample ? [p.sample] : []))
    const seqs = project.samples.insertMany(samples)
    const keys = new Map(samples.map((sample, k) => [sample.id, { seq: seqs[k]!, source: sample.source }]))
    project.traces.insertRows(
      batch.map((p) => p.trace),
      'import',
      'import',
      { samples: keys, indexText: true }
    )
  }
  const writeOne = project.db.transaction(writeRecords)
  // a chunk in one transaction, its files' rows first (the files are stored: record-rows.ts)
  const writeAll = project.db.transaction((batch: readonly Pending[], media: readonly StoredMedia[]) => {
    project.media.record(media)
    writeRecords(batch)
  })
  // if it fails, again in one transaction with a savepoint per record (a nested transaction),
  // so only the bad one is rolled back and named
  const writeEach = project.db.transaction((batch: readonly Pending[], media: readonly StoredMedia[]) => {
    project.media.record(media)
    return batch.map((p) => {
      try {
        writeOne([p])
        return null
      } catch (error) {
        return messageOf(error)
      }
    })
  })
  /** A prepared chunk (what is imported already counted where it was converted: record-rows.ts), written as one batch. */
  const importChunk = (records: readonly PreparedRecord[], refused: readonly RefusedRecord[], media: readonly StoredMedia[]): void => {
    options.signal?.throwIfAborted()
    let at = performance.now()
    for (const r of refused) tally.step({ file, line: r.index, message: r.message })
    const knownSamples = project.samples.existing(records.map((r) => r.sample.id))
    at = lap('lookup', at)
    const batch: Pending[] = []
    for (const r of records) {
      const known = knownSamples.has(r.sample.id)
      knownSamples.add(r.sample.id)
      batch.push({ index: r.index, sample: known ? null : r.sample, trace: r.trace })
    }
    at = lap('rows', at)
    if (batch.length > 0 || media.length > 0) {
      let failures: Array<string | null> | null = null
      try {
        project.checkpoints.write(batch.length, () => writeAll(batch, media))
      } catch {
        failures = writeEach(batch, media)
      }
      // counted once committed (tally.step throws on cancel: after the commit, never inside it)
      batch.forEach((p, k) => {
        const failure = failures?.[k]
        tally.step(failure == null ? 'imported' : { file, line: p.index, message: failure })
      })
    }
    lap('write', at)
  }
  options.signal?.throwIfAborted()
  const chunks = new ImportChunks(file, format, options.thread ?? threadFromEnv() ?? (size >= WORKER_FROM_BYTES ? 'both' : 'inline'), { mediaRoot: project.media.root, database: project.db.name, imageRoot: root }, (ids) => project.traces.existing(ids), options.signal)
  const workerConverting = { read: 0, convert: 0 }
  try {
    for (let at = performance.now(); ; ) {
      const chunk = await chunks.next()
      at = lap('wait', at)
      if (!chunk) break
      stages.converting.read += chunk.ms.read
      stages.converting.convert += chunk.ms.convert
      if (chunks.thread === 'worker') {
        workerConverting.read += chunk.ms.read
        workerConverting.convert += chunk.ms.convert
      } else stages.inlineRecords = chunk.read
      // the total so far: the records read over the share of the file they span; exact at the end
      tally.total = Math.max(chunk.read, Math.round((chunk.read * size) / Math.max(chunk.bytes, 1)))
      for (let k = 0; k < chunk.present; k++) tally.step('present')
      importChunk(chunk.records, chunk.refused, chunk.media)
      chunks.written()
      at = performance.now()
    }
  } finally {
    await chunks.close()
  }
  stages.thread = chunks.thread
  // converting here ran inside the wait for the next chunk
  stages.main.wait = Math.max(0, stages.main.wait - chunks.convertMs)
  const worker = chunks.workerMs
  stages.converting.other = Math.max(0, worker.busy - workerConverting.read - workerConverting.convert)
  stages.workerLoad = worker.load
  const cpu = process.threadCpuUsage(mainCpu)
  stages.cpuMs = { main: (cpu.user + cpu.system) / 1000, worker: worker.cpu }
  tally.total = tally.imported + tally.alreadyPresent + tally.skipped.length
  options.onStages?.(stages)
  const result = tally.result()
  const skipped = result.skipped.map((s) => ({ file: s.file, record: s.line ?? 0, message: s.message })).sort((a, b) => a.record - b.record)
  return { imported: result.imported, alreadyPresent: result.alreadyPresent, skipped }
}
