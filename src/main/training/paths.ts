// Where training things live. A run owns one folder, <project>/runs/<job id>/, holding everything
// its trainer reads and writes (spec.json, data/, config files, output/, train.log), so a run can
// be copied to a GPU box or a cluster as one folder. Trainer scripts ship in resources/trainer/.
import { existsSync } from 'node:fs'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'

export const RUNS_DIR = 'runs'

export interface RunLayout {
  dir: string
  spec: string
  log: string
  data: string
  output: string
}

export function runLayout(projectDir: string, jobId: string, outputDir = 'output'): RunLayout {
  return layoutAt(join(projectDir, RUNS_DIR, jobId), outputDir)
}

/** The layout of a run folder anywhere (a folder prepared to run elsewhere). */
export function layoutAt(dir: string, outputDir = 'output'): RunLayout {
  return { dir, spec: join(dir, 'spec.json'), log: join(dir, 'train.log'), data: join(dir, 'data'), output: join(dir, outputDir) }
}

/** The managed trainer environment's folder under the studio home (`pixel-studio trainer setup`). */
export function defaultEnvDir(studioHome: string): string {
  return join(studioHome, 'trainer-env')
}

export function envPython(dir: string): string {
  return process.platform === 'win32' ? join(dir, 'Scripts', 'python.exe') : join(dir, 'bin', 'python')
}

/**
 * The Python that runs trainers: PIXEL_STUDIO_PYTHON, else the managed environment's
 * (`pixel-studio trainer setup`, <studio home>/trainer-env), present or not: preflight then says
 * what to run.
 */
export function pythonPath(env: NodeJS.ProcessEnv, studioHome: string): { path: string; source: 'env' | 'managed' } {
  if (env.PIXEL_STUDIO_PYTHON) return { path: env.PIXEL_STUDIO_PYTHON, source: 'env' }
  return { path: envPython(defaultEnvDir(studioHome)), source: 'managed' }
}

/**
 * The folder holding resources/trainer: PIXEL_STUDIO_RESOURCES, else the first `resources` folder
 * with a `trainer` subfolder found walking up from this file (src/main/training in a checkout,
 * out/main in a build), else <cwd>/resources.
 */
export function resourcesDir(env: NodeJS.ProcessEnv = process.env): string {
  if (env.PIXEL_STUDIO_RESOURCES) return resolve(env.PIXEL_STUDIO_RESOURCES)
  let dir = dirname(fileURLToPath(import.meta.url))
  for (let i = 0; i < 6; i++) {
    if (existsSync(join(dir, 'resources', 'trainer'))) return join(dir, 'resources')
    dir = dirname(dir)
  }
  return resolve('resources')
}

export function trainerResource(...parts: string[]): string {
  return join(resourcesDir(), 'trainer', ...parts)
}
