// Issue 15 in the browser: `npm run bench -- review-scale --dir <project> [--json]` serves a project
// (e.g. the 1M one `npm run bench -- scale --traces 1000000 --keep` leaves in <tmp>/project) and
// drives the Review screen in Chromium (playwright-core), timing each interaction to the next
// painted page (goal <= 100 ms each), with the browser's own clock:
//   filter change    click a status chip -> the list's total changed and its rows are filled
//   search           type a word -> rows filled (the screen waits 250 ms for a typing pause:
//                    reported, and subtracted in the `after debounce` line)
//   accept+advance   `a` on the open trace -> the next trace open and its image drawn
//   scroll           one page down (scrollTop) -> the rows on screen filled
// Baseline: one animation frame of the same page (what a paint costs at all). Each line also
// splits its time at the reply the paint waited for (`reply`: the page's traces.list, or the
// opened trace's traces.get; `n` of them: the rest needed none, rows already loaded or the trace
// read ahead) and what came after it (`afterReply`: rendering, the image, the frame), from the
// contract calls the page sent over its WebSocket. Needs the build.
import { rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { Page } from 'playwright-core'
import { launchChromium } from '../test/helpers/browser'
import { startServe } from '../test/helpers/serve-process'
import { flagValue, type BenchSuite } from './harness'

const REPEATS = 8
const DEBOUNCE_MS = 250 // TraceFilters' typing pause

/** In the page: every contract call sent over the WebSocket, when it left and when its answer came (page clock). */
function recordCalls(): void {
  type Call = { method: string; id: string | undefined; sent: number; done: number | null }
  const calls: Call[] = []
  const open = new Map<number, Call>()
  ;(globalThis as unknown as { __calls: Call[] }).__calls = calls
  const Native = WebSocket
  globalThis.WebSocket = class extends Native {
    constructor(...args: ConstructorParameters<typeof WebSocket>) {
      super(...args)
      // registered before the app's own listener: the time the answer reached the page
      this.addEventListener('message', (e) => {
        const m = JSON.parse(String(e.data)) as { t: string; id?: number }
        const call = m.id === undefined ? undefined : open.get(m.id)
        if (call && m.id !== undefined && (m.t === 'result' || m.t === 'error')) {
          call.done = performance.now()
          open.delete(m.id)
        }
      })
    }
    override send(data: Parameters<WebSocket['send']>[0]): void {
      if (typeof data === 'string') {
        const m = JSON.parse(data) as { t: string; id: number; method?: string; input?: { id?: unknown } }
        if (m.t === 'call' && m.method) {
          const call: Call = { method: m.method, id: typeof m.input?.id === 'string' ? m.input.id : undefined, sent: performance.now(), done: null }
          calls.push(call)
          open.set(m.id, call)
        }
      }
      super.send(data)
    }
  }
}

/** One interaction: ms to the paint, and to the reply it waited for (null: it needed none). */
interface Timed {
  ms: number
  reply: number | null
}

function stats(values: number[]): { median: number; p95: number; n: number } {
  const s = [...values].sort((a, b) => a - b)
  const at = (q: number): number => Math.round((s[Math.min(s.length - 1, Math.floor(q * s.length))] ?? NaN) * 100) / 100
  return { median: at(0.5), p95: at(0.95), n: s.length }
}

/** ms from `act` until the list's visible rows are all filled (and `ready` holds), polled per frame. */
async function untilPainted(page: Page, act: 'chip' | 'search' | 'scroll', arg: string): Promise<Timed> {
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
        if (filled && changed) {
          const now = performance.now()
          const calls = (globalThis as unknown as { __calls: Array<{ method: string; sent: number; done: number | null }> }).__calls
          const page = calls.find((c) => c.method === 'traces.list' && c.sent >= t0 && c.done !== null && c.done <= now)
          return { ms: now - t0, reply: page?.done != null ? page.done - t0 : null }
        }
        if (performance.now() - t0 > 30_000) throw new Error(`${a} ${x}: rows did not arrive`)
      }
    },
    { act, arg }
  )
}

/** `a` on the open trace: ms until another trace is open and drawn. */
async function acceptAndAdvance(page: Page): Promise<Timed> {
  return page.evaluate(async () => {
    const editor = document.querySelector<HTMLElement>('[data-testid="trace-editor"]')
    const id = editor?.dataset.traceId
    const drawn = new Promise<{ at: number; id: string }>((resolve) => {
      const observer = new PerformanceObserver((list) => {
        for (const e of list.getEntries()) {
          const detail = (e as PerformanceMark).detail as string
          if (e.name === 'trace-drawn' && detail !== id) {
            observer.disconnect()
            resolve({ at: e.startTime, id: detail })
          }
        }
      })
      observer.observe({ type: 'mark' })
    })
    const t0 = performance.now()
    document.body.dispatchEvent(new KeyboardEvent('keydown', { key: 'a', bubbles: true }))
    const { at, id: opened } = await drawn
    const calls = (globalThis as unknown as { __calls: Array<{ method: string; id: string | undefined; sent: number; done: number | null }> }).__calls
    const read = calls.find((c) => c.method === 'traces.get' && c.id === opened && c.sent >= t0 && c.done !== null && c.done <= at)
    return { ms: at - t0, reply: read?.done != null ? read.done - t0 : null }
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
    await page.addInitScript(recordCalls)
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

    /** the interaction's times and their split at the reply (see the head comment) */
    const line = (name: string, timed: Timed[], extra: Record<string, unknown> = {}, shift = 0): void => {
      const waited = timed.filter((t) => t.reply !== null)
      emit({
        name,
        unit: 'ms',
        ...stats(timed.map((t) => t.ms - shift)),
        reply: stats(waited.map((t) => (t.reply ?? 0) - shift)),
        afterReply: stats(waited.map((t) => t.ms - (t.reply ?? 0))),
        baseline,
        ...extra
      })
    }

    const chips: Timed[] = []
    for (let k = 0; k < REPEATS; k++) chips.push(await untilPainted(page, 'chip', 'Status:needs fix')) // on, off, on, ...
    line('filter change (status chip) -> next painted page', chips)
    if (chips.length % 2 === 1) await untilPainted(page, 'chip', 'Status:needs fix')

    const searches: Timed[] = []
    for (let k = 0; k < REPEATS; k++) searches.push(await untilPainted(page, 'search', k % 2 === 0 ? 'zoom' : 'zephyr'))
    line('search (type a word) -> next painted page', searches, { note: `includes the ${DEBOUNCE_MS} ms typing pause` })
    line('search after the typing pause -> next painted page', searches, {}, DEBOUNCE_MS)
    await untilPainted(page, 'search', '')

    // the open trace must be editable for `a`: under a status filter of unreviewed synthesized traces
    await untilPainted(page, 'chip', 'Status:unreviewed')
    await untilPainted(page, 'chip', 'Origin:synthesized')
    await page.locator('[aria-label="Traces"] [role="option"]').first().click()
    await page.locator('[data-testid="editor-image"][data-drawn]:not([data-drawn=""])').waitFor()
    const accepts: Timed[] = []
    for (let k = 0; k < REPEATS; k++) accepts.push(await acceptAndAdvance(page))
    line('accept and advance (a) -> next trace drawn', accepts)

    const scrolls: Timed[] = []
    for (let k = 0; k < REPEATS * 2; k++) scrolls.push(await untilPainted(page, 'scroll', ''))
    line('scroll one page -> rows painted', scrolls)
    await page.close()
  } finally {
    await browser.close()
    await serve.stop()
    rmSync(home, { recursive: true, force: true })
  }
}

export default { name: 'review-scale', run } satisfies BenchSuite
