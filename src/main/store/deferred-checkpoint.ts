// Very large writes without the checkpoint in their COMMIT: the write runs with automatic
// checkpoints off, then a worker thread copies the WAL into the database file on its own
// connection (checkpoint-worker.ts) while the main thread goes on serving. If another write
// commits first, its own automatic checkpoint simply finds part of the work done.
import { Worker } from 'node:worker_threads'
import { resolveWorkerFile } from '../runtime/worker-file'
import type { CheckpointResult } from './checkpoint-worker'
import type { Db } from './database'

const running = new Set<Promise<CheckpointResult>>()

export function withDeferredCheckpoint<T>(db: Db, write: () => T, log: (line: string) => void = () => {}): T {
  if (db.memory || db.readonly) return write()
  const before = db.pragma('wal_autocheckpoint', { simple: true }) as number
  db.pragma('wal_autocheckpoint = 0')
  try {
    return write()
  } finally {
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
