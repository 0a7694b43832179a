// Starts and supervises resources/serve/serve_checkpoint.py for a checkpoint model: the trainer
// environment's Python serves the folder on 127.0.0.1 (a free port), the studio waits for its
// ready line, then talks to it as to any OpenAI-compatible endpoint. Stopped on unload (SIGTERM,
// then SIGKILL); an exit the studio did not ask for is reported with the server's last lines.
import { spawn, type ChildProcess } from 'node:child_process'
import { existsSync } from 'node:fs'
import { join } from 'node:path'
import { z } from 'zod'
import { StudioError } from '../../shared/contract/errors'
import { resourcesDir } from '../training/paths'

const Ready = z.object({ event: z.literal('ready'), port: z.number().int().positive(), model: z.string(), device: z.string(), load_seconds: z.number().optional() })

export interface CheckpointServer {
  baseUrl: string
  model: string
  device: string
  pid: number
  /** resolves when the process ends, with its last lines */
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null; tail: string[]; expected: boolean }>
  stop(): Promise<void>
}

export interface StartServerOptions {
  python: string
  /** what fixes a Python without the stack, e.g. "run `pixel-studio trainer setup`" */
  setupHint: string
  device: 'auto' | 'cpu' | 'cuda'
  name: string
  /** waiting for the ready line (default PIXEL_STUDIO_SERVE_TIMEOUT_MS, else 10 min: a 7B model on CPU loads slowly) */
  timeoutMs?: number
  log?: (line: string) => void
}

export function serveScript(): string {
  return join(resourcesDir(), 'serve', 'serve_checkpoint.py')
}

function explain(tail: string[], options: StartServerOptions): string {
  const refused = tail.find((l) => l.startsWith('refused: '))
  if (refused) return refused.slice('refused: '.length)
  const missing = tail.map((l) => /ModuleNotFoundError: No module named '([^']+)'/.exec(l)?.[1]).find(Boolean)
  if (missing) return `${options.python} cannot import ${missing}: ${options.setupHint}`
  return tail.slice(-8).join('\n') || '(no output)'
}

export function startCheckpointServer(dir: string, options: StartServerOptions): Promise<CheckpointServer> {
  const script = serveScript()
  if (!existsSync(script)) return Promise.reject(new StudioError('failed_precondition', `the checkpoint server ${script} is missing (set PIXEL_STUDIO_RESOURCES to the studio's resources folder)`))
  const timeoutMs = options.timeoutMs ?? (Number(process.env.PIXEL_STUDIO_SERVE_TIMEOUT_MS) || 600_000)
  const log = options.log ?? ((): void => undefined)
  const child: ChildProcess = spawn(options.python, [script, dir, '--port', '0', '--device', options.device, '--name', options.name, '--parent-pipe'], {
    // stdin stays open while the studio lives: the server exits when it closes (--parent-pipe),
    // so a studio that dies, even by SIGKILL, leaves no server behind
    stdio: ['pipe', 'pipe', 'pipe'],
    env: { ...process.env, PYTHONUNBUFFERED: '1', TOKENIZERS_PARALLELISM: 'false' }
  })
  const tail: string[] = []
  let stopping = false
  const remember = (line: string): void => {
    tail.push(line)
    if (tail.length > 30) tail.shift()
    log(`checkpoint server: ${line}`)
  }
  child.stdin?.on('error', () => undefined) // the server may be gone before the pipe closes
  const onStudioExit = (): void => {
    child.kill('SIGKILL')
  }
  process.once('exit', onStudioExit)
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null; tail: string[]; expected: boolean }>((resolve) => {
    child.on('close', (code, signal) => {
      process.off('exit', onStudioExit)
      resolve({ code, signal, tail, expected: stopping })
    })
  })
  const stop = async (): Promise<void> => {
    if (child.exitCode !== null || child.signalCode !== null) return
    stopping = true
    child.kill('SIGTERM')
    const timer = setTimeout(() => child.kill('SIGKILL'), 5000)
    await exited
    clearTimeout(timer)
  }

  return new Promise<CheckpointServer>((resolve, reject) => {
    let settled = false
    const fail = (error: StudioError): void => {
      if (settled) return
      settled = true
      clearTimeout(timer)
      void stop().then(() => reject(error))
    }
    const timer = setTimeout(() => fail(new StudioError('failed_precondition', `the checkpoint server did not become ready within ${Math.round(timeoutMs / 1000)} s (PIXEL_STUDIO_SERVE_TIMEOUT_MS); its last lines:\n${tail.slice(-8).join('\n')}`)), timeoutMs)
    let out = ''
    child.stdout?.on('data', (d: Buffer) => {
      out += d.toString()
      const lines = out.split('\n')
      out = lines.pop() ?? ''
      for (const line of lines) {
        if (!line.trim()) continue
        remember(line)
        if (settled || !line.startsWith('{')) continue
        let ready
        try {
          ready = Ready.safeParse(JSON.parse(line))
        } catch {
          continue
        }
        if (!ready.success) continue
        settled = true
        clearTimeout(timer)
        resolve({ baseUrl: `http://127.0.0.1:${ready.data.port}/v1`, model: ready.data.model, device: ready.data.device, pid: child.pid ?? 0, exited, stop })
      }
    })
    let err = ''
    child.stderr?.on('data', (d: Buffer) => {
      err += d.toString()
      const lines = err.split(/\r?\n|\r/)
      err = lines.pop() ?? ''
      for (const line of lines) if (line.trim()) remember(line)
    })
    child.on('error', (error: NodeJS.ErrnoException) => {
      fail(new StudioError('failed_precondition', error.code === 'ENOENT' ? `no Python at ${options.python} to serve the checkpoint: ${options.setupHint}` : `the checkpoint server could not start: ${error.message}`))
    })
    void exited.then(({ code, signal }) => {
      if (!settled) fail(new StudioError(tail.some((l) => l.startsWith('refused: ')) ? 'invalid_input' : 'failed_precondition', `the checkpoint server exited (${signal ?? `code ${code}`}) before it was ready: ${explain(tail, options)}`))
    })
  })
}
