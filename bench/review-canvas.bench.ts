// The Review canvas on a 6000x4000 photo, served and driven in Chromium (playwright-core): frame
// times while the wheel zooms in and out about a point (one wheel event per frame), with a crop
// box and its handles on the image. Baselines in the same page: idle frames, and the same zooming
// on a 600x400 copy of the photo (what the image's size costs). Needs `npm run build` and Chromium.
import { mkdirSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { Page } from 'playwright-core'
import { callServed } from '../test/e2e/served-api'
import { launchChromium } from '../test/helpers/browser'
import { writePhoto } from '../test/helpers/photo'
import { startServe } from '../test/helpers/serve-process'
import { stats, statLine, type BenchReporter, type BenchSuite, type Stats } from './harness'

const FRAMES = 240

function line(label: string, st: Stats, baseline?: Stats): void {
  statLine('review-canvas', label, st, 'ms', baseline)
}

/** Frame times while `zoom` wheel events (one per frame, in then out) hit the canvas; 0: idle. */
async function frameTimes(page: Page, frames: number, zoom: boolean): Promise<number[]> {
  return page.evaluate(
    async ({ n, wheel }) => {
      const stage = document.querySelector<HTMLElement>('[data-testid="editor-image"]')
      const box = stage?.getBoundingClientRect()
      const times: number[] = []
      let last = await new Promise<number>((r) => requestAnimationFrame(r))
      for (let f = 0; f < n; f++) {
        if (wheel && stage && box) {
          const deltaY = Math.floor(f / 30) % 2 === 0 ? -60 : 60 // 30 frames in, 30 out
          stage.dispatchEvent(new WheelEvent('wheel', { deltaY, clientX: box.left + box.width * 0.7, clientY: box.top + box.height * 0.68, bubbles: true, cancelable: true }))
        }
        const now = await new Promise<number>((r) => requestAnimationFrame(r))
        times.push(now - last)
        last = now
      }
      return times
    },
    { n: frames, wheel: zoom }
  )
}

async function run(r: BenchReporter): Promise<void> {
  const root = join(tmpdir(), `pixel-studio-bench-canvas-${process.pid}`)
  mkdirSync(root, { recursive: true })
  const serve = await startServe(['--home', join(root, 'home')])
  const browser = await launchChromium()
  try {
    const photos = [
      { id: 'large', size: { width: 6000, height: 4000 }, cue: { left: 4200, top: 2700, width: 48, height: 36 } },
      { id: 'small', size: { width: 600, height: 400 }, cue: { left: 420, top: 270, width: 30, height: 24 } }
    ]
    const lines: string[] = []
    for (const p of photos) {
      const file = join(root, `${p.id}.jpg`)
      await writePhoto(file, p.size, p.cue)
      lines.push(JSON.stringify({ id: p.id, question: 'What number is on the sign?', answer: '7', source: 'bench-canvas', images: [file] }))
    }
    writeFileSync(join(root, 'photos.jsonl'), `${lines.join('\n')}\n`)
    await callServed(serve, 'samples.import', { format: 'jsonl', path: join(root, 'photos.jsonl') })
    const traces: Record<string, string> = {}
    for (const p of photos) {
      const t = await callServed(serve, 'traces.create', {
        sampleId: `bench-canvas:${p.id}`,
        origin: 'synthesized',
        flags: ['bench-canvas'],
        steps: [
          { kind: 'crop', toolName: 'crop_image_normalized', targetImage: 1, bbox: [0.68, 0.66, 0.72, 0.7], bboxUnits: 'normalized' },
          { kind: 'answer', text: '\\boxed{7}', boxed: '7' }
        ]
      })
      traces[p.id] = t.id
    }

    const page = await browser.newPage({ viewport: { width: 1500, height: 900 } })
    await page.addInitScript({ content: 'globalThis.__name = (f) => f' }) // tsx keepNames
    await page.goto(serve.url)
    await page.locator('.app[data-ready="true"]').waitFor()
    await page.keyboard.press('2')
    await page.getByLabel('Flag', { exact: true }).fill('bench-canvas')
    await page.locator('[aria-label="Traces"][data-total="2"]').waitFor()
    const results: Record<string, Stats> = {}
    for (const p of photos) {
      await page.locator(`[aria-label="Traces"] [data-trace-id="${traces[p.id]}"]`).click()
      await page.locator(`[data-testid="editor-image"][data-drawn="${traces[p.id]}"]`).waitFor({ timeout: 60_000 })
      await page.locator('[data-testid="crop-box"][data-op="1"] rect.box').click() // selected: handles and padded region drawn too
      await frameTimes(page, 30, true) // warm up: decode at every scale once
      results[p.id] = stats(await frameTimes(page, FRAMES, true))
    }
    const idle = stats(await frameTimes(page, 120, false))
    line('frame time, idle page (baseline)', idle)
    line('frame time, wheel zoom in/out on the 600x400 photo', results.small!, idle)
    line('frame time, wheel zoom in/out on the 6000x4000 photo', results.large!, idle)
    r.compare({ label: 'frames zooming a 6000x4000 photo', units: results.large!.n, ms: results.large!.mean * results.large!.n }, { label: 'frames zooming a 600x400 photo', units: results.small!.n, ms: results.small!.mean * results.small!.n })
    await page.close()
  } finally {
    await browser.close()
    await serve.stop()
    rmSync(root, { recursive: true, force: true })
  }
}

const suite: BenchSuite = { name: 'review-canvas', run }
export default suite
