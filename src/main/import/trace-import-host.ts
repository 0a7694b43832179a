// Where the trace import's converted chunks come from: a worker thread (trace-import-worker.ts)
// that converts ahead while this thread writes, or, for a small file, the same conversion inline
// (a worker's start costs about what converting a thousand records does).
import { Worker } from 'node:worker_threads'
import { StudioError, type TraceImportFormat } from '../../shared/contract'
import { resolveWorkerFile } from '../runtime/worker-file'
import { convertedChunks, type ConvertedChunk } from './converted-chunks'
import { messageOf } from './import-result'
import type { ConvertedRecord } from './trace-convert'
import type { HostToTraceImportWorker, TraceImportWorkerToHost } from './trace-import-protocol'

/** A file at least this large is converted in a worker thread (~6000 records of our TRL export): the built worker takes ~250 ms to start (zod and the codec loaded again), what converting ~5000 records costs. */
export const WORKER_FROM_BYTES = 16 << 20

export interface ChunkSource {
  readonly thread: 'worker' | 'inline'
  /** ms this thread spent taking in the chunks (JSON.parse of the worker's) */
  readonly receiveMs: number
  /** ms the worker thread was busy, as of close(), and its CPU ms as of the end of the file (0 inline) */
  readonly busyMs: number
  readonly cpuMs: number
  /** the next chunk, or null after the last; rejects when the file cannot be read on, or on cancel */
  next(): Promise<ConvertedChunk | null>
  /** the chunk handed out last is written (the worker may read further ahead) */
  written(): void
  close(): Promise<void>
}

export function chunkSource(file: string, format: TraceImportFormat, thread: 'worker' | 'inline', signal?: AbortSignal): ChunkSource {
  return thread === 'worker' ? new WorkerChunks(file, format, signal) : inlineChunks(file, format)
}

const unreadable = (file: string, message: string): StudioError => new StudioError('invalid_input', `${file}: ${message}`)

function inlineChunks(file: string, format: TraceImportFormat): ChunkSource {
  const chunks = convertedChunks(file, format)
  return {
    thread: 'inline',
    receiveMs: 0,
    busyMs: 0,
    cpuMs: 0,
    next: async () => {
      try {
        const r = await chunks.next()
        return r.done ? null : r.value
      } catch (error) {
        throw unreadable(file, messageOf(error))
      }
    },
    written: () => {},
    close: async () => {
      await chunks.return(undefined)
    }
  }
}

/** The worker's messages in order; a chunk's records come as one JSON string (trace-import-protocol.ts). */
class WorkerChunks implements ChunkSource {
  readonly thread = 'worker'
  receiveMs = 0
  busyMs = 0
  cpuMs = 0
  private readonly worker: Worker
  private readonly queue: TraceImportWorkerToHost[] = []
  private waiting: { resolve: (m: TraceImportWorkerToHost) => void; reject: (e: unknown) => void } | null = null
  private failure: unknown = null

  constructor(
    private readonly file: string,
    format: TraceImportFormat,
    private readonly signal: AbortSignal | undefined
  ) {
    const { file: script, execArgv } = resolveWorkerFile('trace-import-worker', import.meta.url, process.env.PIXEL_STUDIO_TRACE_IMPORT_WORKER)
    this.worker = new Worker(script, { execArgv, workerData: { file, format } })
    this.worker.on('message', (m: TraceImportWorkerToHost) => {
      const waiting = this.take()
      if (waiting) waiting.resolve(m)
      else this.queue.push(m)
    })
    this.worker.on('error', (e) => this.fail(new StudioError('internal', `the trace import worker failed: ${e.message}`)))
    this.worker.on('exit', (code) => this.fail(new StudioError('internal', `the trace import worker stopped (exit code ${code}) before the end of ${file}`)))
    signal?.addEventListener('abort', this.onAbort, { once: true })
  }

  private readonly onAbort = (): void => this.fail(this.signal?.reason)

  private take(): { resolve: (m: TraceImportWorkerToHost) => void; reject: (e: unknown) => void } | null {
    const waiting = this.waiting
    this.waiting = null
    return waiting
  }

  private fail(error: unknown): void {
    this.failure ??= error
    this.take()?.reject(this.failure)
  }

  private message(): Promise<TraceImportWorkerToHost> {
    const queued = this.queue.shift()
    if (queued) return Promise.resolve(queued)
    if (this.failure !== null) return Promise.reject(this.failure)
    return new Promise((resolve, reject) => (this.waiting = { resolve, reject }))
  }

  async next(): Promise<ConvertedChunk | null> {
    const m = await this.message()
    if (m.type === 'failed') throw unreadable(this.file, m.message)
    if (m.type === 'end') {
      this.cpuMs = m.cpuMs
      return null
    }
    const at = performance.now()
    const records = JSON.parse(m.records) as ConvertedRecord[]
    this.receiveMs += performance.now() - at
    return { records, refused: m.refused, read: m.read, bytes: m.bytes, ms: m.ms }
  }

  written(): void {
    this.worker.postMessage({ type: 'written' } satisfies HostToTraceImportWorker)
  }

  async close(): Promise<void> {
    this.signal?.removeEventListener('abort', this.onAbort)
    this.busyMs = this.worker.performance.eventLoopUtilization().active
    this.failure ??= new StudioError('internal', 'the trace import worker was closed')
    await this.worker.terminate()
  }
}
