// The `traces.import` job: each record of a TRL / LLaMA-Factory / Pixel-Reasoner SFT file
// becomes a sample (its media stored, content-addressed) and one trace (origin `imported`).
// A pipeline over two threads: a worker thread (trace-import-worker.ts) reads, parses, checks and
// converts the records in chunks (this thread does the first ones while the worker loads, and all
// of a small file: trace-import-host.ts); this thread takes each chunk, skips what is present,
// stores the media and writes the chunk in ONE transaction while the worker converts the next. A crash
// loses at most the uncommitted chunk and never leaves half a record; a chunk that fails is
// written record by record, so only the bad record is skipped (named by line and reason). Ids
// come from the file name and the record's id (or number), so a re-run skips what is there and
// an interrupted import resumes.
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs'
import { readFile } from 'node:fs/promises'
import { basename, dirname, isAbsolute, join, resolve } from 'node:path'
import { StudioError, type JobProgress, type MediaRef, type TraceImportFormat, type TraceImportResult } from '../../shared/contract'
import { observationMedia } from '../../shared/toolcall/steps'
import type { Project } from '../project/project'
import { resolveMedia } from './chat-to-trace'
import { ImportTally, messageOf } from './import-result'
import type { ConvertedRecord, RefusedRecord } from './trace-convert'
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
  /** reading + JSON.parse, the format check + ids + conversion (both threads); the worker's other busy time (loading, JSON of the chunks, messages) */
  converting: { read: number; convert: number; other: number }
  /** the worker's start: ms until it was loaded, and its CPU ms for that (tsx from source costs more than the built file) */
  workerLoad: { ms: number; cpuMs: number }
  /** this thread: taking in the worker's chunks, the presence lookups, media and building the rows, the transactions, waiting for the next chunk */
  main: { receive: number; lookup: number; media: number; write: number; wait: number }
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

/** Stores media files once per run (the same image is often named by many records). */
class MediaCache {
  private readonly refs = new Map<string, MediaRef>()
  constructor(
    private readonly project: Project,
    private readonly root: string
  ) {}

  /** A file stored earlier in this run (no await on the common path: many records, few images). */
  known(path: string): MediaRef | undefined {
    return this.refs.get(path)
  }

  async put(path: string): Promise<MediaRef> {
    const known = this.refs.get(path)
    if (known) return known
    const abs = isAbsolute(path) ? path : join(this.root, path)
    let bytes: Buffer
    try {
      bytes = await readFile(abs)
    } catch {
      throw new StudioError('not_found', `${path} not found (looked in ${isAbsolute(path) ? dirname(abs) : this.root})`)
    }
    let ref: MediaRef
    try {
      ref = await this.project.media.put(bytes)
    } catch (error) {
      throw new StudioError('invalid_input', `${path}: ${messageOf(error)}`)
    }
    if (this.refs.size >= 20_000) this.refs.clear() // bounded: a cache, not an index
    this.refs.set(path, ref)
    return ref
  }
}

/** At most one progress event per this many ms (a chunk is also committed at least this often: converted-chunks.ts). */
const PROGRESS_MS = 250

type NewSample = Parameters<Project['samples']['insert']>[0]
type NewTrace = Parameters<Project['traces']['insertMany']>[0][number]
interface Pending {
  index: number
  sample: NewSample | null
  trace: NewTrace
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
  const media = new MediaCache(project, root)
  // a record counts (and shows in progress) once it is committed: progress never runs ahead of
  // the file; the total is estimated from the bytes read until the end of the file gives it
  const tally = new ImportTally(options, null, 1, PROGRESS_MS)
  const stages: ImportStages = { thread: 'inline', inlineRecords: 0, converting: { read: 0, convert: 0, other: 0 }, workerLoad: { ms: 0, cpuMs: 0 }, main: { receive: 0, lookup: 0, media: 0, write: 0, wait: 0 }, cpuMs: { main: 0, worker: 0 } }
  const mainCpu = process.threadCpuUsage()
  const lap = (stage: keyof ImportStages['main'], since: number): number => {
    const now = performance.now()
    stages.main[stage] += now - since
    return now
  }
  const source = `import:${basename(file)}`
  const writeAll = project.db.transaction((batch: readonly Pending[]) => {
    project.samples.insertMany(batch.flatMap((p) => (p.sample ? [p.sample] : [])))
    project.traces.insertMany(
      batch.map((p) => p.trace),
      'import',
      'import'
    )
  })
  const pending: Pending[] = []
  // a batch in one transaction; if it fails, again in one transaction with a savepoint per
  // record (a nested transaction), so only the bad one is rolled back and named
  const writeEach = project.db.transaction((batch: readonly Pending[]) =>
    batch.map((p) => {
      try {
        writeAll([p])
        return null
      } catch (error) {
        return messageOf(error)
      }
    })
  )
  const flush = (): void => {
    if (pending.length === 0) return
    const batch = pending.splice(0)
    let failures: Array<string | null> | null = null
    try {
      project.checkpoints.write(batch.length, () => writeAll(batch))
    } catch {
      failures = writeEach(batch)
    }
    // counted once committed (tally.step throws on cancel: after the commit, never inside it)
    batch.forEach((p, k) => {
      const failure = failures?.[k]
      tally.step(failure == null ? 'imported' : { file, line: p.index, message: failure })
    })
  }
  /** A converted chunk: present ones skipped, media stored, then written as one batch. */
  const importChunk = async (records: readonly ConvertedRecord[], refused: readonly RefusedRecord[]): Promise<void> => {
    let at = performance.now()
    const presentTraces = project.traces.existing([...records.map((r) => r.traceId), ...refused.flatMap((r) => (r.traceId ? [r.traceId] : []))])
    // a refused record already imported (its file changed since) counts as present, as a re-run of it would
    for (const r of refused) tally.step(r.traceId && presentTraces.has(r.traceId) ? 'present' : { file, line: r.index, message: r.message })
    const fresh = records.filter((r) => !presentTraces.has(r.traceId))
    for (let k = records.length - fresh.length; k > 0; k--) tally.step('present')
    const knownSamples = project.samples.existing(fresh.map((r) => r.sampleId))
    at = lap('lookup', at)
    const pendingSamples = new Set<string>()
    for (const r of fresh) {
      options.signal?.throwIfAborted()
      try {
        // media first (files + rows, content-addressed, each distinct file once per run: harmless if the record then fails)
        const refs = new Map<string, MediaRef>()
        for (const step of r.steps) {
          if (step.kind !== 'observation') continue
          const images = observationMedia(step.result) ?? []
          for (const p of images) refs.set(p, media.known(p) ?? (await media.put(p)))
        }
        const sampleMedia: MediaRef[] = []
        for (const p of r.media) sampleMedia.push(media.known(p) ?? (await media.put(p)))
        const steps = resolveMedia(r.steps, (p) => {
          const ref = refs.get(p)
          if (!ref) throw new StudioError('internal', `media ${p} was not stored`)
          return ref
        })
        const sample =
          knownSamples.has(r.sampleId) || pendingSamples.has(r.sampleId)
            ? null
            : { id: r.sampleId, kind: r.kind, question: r.question, answer: r.answer, answerType: r.answerType, source, media: sampleMedia, cues: [] }
        if (sample) pendingSamples.add(sample.id)
        pending.push({
          index: r.index,
          sample,
          trace: { id: r.traceId, sampleId: r.sampleId, origin: 'imported', originDetail: { file, record: String(r.index) }, question: r.question, steps, status: 'unreviewed' }
        })
      } catch (error) {
        if (options.signal?.aborted) throw error
        tally.step({ file, line: r.index, message: messageOf(error) })
      }
    }
    at = lap('media', at)
    flush()
    lap('write', at)
  }
  options.signal?.throwIfAborted()
  const chunks = new ImportChunks(file, format, options.thread ?? threadFromEnv() ?? (size >= WORKER_FROM_BYTES ? 'both' : 'inline'), options.signal)
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
      await importChunk(chunk.records, chunk.refused)
      chunks.written()
      at = performance.now()
    }
  } finally {
    // cancelled or failed: what was converted whole is kept
    flush()
    await chunks.close()
  }
  stages.thread = chunks.thread
  stages.main.receive = chunks.receiveMs
  // converting here ran inside the wait for the next chunk
  stages.main.wait = Math.max(0, stages.main.wait - chunks.receiveMs - chunks.convertMs)
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
