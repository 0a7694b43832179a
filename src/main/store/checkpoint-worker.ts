// A WAL checkpoint on a connection of its own, in a worker thread: after a very large write
// (a bulk change over 100k traces puts ~150 MB in the WAL) copying it into the database file takes
// seconds, which would otherwise run inside the writer's COMMIT on the main thread. PASSIVE: it
// never blocks the writer or readers; whatever it cannot copy now, a later checkpoint does.
// One-shot (deferred-checkpoint.ts), or kept running (`serve`: background-checkpoints.ts) to
// checkpoint on every message while a series of bulk inserts goes on.
import Database from 'better-sqlite3'
import { parentPort, workerData, type MessagePort } from 'node:worker_threads'

export type CheckpointResult = { ok: true; log: number; checkpointed: number } | { ok: false; message: string }

/** `serve`: the port to take requests on and answer (the writer polls it between its writes) */
const { file, serve } = workerData as { file: string; serve?: MessagePort }

function checkpoint(db: Database.Database): CheckpointResult {
  try {
    const [row] = db.pragma('wal_checkpoint(PASSIVE)') as Array<{ busy: number; log: number; checkpointed: number }>
    return { ok: true, log: row?.log ?? 0, checkpointed: row?.checkpointed ?? 0 }
  } catch (error) {
    return { ok: false, message: error instanceof Error ? error.message : String(error) }
  }
}

let db: Database.Database | null = null
try {
  db = new Database(file, { fileMustExist: true })
  db.pragma('busy_timeout = 5000')
} catch (error) {
  parentPort?.postMessage({ ok: false, message: error instanceof Error ? error.message : String(error) } satisfies CheckpointResult)
}
if (db && serve) {
  const open = db
  serve.on('message', (m: 'checkpoint' | 'close') => {
    if (m === 'close') {
      open.close()
      serve.close()
    } else serve.postMessage(checkpoint(open))
  })
  serve.postMessage({ ok: true, log: 0, checkpointed: 0 } satisfies CheckpointResult) // ready
} else if (db) {
  const result = checkpoint(db)
  db.close()
  parentPort?.postMessage(result)
}
