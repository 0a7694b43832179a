// CLI conventions a script relies on: --json errors as one JSON object on stderr, progress that
// does not flood a log file, and a clear refusal (not a native crash) on an unsupported Node.
import { spawnSync } from 'node:child_process'
import { existsSync } from 'node:fs'
import { join, resolve } from 'node:path'
import { describe, expect, it } from 'vitest'
import { ErrorCode, type JobProgress } from '../../src/shared/contract'
import { ProgressPrinter } from '../../src/main/commands/progress-printer'
import { CLI, assertBuilt } from '../helpers/serve-process'
import { tempDir } from '../helpers/temp'

const root = tempDir()
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { unsupportedNode } = require('../../bin/node-check.js') as { unsupportedNode: (version: string, range?: string) => string | null }

function cli(args: string[]): { status: number | null; stdout: string; stderr: string } {
  assertBuilt()
  const r = spawnSync(process.execPath, [CLI, '--home', join(root, 'home'), ...args], { encoding: 'utf8', timeout: 60_000 })
  return { status: r.status, stdout: r.stdout, stderr: r.stderr }
}

function jsonError(stderr: string): { code: string; message: string; issues: Array<{ path: string; message: string }> } {
  const lines = stderr.trim().split('\n')
  expect(lines).toHaveLength(1)
  const body = JSON.parse(lines[0] as string) as { code: string; message: string; issues: Array<{ path: string; message: string }> }
  expect(ErrorCode.options).toContain(body.code)
  expect(Object.keys(body).sort()).toEqual(['code', 'issues', 'message'])
  return body
}

describe('--json errors', () => {
  const dir = join(root, 'proj')

  it('reports contract, lookup and usage errors as {code, message, issues} on stderr', () => {
    const created = cli(['--json', 'project', 'create', dir, '--sample'])
    expect(created.status).toBe(0)
    // not a TTY: whole lines, no carriage-return redraws
    expect(created.stderr).not.toContain('\r')
    expect(created.stderr.split('\n')).toEqual(expect.arrayContaining([expect.stringMatching(/^12\/12 samples/), expect.stringMatching(/^12\/12 traces/)]))

    const invalid = cli(['--json', '--project', dir, 'call', 'samples.list', '{"limit": 100000}'])
    expect(invalid.status).toBe(2)
    const body = jsonError(invalid.stderr)
    expect(body.code).toBe('invalid_input')
    expect(body.issues).toEqual([expect.objectContaining({ path: 'limit' })])

    const missing = cli(['--json', '--project', dir, 'call', 'traces.get', '{"id": "nope"}'])
    expect(missing.status).toBe(1)
    expect(jsonError(missing.stderr)).toMatchObject({ code: 'not_found', issues: [] })

    const usage = cli(['--json', '--project', dir, 'samples', '--bogus'])
    expect(usage.status).toBe(2)
    expect(jsonError(usage.stderr)).toMatchObject({ code: 'invalid_input', message: expect.stringContaining('--bogus') })

    // without --json the same error stays a sentence
    const plain = cli(['--project', dir, 'samples', '--bogus'])
    expect(plain.status).toBe(2)
    expect(plain.stderr).toMatch(/unknown option '--bogus'/)
    expect(plain.stderr.trim().startsWith('{')).toBe(false)
  })

  it('snapshot create --val-fraction --seed holds out samples, the same for the same seed', () => {
    const make = (name: string, seed: string): { traceCount: number; hash: string; split: { validationCount: number; valFraction: number; seed: number } } => {
      const r = cli(['--json', '--project', dir, 'snapshot', 'create', name, '--status', 'unreviewed', '--val-fraction', '0.25', '--seed', seed])
      expect(r.status).toBe(0)
      return JSON.parse(r.stdout) as { traceCount: number; hash: string; split: { validationCount: number; valFraction: number; seed: number } }
    }
    const a = make('a', '7')
    expect(a.split).toMatchObject({ valFraction: 0.25, seed: 7 })
    expect(a.split.validationCount).toBeGreaterThan(0)
    expect(make('b', '7').hash).toBe(a.hash)
    expect(make('c', '8').hash).not.toBe(a.hash)
    const bad = cli(['--json', '--project', dir, 'snapshot', 'create', 'd', '--val-fraction', '1.5'])
    expect(bad.status).toBe(2)
    expect(jsonError(bad.stderr).issues).toEqual([expect.objectContaining({ path: 'split.valFraction' })])
  })
})

describe('progress off a terminal', () => {
  const step = (done: number, total: number | null, unit = 'records'): JobProgress => ({ done, total, unit })

  it('writes at most one line per second, plus the end of each phase, whatever the update rate', () => {
    let now = 0
    const lines: string[] = []
    const printer = new ProgressPrinter({ isTTY: false, write: (t) => lines.push(t) }, () => now)
    // 30k updates over 12 simulated seconds
    for (let i = 1; i <= 30_000; i++) {
      now = (i / 30_000) * 12_000
      printer.update(step(i, 30_000))
    }
    printer.end()
    expect(lines.every((l) => l.endsWith('\n') && !l.includes('\r'))).toBe(true)
    expect(lines.length).toBeGreaterThanOrEqual(12)
    expect(lines.length).toBeLessThanOrEqual(14)
    expect(lines.at(-1)).toBe('30000/30000 records\n')
    // an open-ended job still ends with its last state
    lines.length = 0
    const open = new ProgressPrinter({ isTTY: false, write: (t) => lines.push(t) }, () => now)
    open.update(step(1, null))
    open.update(step(2, null))
    open.end()
    expect(lines).toEqual(['1 records\n', '2 records\n'])
  })

  it('redraws one line in place on a terminal', () => {
    const out: string[] = []
    const printer = new ProgressPrinter({ isTTY: true, write: (t) => out.push(t) })
    printer.update(step(1, 2))
    printer.update(step(2, 2))
    printer.end()
    expect(out.join('')).toBe('\r1/2 records   \r2/2 records   \n')
  })
})

describe('unsupported Node', () => {
  it('names the required version from package.json engines', () => {
    expect(unsupportedNode('20.20.2', '>=22.12.0')).toMatch(/needs Node >=22\.12\.0 .* this is Node 20\.20\.2/)
    expect(unsupportedNode('22.11.9', '>=22.12.0')).not.toBeNull()
    expect(unsupportedNode('22.12.0', '>=22.12.0')).toBeNull()
    expect(unsupportedNode('24.1.0', '>=22.12.0')).toBeNull()
    expect(unsupportedNode(process.versions.node)).toBeNull() // the Node the tests run on is supported
  })

  // Debian's Node here is 20: the bin script must refuse it before better-sqlite3 loads
  const systemNode = ['/usr/bin/node', '/usr/local/bin/node'].find((p) => existsSync(p) && spawnSync(p, ['-p', 'process.versions.node'], { encoding: 'utf8' }).stdout.trim().split('.')[0] !== process.versions.node.split('.')[0])
  it.skipIf(!systemNode)('the bin script exits 1 with the message on an older Node, before loading the studio', () => {
    const version = spawnSync(systemNode as string, ['-p', 'process.versions.node'], { encoding: 'utf8' }).stdout.trim()
    const r = spawnSync(systemNode as string, [resolve('bin/pixel-studio.js'), 'methods'], { encoding: 'utf8', timeout: 30_000 })
    if (unsupportedNode(version) === null) {
      expect(r.status).toBe(0)
      return
    }
    expect(r.signal).toBeNull()
    expect(r.status).toBe(1)
    expect(r.stderr.trim()).toBe(unsupportedNode(version))
  })
})
