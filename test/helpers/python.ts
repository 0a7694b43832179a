import { spawnSync } from 'node:child_process'
import { existsSync } from 'node:fs'
import { resolve } from 'node:path'

/** Debian's python with Pillow (the vector checkers); PIXEL_STUDIO_PYTHON overrides. */
export function python(): string {
  return process.env.PIXEL_STUDIO_PYTHON ?? (existsSync('/usr/bin/python3') ? '/usr/bin/python3' : 'python3')
}

/**
 * The trainer environment's Python (the TRL stack): PIXEL_STUDIO_PYTHON, else <repo>/.trainer-env
 * made by `.ci/run` or `pixel-studio trainer setup --dir .trainer-env`. Tests that need the stack
 * call `assertTrainerPython()` first: they fail, never skip, when it is missing.
 */
export function trainerPython(): string {
  return process.env.PIXEL_STUDIO_PYTHON ?? resolve('.trainer-env', 'bin', 'python')
}

/** Throws, with the command that fixes it, unless trainerPython() imports torch, transformers and trl. */
export function assertTrainerPython(): string {
  const py = trainerPython()
  const run = spawnSync(py, ['-c', 'import torch, transformers, trl'], { encoding: 'utf8', timeout: 180_000 })
  if (run.status === 0) return py
  const why = (run.error?.message ?? run.stderr.trim().split('\n').at(-1) ?? `exit ${run.status}`).trim()
  throw new Error(`the trainer environment is missing (${py}: ${why}): run \`npm run build && npm run cli -- trainer setup --dir .trainer-env\` (add --index-url <your pip index> offline), or set PIXEL_STUDIO_PYTHON`)
}
