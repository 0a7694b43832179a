// `pixel-studio snapshot create|export` and `pixel-studio traces import` as a headless user runs them:
// the built CLI as a child process, progress on stderr, results on stdout, clear failures.
import { spawnSync } from 'node:child_process'
import { existsSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { CLI, assertBuilt } from '../helpers/serve-process'
import { traceProject } from '../fixtures/trace-project'
import { tempDir } from '../helpers/temp'

const root = tempDir()

function cli(args: string[], env: Record<string, string> = {}): { status: number | null; stdout: string; stderr: string } {
  assertBuilt()
  const r = spawnSync(process.execPath, [CLI, '--home', join(root, 'home'), ...args], { encoding: 'utf8', timeout: 120_000, env: { ...process.env, ...env } })
  return { status: r.status, stdout: r.stdout, stderr: r.stderr }
}

describe('snapshot export / traces import from the CLI', () => {
  it('exports a snapshot and imports it into another project', async () => {
    const { project, snapshot } = await traceProject(join(root, 'source'))
    project.close()
    // a snapshot made from the CLI freezes the same traces as the fixture's (same filter, same hash)
    const made = cli(['--project', join(root, 'source'), '--json', 'snapshot', 'create', 'from the cli', '--status', snapshot.filter.status?.join(',') ?? 'accepted'])
    expect(made.status, made.stderr).toBe(0)
    expect(JSON.parse(made.stdout)).toMatchObject({ name: 'from the cli', traceCount: snapshot.traceCount, hash: snapshot.hash })
    expect(cli(['--project', join(root, 'source'), 'snapshot', 'create', 'nothing', '--status', 'needs_fix', '--origin', 'rollout']).stderr).toMatch(/would be empty/)
    const listed = cli(['--project', join(root, 'source'), '--json', 'snapshot', 'list'])
    expect(listed.status).toBe(0)
    expect(JSON.parse(listed.stdout)).toEqual([expect.objectContaining({ name: 'from the cli' }), expect.objectContaining({ id: snapshot.id, traceCount: snapshot.traceCount })])

    const out = join(root, 'out')
    const exported = cli(['--project', join(root, 'source'), 'snapshot', 'export', snapshot.id, out, '--format', 'pixelreasoner', '--name', 'sft'])
    expect(exported.status, exported.stderr).toBe(0)
    expect(exported.stderr).toContain(`${snapshot.traceCount}/${snapshot.traceCount} traces`)
    expect(exported.stdout).toMatch(new RegExp(`exported ${snapshot.traceCount} records and \\d+ images to ${out}`))
    expect(existsSync(join(out, 'sft.json'))).toBe(true)

    const target = join(root, 'target')
    expect(cli(['project', 'create', target]).status).toBe(0)
    const imported = cli(['--project', target, 'traces', 'import', out, '--format', 'pixelreasoner'])
    expect(imported.status, imported.stderr).toBe(0)
    expect(imported.stdout).toContain(`${snapshot.traceCount} imported, 0 already present, 0 skipped`)

    // the same records converted by the built worker thread (out/main/trace-import-worker.js), as a large file would be
    const viaWorker = join(root, 'target-worker')
    expect(cli(['project', 'create', viaWorker]).status).toBe(0)
    const threaded = cli(['--project', viaWorker, '--json', 'traces', 'import', out, '--format', 'pixelreasoner'], { PIXEL_STUDIO_TRACE_IMPORT_THREAD: 'worker' })
    expect(threaded.status, threaded.stderr).toBe(0)
    expect(JSON.parse(threaded.stdout)).toEqual({ imported: snapshot.traceCount, alreadyPresent: 0, skipped: [] })
    const wrongThread = cli(['--project', viaWorker, 'traces', 'import', out, '--format', 'pixelreasoner'], { PIXEL_STUDIO_TRACE_IMPORT_THREAD: 'three' })
    expect(wrongThread.stderr).toMatch(/PIXEL_STUDIO_TRACE_IMPORT_THREAD is "three"/)

    const again = cli(['--project', join(root, 'source'), 'snapshot', 'export', snapshot.id, out])
    expect(again.status).toBe(1)
    expect(again.stderr).toMatch(/error \[conflict\]: .* is not empty/)
    const badFormat = cli(['--project', target, 'traces', 'import', out, '--format', 'csv'])
    expect(badFormat.status).toBe(2)
  })
})
