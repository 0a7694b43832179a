// A trace file's records read, checked, converted (trace-convert.ts) and made into rows with
// their files stored (record-rows.ts), in chunks: up to CHUNK
// records, or what was read in CHUNK_MS. A chunk is what the importer writes in one transaction,
// so these bound what a kill -9 can lose and how often progress moves. Runs in the import's worker
// thread (trace-import-worker.ts), or inline: a small file, and a large one's first chunks while
// the worker starts (trace-import-host.ts).
import { readRecords } from './record-stream'
import type { StoredMedia } from '../media/media-files'
import type { PreparedRecord, RecordPreparer } from './record-rows'
import { isRefused, type ConvertedRecord, type RecordConverter, type RefusedRecord } from './trace-convert'

export const CHUNK = 2000
export const CHUNK_MS = 250

export interface ConvertedChunk {
  records: PreparedRecord[]
  refused: RefusedRecord[]
  /** records whose trace is in the project already (a re-run; refused ones too): no file of theirs was read */
  present: number
  /** the files this chunk's records name that were stored while it was converted (their rows are written with it) */
  media: StoredMedia[]
  /** records read so far (this chunk's included), the number of the last one, and the bytes of the file they span */
  read: number
  last: number
  bytes: number
  /** where this chunk's time went (ms of this thread): reading + JSON.parse, check + conversion + rows (files included) */
  ms: { read: number; convert: number }
}

/**
 * From the record after `from.last` on (`from.read` records before it), converted by `converter`.
 * `first`: the first chunk's size, doubled at each chunk up to CHUNK (a worker taking over starts
 * small: the main thread waits for its first chunk, then writes each while the next, twice as
 * large, is converted).
 */
export async function* convertedChunks(file: string, converter: RecordConverter, preparer: RecordPreparer, from: { last: number; read: number } = { last: 0, read: 0 }, first = CHUNK): AsyncGenerator<ConvertedChunk> {
  let size = first
  const empty = (c: { read: number; last: number; bytes: number }): ConvertedChunk => ({ records: [], refused: [], present: 0, media: [], read: c.read, last: c.last, bytes: c.bytes, ms: { read: 0, convert: 0 } })
  let chunk = empty({ ...from, bytes: 0 })
  let converted: ConvertedRecord[] = []
  /** the chunk's converted records stored and laid out (record-rows.ts) */
  const prepared = async (): Promise<ConvertedChunk> => {
    const at = performance.now()
    const { records, refused, present, media } = await preparer.prepareChunk(converted, chunk.refused)
    converted = []
    chunk.records = records
    chunk.refused = refused
    chunk.present = present
    chunk.media = media
    chunk.ms.convert += performance.now() - at
    return chunk
  }
  let started = performance.now()
  let mark = started
  for await (const entry of readRecords(file, from.last)) {
    const readAt = performance.now()
    chunk.ms.read += readAt - mark
    chunk.read++
    chunk.last = entry.index
    chunk.bytes = entry.bytes
    if (!entry.ok) chunk.refused.push({ index: entry.index, message: entry.message })
    else {
      const r = converter.convert(entry.index, entry.value)
      if (isRefused(r)) chunk.refused.push(r)
      else converted.push(r)
    }
    mark = performance.now()
    chunk.ms.convert += mark - readAt
    if (converted.length + chunk.refused.length >= size || mark - started >= CHUNK_MS) {
      size = Math.min(CHUNK, size * 2)
      yield await prepared()
      chunk = empty(chunk)
      started = mark = performance.now()
    }
  }
  if (converted.length + chunk.refused.length > 0) yield await prepared()
}
