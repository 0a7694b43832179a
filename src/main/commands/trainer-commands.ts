// `pixel-studio trainer setup`: the managed trainer environment (a virtualenv with the pinned TRL
// stack) from a shell. Needs no project: only the studio home, where the env lives by default.
import type { Command } from 'commander'
import type { JobProgress, TrainerSetupResult } from '../../shared/contract'
import { Studio } from '../app/studio'

export interface TrainerCliHelpers {
  options(): { json?: boolean; home?: string }
  home(): string
}

export function registerTrainerCommands(program: Command, helpers: TrainerCliHelpers): void {
  const trainer = program.command('trainer').description('the Python environment trainers run in (managed by the studio)')
  trainer
    .command('setup')
    .description('create a virtualenv (default <home>/trainer-env) with resources/trainer/requirements.txt: CUDA torch when nvidia-smi sees a GPU, else CPU; prints the versions')
    .option('--dir <dir>', 'where to create it (then set PIXEL_STUDIO_PYTHON=<dir>/bin/python to use it)')
    .option('--index-url <url...>', 'pip index URL(s), e.g. a local mirror: the first is --index-url, the rest --extra-index-url (env PIXEL_STUDIO_PIP_INDEX_URL)')
    .action(async (cmd: { dir?: string; indexUrl?: string[] }) => {
      const studio = new Studio({ home: helpers.home() })
      const controller = new AbortController()
      const stop = (): void => controller.abort()
      process.once('SIGINT', stop)
      try {
        const result = (await studio.dispatcher.invoke('trainer.setup', { ...(cmd.dir ? { dir: cmd.dir } : {}), ...(cmd.indexUrl?.length ? { indexUrls: cmd.indexUrl } : {}) }, {
          signal: controller.signal,
          onProgress: (p) => process.stderr.write(`${(p as JobProgress).message ?? ''}\n`)
        })) as TrainerSetupResult
        const lines = [`trainer environment ready in ${result.seconds.toFixed(0)} s: ${result.dir}`, `python: ${result.python}`, `torch build: ${result.torchVariant}`, ...Object.entries(result.versions).map(([k, v]) => `  ${k} ${v ?? '-'}`)]
        console.log(helpers.options().json ? JSON.stringify(result, null, 2) : lines.join('\n'))
      } finally {
        process.off('SIGINT', stop)
        studio.close()
      }
    })
}
