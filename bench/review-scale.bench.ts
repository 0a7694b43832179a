// Issue 15 in the browser: `npm run bench -- review-scale --dir <project> [--json]` serves a project
// (e.g. the 1M one `npm run bench -- scale --traces 1000000 --keep` leaves in <tmp>/project) and
// drives the Review screen in Chromium (playwright-core), timing each interaction to the next
// painted page (goal <= 100 ms each), with the browser's own clock:
//   filter change    click a status chip -> the list's total changed and its rows are filled
//   search           type a word -> rows filled (the screen waits 250 ms for a typing pause:
//                    reported, and subtracted in the `after debounce` line)
//   accept+advance   `a` on the open trace -> the next trace open and its image drawn
//   scroll           one page down (scrollTop) -> the rows on screen filled
// Baseline: one animation frame of the same page (what a paint costs at all). Needs the build.
import { rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { Page } from 'playwright-core'
import { launchChromium } from '../test/helpers/browser'
import { startServe } from '../test/helpers/serve-process'
import { flagValue, type BenchSuite } from './harness'

const REPEATS = 8
const DEBOUNCE_MS = 250 // TraceFilters' typing pause

function stats(values: number[]): { median: number; p95: number; n: number } {
  const s = [...values].sort((a, b) => a - b)
  const at = (q: number): number => Math.round((s[Math.min(s.length - 1, Math.floor(q * s.length))] ?? NaN) * 100) / 100
  return { median: at(0.5), p95: at(0.95), n: s.length }
}

/** ms from `act` until the list's visible rows are all filled (and `ready` holds), polled per frame. */
async function untilPainted(page: Page, act: 'chip' | 'search' | 'scroll', arg: string): Promise<number> {
  return page.evaluate(
    async ({ act: a, arg: x }) => {
      const list = document.querySelector<HTMLElement>('[aria-label="Traces"]')
      if (!list) throw new Error('no list')
      const before = list.dataset.total
      const firstBefore = list.querySelector<HTMLElement>('[role="option"]')?.dataset.traceId
      const t0 = performance.now()
      if (a === 'chip') {
        const [group, label] = x.split(':')
        const chip = [...document.querySelectorAll<HTMLButtonElement>(`[aria-label="${group}"] button`)].find((b) => b.textContent?.includes(label ?? ''))
        if (!chip) throw new Error(`no chip ${x}`)
        chip.click()
      } else if (a === 'search') {
        const input = document.querySelector<HTMLInputElement>('input[aria-label="Search traces"]')
        if (!input) throw new Error('no search box')
        const set = Object.getOwnPropertyDescriptor(HTMLInputElement.prototype, 'value')?.set
        set?.call(input, x)
        input.dispatchEvent(new Event('input', { bubbles: true }))
      } else list.scrollTop += list.clientHeight // native scroll (scaled onto the whole list past the browser's height cap)
      for (;;) {
        await new Promise((r) => requestAnimationFrame(r))
        const rows = [...list.querySelectorAll<HTMLElement>('.trace-rows > div')]
        const filled = rows.length > 0 && rows.every((r) => !r.classList.contains('placeholder'))
        const first = list.querySelector<HTMLElement>('[role="option"]')?.dataset.traceId
        const changed = a === 'scroll' ? first !== firstBefore : list.dataset.total !== before || first !== firstBefore
        if (filled && changed) return performance.now() - t0
        if (performance.now() - t0 > 30_000) throw new Error(`${a} ${x}: rows did not arrive`)
      }
    },
    { act, arg }
  )
}

/** `a` on the open trace: ms until another trace is open and drawn. */
async function acceptAndAdvance(page: Page): Promise<number> {
  return page.evaluate(async () => {
    const editor = document.querySelector<HTMLElement>('[data-testid="trace-editor"]')
    const id = editor?.dataset.traceId
    const drawn = new Promise<number>((resolve) => {
      const observer = new PerformanceObserver((list) => {
        for (const e of list.getEntries()) {
          if (e.name === 'trace-drawn' && (e as PerformanceMark).detail !== id) {
            observer.disconnect()
            resolve(e.startTime)
          }
        }
      })
      observer.observe({ type: 'mark' })
    })
    const t0 = performance.now()
    document.body.dispatchEvent(new KeyboardEvent('keydown', { key: 'a', bubbles: true }))
    return (await drawn) - t0
  })
}

async function run(): Promise<void> {
  const dir = flagValue('dir')
  if (!dir) throw new Error('review-scale needs --dir <project folder> (e.g. from `npm run bench -- scale --traces 1000000 --keep`)')
  const json = process.argv.includes('--json')
  const emit = (m: Record<string, unknown>): void => void (json ? process.stdout.write(`${JSON.stringify(m)}\n`) : console.log(`review-scale   ${JSON.stringify(m)}`))
  const home = join(tmpdir(), `pixel-studio-review-scale-home-${process.pid}`)
  const serve = await startServe(['--home', home, '--project', dir])
  const browser = await launchChromium()
  try {
    const page = await browser.newPage({ viewport: { width: 1500, height: 900 } })
    await page.addInitScript({ content: 'globalThis.__name = (f) => f' }) // tsx keepNames in page functions
    await page.goto(serve.url)
    await page.locator('.app[data-ready="true"]').waitFor()
    await page.keyboard.press('2')
    await page.locator('[aria-label="Traces"][data-total]:not([data-total=""])').waitFor({ timeout: 120_000 })
    await page.locator('[data-testid="editor-image"][data-drawn]:not([data-drawn=""])').waitFor({ timeout: 60_000 })
    const frames: number[] = await page.evaluate(async () => {
      const out: number[] = []
      let last = await new Promise<number>((r) => requestAnimationFrame(r))
      for (let k = 0; k < 60; k++) {
        const now = await new Promise<number>((r) => requestAnimationFrame(r))
        out.push(now - last)
        last = now
      }
      return out
    })
    const baseline = { name: 'one animation frame of the same page', ...stats(frames) }

    const chips: number[] = []
    for (let k = 0; k < REPEATS; k++) chips.push(await untilPainted(page, 'chip', 'Status:needs fix')) // on, off, on, ...
    emit({ name: 'filter change (status chip) -> next painted page', unit: 'ms', ...stats(chips), baseline })
    if (chips.length % 2 === 1) await untilPainted(page, 'chip', 'Status:needs fix')

    const searches: number[] = []
    for (let k = 0; k < REPEATS; k++) searches.push(await untilPainted(page, 'search', k % 2 === 0 ? 'zoom' : 'zephyr'))
    emit({ name: 'search (type a word) -> next painted page', unit: 'ms', ...stats(searches), baseline, note: `includes the ${DEBOUNCE_MS} ms typing pause` })
    emit({ name: 'search after the typing pause -> next painted page', unit: 'ms', ...stats(searches.map((ms) => ms - DEBOUNCE_MS)), baseline })
    await untilPainted(page, 'search', '')

    // the open trace must be editable for `a`: under a status filter of unreviewed synthesized traces
    await untilPainted(page, 'chip', 'Status:unreviewed')
    await untilPainted(page, 'chip', 'Origin:synthesized')
    await page.locator('[aria-label="Traces"] [role="option"]').first().click()
    await page.locator('[data-testid="editor-image"][data-drawn]:not([data-drawn=""])').waitFor()
    const accepts: number[] = []
    for (let k = 0; k < REPEATS; k++) accepts.push(await acceptAndAdvance(page))
    emit({ name: 'accept and advance (a) -> next trace drawn', unit: 'ms', ...stats(accepts), baseline })

    const scrolls: number[] = []
    for (let k = 0; k < REPEATS * 2; k++) scrolls.push(await untilPainted(page, 'scroll', ''))
    emit({ name: 'scroll one page -> rows painted', unit: 'ms', ...stats(scrolls), baseline })
    await page.close()
  } finally {
    await browser.close()
    await serve.stop()
    rmSync(home, { recursive: true, force: true })
  }
}

export default { name: 'review-scale', run } satisfies BenchSuite
