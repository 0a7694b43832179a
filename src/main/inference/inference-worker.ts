// Worker-thread entry: owns one loaded model and runs one trajectory at a time (the host queues).
// Model work never runs on the main thread, so the UI, the RPC dispatcher and `serve` stay
// responsive during a prefill. Started by InferenceHost; see its header for how.
import { parentPort } from 'node:worker_threads'
import { errorBodyOf } from '../../shared/contract/errors'
import { runAgent } from './agent-loop'
import { EndpointSession } from './endpoint-session'
import { VlmSession } from './vlm-session'
import type { HostToWorker, WorkerToHost } from './worker-protocol'

const port = parentPort
if (!port) throw new Error('inference-worker.ts must run in a worker thread')

const send = (message: WorkerToHost): void => port.postMessage(message)
let session: VlmSession | EndpointSession | null = null
const running = new Map<number, AbortController>()

port.on('message', (message: HostToWorker) => {
  void handle(message)
})

/** Runs one request on the loaded model, cancellable by id; failures go back as run_failed. */
async function withSession(id: number, work: (model: VlmSession | EndpointSession, signal: AbortSignal) => Promise<WorkerToHost>): Promise<void> {
  if (!session) {
    send({ type: 'run_failed', id, error: { code: 'failed_precondition', message: 'No model is loaded' } })
    return
  }
  const abort = new AbortController()
  running.set(id, abort)
  try {
    send(await work(session, abort.signal))
  } catch (error) {
    send({ type: 'run_failed', id, error: errorBodyOf(error) })
  } finally {
    running.delete(id)
  }
}

async function handle(message: HostToWorker): Promise<void> {
  switch (message.type) {
    case 'load':
      try {
        session = message.source.kind === 'folder' ? await VlmSession.load(message.source.folder, message.options) : await EndpointSession.connect(message.source.endpoint, message.source.served)
        send({ type: 'loaded', model: session instanceof VlmSession ? session.model : null, provider: session.provider, loadMs: session.loadMs })
      } catch (error) {
        send({ type: 'load_failed', error: errorBodyOf(error) })
      }
      return
    case 'run':
      await withSession(message.id, async (model, signal) => {
        const result = await runAgent(model, message.input, {
          signal,
          onEvent: (event) => {
            if (event.type !== 'done') send({ type: 'event', id: message.id, event })
          }
        })
        return { type: 'result', id: message.id, result }
      })
      return
    case 'generate':
      await withSession(message.id, async (model, signal) => {
        const output = await model.generate(message.messages, { maxNewTokens: message.options.maxNewTokens, signal })
        return { type: 'generated', id: message.id, output }
      })
      return
    case 'cancel':
      running.get(message.id)?.abort()
      return
    case 'unload':
      for (const abort of running.values()) abort.abort()
      await session?.dispose()
      session = null
      send({ type: 'unloaded' })
      return
  }
}
