// Messages between the trace import (main thread, trace-import.ts) and its worker thread
// (trace-import-worker.ts). Plain data only, structured-cloned: a prepared record is flat strings
// and numbers (its state already JSON), so the clone is a copy (measured per record of our TRL
// export: ~2.5 µs to post, ~3.5 to take in; JSON.stringify of the same records cost 8-14 in the worker).
import type { TraceImportFormat } from '../../shared/contract'
import type { ConvertedChunk } from './converted-chunks'

/** The project's media folder (media-files.ts) and database file (present-traces.ts), and where relative paths in the file are looked up. */
export interface ImportPlaces {
  mediaRoot: string
  database: string
  imageRoot: string
}

export interface TraceImportWorkerData extends ImportPlaces {
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
  /** as in ConvertedChunk (converted-chunks.ts) */
  | ({ type: 'chunk' } & ConvertedChunk)
  /** `cpuMs`: the worker thread's CPU time (user + system) */
  | { type: 'end'; cpuMs: number }
  /** the file itself cannot be read on (not a JSON array, an I/O error): nothing after this */
  | { type: 'failed'; message: string }
