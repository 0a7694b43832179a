// Where the trace import's converted chunks come from. This thread converts the first chunks
// itself (converted-chunks.ts) while, for a large file, a worker thread (trace-import-worker.ts)
// loads; once the worker is ready it takes over from the next record and converts ahead while this
// thread writes ('both', the default for a large file). So the worker's start (0.25-0.4 s built,
// 0.6-1 s from source with tsx, on a loaded 2-core box) is never waited for, and a small file never pays for it. 'inline' and
// 'worker' keep to one thread (tests run each path on its own).
import { Worker } from 'node:worker_threads'
import type { TraceImportFormat } from '../../shared/contract'
import { StudioError } from '../../shared/contract/errors'
import { resolveWorkerFile } from '../runtime/worker-file'
import { convertedChunks, type ConvertedChunk } from './converted-chunks'
import { messageOf } from './import-result'
import { MediaFiles } from '../media/media-files'
import { RecordPreparer, type PresentTraces } from './record-rows'
import { RecordConverter } from './trace-convert'
import type { HostToTraceImportWorker, ImportPlaces, TraceImportWorkerData, TraceImportWorkerToHost } from './trace-import-protocol'

/**
 * A file at least this large gets a worker thread (~23k records of our TRL export). Below, its
 * load is not won back: measured at 10k records on a loaded 2-core box, loading took 370-620 ms
 * and 220-340 CPU ms, and the main thread had converted 40% of the file by then (README.md).
 */
export const WORKER_FROM_BYTES = 64 << 20

const unreadable = (file: string, message: string): StudioError => new StudioError('invalid_input', `${file}: ${message}`)

export type ImportThread = 'inline' | 'worker' | 'both'

export class ImportChunks {
  private readonly converter: RecordConverter
  private readonly inline: AsyncGenerator<ConvertedChunk>
  private readonly worker: WorkerChunks | null
  /** the last chunk converted here, to hand over from */
  private from = { last: 0, read: 0 }
  private handedOver = false
  /** ms this thread spent converting */
  convertMs = 0

  constructor(
    private readonly file: string,
    format: TraceImportFormat,
    private readonly mode: ImportThread,
    places: ImportPlaces,
    /** the presence check of the chunks converted here (the worker asks on a connection of its own) */
    present: PresentTraces,
    signal?: AbortSignal
  ) {
    this.converter = new RecordConverter(file, format)
    this.inline = convertedChunks(file, this.converter, new RecordPreparer(file, new MediaFiles(places.mediaRoot), places.imageRoot, present))
    this.worker = mode === 'inline' ? null : new WorkerChunks(file, format, places, signal)
  }

  /** 'worker' once the worker has taken over */
  get thread(): 'worker' | 'inline' {
    return this.handedOver ? 'worker' : 'inline'
  }

  /** the worker thread's busy and CPU ms, and what loading it took (0 if there was none) */
  get workerMs(): { busy: number; cpu: number; load: { ms: number; cpuMs: number } } {
    return { busy: this.worker?.busyMs ?? 0, cpu: this.worker?.cpuMs ?? 0, load: this.worker?.load ?? { ms: 0, cpuMs: 0 } }
  }

  /** The next chunk, or null after the last; rejects when the file cannot be read on, or on cancel. */
  async next(): Promise<ConvertedChunk | null> {
    if (this.mode === 'worker' && !this.handedOver) await this.worker!.whenReady
    if (!this.handedOver && this.worker?.usable) {
      this.worker.start({ ...this.from, keys: this.converter.keysSeen() })
      this.handedOver = true
      await this.inline.return(undefined)
    }
    if (this.handedOver) {
      return this.worker!.next()
    }
    const at = performance.now()
    let r: IteratorResult<ConvertedChunk>
    try {
      r = await this.inline.next()
    } catch (error) {
      throw unreadable(this.file, messageOf(error))
    }
    this.convertMs += performance.now() - at
    if (r.done) return null
    this.from = { last: r.value.last, read: r.value.read }
    return r.value
  }

  /** The chunk handed out last is written (the worker may read further ahead). */
  written(): void {
    if (this.handedOver) this.worker!.written()
  }

  async close(): Promise<void> {
    await this.inline.return(undefined)
    await this.worker?.close()
  }
}

/** The worker's messages in order (trace-import-protocol.ts). */
class WorkerChunks {
  private readonly worker: Worker
  private readonly queue: TraceImportWorkerToHost[] = []
  private waiting: { resolve: (m: TraceImportWorkerToHost) => void; reject: (e: unknown) => void } | null = null
  private failure: unknown = null
  ready = false
  /** how long the worker took to load, and its CPU for that */
  load = { ms: 0, cpuMs: 0 }
  /** resolves once the worker has loaded; rejects if it fails first */
  readonly whenReady: Promise<void>
  busyMs = 0
  cpuMs = 0

  constructor(
    private readonly file: string,
    format: TraceImportFormat,
    places: ImportPlaces,
    private readonly signal: AbortSignal | undefined
  ) {
    const { file: script, execArgv } = resolveWorkerFile('trace-import-worker', import.meta.url, process.env.PIXEL_STUDIO_TRACE_IMPORT_WORKER)
    const spawned = performance.now()
    this.worker = new Worker(script, { execArgv, workerData: { file, format, ...places } satisfies TraceImportWorkerData })
    let loaded = (): void => {}
    this.whenReady = new Promise<void>((resolve, reject) => {
      loaded = resolve
      this.notLoaded = reject
    })
    this.whenReady.catch(() => {}) // 'both' never waits for it: a worker that fails to load only means this thread converts on
    this.worker.on('message', (m: TraceImportWorkerToHost) => {
      if (m.type === 'ready') {
        this.ready = true
        this.load = { ms: performance.now() - spawned, cpuMs: m.cpuMs }
        loaded()
        return
      }
      const waiting = this.take()
      if (waiting) waiting.resolve(m)
      else this.queue.push(m)
    })
    // before it takes over, a worker that fails only means this thread converts the whole file
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

  private notLoaded: (error: unknown) => void = () => {}

  /** loaded and not failed since: it can take over */
  get usable(): boolean {
    return this.ready && this.failure === null
  }

  private fail(error: unknown): void {
    this.failure ??= error
    this.notLoaded(this.failure)
    this.take()?.reject(this.failure)
  }

  private message(): Promise<TraceImportWorkerToHost> {
    const queued = this.queue.shift()
    if (queued) return Promise.resolve(queued)
    if (this.failure !== null) return Promise.reject(this.failure)
    return new Promise((resolve, reject) => (this.waiting = { resolve, reject }))
  }

  start(from: { last: number; read: number; keys: string[] }): void {
    this.worker.postMessage({ type: 'start', ...from } satisfies HostToTraceImportWorker)
  }

  async next(): Promise<ConvertedChunk | null> {
    const m = await this.message()
    if (m.type === 'failed') throw unreadable(this.file, m.message)
    if (m.type === 'end') {
      this.cpuMs = m.cpuMs
      return null
    }
    if (m.type !== 'chunk') return this.next()
    const { type: _type, ...chunk } = m
    return chunk
  }

  written(): void {
    this.worker.postMessage({ type: 'written' } satisfies HostToTraceImportWorker)
  }

  async close(): Promise<void> {
    this.signal?.removeEventListener('abort', this.onAbort)
    this.failure ??= new StudioError('internal', 'the trace import worker was closed')
    this.busyMs = this.worker.performance.eventLoopUtilization().active
    await this.worker.terminate()
  }
}
