// Opens a project's SQLite file: WAL so readers never block the writer, foreign keys on, and
// the schema brought up to date in one transaction (user_version tracks it).
import Database from 'better-sqlite3'
import { StudioError } from '../../shared/contract'
import { migrations as allMigrations } from './migrations'
import type { Migration } from './migrations/migration'

export type Db = Database.Database

export interface OpenOptions {
  /** for tests of upgrades: pretend the app only knows migrations up to this list */
  migrations?: readonly Migration[]
  readonly?: boolean
  /** where an upgrade of an existing project says what it does (a rebuild takes ~20 s per 1M traces); stderr by default */
  log?: (line: string) => void
}

export function openDatabase(file: string, options: OpenOptions = {}): Db {
  const migrations = options.migrations ?? allMigrations
  const db = new Database(file, { readonly: options.readonly ?? false, fileMustExist: false })
  try {
    db.pragma('busy_timeout = 5000')
    if (!options.readonly) {
      db.pragma('journal_mode = WAL')
      db.pragma('synchronous = NORMAL') // safe with WAL: a crash loses at most the last commit, never corrupts
    }
    db.pragma('foreign_keys = ON')
    // 64 MiB of page cache (the default is 2 MiB): a million-trace project's hot index pages
    // stay in memory, so bulk inserts do not slow down as the table grows (issue 15)
    db.pragma('cache_size = -65536')
    // checkpoint every 32 MiB of WAL, not every 4 MiB (the default): a bulk insert rewrites
    // the same right-edge index and FTS pages in each batch, and one checkpoint copies each
    // page once for several commits instead of once per commit (issue 15; at 100k traces the
    // commits of a bulk insert took 2.1 s -> 0.8 s)
    db.pragma('wal_autocheckpoint = 8192')
    // statement journals (a statement that fires a trigger) and sorts in memory, not temp files
    db.pragma('temp_store = MEMORY')
    migrate(db, migrations, options.log ?? ((line) => process.stderr.write(`${line}\n`)))
    return db
  } catch (error) {
    db.close()
    throw error
  }
}

export function schemaVersion(db: Db): number {
  return db.pragma('user_version', { simple: true }) as number
}

export function migrate(db: Db, migrations: readonly Migration[], log: (line: string) => void = () => undefined): void {
  migrations.forEach((m, i) => {
    if (m.version !== i + 1) throw new Error(`migration list is out of order at ${m.name}`)
  })
  const current = schemaVersion(db)
  const latest = migrations.length
  if (current > latest) {
    throw new StudioError(
      'failed_precondition',
      `this project was written by a newer Pixel Studio (schema version ${current}; this version knows up to ${latest}). Update the studio to open it.`
    )
  }
  if (current === latest) return
  if (db.readonly) throw new StudioError('failed_precondition', `project needs an upgrade (schema ${current} -> ${latest}) but was opened read-only`)
  const pending = migrations.slice(current)
  // a new project (schema 0) is made in milliseconds; an existing one may hold a million traces
  const started = performance.now()
  if (current > 0) log(`upgrading ${db.name} from schema ${current} to ${latest} (${pending.map((m) => m.name).join('; ')}): a large project takes a while, once`)
  // the pragma is a no-op inside a transaction: set around it
  const foreignKeysOff = pending.some((m) => m.foreignKeysOff)
  if (foreignKeysOff) db.pragma('foreign_keys = OFF')
  try {
    db.transaction(() => {
      for (const m of pending) m.up(db)
      if (foreignKeysOff) {
        const broken = db.pragma('foreign_key_check') as Array<{ table: string; parent: string }>
        if (broken.length > 0) throw new Error(`schema upgrade to ${latest} would break ${broken.length} references (first: ${broken[0]?.table} -> ${broken[0]?.parent}); nothing was changed`)
      }
      db.pragma(`user_version = ${latest}`)
    })()
  } finally {
    if (foreignKeysOff) db.pragma('foreign_keys = ON')
  }
  if (current > 0) log(`upgraded ${db.name} to schema ${latest} in ${((performance.now() - started) / 1000).toFixed(1)} s`)
}
