#!/usr/bin/env node
// `npm test` needs the trainer environment (the TRL tests train and serve a tiny Qwen2.5-VL): this
// makes <repo>/.trainer-env once, with the same `pixel-studio trainer setup` a user runs, so the
// README's test command works on a fresh machine. pip gets the index it is configured with here
// (`pip config`, e.g. a local file:// index), so it never waits on an unreachable default index;
// with none configured, the public one. Nothing to do when PIXEL_STUDIO_PYTHON names a Python or
// the environment is complete. A failed setup stops the tests with pip's last lines: no test
// skips for a missing stack.
const { spawnSync } = require('node:child_process')
const { existsSync } = require('node:fs')
const { join, resolve } = require('node:path')

const root = resolve(__dirname, '..')
const dir = join(root, '.trainer-env')

if (process.env.PIXEL_STUDIO_PYTHON) process.exit(0)
// written by trainer setup only when every package installed
if (existsSync(join(dir, 'pixel-studio-env.json'))) process.exit(0)

function pipConfig(key) {
  const run = spawnSync('python3', ['-m', 'pip', 'config', 'get', key], { encoding: 'utf8' })
  return run.status === 0 ? run.stdout.split(/\s+/).filter(Boolean) : []
}
const indexes = [...pipConfig('global.index-url'), ...pipConfig('global.extra-index-url')]

console.error(`[pixel-studio] making the trainer environment in ${dir} (once; a few minutes)`)
const setup = spawnSync(
  process.execPath,
  [join(root, 'out/main/cli.js'), '--home', join(root, '.tmp', 'trainer-home'), 'trainer', 'setup', '--dir', dir, ...(indexes.length ? ['--index-url', ...indexes] : [])],
  { stdio: 'inherit' }
)
if (setup.status !== 0) {
  console.error(`[pixel-studio] the trainer environment could not be set up (see above); the TRL tests need it. Fix it, then run: npm run cli -- trainer setup --dir .trainer-env`)
  process.exit(1)
}
