// The managed trainer environment: pip's index arguments, the clear failures (no Python, a pip
// that cannot install: its last lines shown), cancel, and the environment .ci/run set up
// (<repo>/.trainer-env) holding exactly the pinned versions. The failures run real child
// processes: a stand-in python3 whose venv holds a python whose pip fails as pip does offline.
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { join, resolve } from 'node:path'
import { describe, expect, it } from 'vitest'
import { StudioError } from '../../src/shared/contract'
import { trainerResource } from '../../src/main/training/paths'
import { describeEnv, indexUrlsOf, pipIndexArgs, setupTrainerEnv, TORCH_INDEX } from '../../src/main/training/trainer-env'
import { rejection } from '../helpers/rejection'
import { tempDir } from '../helpers/temp'

const root = tempDir()

/** A python3 stand-in: `-m venv DIR` makes DIR/bin/python run `pipBody` for anything. */
function fakeBasePython(name: string, pipBody: string): string {
  const dir = join(root, name)
  mkdirSync(dir, { recursive: true })
  const inner = join(dir, 'inner-python')
  writeFileSync(inner, `#!/bin/sh\n${pipBody}\n`)
  chmodSync(inner, 0o755)
  const base = join(dir, 'python3')
  writeFileSync(base, `#!/bin/sh\n[ "$1" = "-m" ] && [ "$2" = "venv" ] || exit 3\nmkdir -p "$3/bin" && cp "${inner}" "$3/bin/python"\n`)
  chmodSync(base, 0o755)
  return base
}

describe('trainer setup', () => {
  it('passes a given index to pip as is; without one, adds torch\'s CUDA or CPU index', () => {
    expect(pipIndexArgs(['file:///opt/pypi/simple', 'file:///opt/pypi-more/simple'], true)).toEqual({
      args: ['--index-url', 'file:///opt/pypi/simple', '--extra-index-url', 'file:///opt/pypi-more/simple'],
      torchVariant: 'index'
    })
    expect(pipIndexArgs([], true)).toEqual({ args: ['--extra-index-url', TORCH_INDEX.cuda], torchVariant: 'cuda' })
    expect(pipIndexArgs([], false)).toEqual({ args: ['--extra-index-url', TORCH_INDEX.cpu], torchVariant: 'cpu' })
    expect(indexUrlsOf(undefined, { PIXEL_STUDIO_PIP_INDEX_URL: 'file:///a, file:///b' })).toEqual(['file:///a', 'file:///b'])
    expect(indexUrlsOf(['http://mirror/simple'], { PIXEL_STUDIO_PIP_INDEX_URL: 'file:///a' })).toEqual(['http://mirror/simple'])
  })

  it('says what to install when there is no Python to make the venv with', async () => {
    const error = await rejection(setupTrainerEnv({ dir: join(root, 'env-none'), indexUrls: [], basePython: join(root, 'nowhere', 'python3') }))
    expect(error).toBeInstanceOf(StudioError)
    expect(error.code).toBe('failed_precondition')
    expect(error.message).toContain(`no ${join(root, 'nowhere', 'python3')} on this machine: install Python 3.10-3.12 (Debian/Ubuntu: sudo apt-get install python3 python3-venv)`)
  })

  it('shows pip\'s last lines when the install fails, and leaves the env marked incomplete', async () => {
    const base = fakeBasePython('pip-fails', [
      'echo "Looking in indexes: file:///opt/pypi/simple"',
      'echo "ERROR: Could not find a version that satisfies the requirement torch==2.13.0 (from versions: none)" >&2',
      'echo "ERROR: No matching distribution found for torch==2.13.0" >&2',
      'exit 1'
    ].join('\n'))
    const dir = join(root, 'env-pip-fails')
    const progress: string[] = []
    const error = await rejection(setupTrainerEnv({ dir, indexUrls: ['file:///opt/pypi/simple'], basePython: base, onProgress: (p) => progress.push(p.message ?? '') }))
    expect(error.code).toBe('failed_precondition')
    expect(error.message).toContain(`pip could not install the trainer requirements into ${dir} (exit 1); the last lines:`)
    expect(error.message).toContain('ERROR: No matching distribution found for torch==2.13.0')
    expect(progress[0]).toBe(`creating a virtualenv in ${dir} with ${base}`)
    expect(progress[1]).toContain('(torch: from file:///opt/pypi/simple)')
    expect(describeEnv(dir)).toMatchObject({ exists: true, complete: false, problem: `the trainer environment at ${dir} is incomplete (a setup did not finish): run \`pixel-studio trainer setup\` again` })
  })

  it('cancels a running pip (its process group) and says the env is incomplete', async () => {
    const started = join(root, 'pip-started')
    const base = fakeBasePython('pip-hangs', `touch "${started}"\nsleep 60`)
    const controller = new AbortController()
    const setup = setupTrainerEnv({ dir: join(root, 'env-hangs'), indexUrls: ['file:///x'], basePython: base, signal: controller.signal, onLine: () => undefined })
    await expect.poll(() => existsSync(started), { timeout: 20_000 }).toBe(true)
    controller.abort()
    const error = await rejection(setup)
    expect(error.code).toBe('cancelled')
    expect(error.message).toContain('is incomplete (run the setup again)')
  })

  it('the environment .ci/run set up holds exactly the pinned versions (TRL stack present)', () => {
    const dir = resolve('.trainer-env')
    const env = describeEnv(dir)
    if (!env.complete) throw new Error(`${env.problem}: .ci/run makes it with \`node out/main/cli.js trainer setup --dir .trainer-env --index-url <pip's index>\``)
    const pins = readFileSync(trainerResource('requirements.txt'), 'utf8')
      .split('\n')
      .map((l) => /^([A-Za-z0-9_.-]+)==(\S+)/.exec(l.trim()))
      .filter((m): m is RegExpExecArray => m !== null)
    expect(pins.length).toBeGreaterThanOrEqual(10)
    for (const [, name, version] of pins) expect(`${name} ${env.versions[name as string] ?? 'missing'}`).toMatch(new RegExp(`^${name} ${(version as string).replace(/\./g, '\\.')}(\\+.*)?$`))
  })
})
