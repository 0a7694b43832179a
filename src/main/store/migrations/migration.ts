import type BetterSqlite3 from 'better-sqlite3'

/** One append-only schema step. Never edit a released migration: add the next number. */
export interface Migration {
  version: number
  name: string
  /**
   * Rebuilds a table others reference (the 12-step way of https://sqlite.org/lang_altertable.html):
   * foreign keys are off around the migrations (a DROP TABLE would cascade) and checked whole
   * before they commit.
   */
  foreignKeysOff?: true
  up(db: BetterSqlite3.Database): void
}
