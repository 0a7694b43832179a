// Messages between the trace import (main thread, trace-import.ts) and its worker thread
// (trace-import-worker.ts). Plain data only: a chunk's converted records travel as ONE JSON
// string (for the main thread, JSON.parse of it costs ~1.7 µs a record, taking in the structured
// clone of the same objects ~2.4: README.md), refused records as a small array.
import type { TraceImportFormat } from '../../shared/contract'
import type { RefusedRecord } from './trace-convert'

export interface TraceImportWorkerData {
  file: string
  format: TraceImportFormat
}

export type HostToTraceImportWorker =
  /** go on from the record after `last` (`read` records before it, whose ids are `keys`): the host converted those itself while the worker started */
  | { type: 'start'; last: number; read: number; keys: string[] }
  /** the host has written a chunk: the worker may read further ahead */
  | { type: 'written' }

export type TraceImportWorkerToHost =
  /** loaded (its thread's CPU ms so far: the cost of loading), waiting for 'start' */
  | { type: 'ready'; cpuMs: number }
  /** `records`: JSON of ConvertedRecord[] (trace-convert.ts); the rest as in ConvertedChunk */
  | { type: 'chunk'; records: string; refused: RefusedRecord[]; read: number; last: number; bytes: number; ms: { read: number; convert: number } }
  /** `cpuMs`: the worker thread's CPU time (user + system) */
  | { type: 'end'; cpuMs: number }
  /** the file itself cannot be read on (not a JSON array, an I/O error): nothing after this */
  | { type: 'failed'; message: string }
