// Pictures of an experiment's report for the docs: `serve` on the project, the Experiments
// screen in Chromium, the table and each curve panel as PNGs (docs/experiment/*.png).
// Usage: npx tsx scripts/experiment-screens.ts <project dir> <experiment id> [out dir]
import { mkdirSync } from 'node:fs'
import { join, resolve } from 'node:path'
import { launchChromium } from '../test/helpers/browser'
import { startServe } from '../test/helpers/serve-process'

const CURVES = ['val/accuracy', 'val/rapr', 'accuracy', 'rapr', 'ops_per_response', 'rewards/curiosity/mean', 'completions/mean_length']

async function main(): Promise<void> {
  const [project, id, outArg] = process.argv.slice(2)
  if (!project || !id) throw new Error('usage: experiment-screens.ts <project dir> <experiment id> [out dir]')
  const out = resolve(outArg ?? 'docs/experiment')
  mkdirSync(out, { recursive: true })
  const serve = await startServe(['--project', resolve(project)])
  const browser = await launchChromium()
  try {
    const page = await browser.newPage({ viewport: { width: 1500, height: 1000 } })
    await page.goto(serve.url)
    await page.locator('nav[aria-label="Screens"]').waitFor()
    await page.keyboard.press('6')
    await page.locator(`[data-testid="experiment-row"][data-id="${id}"]`).click()
    await page.getByTestId('experiment-status').waitFor()
    await page.getByTestId('experiment-curve-val/accuracy').getByTestId('chart-series').first().waitFor()
    await page.screenshot({ path: join(out, 'report.png'), fullPage: true })
    for (const name of CURVES) {
      const panel = page.getByTestId(`experiment-curve-${name}`)
      if ((await panel.count()) === 0) continue
      await panel.screenshot({ path: join(out, `curve-${name.replaceAll('/', '-')}.png`) })
    }
    console.log(`wrote ${out}`)
  } finally {
    await browser.close()
    await serve.stop()
  }
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : String(error))
  process.exit(1)
})
