// A converted record (trace-convert.ts) made into what the importer writes: the files its steps
// and question name stored (content-addressed, files only: media/media-files.ts) and named by
// hash, its sample, and its trace as rows (traces/trace-rows.ts). Runs on the thread that
// converts (the import's worker thread; this one for a small file), so the writing thread only
// binds rows: its time is the import's bound (README.md).
import { readFile } from 'node:fs/promises'
import { basename, dirname, isAbsolute, join } from 'node:path'
import type { MediaRef } from '../../shared/contract'
import { StudioError } from '../../shared/contract/errors'
import { observationMedia } from '../../shared/toolcall/steps'
import { mediaRef, type MediaFiles, type StoredMedia } from '../media/media-files'
import type { NewSample } from '../samples/sample-repository'
import { traceRows, type TraceRows } from '../traces/trace-rows'
import { resolveMedia } from './chat-to-trace'
import { messageOf } from './import-result'
import { isRefused, type ConvertedRecord, type RefusedRecord } from './trace-convert'

/** A record ready to write: its sample (written unless one with its id exists) and its trace's rows. */
export interface PreparedRecord {
  /** 1-based record number (JSONL: the line) */
  index: number
  sample: NewSample
  trace: TraceRows
}

/** Every file path a converted record names: its question's media, then its observations'. */
function pathsOf(r: ConvertedRecord): string[] {
  const paths = [...r.media]
  for (const step of r.steps) if (step.kind === 'observation') paths.push(...(observationMedia(step.result) ?? []))
  return paths
}

/** Which of these trace ids are in the project already (one query for a chunk). */
export type PresentTraces = (traceIds: readonly string[]) => Set<string>

export class RecordPreparer {
  /** files stored in this run, by the path a record names them with (a cache, bounded: many records, few images) */
  private readonly stored = new Map<string, StoredMedia | StudioError>()
  /** stored since the last chunk (their rows are written with it; each once per run, unless the cache was emptied meanwhile) */
  private fresh: StoredMedia[] = []
  private readonly source: string

  constructor(
    private readonly file: string,
    private readonly files: MediaFiles,
    /** where relative media paths are looked up */
    private readonly imageRoot: string,
    /** asked once a chunk: a re-run skips what is imported without reading its files */
    private readonly present: PresentTraces
  ) {
    this.source = `import:${basename(file)}`
  }

  /**
   * A chunk: its converted records and those refused so far. What is imported already is counted
   * (none of its files read; a refused record already imported, its file changed since, counts
   * too, as a re-run of it would); the others' files are stored and the records laid out.
   */
  async prepareChunk(
    converted: readonly ConvertedRecord[],
    refusedBefore: readonly RefusedRecord[]
  ): Promise<{ records: PreparedRecord[]; refused: RefusedRecord[]; present: number; media: StoredMedia[] }> {
    const ids = [...converted.map((r) => r.traceId), ...refusedBefore.flatMap((r) => (r.traceId ? [r.traceId] : []))]
    const present = ids.length > 0 ? this.present(ids) : new Set<string>()
    const refused = refusedBefore.filter((r) => !(r.traceId && present.has(r.traceId)))
    const records: PreparedRecord[] = []
    let presentCount = refusedBefore.length - refused.length
    for (const r of converted) {
      if (present.has(r.traceId)) {
        presentCount++
        continue
      }
      // files are read and stored only for a record naming one not stored yet in this run (no
      // await for the others); the cache is emptied between records, never between a record's
      // files and its prepare
      if (this.stored.size >= 20_000) this.stored.clear()
      const missing = pathsOf(r).filter((p) => !this.stored.has(p))
      // (a path the record names twice is stored once)
      for (const path of missing) if (!this.stored.has(path)) await this.store(path)
      const prepared = this.prepare(r)
      if (isRefused(prepared)) refused.push(prepared)
      else records.push(prepared)
    }
    return { records, refused, present: presentCount, media: this.fresh.splice(0) }
  }

  /** The record with its files named by hash, or why it cannot be imported (after its files are stored). */
  private prepare(r: ConvertedRecord): PreparedRecord | RefusedRecord {
    try {
      const ref = (path: string): MediaRef => {
        const m = this.stored.get(path)
        if (m === undefined) throw new StudioError('internal', `media ${path} was not stored`)
        if (m instanceof StudioError) throw m
        return mediaRef(m)
      }
      const media = r.media.map(ref)
      const steps = resolveMedia(r.steps, ref)
      const sample: NewSample = { id: r.sampleId, kind: r.kind, question: r.question, answer: r.answer, answerType: r.answerType, source: this.source, media, cues: [] }
      const trace = traceRows({ id: r.traceId, sampleId: r.sampleId, origin: 'imported', originDetail: { file: this.file, record: String(r.index) }, question: r.question, steps, status: 'unreviewed' })
      return { index: r.index, sample, trace }
    } catch (error) {
      return { index: r.index, message: messageOf(error), traceId: r.traceId }
    }
  }

  private async store(path: string): Promise<void> {
    const abs = isAbsolute(path) ? path : join(this.imageRoot, path)
    let result: StoredMedia | StudioError
    try {
      let bytes: Buffer
      try {
        bytes = await readFile(abs)
      } catch {
        throw new StudioError('not_found', `${path} not found (looked in ${isAbsolute(path) ? dirname(abs) : this.imageRoot})`)
      }
      try {
        result = await this.files.put(bytes)
      } catch (error) {
        throw new StudioError('invalid_input', `${path}: ${messageOf(error)}`)
      }
      this.fresh.push(result)
    } catch (error) {
      // a file that cannot be stored refuses each record naming it, with the same reason
      result = error instanceof StudioError ? error : new StudioError('internal', messageOf(error))
    }
    this.stored.set(path, result)
  }
}
