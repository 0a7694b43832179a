// Which traces a chunk of records would make are in the project already, asked where the records
// are converted (record-rows.ts), so a re-run reads no file of a record it skips. The import's
// worker thread asks on a read-only connection of its own (WAL: it sees what is committed and
// never blocks the writer); the main thread asks the project's repository.
import Database from 'better-sqlite3'
import { EXISTING_TRACES_SQL } from '../traces/trace-query'
import type { PresentTraces } from './record-rows'

/**
 * The check on a connection of its own. If the file cannot be opened, no trace is reported
 * present (said once on stderr): the main thread still skips present traces before it writes,
 * so only the files of those records are read again.
 */
export function presentTracesIn(databaseFile: string): { present: PresentTraces; close: () => void } {
  let db: Database.Database
  try {
    db = new Database(databaseFile, { readonly: true, fileMustExist: true })
  } catch (error) {
    process.stderr.write(`trace import: cannot check ${databaseFile} for imported traces (${error instanceof Error ? error.message : String(error)}); their files are read again\n`)
    return { present: () => new Set(), close: () => undefined }
  }
  db.pragma('busy_timeout = 5000')
  const existing = db.prepare<[string], string>(EXISTING_TRACES_SQL).pluck()
  return { present: (ids) => new Set(existing.all(JSON.stringify(ids))), close: () => db.close() }
}
