// `npm run bench [suite...] [-- --flag=value]`: runs every bench/*.bench.ts (or the named ones)
// in one process. Flags (`--traces=N` or `--traces N`) are left in process.argv for the suites to read.
import { readdirSync } from 'node:fs'
import { join, resolve } from 'node:path'
import { pathToFileURL } from 'node:url'
import { BenchReporter, suiteNames, type BenchSuite } from './harness'

async function main(): Promise<void> {
  const dir = resolve('bench') // npm scripts run from the project root
  const wanted = suiteNames(process.argv.slice(2))
  const files = readdirSync(dir)
    .filter((f) => f.endsWith('.bench.ts'))
    .filter((f) => wanted.length === 0 || wanted.some((w) => f.startsWith(w)))
    .sort()
  for (const file of files) {
    const mod = (await import(pathToFileURL(join(dir, file)).href)) as { default: BenchSuite }
    const suite = mod.default
    if (!process.argv.includes('--json')) console.log(`\n== ${suite.name} (${file})`)
    await suite.run(new BenchReporter(suite.name))
  }
}

main().catch((err: unknown) => {
  console.error(err)
  process.exit(1)
})
