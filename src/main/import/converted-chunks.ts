// A trace file's records read, checked and converted (trace-convert.ts), in chunks: up to CHUNK
// records, or what was read in CHUNK_MS. A chunk is what the importer writes in one transaction,
// so these bound what a kill -9 can lose and how often progress moves. Runs in the import's worker
// thread (trace-import-worker.ts), or inline: a small file, and a large one's first chunks while
// the worker starts (trace-import-host.ts).
import { readRecords } from './record-stream'
import { isRefused, type ConvertedRecord, type RecordConverter, type RefusedRecord } from './trace-convert'

export const CHUNK = 2000
export const CHUNK_MS = 250

export interface ConvertedChunk {
  records: ConvertedRecord[]
  refused: RefusedRecord[]
  /** records read so far (this chunk's included), the number of the last one, and the bytes of the file they span */
  read: number
  last: number
  bytes: number
  /** where this chunk's time went (ms of this thread): reading + JSON.parse, check + conversion */
  ms: { read: number; convert: number }
}

/**
 * From the record after `from.last` on (`from.read` records before it), converted by `converter`.
 * `first`: the first chunk's size, doubled at each chunk up to CHUNK (a worker taking over starts
 * small: the main thread waits for its first chunk, then writes each while the next, twice as
 * large, is converted).
 */
export async function* convertedChunks(file: string, converter: RecordConverter, from: { last: number; read: number } = { last: 0, read: 0 }, first = CHUNK): AsyncGenerator<ConvertedChunk> {
  let size = first
  const empty = (c: { read: number; last: number; bytes: number }): ConvertedChunk => ({ records: [], refused: [], read: c.read, last: c.last, bytes: c.bytes, ms: { read: 0, convert: 0 } })
  let chunk = empty({ ...from, bytes: 0 })
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
      else chunk.records.push(r)
    }
    mark = performance.now()
    chunk.ms.convert += mark - readAt
    if (chunk.records.length + chunk.refused.length >= size || mark - started >= CHUNK_MS) {
      size = Math.min(CHUNK, size * 2)
      yield chunk
      chunk = empty(chunk)
      started = mark = performance.now()
    }
  }
  if (chunk.records.length + chunk.refused.length > 0) yield chunk
}
