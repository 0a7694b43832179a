// The import's worker thread: reads, parses, checks and converts the file's records, stores their
// files and lays them out as rows, in chunks (converted-chunks.ts), and posts each chunk to the
// main thread, which writes
// while this thread reads on: a pipeline over two cores. It starts where the main thread, which
// converted the first chunks itself while this thread loaded, tells it to. At most AHEAD chunks wait unwritten
// (memory stays flat on a file of a million records). Built as `trace-import-worker.js` beside the
// main bundle (electron.vite.config.ts); PIXEL_STUDIO_TRACE_IMPORT_WORKER overrides the file.
import { parentPort, workerData } from 'node:worker_threads'
import { MediaFiles } from '../media/media-files'
import { convertedChunks } from './converted-chunks'
import { messageOf } from './import-result'
import { presentTracesIn } from './present-traces'
import { RecordPreparer } from './record-rows'
import { RecordConverter } from './trace-convert'
import type { HostToTraceImportWorker, TraceImportWorkerData, TraceImportWorkerToHost } from './trace-import-protocol'

/** chunks posted and not yet written; the next is read meanwhile */
const AHEAD = 2
/** the first chunk is small: the main thread, which converted until now, waits for it */
const FIRST_CHUNK = 200

const port = parentPort
if (!port) throw new Error('trace-import-worker runs as a worker thread')
const { file, format, mediaRoot, database, imageRoot } = workerData as TraceImportWorkerData
const post = (message: TraceImportWorkerToHost): void => port.postMessage(message)

let posted = 0
let written = 0
let wake: (() => void) | null = null
let start: (from: Extract<HostToTraceImportWorker, { type: 'start' }>) => void = () => {}
const started = new Promise<Extract<HostToTraceImportWorker, { type: 'start' }>>((resolve) => (start = resolve))
port.on('message', (message: HostToTraceImportWorker) => {
  if (message.type === 'start') start(message)
  else if (message.type === 'written') {
    written++
    wake?.()
    wake = null
  }
})

async function run(): Promise<void> {
  const loaded = process.threadCpuUsage()
  post({ type: 'ready', cpuMs: (loaded.user + loaded.system) / 1000 })
  const from = await started
  const traces = presentTracesIn(database)
  try {
    const preparer = new RecordPreparer(file, new MediaFiles(mediaRoot), imageRoot, traces.present)
    for await (const chunk of convertedChunks(file, new RecordConverter(file, format, from.keys), preparer, from, FIRST_CHUNK)) {
      post({ type: 'chunk', ...chunk })
      posted++
      while (posted - written >= AHEAD) await new Promise<void>((resolve) => (wake = resolve))
    }
  } finally {
    traces.close()
  }
  const cpu = process.threadCpuUsage()
  post({ type: 'end', cpuMs: (cpu.user + cpu.system) / 1000 })
}

run().catch((error: unknown) => post({ type: 'failed', message: messageOf(error) }))
