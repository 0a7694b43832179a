// A very large write commits without its WAL checkpoint; a worker thread (its own connection)
// copies the WAL into the database file afterwards. Real SQLite file, real worker thread.
import { statSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { openDatabase } from '../../src/main/store/database'
import { checkpointsSettled, LARGE_WRITE_CACHE_KIB, withDeferredCheckpoint } from '../../src/main/store/deferred-checkpoint'
import { tempDir } from '../helpers/temp'

const root = tempDir()

describe('withDeferredCheckpoint', () => {
  it('commits the write with the checkpoint off, then a worker checkpoints all of it; the settings (checkpoint, page cache) come back', async () => {
    const file = join(root, 'big.sqlite')
    const db = openDatabase(file)
    db.exec('CREATE TABLE big (id INTEGER PRIMARY KEY, body TEXT NOT NULL)')
    const insert = db.prepare('INSERT INTO big (body) VALUES (?)')
    const setting = db.pragma('wal_autocheckpoint', { simple: true }) as number
    const body = 'x'.repeat(2000)
    const cache = db.pragma('cache_size', { simple: true })
    const rows = withDeferredCheckpoint(db, () => db.transaction(() => {
      // the write runs with the larger page cache
      expect(db.pragma('cache_size', { simple: true })).toBe(-LARGE_WRITE_CACHE_KIB)
      for (let i = 0; i < 5000; i++) insert.run(body)
      return 5000
    })())
    expect(rows).toBe(5000)
    expect(db.pragma('cache_size', { simple: true })).toBe(cache)
    // committed, and not checkpointed by the commit: the WAL holds it all
    expect(statSync(`${file}-wal`).size).toBeGreaterThan(5000 * 2000)
    expect(db.pragma('wal_autocheckpoint', { simple: true })).toBe(setting)
    const [result] = await checkpointsSettled()
    expect(result).toMatchObject({ ok: true })
    if (!result?.ok) throw new Error('no checkpoint')
    expect(result.log).toBeGreaterThan(2500) // pages of the write
    expect(result.checkpointed).toBe(result.log) // all copied into the database file
    expect(statSync(file).size).toBeGreaterThan(5000 * 2000)
    expect(db.prepare('SELECT count(*) AS n FROM big').get()).toEqual({ n: 5000 })
    db.close()
  })
})
