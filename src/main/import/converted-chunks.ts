// A trace file's records read, checked and converted (trace-convert.ts), in chunks: up to CHUNK
// records, or what was read in CHUNK_MS. A chunk is what the importer writes in one transaction,
// so these bound what a kill -9 can lose and how often progress moves. Runs in the import's worker
// thread (trace-import-worker.ts), or inline for a small file (trace-import.ts).
import type { TraceImportFormat } from '../../shared/contract'
import { readRecords } from './record-stream'
import { isRefused, RecordConverter, type ConvertedRecord, type RefusedRecord } from './trace-convert'

export const CHUNK = 2000
export const CHUNK_MS = 250

export interface ConvertedChunk {
  records: ConvertedRecord[]
  refused: RefusedRecord[]
  /** records read so far (this chunk's included) and the bytes of the file they span */
  read: number
  bytes: number
  /** where this chunk's time went (ms of this thread): reading + JSON.parse, check + conversion */
  ms: { read: number; convert: number }
}

export async function* convertedChunks(file: string, format: TraceImportFormat): AsyncGenerator<ConvertedChunk> {
  const converter = new RecordConverter(file, format)
  let chunk: ConvertedChunk = { records: [], refused: [], read: 0, bytes: 0, ms: { read: 0, convert: 0 } }
  let started = performance.now()
  let mark = started
  for await (const entry of readRecords(file)) {
    const readAt = performance.now()
    chunk.ms.read += readAt - mark
    chunk.read++
    chunk.bytes = entry.bytes
    if (!entry.ok) chunk.refused.push({ index: entry.index, message: entry.message })
    else {
      const r = converter.convert(entry.index, entry.value)
      if (isRefused(r)) chunk.refused.push(r)
      else chunk.records.push(r)
    }
    mark = performance.now()
    chunk.ms.convert += mark - readAt
    if (chunk.records.length + chunk.refused.length >= CHUNK || performance.now() - started >= CHUNK_MS) {
      const { read, bytes } = chunk
      yield chunk
      chunk = { records: [], refused: [], read, bytes, ms: { read: 0, convert: 0 } }
      started = mark = performance.now()
    }
  }
  if (chunk.records.length + chunk.refused.length > 0) yield chunk
}
