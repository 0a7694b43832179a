// Bulk writes commit without the WAL checkpoint in their COMMIT; a worker thread kept for the
// series checkpoints on its own connection. Real SQLite file, real worker thread.
import { statSync } from 'node:fs'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { BACKGROUND_FROM_ROWS, BackgroundCheckpoints } from '../../src/main/store/background-checkpoints'
import { openDatabase, type Db } from '../../src/main/store/database'
import { tempDir } from '../helpers/temp'

const root = tempDir()
const body = 'x'.repeat(2000)

/** A table of 2 KB rows; each write notes the automatic checkpoint setting it ran with. */
function bigTable(file: string): { db: Db; write: (rows: number) => () => number; ranWith: number[] } {
  const db = openDatabase(file)
  db.exec('CREATE TABLE big (id INTEGER PRIMARY KEY, body TEXT NOT NULL)')
  const insert = db.prepare('INSERT INTO big (body) VALUES (?)')
  const ranWith: number[] = []
  return {
    db,
    ranWith,
    write: (rows) =>
      db.transaction(() => {
        ranWith.push(db.pragma('wal_autocheckpoint', { simple: true }) as number)
        for (let i = 0; i < rows; i++) insert.run(body)
        return rows
      })
  }
}

afterEach(() => {
  delete process.env.PIXEL_STUDIO_CHECKPOINT_WORKER
})

describe('BackgroundCheckpoints', () => {
  it('commits each write with the checkpoint off once its worker is up, and the worker copies all of it into the file', async () => {
    const file = join(root, 'series.sqlite')
    const { db, write, ranWith } = bigTable(file)
    const checkpoints = new BackgroundCheckpoints(db)
    const setting = db.pragma('wal_autocheckpoint', { simple: true }) as number
    expect(setting).toBeGreaterThan(0)
    // a small write checkpoints in its commit and starts no worker
    expect(checkpoints.write(10, write(10))).toBe(10)
    expect(await checkpoints.settled()).toBeNull()
    expect(checkpoints.write(BACKGROUND_FROM_ROWS, write(BACKGROUND_FROM_ROWS))).toBe(BACKGROUND_FROM_ROWS) // starts the worker; this write checkpoints as usual
    await checkpoints.settled() // loaded
    const fileBefore = statSync(file).size

    // 40 MB, past the automatic checkpoint's 32 MiB: none of these commits copies it, the worker does
    let result = null
    for (let batch = 0; batch < 4; batch++) {
      expect(checkpoints.write(5000, write(5000))).toBe(5000)
      expect(db.pragma('wal_autocheckpoint', { simple: true })).toBe(setting) // given back
      result = await checkpoints.settled()
    }
    expect(ranWith).toEqual([setting, setting, 0, 0, 0, 0])
    expect(result).toMatchObject({ ok: true })
    if (!result?.ok) throw new Error('no checkpoint')
    expect(result.checkpointed).toBe(result.log) // the worker copied the whole WAL
    expect(statSync(file).size).toBeGreaterThan(fileBefore + 4 * 5000 * 2000)

    checkpoints.close()
    db.close()
    const again = openDatabase(file)
    expect(again.prepare('SELECT count(*) AS n FROM big').get()).toEqual({ n: 20_010 + BACKGROUND_FROM_ROWS })
    expect(again.pragma('integrity_check', { simple: true })).toBe('ok')
    again.close()
  })

  it('inside another transaction leaves the checkpoint to that transaction', async () => {
    const { db, write, ranWith } = bigTable(join(root, 'nested.sqlite'))
    const checkpoints = new BackgroundCheckpoints(db)
    checkpoints.write(BACKGROUND_FROM_ROWS, write(1))
    await checkpoints.settled()
    db.transaction(() => {
      checkpoints.write(BACKGROUND_FROM_ROWS, write(10))
    })()
    expect(ranWith[1]).toBeGreaterThan(0)
    expect(await checkpoints.settled()).toBeNull() // nothing asked of the worker
    checkpoints.close()
    db.close()
  })

  it('without its worker, says so once and every write checkpoints in its commit', async () => {
    process.env.PIXEL_STUDIO_CHECKPOINT_WORKER = join(root, 'no-such-worker.js')
    const file = join(root, 'inline.sqlite')
    const { db, write, ranWith } = bigTable(file)
    const lines: string[] = []
    const checkpoints = new BackgroundCheckpoints(db, (line) => lines.push(line))
    for (let batch = 0; batch < 3; batch++) expect(checkpoints.write(8000, write(8000))).toBe(8000)
    expect(ranWith.every((setting) => setting > 0)).toBe(true)
    expect(lines).toHaveLength(1)
    expect(lines[0]).toMatch(/background checkpoints of .*inline\.sqlite stopped .*checkpoint-worker was not found/)
    // 48 MB written: the automatic checkpoint (32 MiB) ran in a commit and copied it into the file
    expect(statSync(file).size).toBeGreaterThan(32 << 20)
    expect(await checkpoints.settled()).toBeNull()
    db.close()
  })
})
