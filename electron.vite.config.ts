import { resolve } from 'node:path'
import react from '@vitejs/plugin-react'
import { defineConfig } from 'electron-vite'

export default defineConfig({
  main: {
    build: {
      rollupOptions: {
        // index: the Electron shell; cli: `pixel-studio` and `serve`, which run on plain Node;
        // inference-worker: the worker thread that runs models off the main thread;
        // synthesis-worker: the worker thread that runs synthesis jobs;
        // checkpoint-worker: copies the WAL into the database after a very large write (bulk changes);
        // trace-import-worker: reads, checks and converts a trace import's records (traces.import)
        input: {
          index: resolve('src/main/index.ts'),
          cli: resolve('src/main/cli.ts'),
          'inference-worker': resolve('src/main/inference/inference-worker.ts'),
          'synthesis-worker': resolve('src/main/synthesis/synthesis-worker.ts'),
          'checkpoint-worker': resolve('src/main/store/checkpoint-worker.ts'),
          'trace-import-worker': resolve('src/main/import/trace-import-worker.ts')
        }
      }
    }
  },
  preload: {
    build: {
      rollupOptions: { input: { index: resolve('src/preload/index.ts') } }
    }
  },
  renderer: {
    root: resolve('src/renderer'),
    build: { rollupOptions: { input: resolve('src/renderer/index.html') } },
    plugins: [react()]
  }
})
