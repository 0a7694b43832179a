// Runs a loaded model in a worker_threads Worker: one trajectory at a time, a bounded queue behind
// it (a request beyond it is refused with a clear error), cancel, and unload that frees the
// model's memory by disposing its sessions and terminating the worker.
//
// Why a worker thread and not a child process: onnxruntime-node 1.30 and sharp both load and run
// in worker threads, and a model can be loaded, unloaded (worker terminated) and loaded again in
// the same process (test/inference proves it); a thread also avoids a second Node runtime.
//
// Where the worker code comes from:
// - from source (tests, tsx): `inference-worker.ts` beside this file, started with
//   `execArgv: ['--import', 'tsx']` (Node >= 20.6);
// - built (electron-vite): `inference-worker.js` next to the main bundle. It needs its own entry
//   in electron.vite.config.ts, main.build.rollupOptions.input:
//   `'inference-worker': resolve('src/main/inference/inference-worker.ts')`
// - PIXEL_STUDIO_INFERENCE_WORKER or the `workerFile` option override both.
import { Worker } from 'node:worker_threads'
import { StudioError } from '../../shared/contract/errors'
import { resolveWorkerFile as resolveWorkerEntry } from '../runtime/worker-file'
import type { AgentEvent, AgentInput, AgentResult } from './agent-loop'
import type { ModelSource } from './model-backend'
import type { ModelFolderDescription } from './model-folder'
import type { ChatMessage, LoadOptions, ProviderChoice, TurnOutput } from './vlm-session'
import type { GenerateTurnOptions, HostToWorker, WorkerToHost } from './worker-protocol'

export interface InferenceHostOptions extends LoadOptions {
  /** requests allowed to wait behind the running one (default 1); more are refused */
  maxQueue?: number
  workerFile?: string
}

export interface RunOptions {
  signal?: AbortSignal
  onEvent?: (event: AgentEvent) => void
}

/** A trajectory of the agent loop, or one plain assistant turn (narrators, describe). */
type Work = { type: 'run'; input: AgentInput } | { type: 'generate'; messages: ChatMessage[]; options: GenerateTurnOptions }

interface Request {
  id: number
  work: Work
  options: RunOptions
  resolve: (result: never) => void
  reject: (error: StudioError) => void
  onAbort: () => void
}

export function resolveWorkerFile(override?: string): { file: string; execArgv: string[] } {
  return resolveWorkerEntry('inference-worker', import.meta.url, override ?? process.env.PIXEL_STUDIO_INFERENCE_WORKER)
}

export class InferenceHost {
  private readonly queue: Request[] = []
  private current: Request | null = null
  private nextId = 1
  private closed: StudioError | null = null
  private unloading: Promise<void> | null = null
  private roomWaiters: Array<() => void> = []

  private constructor(
    private readonly worker: Worker,
    /** the folder's description; null for an endpoint model */
    readonly model: ModelFolderDescription | null,
    readonly provider: ProviderChoice,
    readonly loadMs: number,
    private readonly maxQueue: number
  ) {
    worker.on('message', (m: WorkerToHost) => this.onMessage(m))
    worker.on('error', (e) => this.fail(new StudioError('internal', `The inference worker crashed: ${e.message}`)))
    worker.on('exit', (code) => this.fail(new StudioError(this.unloading ? 'cancelled' : 'internal', this.unloading ? 'The model was unloaded' : `The inference worker exited (code ${code})`)))
  }

  /** Starts a worker and loads the model (a folder, or an endpoint) in it; rejects with the loader's StudioError. */
  static async start(source: string | ModelSource, options: InferenceHostOptions = {}): Promise<InferenceHost> {
    const { file, execArgv } = resolveWorkerFile(options.workerFile)
    const worker = new Worker(file, { execArgv })
    const load: LoadOptions = {}
    if (options.device) load.device = options.device
    if (options.dtype) load.dtype = options.dtype
    // only our own listeners are removed afterwards: Worker keeps internal ones (port ref/unref)
    const listeners: { message?: (m: WorkerToHost) => void; error?: (e: Error) => void; exit?: (code: number) => void } = {}
    const loaded = await new Promise<Extract<WorkerToHost, { type: 'loaded' }>>((resolve, reject) => {
      listeners.message = (m: WorkerToHost): void => {
        if (m.type === 'loaded') resolve(m)
        else if (m.type === 'load_failed') reject(StudioError.fromBody(m.error))
      }
      listeners.error = (e: Error): void => reject(new StudioError('internal', `The inference worker failed to start: ${e.message}`))
      listeners.exit = (code: number): void => reject(new StudioError('internal', `The inference worker exited while loading (code ${code})`))
      worker.on('message', listeners.message)
      worker.on('error', listeners.error)
      worker.on('exit', listeners.exit)
      worker.postMessage({ type: 'load', source: typeof source === 'string' ? { kind: 'folder', folder: source } : source, options: load } satisfies HostToWorker)
    })
      .catch(async (error: unknown) => {
        await worker.terminate()
        throw error
      })
      .finally(() => {
        if (listeners.message) worker.off('message', listeners.message)
        if (listeners.error) worker.off('error', listeners.error)
        if (listeners.exit) worker.off('exit', listeners.exit)
      })
    return new InferenceHost(worker, loaded.model, loaded.provider, loaded.loadMs, options.maxQueue ?? 1)
  }

  get busy(): boolean {
    return this.current !== null
  }

  get queued(): number {
    return this.queue.length
  }

  /** A run asked for now would start or wait, not be refused. */
  get hasRoom(): boolean {
    return !this.current || this.queue.length < this.maxQueue
  }

  /**
   * Resolves once a run would be accepted, or the host is closed (run() then says why). Batch
   * jobs wait here instead of failing when interactive runs fill the queue.
   */
  whenRoom(): Promise<void> {
    if (this.hasRoom || this.closed || this.unloading) return Promise.resolve()
    return new Promise((resolve) => this.roomWaiters.push(resolve))
  }

  private notifyRoom(): void {
    if (!this.hasRoom && !this.closed && !this.unloading) return
    for (const wake of this.roomWaiters.splice(0)) wake()
  }

  /** Runs one trajectory; queues behind the running one, or refuses when the queue is full. */
  run(input: AgentInput, options: RunOptions = {}): Promise<AgentResult> {
    return this.enqueue<AgentResult>({ type: 'run', input }, options)
  }

  /** Generates one assistant turn for `messages` (no tools run); queued like a trajectory. */
  generate(messages: ChatMessage[], options: GenerateTurnOptions & { signal?: AbortSignal }): Promise<TurnOutput> {
    const { signal, ...turn } = options
    return this.enqueue<TurnOutput>({ type: 'generate', messages, options: turn }, signal ? { signal } : {})
  }

  private enqueue<T>(work: Work, options: RunOptions): Promise<T> {
    if (this.closed) return Promise.reject(this.closed)
    if (options.signal?.aborted) return Promise.reject(new StudioError('cancelled', 'The run was cancelled before it started'))
    if (this.current && this.queue.length >= this.maxQueue) {
      return Promise.reject(
        new StudioError('conflict', `The model is busy: one run is in progress and ${this.queue.length} waiting (at most ${this.maxQueue}). Try again when one finishes.`)
      )
    }
    return new Promise<T>((resolve, reject) => {
      const request: Request = {
        id: this.nextId++,
        work,
        options,
        resolve: resolve as (result: never) => void,
        reject,
        onAbort: () => this.cancel(request)
      }
      options.signal?.addEventListener('abort', request.onAbort, { once: true })
      this.queue.push(request)
      this.pump()
    })
  }

  /** Cancels everything, disposes the model's sessions, terminates the worker. */
  unload(): Promise<void> {
    this.unloading ??= (async () => {
      const closed = new StudioError('cancelled', 'The model was unloaded')
      for (const r of this.queue.splice(0)) this.settle(r, () => r.reject(closed))
      this.notifyRoom()
      const done = new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, 5000) // a stuck native call must not block the unload
        this.worker.on('message', (m: WorkerToHost) => {
          if (m.type === 'unloaded') {
            clearTimeout(timer)
            resolve()
          }
        })
      })
      this.worker.postMessage({ type: 'unload' } satisfies HostToWorker)
      await done
      this.closed = closed
      await this.worker.terminate()
    })()
    return this.unloading
  }

  private cancel(request: Request): void {
    const at = this.queue.indexOf(request)
    if (at >= 0) {
      this.queue.splice(at, 1)
      this.settle(request, () => request.reject(new StudioError('cancelled', 'The run was cancelled while waiting')))
      this.notifyRoom()
    } else if (this.current === request) {
      this.worker.postMessage({ type: 'cancel', id: request.id } satisfies HostToWorker)
    }
  }

  private pump(): void {
    if (this.current || this.closed || this.unloading) return
    const next = this.queue.shift()
    if (!next) return
    this.current = next
    this.worker.postMessage({ ...next.work, id: next.id } satisfies HostToWorker)
  }

  private onMessage(m: WorkerToHost): void {
    const r = this.current
    if (!r || !('id' in m) || m.id !== r.id) return
    if (m.type === 'event') r.options.onEvent?.(m.event)
    else if (m.type === 'result') {
      r.options.onEvent?.({ type: 'done', result: m.result })
      this.finish(r, () => r.resolve(m.result as never))
    } else if (m.type === 'generated') this.finish(r, () => r.resolve(m.output as never))
    else if (m.type === 'run_failed') this.finish(r, () => r.reject(StudioError.fromBody(m.error)))
  }

  private finish(r: Request, settle: () => void): void {
    this.current = null
    this.settle(r, settle)
    this.pump()
    this.notifyRoom()
  }

  private settle(r: Request, settle: () => void): void {
    r.options.signal?.removeEventListener('abort', r.onAbort)
    settle()
  }

  private fail(error: StudioError): void {
    this.closed ??= error
    const pending = [...(this.current ? [this.current] : []), ...this.queue.splice(0)]
    this.current = null
    for (const r of pending) this.settle(r, () => r.reject(error))
    this.notifyRoom()
  }
}
