// Where a worker thread's code is, from source or built:
// - from source (tests, tsx): `<name>.ts` beside the calling module, started with
//   `execArgv: ['--import', 'tsx']` (Node >= 20.6);
// - built (electron-vite): `<name>.js` next to the main bundle (or one level up from a shared
//   chunk). Each worker needs its own entry in electron.vite.config.ts.
// An explicit override (an environment variable or an option) wins.
import { existsSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { StudioError } from '../../shared/contract/errors'

export function resolveWorkerFile(name: string, callerUrl: string, override?: string): { file: string; execArgv: string[] } {
  const dir = dirname(fileURLToPath(callerUrl))
  const candidates = override ? [override] : [join(dir, `${name}.ts`), join(dir, `${name}.js`), join(dir, '..', `${name}.js`)]
  const found = candidates.find((c) => existsSync(c))
  if (!found) throw new StudioError('internal', `The ${name} was not found (looked for ${candidates.join(', ')})`)
  return { file: found, execArgv: found.endsWith('.ts') ? ['--import', 'tsx'] : [] }
}
