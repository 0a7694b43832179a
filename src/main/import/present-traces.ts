// Which traces a chunk of records would make are in the project already, asked where the records
// are converted (record-rows.ts), so a re-run reads no file of a record it skips. The import's
// worker thread asks on a read-only connection of its own (WAL: it sees what is committed and
// never blocks the writer); the main thread asks the project's repository.
import Database from 'better-sqlite3'
import { EXISTING_TRACES_SQL } from '../traces/trace-query'
import type { PresentTraces } from './record-rows'

export function presentTracesIn(databaseFile: string): { present: PresentTraces; close: () => void } {
  const db = new Database(databaseFile, { readonly: true, fileMustExist: true })
  db.pragma('busy_timeout = 5000')
  const existing = db.prepare<[string], string>(EXISTING_TRACES_SQL).pluck()
  return { present: (ids) => new Set(existing.all(JSON.stringify(ids))), close: () => db.close() }
}
