import { spawnSync, type SpawnSyncReturns } from 'node:child_process'
import { existsSync } from 'node:fs'
import { resolve } from 'node:path'

/** Debian's python (it has Pillow, and torch where installed); PIXEL_STUDIO_PYTHON overrides. */
export function python(): string {
  return process.env.PIXEL_STUDIO_PYTHON ?? (existsSync('/usr/bin/python3') ? '/usr/bin/python3' : 'python3')
}

/** Why the trainer tests cannot run here (the python cannot import torch and onnx), or null. */
export function torchUnavailable(): string | null {
  const run = spawnSync(python(), ['-c', 'import torch, onnx'], { encoding: 'utf8', timeout: 120_000 })
  if (run.status === 0) return null
  const why = (run.error?.message ?? run.stderr.trim().split('\n').at(-1) ?? `exit ${run.status}`).trim()
  return `${python()} cannot import torch and onnx (${why}); install them with: apt-get install -y python3-torch python3-onnx`
}

/** Runs Python source `lines` with the trainers' modules importable (tiny_torch, pixel_reasoner). */
export function runPython(lines: string[], args: string[] = [], timeout = 60_000): SpawnSyncReturns<string> {
  const prelude = ['import sys', "sys.path[:0] = ['resources/trainer/tiny_torch', 'resources/trainer']"]
  return spawnSync(python(), ['-c', [...prelude, ...lines].join('\n'), ...args], { encoding: 'utf8', timeout })
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
  throw new Error(`the trainer environment is missing (${py}: ${why}): run \`npm run build && node out/main/cli.js trainer setup --dir .trainer-env\` (add --index-url <your pip index> offline), or set PIXEL_STUDIO_PYTHON`)
}
