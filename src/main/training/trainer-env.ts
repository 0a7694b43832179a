// The trainer environment the studio manages: a virtualenv (default <studio home>/trainer-env)
// with the pinned stack of resources/trainer/requirements.txt. Setup = `python3 -m venv`, then
// `pip install -r requirements.txt`, then the installed versions read back. torch comes as a CUDA
// build where nvidia-smi sees a GPU, else as the CPU build, unless an index is given (a local
// mirror such as this machine's file:// index), which is then used for everything.
import { spawn } from 'node:child_process'
import { existsSync, readFileSync, writeFileSync } from 'node:fs'
import { join, resolve } from 'node:path'
import { performance } from 'node:perf_hooks'
import { z } from 'zod'
import { StudioError, type JobProgress, type TrainerEnvInfo, type TrainerSetupResult } from '../../shared/contract'
import { listGpus } from '../runtime/gpus'
import { envPython, trainerResource } from './paths'

/** Written last by a setup that succeeded: an env without it is incomplete. */
const MARKER = 'pixel-studio-env.json'
/** Distributions whose versions are reported (import names differ: pillow is PIL). */
export const REPORTED = ['torch', 'transformers', 'trl', 'accelerate', 'peft', 'datasets', 'tokenizers', 'pillow', 'pyarrow', 'tensorboard', 'onnx', 'onnxruntime', 'onnxscript'] as const
/** torch's own wheel indexes, for a workstation on the public index. */
export const TORCH_INDEX = { cpu: 'https://download.pytorch.org/whl/cpu', cuda: 'https://download.pytorch.org/whl/cu128' } as const

const Marker = z.object({ versions: z.record(z.string(), z.string().nullable()), torchVariant: z.enum(['cpu', 'cuda', 'index']), indexUrls: z.array(z.string()), seconds: z.number(), at: z.string() })

/** The command that sets the environment up, as a person types it. */
export function setupCommand(dir?: string): string {
  return `pixel-studio trainer setup${dir ? ` --dir ${dir}` : ''}`
}

/** What `training.gpu` shows about the managed environment. */
export function describeEnv(dir: string): TrainerEnvInfo {
  const python = envPython(dir)
  const base = { dir, python, exists: existsSync(python), setupCommand: setupCommand() }
  const file = join(dir, MARKER)
  if (!existsSync(file)) return { ...base, complete: false, versions: {}, torchVariant: null, problem: base.exists ? `the trainer environment at ${dir} is incomplete (a setup did not finish): run \`${setupCommand()}\` again` : `no trainer environment at ${dir}: run \`${setupCommand()}\`` }
  try {
    const marker = Marker.parse(JSON.parse(readFileSync(file, 'utf8')))
    return { ...base, complete: base.exists, versions: marker.versions, torchVariant: marker.torchVariant, problem: base.exists ? null : `${python} is gone: run \`${setupCommand()}\` again` }
  } catch (error) {
    return { ...base, complete: false, versions: {}, torchVariant: null, problem: `${file} is unreadable (${error instanceof Error ? error.message : String(error)}): run \`${setupCommand()}\` again` }
  }
}

/** Index URLs from a flag list, else PIXEL_STUDIO_PIP_INDEX_URL (space- or comma-separated). */
export function indexUrlsOf(given: readonly string[] | undefined, env: NodeJS.ProcessEnv = process.env): string[] {
  if (given && given.length > 0) return [...given]
  return (env.PIXEL_STUDIO_PIP_INDEX_URL ?? '').split(/[\s,]+/).filter(Boolean)
}

/** pip's index arguments: the first URL is --index-url, the rest --extra-index-url; none = the public index plus torch's CPU or CUDA index. */
export function pipIndexArgs(indexUrls: readonly string[], gpu: boolean): { args: string[]; torchVariant: 'cpu' | 'cuda' | 'index' } {
  if (indexUrls.length > 0) return { args: ['--index-url', indexUrls[0] as string, ...indexUrls.slice(1).flatMap((u) => ['--extra-index-url', u])], torchVariant: 'index' }
  return gpu ? { args: ['--extra-index-url', TORCH_INDEX.cuda], torchVariant: 'cuda' } : { args: ['--extra-index-url', TORCH_INDEX.cpu], torchVariant: 'cpu' }
}

export interface SetupOptions {
  dir: string
  indexUrls: string[]
  /** the Python that creates the venv (default: PIXEL_STUDIO_BASE_PYTHON, else python3) */
  basePython?: string
  signal?: AbortSignal
  onProgress?: (p: JobProgress) => void
  onLine?: (line: string) => void
}

interface Step {
  ok: boolean
  code: number | null
  tail: string[]
  error?: NodeJS.ErrnoException
}

/** Runs a command, line by line to `onLine`, killed (its process group) on abort. */
function runStep(command: string, args: string[], options: { signal?: AbortSignal; onLine: (line: string) => void }): Promise<Step> {
  return new Promise((done) => {
    const tail: string[] = []
    const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'], detached: true, env: { ...process.env, PIP_DISABLE_PIP_VERSION_CHECK: '1', PYTHONUNBUFFERED: '1' } })
    const onAbort = (): void => {
      try {
        if (child.pid) process.kill(-child.pid, 'SIGTERM')
      } catch {
        // already gone
      }
    }
    options.signal?.addEventListener('abort', onAbort, { once: true })
    const feed = (stream: NodeJS.ReadableStream): void => {
      let rest = ''
      stream.on('data', (d: Buffer) => {
        const lines = (rest + d.toString()).split(/\r?\n/)
        rest = lines.pop() ?? ''
        for (const line of lines) {
          if (!line.trim()) continue
          tail.push(line)
          if (tail.length > 40) tail.shift()
          options.onLine(line)
        }
      })
    }
    feed(child.stdout)
    feed(child.stderr)
    child.on('error', (error: NodeJS.ErrnoException) => {
      options.signal?.removeEventListener('abort', onAbort)
      done({ ok: false, code: null, tail, error })
    })
    child.on('close', (code) => {
      options.signal?.removeEventListener('abort', onAbort)
      done({ ok: code === 0, code, tail })
    })
  })
}

// Reads installed versions from package metadata (no imports: trl alone takes seconds to import).
const VERSIONS = `
import importlib.metadata as m, json, sys
out = {}
for name in sys.argv[1:]:
    try: out[name] = m.version(name)
    except m.PackageNotFoundError: out[name] = None
print(json.dumps(out))
`

/** Creates the venv and installs the requirements; throws a StudioError carrying pip's last lines. */
export async function setupTrainerEnv(options: SetupOptions): Promise<TrainerSetupResult> {
  const start = performance.now()
  const dir = resolve(options.dir)
  const requirements = trainerResource('requirements.txt')
  if (!existsSync(requirements)) throw new StudioError('failed_precondition', `the trainer requirements ${requirements} are missing (set PIXEL_STUDIO_RESOURCES to the studio's resources folder)`)
  const basePython = options.basePython ?? process.env.PIXEL_STUDIO_BASE_PYTHON ?? 'python3'
  const onLine = options.onLine ?? ((): void => undefined)
  let collected = 0
  const progress = (message: string): void => options.onProgress?.({ done: collected, total: null, unit: 'packages', message })
  const cancelled = (): never => {
    throw new StudioError('cancelled', `the trainer setup was cancelled; ${dir} is incomplete (run the setup again)`)
  }

  const python = envPython(dir)
  if (!existsSync(python)) {
    progress(`creating a virtualenv in ${dir} with ${basePython}`)
    const venv = await runStep(basePython, ['-m', 'venv', dir], { ...(options.signal ? { signal: options.signal } : {}), onLine })
    if (options.signal?.aborted) cancelled()
    if (venv.error?.code === 'ENOENT') throw new StudioError('failed_precondition', `no ${basePython} on this machine: install Python 3.10-3.12 (Debian/Ubuntu: sudo apt-get install python3 python3-venv), or set PIXEL_STUDIO_BASE_PYTHON, then run \`${setupCommand()}\``)
    if (!venv.ok) {
      const noVenv = venv.tail.some((l) => /ensurepip|venv/.test(l))
      throw new StudioError('failed_precondition', `${basePython} -m venv ${dir} failed${noVenv ? ' (Debian/Ubuntu: sudo apt-get install python3-venv)' : ''}:\n${venv.tail.slice(-12).join('\n')}`)
    }
  }

  const gpu = (await listGpus()).available
  const index = pipIndexArgs(options.indexUrls, gpu)
  progress(`installing ${requirements} (torch: ${index.torchVariant === 'index' ? `from ${options.indexUrls.join(' ')}` : index.torchVariant})`)
  const pip = await runStep(python, ['-m', 'pip', 'install', '--progress-bar', 'off', ...index.args, '-r', requirements], {
    ...(options.signal ? { signal: options.signal } : {}),
    onLine: (line) => {
      onLine(line)
      if (/^Collecting |^Requirement already satisfied: /.test(line)) collected++
      if (/^(Collecting|Installing|Successfully)/.test(line)) progress(line.slice(0, 160))
    }
  })
  if (options.signal?.aborted) cancelled()
  if (!pip.ok) throw new StudioError('failed_precondition', `pip could not install the trainer requirements into ${dir} (exit ${pip.code ?? pip.error?.message}); the last lines:\n${pip.tail.slice(-15).join('\n')}`)

  let versions: Record<string, string | null> = {}
  const read = await runStep(python, ['-c', VERSIONS, ...REPORTED], { onLine: () => undefined })
  const json = read.tail.at(-1)
  if (read.ok && json) versions = z.record(z.string(), z.string().nullable()).parse(JSON.parse(json))
  const missing = REPORTED.filter((name) => !versions[name])
  if (missing.length > 0) throw new StudioError('failed_precondition', `after pip, ${missing.join(', ')} ${missing.length > 1 ? 'are' : 'is'} not installed in ${dir}`)
  const seconds = (performance.now() - start) / 1000
  const marker: z.infer<typeof Marker> = { versions, torchVariant: index.torchVariant, indexUrls: options.indexUrls, seconds, at: new Date().toISOString() }
  writeFileSync(join(dir, MARKER), `${JSON.stringify(marker, null, 2)}\n`)
  collected = REPORTED.length
  progress('done')
  return { dir, python, versions, torchVariant: index.torchVariant, seconds }
}
