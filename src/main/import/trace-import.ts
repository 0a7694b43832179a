// The `traces.import` job: each record of a TRL / LLaMA-Factory / Pixel-Reasoner SFT file
// becomes a sample (its media stored, content-addressed) and one trace (origin `imported`).
// Per record: read and check it whole (trace-formats + chat-to-trace) and store its media; then
// records are written in batches (one transaction per BATCH records or BATCH_MS), so a crash
// loses at most the uncommitted batch and never leaves half a record; a batch that fails is
// written record by record, so only the bad record is skipped (named by line and reason). Ids come from the file name and the record's id (or number), so a re-run skips what is
// there and an interrupted import resumes.
import { createHash } from 'node:crypto'
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs'
import { readFile } from 'node:fs/promises'
import { basename, dirname, isAbsolute, join, resolve } from 'node:path'
import { StudioError, type JobProgress, type MediaRef, type TraceImportFormat, type TraceImportResult } from '../../shared/contract'
import { observationMedia } from '../../shared/toolcall/steps'
import type { Project } from '../project/project'
import { chatToTrace, resolveMedia } from './chat-to-trace'
import { ImportTally, messageOf } from './import-result'
import { countRecords, readRecords, type RecordEntry } from './record-stream'
import { inferAnswerType } from './sample-jsonl'
import { CHAT_READERS, type ImportedChat } from './trace-formats'

export interface TraceImportOptions {
  imageRoot?: string | undefined
  signal?: AbortSignal
  onProgress?: (p: JobProgress) => void
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

/** Stable ids: the same record of the same file always maps to the same sample and trace. */
export function importIds(file: string, key: string): { sampleId: string; traceId: string } {
  const readable = `import:${basename(file)}:${key}`
  const sampleId = readable.length <= 128 ? readable : `import:${createHash('sha256').update(readable).digest('hex').slice(0, 40)}`
  return { sampleId, traceId: `trace-import-${createHash('sha256').update(sampleId).digest('hex').slice(0, 32)}` }
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

/**
 * Records read, checked and written per transaction, at most; a batch also ends after BATCH_MS
 * (progress, and what a kill -9 can lose). Large batches: a commit costs as much as ~100 records.
 */
const BATCH = 2000
const BATCH_MS = 250

type NewSample = Parameters<Project['samples']['insert']>[0]
type NewTrace = Parameters<Project['traces']['insertMany']>[0][number]
interface Pending {
  index: number
  sample: NewSample | null
  trace: NewTrace
}

export async function importTraces(project: Project, format: TraceImportFormat, path: string, options: TraceImportOptions = {}): Promise<TraceImportResult> {
  const file = dataFileOf(path, format)
  const root = options.imageRoot ? resolve(options.imageRoot) : dirname(file)
  const toChat = CHAT_READERS[format]
  const media = new MediaCache(project, root)
  // a record counts (and shows in progress) once it is committed: progress never runs ahead of the file
  const tally = new ImportTally(
    options,
    await countRecords(file).catch((error: unknown) => {
      throw new StudioError('invalid_input', `${file}: ${messageOf(error)}`)
    }),
    1,
    BATCH_MS
  )
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
  const pendingSamples = new Set<string>()
  let batchStart = performance.now()
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
    try {
      writeAll(pending)
      for (let k = 0; k < pending.length; k++) tally.step('imported')
    } catch {
      // counted once committed (tally.step may throw on cancel: after the commit, not inside it)
      const failures = writeEach(pending)
      pending.forEach((p, k) => {
        const failure = failures[k]
        tally.step(failure == null ? 'imported' : { file, line: p.index, message: failure })
      })
    }
    pending.length = 0
    pendingSamples.clear()
    batchStart = performance.now()
  }
  const keys = new Set<string>() // a record id repeated in the file gets its record number too
  /** A chunk of records: read and checked, present ones skipped, media stored, then written as one batch. */
  const importChunk = async (entries: readonly RecordEntry[]): Promise<void> => {
    // the cheap part: each record checked, then the whole chunk looked up in two statements
    const read: Array<{ index: number; chat: ImportedChat; ids: { sampleId: string; traceId: string } }> = []
    for (const entry of entries) {
      if (!entry.ok) {
        tally.step({ file, line: entry.index, message: entry.message })
        continue
      }
      try {
        const chat = toChat(entry.value)
        let key = chat.key ?? `record-${entry.index}`
        if (keys.has(key)) key = `${key}@record-${entry.index}`
        keys.add(key)
        read.push({ index: entry.index, chat, ids: importIds(file, key) })
      } catch (error) {
        tally.step({ file, line: entry.index, message: messageOf(error) })
      }
    }
    const presentTraces = project.traces.existing(read.map((r) => r.ids.traceId))
    const knownSamples = project.samples.existing(read.map((r) => r.ids.sampleId))
    const fresh: Array<{ index: number; chat: ImportedChat; ids: { sampleId: string; traceId: string }; sampleKnown: boolean }> = []
    for (const r of read) {
      if (presentTraces.has(r.ids.traceId)) tally.step('present')
      else fresh.push({ ...r, sampleKnown: knownSamples.has(r.ids.sampleId) })
    }
    for (const { index, chat, ids, sampleKnown } of fresh) {
      options.signal?.throwIfAborted()
      try {
        const converted = chatToTrace(chat)
        // media first (files + rows, content-addressed, each distinct file once per run: harmless if the record then fails)
        const refs = new Map<string, MediaRef>()
        for (const step of converted.steps) {
          if (step.kind !== 'observation') continue
          const images = observationMedia(step.result) ?? []
          for (const p of images) refs.set(p, media.known(p) ?? (await media.put(p)))
        }
        const sampleMedia: MediaRef[] = []
        for (const p of converted.media) sampleMedia.push(media.known(p) ?? (await media.put(p)))
        const steps = resolveMedia(converted.steps, (p) => {
          const ref = refs.get(p)
          if (!ref) throw new StudioError('internal', `media ${p} was not stored`)
          return ref
        })
        const answer = chat.answer ?? converted.boxed ?? ''
        const sample =
          sampleKnown || pendingSamples.has(ids.sampleId)
            ? null
            : { id: ids.sampleId, kind: converted.kind, question: converted.question, answer, answerType: inferAnswerType(answer), source, media: sampleMedia, cues: [] }
        if (sample) pendingSamples.add(sample.id)
        pending.push({
          index,
          sample,
          trace: { id: ids.traceId, sampleId: ids.sampleId, origin: 'imported', originDetail: { file, record: String(index) }, question: converted.question, steps, status: 'unreviewed' }
        })
      } catch (error) {
        if (options.signal?.aborted) throw error
        tally.step({ file, line: index, message: messageOf(error) })
      }
    }
    flush()
  }
  const chunk: RecordEntry[] = []
  try {
    for await (const entry of readRecords(file)) {
      options.signal?.throwIfAborted()
      chunk.push(entry)
      if (chunk.length >= BATCH || performance.now() - batchStart >= BATCH_MS) await importChunk(chunk.splice(0))
    }
    await importChunk(chunk.splice(0))
  } finally {
    // cancelled or failed: what was read whole is kept
    flush()
  }
  const result = tally.result()
  const skipped = result.skipped.map((s) => ({ file: s.file, record: s.line ?? 0, message: s.message })).sort((a, b) => a.record - b.record)
  return { imported: result.imported, alreadyPresent: result.alreadyPresent, skipped }
}
