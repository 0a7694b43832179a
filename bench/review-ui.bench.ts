// The Review screen over a project with a million traces, served and driven in Chromium
// (playwright-core), timed with the browser's performance API:
//  - open a trace: click on a row -> its image drawn with boxes (the editor's `trace-drawn`
//    mark); baseline in the same page: the same two contract calls over a bare WebSocket plus
//    the image decode and one frame, without React;
//  - scroll the list with the wheel: frame times while scrolling through the million rows;
//    baseline: the same page's idle frames, and a plain 2,000-row DOM list scrolled natively;
//  - jump (scrollbar drag) deep into the list: time until the rows are on screen; baseline:
//    one `traces.list` call at that offset over HTTP;
//  - the server's page query at offset 0 vs deep offsets (what the list pays per page).
// The project is built once with TraceRepository in big transactions over a few real images and
// kept for later runs (PIXEL_STUDIO_BENCH_DIR, default $TMPDIR/pixel-studio-bench/review-<N>);
// PIXEL_STUDIO_BENCH_TRACES changes N. Needs `npm run build` and Chromium. (The global `performance`
// is used, not node:perf_hooks: the page functions below are serialized into the browser.)
import { existsSync, mkdirSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { Page } from 'playwright-core'
import { Project } from '../src/main/project/project'
import { addSampleData } from '../src/main/project/sample-data'
import { materializeObservations } from '../src/main/traces/materialize'
import type { TraceOrigin, TraceStatus } from '../src/shared/contract'
import type { Step } from '../src/shared/toolcall/steps'
import { callServed } from '../test/e2e/served-api'
import { launchChromium } from '../test/helpers/browser'
import { startServe } from '../test/helpers/serve-process'
import { stats, statLine, type BenchReporter, type BenchSuite, type Stats } from './harness'

const TRACES = Number(process.env.PIXEL_STUDIO_BENCH_TRACES ?? 1_000_000)
const DIR = process.env.PIXEL_STUDIO_BENCH_DIR ?? join(tmpdir(), 'pixel-studio-bench', `review-${TRACES}`)
const BATCH = 50_000
const OPENS = 20
const SCROLL_FRAMES = 240
const JUMPS = 8

const STATUSES: TraceStatus[] = ['unreviewed', 'unreviewed', 'accepted', 'rejected', 'needs_fix']
const ORIGINS: TraceOrigin[] = ['synthesized', 'synthesized', 'synthesized', 'inference', 'human']

/** A project with TRACES traces over the sample images; reused when it already has them. */
async function benchProject(): Promise<string> {
  if (existsSync(join(DIR, 'project.sqlite'))) {
    const p = Project.open(DIR)
    const n = p.traces.count()
    p.close()
    if (n === TRACES) {
      console.log(`review-ui      reusing ${DIR} (${n.toLocaleString()} traces)`)
      return DIR
    }
  }
  rmSync(DIR, { recursive: true, force: true })
  mkdirSync(DIR, { recursive: true })
  const project = Project.create(DIR, 'review-bench')
  try {
    await addSampleData(project, { images: 6, videos: 0 })
    const samples = project.samples.list({ offset: 0, limit: 10, kind: 'image' }).items
    // each image's trace shape once, with its real crops computed (two zooms, the second on the first crop)
    const shapes: Array<{ sampleId: string; question: string; steps: Step[] }> = []
    for (const s of samples) {
      const sample = project.samples.get(s.id)
      const steps = await materializeObservations(project, sample, [
        { kind: 'thought', text: 'The answer is on a small sign; zoom in on it.' },
        { kind: 'crop', toolName: 'crop_image_normalized', targetImage: 1, bbox: [0.3, 0.3, 0.6, 0.6], bboxUnits: 'normalized' },
        { kind: 'thought', text: 'Closer on the digits.' },
        { kind: 'crop', toolName: 'crop_image_normalized', targetImage: 2, bbox: [0.2, 0.2, 0.7, 0.7], bboxUnits: 'normalized' },
        { kind: 'answer', text: `It reads \\boxed{${sample.answer}}.`, boxed: sample.answer }
      ])
      shapes.push({ sampleId: sample.id, question: sample.question, steps })
    }
    const start = performance.now()
    for (let from = 0; from < TRACES; from += BATCH) {
      project.db.transaction(() => {
        for (let i = from; i < Math.min(from + BATCH, TRACES); i++) {
          const shape = shapes[i % shapes.length] as (typeof shapes)[number]
          project.traces.insert({ ...shape, origin: ORIGINS[i % ORIGINS.length] as TraceOrigin, status: STATUSES[(i >> 3) % STATUSES.length] as TraceStatus, flags: i % 7 === 0 ? ['self_correction'] : [] }, 'bench')
        }
      })()
      const done = Math.min(from + BATCH, TRACES)
      const s = (performance.now() - start) / 1000
      console.log(`review-ui      inserted ${done.toLocaleString()} / ${TRACES.toLocaleString()} traces (${s.toFixed(0)} s, ${((done / s) | 0).toLocaleString()}/s)`)
    }
  } finally {
    project.close()
  }
  return DIR
}

function line(label: string, st: Stats, unit = 'ms', baseline?: Stats): void {
  statLine('review-ui', label, st, unit, baseline)
}

/** Click a row, wait for the editor's `trace-drawn` mark for it: ms from click to drawn. */
async function openTrace(page: Page, index: number): Promise<number> {
  return page.evaluate(async (i) => {
    const row = document.querySelector<HTMLElement>(`[aria-label="Traces"] [data-index="${i}"]`)
    const id = row?.dataset.traceId
    if (!row || !id) throw new Error(`row ${i} is not on screen`)
    const drawn = new Promise<number>((resolve) => {
      const observer = new PerformanceObserver((list) => {
        for (const e of list.getEntries()) {
          if (e.name === 'trace-drawn' && (e as PerformanceMark).detail === id) {
            observer.disconnect()
            resolve(e.startTime)
          }
        }
      })
      observer.observe({ type: 'mark' })
    })
    const t0 = performance.now()
    row.click()
    return (await drawn) - t0
  }, index)
}

/** The same data without the UI: traces.get + samples.get over a bare WebSocket, decode, one frame. */
async function openBaseline(page: Page, index: number): Promise<number> {
  return page.evaluate(async (i) => {
    const id = document.querySelector<HTMLElement>(`[aria-label="Traces"] [data-index="${i}"]`)?.dataset.traceId
    const token = sessionStorage.getItem('pixel-studio.token') ?? ''
    const ws = new WebSocket(`ws://${location.host}/ws`, ['pixel-studio', `token.${token}`])
    await new Promise((r) => ws.addEventListener('open', r, { once: true }))
    let next = 1
    const call = (method: string, input: unknown): Promise<Record<string, unknown>> =>
      new Promise((resolve) => {
        const n = next++
        const on = (ev: MessageEvent): void => {
          const m = JSON.parse(String(ev.data)) as { id?: number; output?: Record<string, unknown> }
          if (m.id !== n) return
          ws.removeEventListener('message', on)
          resolve(m.output ?? {})
        }
        ws.addEventListener('message', on)
        ws.send(JSON.stringify({ t: 'call', id: n, method, input }))
      })
    const t0 = performance.now()
    const trace = await call('traces.get', { id })
    const sample = await call('samples.get', { id: trace.sampleId })
    const media = (sample.media as Array<{ hash: string }>)[0]
    const img = new Image()
    img.src = `/media/${media?.hash}?token=${encodeURIComponent(token)}`
    await img.decode()
    await new Promise((r) => requestAnimationFrame(r))
    const ms = performance.now() - t0
    ws.close()
    return ms
  }, index)
}

/** Frame times (ms between animation frames) while `step` runs once per frame. */
async function frameTimes(page: Page, mode: 'idle' | 'wheel' | 'plain', frames: number): Promise<number[]> {
  return page.evaluate(
    async ({ mode: m, frames: n }) => {
      const list = document.querySelector<HTMLElement>('[aria-label="Traces"]')
      let plain: HTMLElement | null = null
      if (m === 'plain') {
        // the same row markup, 2,000 real rows, native scrolling: what a list costs without virtualization
        const template = document.querySelector<HTMLElement>('[aria-label="Traces"] [role="option"]')
        plain = document.createElement('div')
        plain.style.cssText = 'position:fixed;left:0;top:80px;width:380px;height:600px;overflow-y:auto;z-index:1000;background:#15171c'
        const html = template?.outerHTML ?? '<div style="height:56px"></div>'
        plain.innerHTML = Array.from({ length: 2000 }, () => html).join('')
        document.body.appendChild(plain)
      }
      const times: number[] = []
      let last = await new Promise<number>((r) => requestAnimationFrame(r))
      for (let f = 0; f < n; f++) {
        if (m === 'wheel') list?.dispatchEvent(new WheelEvent('wheel', { deltaY: 168, bubbles: true, cancelable: true }))
        if (m === 'plain' && plain) plain.scrollTop += 168
        const now = await new Promise<number>((r) => requestAnimationFrame(r))
        times.push(now - last)
        last = now
      }
      plain?.remove()
      return times
    },
    { mode, frames }
  )
}

/** Jumps the scrollbar to a fraction of the list; ms until every visible row is filled. */
async function jump(page: Page, fraction: number): Promise<{ ms: number; first: number }> {
  return page.evaluate(async (f) => {
    const list = document.querySelector<HTMLElement>('[aria-label="Traces"]')
    if (!list) throw new Error('no list')
    const t0 = performance.now()
    list.scrollTop = f * (list.scrollHeight - list.clientHeight)
    for (;;) {
      await new Promise((r) => requestAnimationFrame(r))
      const rows = [...list.querySelectorAll<HTMLElement>('.trace-rows > div')]
      const visible = rows.filter((r) => {
        const b = r.getBoundingClientRect()
        const l = list.getBoundingClientRect()
        return b.bottom > l.top && b.top < l.bottom
      })
      if (visible.length > 0 && visible.every((r) => !r.classList.contains('placeholder'))) {
        return { ms: performance.now() - t0, first: Number(visible[0]?.dataset.index ?? -1) }
      }
      if (performance.now() - t0 > 30_000) throw new Error('rows did not arrive')
    }
  }, fraction)
}

async function run(r: BenchReporter): Promise<void> {
  const dir = await benchProject()
  const home = join(tmpdir(), `pixel-studio-bench-home-${process.pid}`)
  const serve = await startServe(['--home', home, '--project', dir])
  const browser = await launchChromium()
  try {
    // the server's page query: offset 0 vs deep offsets (SQLite walks the skipped rows)
    const listAt = async (offset: number): Promise<number[]> => {
      const out: number[] = []
      for (let k = 0; k < 5; k++) {
        const t0 = performance.now()
        await callServed(serve, 'traces.list', { offset, limit: 100 })
        out.push(performance.now() - t0)
      }
      return out
    }
    const first = stats(await listAt(0))
    line('traces.list 100 rows at offset 0 (HTTP, baseline)', first)
    line(`traces.list 100 rows at offset ${(TRACES / 2).toLocaleString()}`, stats(await listAt(TRACES / 2)), 'ms', first)
    line(`traces.list 100 rows at offset ${(TRACES - 100).toLocaleString()}`, stats(await listAt(TRACES - 100)), 'ms', first)
    const counts: number[] = []
    for (let k = 0; k < 3; k++) {
      const t0 = performance.now()
      await callServed(serve, 'traces.counts', {})
      counts.push(performance.now() - t0)
    }
    line('traces.counts, no filter', stats(counts))

    const page = await browser.newPage({ viewport: { width: 1500, height: 900 } })
    // tsx compiles this file with esbuild's keepNames: functions sent to the page call __name
    await page.addInitScript({ content: 'globalThis.__name = (f) => f' })
    await page.goto(serve.url)
    await page.locator('.app[data-ready="true"]').waitFor()
    await page.keyboard.press('2')
    await page.locator(`[aria-label="Traces"][data-total="${TRACES}"]`).waitFor({ timeout: 120_000 })
    await page.locator('[data-testid="editor-image"][data-drawn]:not([data-drawn=""])').waitFor({ timeout: 60_000 })

    // open traces: rows 1..10 in turn (row 0 is open), so each click opens another trace
    const opens: number[] = []
    const bases: number[] = []
    for (let k = 0; k < OPENS; k++) {
      const index = 1 + (k % 10)
      bases.push(await openBaseline(page, index))
      opens.push(await openTrace(page, index))
    }
    const base = stats(bases)
    line('open baseline: get trace + sample over WS, decode, 1 frame', base)
    line('open a trace: click -> image and boxes drawn (goal <= 100)', stats(opens), 'ms', base)

    // scrolling with the wheel through a million rows
    const idle = stats(await frameTimes(page, 'idle', 120))
    line('frame time, idle page (baseline)', idle)
    const plain = stats(await frameTimes(page, 'plain', SCROLL_FRAMES))
    line('frame time, plain 2,000-row DOM list scrolled natively', plain, 'ms', idle)
    const wheel = stats(await frameTimes(page, 'wheel', SCROLL_FRAMES))
    line(`frame time, wheel-scrolling the ${TRACES.toLocaleString()}-row list (3 rows/frame)`, wheel, 'ms', idle)
    r.compare({ label: 'frames while wheel-scrolling the trace list', units: wheel.n, ms: wheel.mean * wheel.n }, { label: 'idle frames', units: idle.n, ms: idle.mean * idle.n })

    // scrollbar jumps deep into the list: rows fetched by offset and drawn
    const jumps: number[] = []
    for (let k = 0; k < JUMPS; k++) {
      const fraction = ((k * 37) % 100) / 100 + 0.005
      const j = await jump(page, fraction)
      jumps.push(j.ms)
    }
    line('scrollbar jump -> visible rows filled', stats(jumps), 'ms', first)
    await page.close()
  } finally {
    await browser.close()
    await serve.stop()
    rmSync(home, { recursive: true, force: true })
  }
}

const suite: BenchSuite = { name: 'review-ui', run }
export default suite
