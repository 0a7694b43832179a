// Checks before a run: does the Python that runs trainers exist, can it import what the backend
// needs, are the trainer's files there? A missing torch is a clear refusal at launch ("install
// python3-torch"), not a traceback in a log an hour later. Also the machine report behind
// training.gpu: GPUs, Python, torch and whether torch sees CUDA.
import { execFile } from 'node:child_process'
import { existsSync } from 'node:fs'
import { dirname } from 'node:path'
import { promisify } from 'node:util'
import { StudioError, type TrainerEnvInfo, type TrainingEnvironment } from '../../shared/contract'
import { listGpus } from '../runtime/gpus'
import type { Requirements } from './adapters/adapter'
import { setupCommand } from './trainer-env'

const run = promisify(execFile)

export interface PythonProbe {
  path: string
  version: string | null
  /** module -> version, or null when it cannot be imported */
  modules: Record<string, string | null>
  errors: Record<string, string>
  torchCuda: boolean | null
  /** the Python itself could not run */
  problem: string | null
}

// Imports each module named on the command line and prints one JSON object.
const PROBE = `
import importlib, json, sys
out = {"python": sys.version.split()[0], "modules": {}, "errors": {}, "cuda": None}
for name in sys.argv[1:]:
    try:
        m = importlib.import_module(name)
        out["modules"][name] = str(getattr(m, "__version__", "unknown"))
        if name == "torch":
            out["cuda"] = bool(m.cuda.is_available())
    except Exception as e:
        out["modules"][name] = None
        out["errors"][name] = type(e).__name__ + ": " + str(e)
print(json.dumps(out))
`

const cache = new Map<string, { at: number; probe: Promise<PythonProbe> }>()
const CACHE_MS = 30_000

export function probePython(python: string, modules: readonly string[], timeoutMs = 120_000): Promise<PythonProbe> {
  const key = `${python}\0${modules.join(',')}`
  const hit = cache.get(key)
  if (hit && Date.now() - hit.at < CACHE_MS) return hit.probe
  const probe = (async (): Promise<PythonProbe> => {
    const empty = { path: python, version: null, modules: {}, errors: {}, torchCuda: null }
    try {
      const { stdout } = await run(python, ['-c', PROBE, ...modules], { timeout: timeoutMs, env: { ...process.env, PYTHONDONTWRITEBYTECODE: '1' } })
      const line = stdout.trim().split('\n').at(-1) ?? ''
      const parsed = JSON.parse(line) as { python?: string; modules?: Record<string, string | null>; errors?: Record<string, string>; cuda?: boolean | null }
      return { path: python, version: parsed.python ?? null, modules: parsed.modules ?? {}, errors: parsed.errors ?? {}, torchCuda: parsed.cuda ?? null, problem: null }
    } catch (error) {
      const e = error as NodeJS.ErrnoException & { stderr?: string; killed?: boolean }
      const problem =
        e.code === 'ENOENT'
          ? `no Python at ${python}: install python3, or set PIXEL_STUDIO_PYTHON to the Python that should run trainers`
          : e.code === 'EACCES'
            ? `${python} is not executable`
            : e.killed
              ? `${python} did not answer within ${Math.round(timeoutMs / 1000)} s`
              : `${python} failed: ${(e.stderr || e.message).trim().split('\n').at(-1) ?? ''}`
      return { ...empty, problem }
    }
  })()
  // only a Python that had everything is remembered: after a fix, the next check sees it
  cache.set(key, { at: Date.now(), probe })
  void probe.then((p) => {
    if (p.problem || modules.some((m) => !p.modules[m])) cache.delete(key)
  })
  return probe
}

/** Throws failed_precondition, naming what is missing and how to get it, before any run starts. */
export async function assertRunnable(choice: { path: string; source: 'env' | 'managed' }, requirements: Requirements, what: string): Promise<PythonProbe> {
  const python = choice.path
  if (choice.source === 'managed' && !existsSync(python)) throw new StudioError('failed_precondition', `${what}: no trainer environment at ${dirname(dirname(python))}: run \`${setupCommand()}\` (or set PIXEL_STUDIO_PYTHON to a Python with the TRL stack)`)
  for (const file of requirements.files) {
    if (!existsSync(file)) throw new StudioError('failed_precondition', `${what}: the trainer file ${file} is missing (set PIXEL_STUDIO_RESOURCES to the studio's resources folder)`)
  }
  const probe = await probePython(python, requirements.modules)
  if (probe.problem) throw new StudioError('failed_precondition', `${what}: ${probe.problem}`)
  const missing = requirements.modules.filter((m) => probe.modules[m] === null || probe.modules[m] === undefined)
  if (missing.length > 0) {
    const why = missing.map((m) => probe.errors[m] ?? `No module named '${m}'`).join('; ')
    throw new StudioError('failed_precondition', `${what}: ${missing.join(', ')} cannot be imported by ${python} (${why}). ${requirements.install}`)
  }
  return probe
}

export function forgetProbes(): void {
  cache.clear()
}

export async function trainingEnvironment(choice: { path: string; source: 'env' | 'managed' }, managed: TrainerEnvInfo, slots: number): Promise<TrainingEnvironment> {
  const python = choice.path
  const [gpu, probe] = await Promise.all([listGpus(), probePython(python, ['torch'])])
  const torch = probe.modules.torch ?? null
  const advice: string[] = []
  // the managed env, when it is the one in use and not there yet, says what to run
  if (choice.source === 'managed' && managed.problem) advice.push(managed.problem)
  else if (probe.problem) advice.push(probe.problem)
  else if (!torch) advice.push(`torch is not installed for ${python}: run \`${managed.setupCommand}\` (a virtualenv with the pinned TRL stack), or on Debian/Ubuntu \`sudo apt-get install python3-torch\` (CPU) and set PIXEL_STUDIO_PYTHON`)
  if (!gpu.available) advice.push(`${gpu.description}. TRL trains the tiny model on the CPU; real models and verl need an NVIDIA GPU (run the studio with \`serve\` on a GPU box)`)
  else if (torch && probe.torchCuda === false) advice.push(`a GPU is present but this torch (${torch}) cannot use CUDA: install a CUDA build of torch`)
  return {
    gpu,
    python: { path: python, version: probe.version, torch, torchCuda: probe.torchCuda, problem: probe.problem ?? (torch ? null : (probe.errors.torch ?? 'torch is not installed')) },
    managed,
    pythonSource: choice.source,
    slots,
    advice
  }
}
