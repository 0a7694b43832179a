// Main-thread side of a synthesis job: starts the worker thread (synthesis-worker.ts), forwards
// its progress and commits, answers its requests to the local model, and turns cancel into a
// cooperative stop (the worker commits what is done and records the job as cancelled). A worker
// that dies leaves the job row to the caller, which marks it failed.
//
// A worker thread, not a child process: better-sqlite3 and sharp run in worker threads, the
// inference worker already does the same, and the built app needs no second Node runtime.
// Built: `synthesis-worker.js` beside the main bundle (electron.vite.config.ts entry);
// PIXEL_STUDIO_SYNTHESIS_WORKER overrides the file.
import { Worker } from 'node:worker_threads'
import { StudioError, type JobProgress, type SynthesisResult } from '../../shared/contract'
import { resolveWorkerFile } from '../runtime/worker-file'
import type { ChatFn } from './narrators/chat-narrator'
import { NarratorError } from './narrators/narrator'
import type { HostToSynthesisWorker, NarratorSetup, SynthesisWorkerToHost } from './worker-protocol'

export interface WorkerRun {
  projectDir: string
  jobId: string
  narrator: NarratorSetup
  /** the local model (narrator `vlm`): asked on the main thread, where it lives */
  chat?: ChatFn
  signal: AbortSignal
  onProgress: (progress: JobProgress) => void
  onCommitted: (ids: string[]) => void
}

export function runSynthesisWorker(run: WorkerRun): Promise<SynthesisResult> {
  const { file, execArgv } = resolveWorkerFile('synthesis-worker', import.meta.url, process.env.PIXEL_STUDIO_SYNTHESIS_WORKER)
  const worker = new Worker(file, { execArgv })
  const post = (message: HostToSynthesisWorker): void => worker.postMessage(message)
  const chats = new Map<number, AbortController>()

  const answer = async (id: number, turns: Parameters<ChatFn>[0]): Promise<void> => {
    const controller = new AbortController()
    chats.set(id, controller)
    try {
      if (!run.chat) throw new NarratorError('narrator_unavailable', 'this job has no local model to narrate with')
      post({ type: 'chat_result', id, text: await run.chat(turns, controller.signal) })
    } catch (error) {
      if (controller.signal.aborted) return // the worker gave up on it
      const code = error instanceof NarratorError ? error.code : 'narrator_unavailable'
      post({ type: 'chat_error', id, code, message: error instanceof Error ? error.message : String(error) })
    } finally {
      chats.delete(id)
    }
  }

  return new Promise<SynthesisResult>((resolve, reject) => {
    let settled = false
    const settle = (fn: () => void): void => {
      if (settled) return
      settled = true
      run.signal.removeEventListener('abort', onAbort)
      for (const c of chats.values()) c.abort()
      fn()
      void worker.terminate()
    }
    const onAbort = (): void => post({ type: 'cancel' })
    run.signal.addEventListener('abort', onAbort, { once: true })
    worker.on('message', (m: SynthesisWorkerToHost) => {
      switch (m.type) {
        case 'progress':
          run.onProgress(m.progress)
          return
        case 'committed':
          run.onCommitted(m.ids)
          return
        case 'chat':
          void answer(m.id, m.turns)
          return
        case 'chat_cancel':
          chats.get(m.id)?.abort()
          return
        case 'done':
          settle(() => resolve(m.result))
          return
        case 'failed':
          settle(() => reject(StudioError.fromBody(m.error)))
          return
      }
    })
    worker.on('error', (e) => settle(() => reject(new StudioError('internal', `the synthesis worker crashed: ${e.message}`))))
    worker.on('exit', (code) => settle(() => reject(new StudioError('internal', `the synthesis worker exited (code ${code}) before finishing`))))
    post({ type: 'start', projectDir: run.projectDir, jobId: run.jobId, narrator: run.narrator })
    if (run.signal.aborted) onAbort()
  })
}
