// Very large writes without the checkpoint in their COMMIT: the write runs with automatic
// checkpoints off, then a worker thread copies the WAL into the database file on its own
// connection (checkpoint-worker.ts) while the main thread goes on serving. If another write
// commits first, its own automatic checkpoint simply finds part of the work done.
// The write also gets a larger page cache (LARGE_WRITE_CACHE_KIB, given back after it): a bulk
// change of 100k traces dirties ~150 MB of pages, which the usual 64 MiB cache spilled into the
// WAL mid-transaction and read back (profiled: undo of 100k traces, 0.8 s -> 0.3 s system time).
import { Worker } from 'node:worker_threads'
import { resolveWorkerFile } from '../runtime/worker-file'
import type { CheckpointResult } from './checkpoint-worker'
import type { Db } from './database'

export const LARGE_WRITE_CACHE_KIB = 512 * 1024

const running = new Set<Promise<CheckpointResult>>()

export function withDeferredCheckpoint<T>(db: Db, write: () => T, log: (line: string) => void = () => {}): T {
  if (db.memory || db.readonly) return write()
  const before = db.pragma('wal_autocheckpoint', { simple: true }) as number
  const cache = db.pragma('cache_size', { simple: true }) as number
  db.pragma('wal_autocheckpoint = 0')
  // negative: KiB; a ceiling, pages are taken only as the write touches them
  if (cache < 0 && cache > -LARGE_WRITE_CACHE_KIB) db.pragma(`cache_size = -${LARGE_WRITE_CACHE_KIB}`)
  try {
    return write()
  } finally {
    db.pragma(`cache_size = ${cache}`)
    db.pragma(`wal_autocheckpoint = ${before}`)
    const done = checkpointInWorker(db.name).then((r) => {
      if (!r.ok) log(`background checkpoint of ${db.name} failed (the next write checkpoints instead): ${r.message}`)
      return r
    })
    running.add(done)
    void done.finally(() => running.delete(done))
  }
}

/** Resolves when every background checkpoint started so far has ended (benchmarks, tests). */
export async function checkpointsSettled(): Promise<CheckpointResult[]> {
  return Promise.all([...running])
}

function checkpointInWorker(file: string): Promise<CheckpointResult> {
  return new Promise((resolve) => {
    let worker: Worker
    try {
      const { file: script, execArgv } = resolveWorkerFile('checkpoint-worker', import.meta.url, process.env.PIXEL_STUDIO_CHECKPOINT_WORKER)
      worker = new Worker(script, { execArgv, workerData: { file } })
    } catch (error) {
      resolve({ ok: false, message: error instanceof Error ? error.message : String(error) })
      return
    }
    worker.unref() // never keeps a CLI process alive
    worker.once('message', (r: CheckpointResult) => resolve(r))
    worker.once('error', (e) => resolve({ ok: false, message: e.message }))
    worker.once('exit', (code) => resolve({ ok: false, message: `the checkpoint worker exited with ${code}` }))
  })
}
