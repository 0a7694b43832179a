// A studio killed while it creates the sample project (first start) leaves a half-made folder;
// the next start must notice and make it again, never refuse the folder as "not empty". Real
// child processes: the built CLI's `serve`, killed with SIGKILL mid-creation, then started again.
import { spawn } from 'node:child_process'
import { existsSync, readdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { CREATING_MARKER, Project } from '../../src/main/project/project'
import { callServed } from '../e2e/served-api'
import { CLI, assertBuilt, startServe } from '../helpers/serve-process'
import { tempDir } from '../helpers/temp'

const root = tempDir()

/** Starts `serve` on a fresh home and SIGKILLs it once it has logged writing sample `atLeast`. */
async function killDuringCreation(home: string, atLeast: number): Promise<string> {
  assertBuilt()
  const child = spawn(process.execPath, [CLI, '--home', home, 'serve', '--port', '0'], { stdio: ['ignore', 'pipe', 'pipe'] })
  let out = ''
  await new Promise<void>((resolve, reject) => {
    const check = (d: Buffer): void => {
      out += d.toString()
      const done = [...out.matchAll(/sample project: (\d+)\/\d+ samples/g)].map((m) => Number(m[1])).at(-1) ?? 0
      if (out.includes('Open: ')) reject(new Error(`the sample project was made before the kill:\n${out}`))
      else if (done >= atLeast) {
        child.kill('SIGKILL')
        resolve()
      }
    }
    child.stdout.on('data', check)
    child.stderr.on('data', check)
    child.on('exit', (code) => (code === null ? resolve() : reject(new Error(`serve exited ${code} before the kill:\n${out}`))))
    child.on('error', reject)
  })
  if (child.exitCode === null && child.signalCode === null) await new Promise((r) => child.once('exit', r))
  return out
}

describe('interrupted sample-project creation', () => {
  it('is detected at the next start and made again; the studio then works', async () => {
    const home = join(root, 'home')
    const dir = join(home, 'projects', 'sample-project')
    await killDuringCreation(home, 1)
    // what the kill left: a half-made project, marked as such, that refuses to open
    expect(existsSync(join(dir, CREATING_MARKER))).toBe(true)
    expect(readdirSync(dir)).toContain('project.sqlite')
    expect(() => Project.open(dir)).toThrow(/was interrupted/)

    const serve = await startServe(['--home', home])
    try {
      expect(serve.output()).toMatch(/earlier creation of the sample project .* was interrupted; creating it again/)
      const info = await callServed(serve, 'project.current', {})
      expect(info).toMatchObject({ path: dir, counts: { samples: 12, traces: 12 } })
      expect((await callServed(serve, 'traces.counts', {})).total).toBe(12)
      expect(existsSync(join(dir, CREATING_MARKER))).toBe(false)
    } finally {
      await serve.stop()
    }
    // and a third start simply opens it
    const again = await startServe(['--home', home])
    try {
      expect(again.output()).not.toMatch(/creating/)
      expect((await callServed(again, 'project.current', {})).counts.samples).toBe(12)
    } finally {
      await again.stop()
    }
  })

  it('a project folder left by an interrupted creation can be created again, not refused as not empty', async () => {
    const dir = join(root, 'user-project')
    const first = Project.create(dir, undefined, { pending: true })
    first.close() // as a crash would leave it
    expect(() => Project.open(dir)).toThrow(/was interrupted/)
    const second = Project.create(dir)
    expect(second.info().counts.samples).toBe(0)
    second.close()
    expect(existsSync(join(dir, CREATING_MARKER))).toBe(false)
    expect(() => Project.create(dir)).toThrow(/not empty/)
    Project.open(dir).close()
  })

  it('a creation still running in another live process is neither opened nor cleared', () => {
    const dir = join(root, 'busy-project')
    Project.create(dir, undefined, { pending: true }).close()
    // as if another studio (a live process: our parent) were creating it right now
    writeFileSync(join(dir, CREATING_MARKER), `creation started ${new Date().toISOString()} by pid ${process.ppid}\n`)
    expect(() => Project.open(dir)).toThrow(new RegExp(`being created by another Pixel Studio \\(pid ${process.ppid}\\)`))
    expect(() => Project.create(dir)).toThrow(/being created by another/)
    expect(readdirSync(dir)).toContain('project.sqlite') // nothing removed
  })
})
