// Bulk inserts without the checkpoint in their COMMIT (issue 15). A 10k-trace batch puts ~17 MB
// in the WAL; every few batches the automatic checkpoint copied it into the database file inside
// the writer's COMMIT, on the main thread (profiled at 100k: the commits were a fifth of
// insertMany's time). Here the write runs with automatic checkpoints off, and a worker thread
// kept for the series (checkpoint-worker.ts, `serve`) checkpoints on its own connection, on the
// other core, while the main thread builds the next batch. PASSIVE: it never blocks the writer.
// If the worker falls behind (or cannot start), the write checkpoints inline as before, so the
// WAL stays bounded.
import { MessageChannel, receiveMessageOnPort, Worker, type MessagePort } from 'node:worker_threads'
import { resolveWorkerFile } from '../runtime/worker-file'
import type { CheckpointResult } from './checkpoint-worker'
import type { Db } from './database'

/** Writes allowed to commit while the worker's checkpoint is still running, before one checkpoints inline. */
const MAX_BEHIND = 3
/**
 * WAL frames (pages) past which the next write checkpoints inline: the WAL restarts from its
 * start only when a write begins after a checkpoint copied all of it, which back-to-back
 * batches may never leave the worker time for (128 MiB: four automatic checkpoints' worth).
 */
const MAX_WAL_FRAMES = 32_768
/** Writes of fewer rows checkpoint in their COMMIT as always: a single trace saved never starts a worker. */
export const BACKGROUND_FROM_ROWS = 1000
/** The worker ends after this long without a write (a series of bulk inserts is over). */
const IDLE_MS = 10_000

export class BackgroundCheckpoints {
  private worker: Worker | null = null
  /** the worker's answers: read at each write (a loop of writes may never yield to the event loop) and as they come */
  private port: MessagePort | null = null
  private ready = false
  private running = false
  /** writes committed since the running checkpoint was asked */
  private behind = 0
  private failed = false
  /** frames in the WAL at the worker's last checkpoint */
  private walFrames = 0
  private idle: NodeJS.Timeout | null = null
  private last: CheckpointResult | null = null
  private waiters: Array<(r: CheckpointResult | null) => void> = []

  constructor(
    private readonly db: Db,
    private readonly log: (line: string) => void = (line) => process.stderr.write(`${line}\n`)
  ) {}

  /**
   * Runs `write` (the outermost transaction, of `rows` rows) with automatic checkpoints off while
   * the worker keeps up, then asks it for a checkpoint. A small write, one inside another
   * transaction, or one on a memory or read-only database, only runs `write`.
   */
  write<T>(rows: number, write: () => T): T {
    if (rows < BACKGROUND_FROM_ROWS || this.db.memory || this.db.readonly || this.db.inTransaction || this.failed) return write()
    this.start()
    this.poll()
    if (!this.ready || this.behind >= MAX_BEHIND || this.walFrames > MAX_WAL_FRAMES) {
      this.walFrames = 0
      return write() // the COMMIT checkpoints, as without a worker
    }
    const before = this.db.pragma('wal_autocheckpoint', { simple: true }) as number
    this.db.pragma('wal_autocheckpoint = 0')
    try {
      return write()
    } finally {
      this.db.pragma(`wal_autocheckpoint = ${before}`)
      this.request()
    }
  }

  /** Resolves when no checkpoint is running or asked for (the worker loaded, or none), with the last one's result. */
  settled(): Promise<CheckpointResult | null> {
    if (!this.worker || (this.ready && !this.running)) return Promise.resolve(this.last)
    return new Promise((resolve) => this.waiters.push(resolve))
  }

  /** Ends the worker (the project closes). */
  close(): void {
    if (this.idle) clearTimeout(this.idle)
    this.idle = null
    this.port?.postMessage('close') // the worker closes its connection and the port, and ends
    this.port = null
    this.worker = null
    this.ready = false
    this.running = false
    this.behind = 0
    this.settle()
  }

  private settle(): void {
    for (const resolve of this.waiters.splice(0)) resolve(this.last)
  }

  private start(): void {
    if (this.idle) this.idle.refresh()
    else this.idle = setTimeout(() => this.close(), IDLE_MS).unref()
    if (this.worker) return
    try {
      const { file: script, execArgv } = resolveWorkerFile('checkpoint-worker', import.meta.url, process.env.PIXEL_STUDIO_CHECKPOINT_WORKER)
      const { port1, port2 } = new MessageChannel()
      const worker = new Worker(script, { execArgv, workerData: { file: this.db.name, serve: port2 }, transferList: [port2] })
      worker.unref() // never keeps a CLI process alive
      port1.unref()
      port1.on('message', (r: CheckpointResult) => this.done(worker, r))
      worker.on('error', (e) => this.stop(worker, e.message))
      // an end we did not ask for (close and the idle timer forget the worker first)
      worker.on('exit', (code) => this.stop(worker, `the checkpoint worker exited with code ${code}`))
      this.worker = worker
      this.port = port1
    } catch (error) {
      this.stop(null, error instanceof Error ? error.message : String(error))
    }
  }

  /** the answers already sent, taken now */
  private poll(): void {
    const worker = this.worker
    while (worker && this.port && worker === this.worker) {
      const m = receiveMessageOnPort(this.port)
      if (!m) return
      this.done(worker, m.message as CheckpointResult)
    }
  }

  private request(): void {
    if (!this.worker || !this.ready || !this.port) return
    if (this.running) {
      this.behind++
      return
    }
    this.running = true
    this.behind = 0
    this.port.postMessage('checkpoint')
  }

  private done(worker: Worker, r: CheckpointResult): void {
    if (worker !== this.worker) return
    if (!r.ok) {
      this.stop(worker, r.message)
      return
    }
    if (!this.ready) {
      this.ready = true // its first message: the connection is open
      this.settle()
      return
    }
    this.running = false
    this.walFrames = r.log
    this.last = r
    // writes committed while it ran left more to copy
    if (this.behind > 0) this.request()
    else this.settle()
  }

  /** The worker failed or ended unasked: writes checkpoint inline from now on (said once). */
  private stop(worker: Worker | null, message: string): void {
    if (worker !== null && worker !== this.worker) return
    this.port?.close()
    this.port = null
    this.worker = null
    this.ready = false
    this.running = false
    this.behind = 0
    this.failed = true
    this.log(`background checkpoints of ${this.db.name} stopped (writes checkpoint in their commit instead): ${message}`)
    void worker?.terminate()
    this.settle()
  }
}
