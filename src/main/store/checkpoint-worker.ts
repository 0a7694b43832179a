// A WAL checkpoint on a connection of its own, in a worker thread: after a very large write
// (a bulk change over 100k traces puts ~150 MB in the WAL) copying it into the database file takes
// seconds, which would otherwise run inside the writer's COMMIT on the main thread. PASSIVE: it
// never blocks the writer or readers; whatever it cannot copy now, a later checkpoint does.
import Database from 'better-sqlite3'
import { parentPort, workerData } from 'node:worker_threads'

export type CheckpointResult = { ok: true; log: number; checkpointed: number } | { ok: false; message: string }

const { file } = workerData as { file: string }
let result: CheckpointResult
try {
  const db = new Database(file, { fileMustExist: true })
  try {
    db.pragma('busy_timeout = 5000')
    const [row] = db.pragma('wal_checkpoint(PASSIVE)') as Array<{ busy: number; log: number; checkpointed: number }>
    result = { ok: true, log: row?.log ?? 0, checkpointed: row?.checkpointed ?? 0 }
  } finally {
    db.close()
  }
} catch (error) {
  result = { ok: false, message: error instanceof Error ? error.message : String(error) }
}
parentPort?.postMessage(result)
