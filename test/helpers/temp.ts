import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll } from 'vitest'

/** A fresh temp folder removed after the file's tests: every test gets its own project. */
export function tempDir(prefix = 'pixel-studio-'): string {
  const dir = mkdtempSync(join(tmpdir(), prefix))
  // retries: a worker thread's SQLite connection (a background checkpoint) may be closing its files
  afterAll(() => rmSync(dir, { recursive: true, force: true, maxRetries: 5 }))
  return dir
}
