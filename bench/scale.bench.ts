// Issue 15, "a million traces feel instant": `npm run bench -- scale --traces 1000000 --json`
// (10k / 100k for a quick run; default 100k). Builds a project of N traces (a few real images,
// bulk inserts of 10k per transaction), writes the same traces as JSONL, then prints one line
// per metric of the issue's table (with --json one JSON object per line: name, unit, median,
// p95, n, and the baseline measured in the same run on the same data), by group:
//   list / search   pages (cursor pages at several depths)   vs a JSONL scan for the same page
//   counts          for the filter bar, after an accept        vs a JSONL scan
//   open            first page after opening; one trace        vs a JSONL scan to that id
//   (always)        bulk insert, first and last batch          vs writing the same batch as JSONL;
//                   then the full-text catch-up of the built traces (text-index.ts), alone
//   export          a snapshot (N/10 traces) to each trainer format exportSnapshot writes
//                   (trl, llamafactory text + tools, verl, pixelreasoner; 3 runs each up to
//                   100k traces, 1 above, after an untimed TRL export) vs copying the export's files
//   import          of a TRL file (30k records at 1M)          vs reading + JSON.parse of it
//                   (and where a record's time goes: each stage per thread, CPU of each thread)
//   synthesis       the issue's two rows (synthesis-rows.ts: 5000 samples on 4 shared photos,
//                   600 on 540 distinct 4000x3000 photos; each in a new project, removed after;
//                   traces per CPU second in the note)         vs raw sharp cutting their looks
//                   with export too: the baseline's traces exported to TRL, their crops rendered
//                   on demand (the scale project's traces carry rendered crops, so its exports do not)
//   rss             RSS of `serve` on the project after list/count/search (goal < 500 MB; needs out/)
// `--keep` keeps the temp folder; `--dir <path>` reuses a built project there (and its JSONL);
// `--only list,search,counts,open,export,import,synthesis,rss` measures only those groups
// (`--samples`, `--photos-samples`, `--photos` size the synthesis rows, as in `synthesis`).
import { copyFileSync, createReadStream, createWriteStream, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs'
import { once } from 'node:events'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createInterface } from 'node:readline'
import { ExportFormat, type Snapshot, type SnapshotExportInput, type TraceFilter, type TraceOrigin, type TraceStatus } from '../src/shared/contract'
import type { Step } from '../src/shared/toolcall'
import { exportSnapshot } from '../src/main/export/snapshot-export'
import { importTraces, type ImportStages } from '../src/main/import/trace-import'
import { Project } from '../src/main/project/project'
import { seededRandom } from '../src/main/project/sample-data'
import type { NewTrace } from '../src/main/traces/trace-rows'
import { callServed } from '../test/e2e/served-api'
import { startServe } from '../test/helpers/serve-process'
import { benchMedia } from './bench-media'
import { flagValue, type BenchReporter, type BenchSuite } from './harness'
import { measureSynthesis, synthesisRows } from './synthesis-rows'

const BATCH = 10_000
const SAMPLES = 2000
const COMMON = 'zoom' // in ~3 of 4 traces
const MEDIUM = 'zephyr' // in 1 of 50
const WORDS = 'sign digit number box frame crop left right top bottom corner small large red green blue white black square circle text label price clock window door car tree person table shelf screen board paper card coin ball cup book map logo arrow line edge center middle shadow light dark bright blurry sharp clear tiny huge near far above below'.split(' ')
const GROUPS = ['list', 'search', 'counts', 'open', 'export', 'import', 'synthesis', 'rss']
/** every format the studio exports, LLaMA-Factory in both of its modes: one metric each */
const EXPORTS = ExportFormat.options.flatMap((format): Array<Pick<SnapshotExportInput, 'format' | 'llamaFactoryMode'>> => (format === 'llamafactory' ? [{ format, llamaFactoryMode: 'text' }, { format, llamaFactoryMode: 'tools' }] : [{ format }]))
const STATUSES: TraceStatus[] = ['unreviewed', 'unreviewed', 'accepted', 'accepted', 'rejected', 'needs_fix']
const ORIGINS: TraceOrigin[] = ['synthesized', 'synthesized', 'synthesized', 'human', 'inference', 'rollout']

interface Row {
  id: string
  source: string
  status: TraceStatus
  origin: TraceOrigin
  ops: number
  updated: number
  text: string
}

interface Metric {
  name: string
  unit: string
  median: number
  p95: number
  n: number
  baseline?: { name: string; median: number; p95: number; n: number }
  note?: string
}

function stats(values: number[]): { median: number; p95: number; n: number } {
  const s = [...values].sort((a, b) => a - b)
  const at = (q: number): number => s[Math.min(s.length - 1, Math.floor(q * s.length))] ?? NaN
  return { median: round(at(0.5)), p95: round(at(0.95)), n: s.length }
}

function round(x: number): number {
  return Math.round(x * 100) / 100
}

async function* lines(file: string): AsyncGenerator<string> {
  yield* createInterface({ input: createReadStream(file, { encoding: 'utf8', highWaterMark: 1 << 20 }), crlfDelay: Infinity })
}

function timeSync(fn: () => unknown): number {
  const t = performance.now()
  fn()
  return performance.now() - t
}

/** CPU time of this process (user + system, all threads) since `since`, in ms: on a shared box wall time is mostly the wait for a core. */
function cpuMs(since: NodeJS.CpuUsage): number {
  const d = process.cpuUsage(since)
  return (d.user + d.system) / 1000
}

async function timeAsync(fn: () => Promise<unknown>): Promise<number> {
  const t = performance.now()
  await fn()
  return performance.now() - t
}


/** Builds the project and its JSONL twin; returns the per-batch insert and JSONL write times. */
async function build(dir: string, n: number): Promise<{ project: Project; jsonl: string; insertMs: number[]; insertCpuMs: number[]; writeMs: number[]; catchUp: { traces: number; ms: number; cpuMs: number } }> {
  const project = Project.create(join(dir, 'project'))
  // the full-text catch-up (text-index.ts) is timed on its own after the build, not between batches
  project.traces.text.background = false
  const rand = seededRandom(15)
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)] as T
  const words = (k: number): string => Array.from({ length: k }, () => pick(WORDS)).join(' ')
  const { originals, frames, crops } = await benchMedia(project)
  const samples: Array<{ id: string; source: string; video: boolean }> = []
  project.db.transaction(() => {
    for (let s = 0; s < SAMPLES; s++) {
      const video = s % 10 === 9
      // one sample in ten is in the export source: a snapshot of N/10 traces
      const source = s % 10 === 3 ? 'bench:export' : `bench:src-${s % 5}`
      project.samples.insert({ id: `bench-${s}`, kind: video ? 'video' : 'image', question: `What is shown near the ${words(3)}?`, answer: String(s % 10), answerType: 'number', source, media: video ? frames : [pick(originals)], cues: [] })
      samples.push({ id: `bench-${s}`, source, video })
    }
  })()
  const traceOf = (i: number): { trace: NewTrace; row: Row } => {
    const sample = samples[i % SAMPLES]!
    const answer = String(Math.floor(rand() * 10))
    const zoom = rand() < 0.76 ? ` Now I will ${COMMON} in to look clearer at the ${words(2)}.` : ''
    const thought = `${words(10)}${i % 50 === 7 ? ` ${MEDIUM}` : ''}.${zoom}`
    const final: Step = { kind: 'answer', text: `The ${words(3)} shows ${answer}. \\boxed{${answer}}`, boxed: answer }
    const crop = (bbox: [number, number, number, number]): Step[] => [
      { kind: 'crop', toolName: 'crop_image_normalized', targetImage: 1, bbox, bboxUnits: 'normalized' },
      { kind: 'observation', result: { type: 'crop', image: pick(crops).hash, width: 448, height: 336 } }
    ]
    let steps: Step[]
    if (sample.video) {
      const f = 1 + Math.floor(rand() * 12)
      steps = [{ kind: 'thought', text: thought }, { kind: 'select_frames', frames: [f, f + 1] }, { kind: 'observation', result: { type: 'frames', images: [frames[f - 1]!.hash, frames[f]!.hash], width: 160, height: 120, first: 1, last: 2 } }, final]
    } else if (rand() < 0.3) steps = [{ kind: 'thought', text: thought }, final]
    else steps = [{ kind: 'thought', text: thought }, ...crop([0.3, 0.3, 0.6, 0.6]), final]
    const status = pick(STATUSES)
    const origin = pick(ORIGINS)
    const question = `What is shown near the ${words(3)}?`
    const id = `t-${i}`
    const ops = steps.filter((s) => s.kind === 'crop' || s.kind === 'select_frames').length
    const text = [question, ...steps.map((s) => (s.kind === 'thought' || s.kind === 'answer' ? s.text : ''))].join(' ')
    return { trace: { id, sampleId: sample.id, origin, question, steps, status }, row: { id, source: sample.source, status, origin, ops, updated: i, text } }
  }
  const jsonl = join(dir, 'traces.jsonl')
  const out = createWriteStream(jsonl)
  const insertMs: number[] = []
  const insertCpuMs: number[] = []
  const writeMs: number[] = []
  for (let start = 0; start < n; start += BATCH) {
    const batch = Array.from({ length: Math.min(BATCH, n - start) }, (_, k) => traceOf(start + k))
    const cpu = process.cpuUsage()
    insertMs.push(timeSync(() => project.traces.insertMany(batch.map((b) => b.trace), 'bench')))
    insertCpuMs.push(cpuMs(cpu))
    const t = performance.now()
    if (!out.write(batch.map((b) => JSON.stringify(b.row)).join('\n') + '\n')) await once(out, 'drain')
    writeMs.push(performance.now() - t)
    if ((start / BATCH) % 10 === 9) process.stderr.write(`\r  built ${(start + BATCH).toLocaleString('en')} traces, last batch ${Math.round((BATCH / insertMs.at(-1)!) * 1000).toLocaleString('en')}/s   `)
  }
  out.end()
  await once(out, 'close')
  process.stderr.write('\n')
  const cpu = process.cpuUsage()
  const t0 = performance.now()
  const traces = project.traces.text.drain()
  const catchUp = { traces, ms: performance.now() - t0, cpuMs: cpuMs(cpu) }
  project.traces.text.background = true
  return { project, jsonl, insertMs, insertCpuMs, writeMs, catchUp }
}

/** A JSONL scan for one page: every line parsed, matches kept, sorted, the first 100 cut. */
async function scanPage(jsonl: string, match: (r: Row) => boolean, byUpdated: boolean): Promise<number> {
  const hits: Row[] = []
  for await (const line of lines(jsonl)) {
    const r = JSON.parse(line) as Row
    if (match(r)) hits.push(r)
  }
  if (byUpdated) hits.sort((a, b) => b.updated - a.updated)
  return hits.slice(0, 100).length
}

async function run(r: BenchReporter): Promise<void> {
  const n = Number(flagValue('traces') ?? 100_000)
  if (!Number.isInteger(n) || n < 1000) throw new Error(`--traces must be a whole number >= 1000`)
  const json = process.argv.includes('--json')
  const reused = flagValue('dir')
  // --only list,search,...: a part of the metrics (e.g. on a kept project)
  const only = flagValue('only')?.split(',')
  const unknown = only?.filter((g) => !GROUPS.includes(g)) ?? []
  if (unknown.length > 0) throw new Error(`--only: unknown group ${unknown.join(', ')} (groups: ${GROUPS.join(', ')})`)
  const want = (group: string): boolean => only === undefined || only.includes(group)
  const dir = reused ?? mkdtempSync(join(tmpdir(), 'scale-bench-'))
  const metrics: Metric[] = []
  const emit = (m: Metric): void => {
    metrics.push(m)
    if (json) process.stdout.write(`${JSON.stringify(m)}\n`)
    else {
      const base = m.baseline ? `   baseline ${m.baseline.name}: median ${m.baseline.median} p95 ${m.baseline.p95}` : ''
      console.log(`scale          ${m.name.padEnd(70)} median ${m.median} ${m.unit}  p95 ${m.p95} (n=${m.n})${base}${m.note ? `  [${m.note}]` : ''}`)
    }
  }
  const log = (text: string): void => void (json ? process.stderr.write(`${text}\n`) : console.log(text))
  log(`scale          ${n.toLocaleString('en')} traces in ${dir}`)
  void r
  let project: Project
  let jsonl = join(dir, 'traces.jsonl')
  try {
    if (reused && existsSync(join(dir, 'project', 'project.sqlite'))) project = Project.open(join(dir, 'project'))
    else {
      mkdirSync(dir, { recursive: true })
      const built = await build(dir, n)
      project = built.project
      jsonl = built.jsonl
      const rate = (ms: number, units = BATCH): number => round((units / ms) * 1000)
      const write = stats(built.writeMs.map((ms) => rate(ms)))
      const firstBatches = built.insertMs.slice(0, Math.min(5, built.insertMs.length)).map((ms) => rate(ms))
      const lastBatches = built.insertMs.slice(-Math.min(5, built.insertMs.length)).map((ms) => rate(ms))
      emit({ name: 'bulk insert, first batches (10k per transaction)', unit: 'traces/s', ...stats(firstBatches), baseline: { name: 'JSONL write of the same batches', ...write } })
      emit({ name: `bulk insert, last batches (up to ${n.toLocaleString('en')})`, unit: 'traces/s', ...stats(lastBatches), baseline: { name: 'JSONL write of the same batches', ...write } })
      // CPU per trace: what a quiet machine's rate would be (1e6 / µs per trace), wherever the load is
      const cpuPerTrace = (ms: readonly number[]): number[] => ms.map((x) => (x * 1000) / BATCH)
      emit({ name: 'bulk insert CPU, first batches', unit: 'µs/trace', ...stats(cpuPerTrace(built.insertCpuMs.slice(0, 5))) })
      emit({ name: 'bulk insert CPU, last batches', unit: 'µs/trace', ...stats(cpuPerTrace(built.insertCpuMs.slice(-5))) })
      emit({ name: 'bulk insert CPU, all batches', unit: 'µs/trace', ...stats(cpuPerTrace(built.insertCpuMs)), note: `${round(built.insertCpuMs.reduce((a, b) => a + b, 0) / 1000)} CPU-s in all` })
      // the full-text entries insertMany leaves to the catch-up (migration 016), indexed after the build in chunks
      const c = built.catchUp
      emit({ name: 'full-text catch-up after the build (chunks of 2000)', unit: 'traces/s', median: rate(c.ms, c.traces), p95: rate(c.ms, c.traces), n: 1, note: `${c.traces.toLocaleString('en')} traces, ${round((c.cpuMs * 1000) / Math.max(1, c.traces))} µs CPU a trace` })
      log(`scale          project.sqlite ${(statSync(join(dir, 'project', 'project.sqlite')).size / 1e9).toFixed(2)} GB, traces.jsonl ${(statSync(jsonl).size / 1e9).toFixed(2)} GB`)
    }
    const repeats = n >= 500_000 ? 1 : 3
    const baselineOf = async (name: string, match: (r: Row) => boolean, byUpdated: boolean): Promise<Metric['baseline']> => {
      const times: number[] = []
      for (let k = 0; k < repeats; k++) times.push(await timeAsync(() => scanPage(jsonl, match, byUpdated)))
      return { name, ...stats(times) }
    }
    const seed = seededRandom(99)

    /** Page times: the first page, then cursor pages from random depths (reached by offset, untimed). */
    const pageMetric = async (name: string, filter: TraceFilter, sort: 'created' | 'updated', order: 'asc' | 'desc', match: (r: Row) => boolean): Promise<void> => {
      if (!want(filter.query === undefined ? 'list' : 'search')) return
      const times: number[] = []
      let total = 0
      let estimate = false
      for (let k = 0; k < 5; k++) {
        times.push(
          timeSync(() => {
            const p = project.traces.list({ ...filter, sort, order, offset: 0, limit: 100 })
            total = p.total
            estimate = p.estimate
          })
        )
      }
      for (let d = 0; d < 6; d++) {
        const depth = Math.floor(seed() * Math.max(0, Math.min(total, 200_000) - 2000))
        let page = project.traces.list({ ...filter, sort, order, offset: depth, limit: 100 })
        for (let k = 0; k < 5 && page.next; k++) {
          const next = page.next
          times.push(timeSync(() => (page = project.traces.list({ ...filter, sort, order, after: next, offset: 0, limit: 100 }))))
        }
      }
      emit({ name, unit: 'ms', ...stats(times), baseline: await baselineOf('JSONL scan for the same page', match, sort === 'updated'), note: `${estimate ? '≈' : ''}${total.toLocaleString('en')} matches` })
    }

    await pageMetric('list page, status=needs_fix sorted by updated', { status: ['needs_fix'] }, 'updated', 'desc', (x) => x.status === 'needs_fix')
    await pageMetric('list page, operation=none sorted by created', { operation: 'none' }, 'created', 'asc', (x) => x.ops === 0)
    await pageMetric('list page, status=accepted + origin=human + source, by updated', { status: ['accepted'], origin: ['human'], source: 'bench:src-2' }, 'updated', 'desc', (x) => x.status === 'accepted' && x.origin === 'human' && x.source === 'bench:src-2')
    if (want('list')) {
      // deep pages of the unfiltered list, by cursor, between N/2 and N-100
      const times: number[] = []
      const offsets: number[] = []
      for (let d = 0; d < 8; d++) {
        const depth = Math.floor(n / 2 + seed() * (n / 2 - 700))
        const t0 = performance.now()
        let page = project.traces.list({ sort: 'created', order: 'asc', offset: depth, limit: 100 })
        offsets.push(performance.now() - t0)
        for (let k = 0; k < 5 && page.next; k++) {
          const next = page.next
          times.push(timeSync(() => (page = project.traces.list({ sort: 'created', order: 'asc', after: next, offset: 0, limit: 100 }))))
        }
      }
      emit({ name: 'list page, no filter, deep (N/2 .. N-100), by cursor', unit: 'ms', ...stats(times), baseline: await baselineOf('JSONL scan for the same page', () => true, false) })
      emit({ name: 'list page, no filter, deep, by offset (a scrollbar jump)', unit: 'ms', ...stats(offsets) })
    }
    await pageMetric(`full-text search page, common word ("${COMMON}") by created`, { query: COMMON }, 'created', 'desc', (x) => x.text.includes(COMMON))
    await pageMetric(`full-text search page, common word ("${COMMON}") by updated`, { query: COMMON }, 'updated', 'desc', (x) => x.text.includes(COMMON))
    await pageMetric(`full-text search page, medium word ("${MEDIUM}")`, { query: MEDIUM }, 'created', 'desc', (x) => x.text.includes(MEDIUM))
    await pageMetric('full-text search page, prefix ("zep*") by updated', { query: 'zep*' }, 'updated', 'desc', (x) => x.text.includes('zep'))

    const countMetric = async (name: string, filter: TraceFilter, match: (r: Row) => boolean): Promise<void> => {
      if (!want('counts')) return
      const times: number[] = []
      let estimate = false
      let total = 0
      // each count after an accept (a write): what the filter bar pays after every review action
      for (let k = 0; k < 10; k++) {
        const t = project.traces.get(`t-${Math.floor(seed() * n)}`)
        project.traces.update(t.id, { status: t.status === 'accepted' ? 'rejected' : 'accepted' }, t.revision, 'bench', 'accept')
        times.push(timeSync(() => ({ estimate, total } = project.traces.counts(filter))))
      }
      const base: number[] = []
      for (let k = 0; k < repeats; k++) {
        base.push(
          await timeAsync(async () => {
            for await (const line of lines(jsonl)) match(JSON.parse(line) as Row)
          })
        )
      }
      emit({ name, unit: 'ms', ...stats(times), baseline: { name: 'JSONL scan', ...stats(base) }, note: `${estimate ? 'estimate ≈' : 'exact '}${total.toLocaleString('en')}` })
    }
    await countMetric('counts for the filter bar, no filter', {}, () => true)
    await countMetric('counts for the filter bar, operation=crop', { operation: 'crop' }, (x) => x.ops > 0)
    await countMetric('counts for the filter bar, source', { source: 'bench:src-2' }, (x) => x.source === 'bench:src-2')
    await countMetric(`counts for the filter bar, full-text "${COMMON}"`, { query: COMMON }, (x) => x.text.includes(COMMON))
    await countMetric(`counts for the filter bar, full-text "${MEDIUM}"`, { query: MEDIUM }, (x) => x.text.includes(MEDIUM))

    if (want('open')) {
      // the first list page after opening the project (a cold connection)
      const times: number[] = []
      for (let k = 0; k < 3; k++) {
        project.close()
        const t0 = performance.now()
        project = Project.open(join(dir, 'project'))
        project.traces.list({ sort: 'created', order: 'asc', offset: 0, limit: 100 })
        times.push(performance.now() - t0)
      }
      emit({ name: 'first list page after opening the project', unit: 'ms', ...stats(times) })
    }
    if (want('open')) {
      const ids = Array.from({ length: 500 }, () => `t-${Math.floor(seed() * n)}`)
      const times = ids.map((id) => timeSync(() => project.traces.get(id)))
      const base: number[] = []
      for (const id of ids.slice(0, repeats)) {
        base.push(
          await timeAsync(async () => {
            for await (const line of lines(jsonl)) if (line.startsWith(`{"id":"${id}",`)) break
          })
        )
      }
      emit({ name: 'open one trace', unit: 'ms', ...stats(times), baseline: { name: 'JSONL scan to that id', ...stats(base) } })
    }

    // ------------------------------------------------------------ export, import, synthesis
    // one snapshot of N/10 traces, exported to each format (and the TRL file imported)
    const snapshot = want('export') || want('import') ? project.snapshots.create('export', { source: 'bench:export' }) : undefined
    let trlDir: string | undefined
    if (snapshot && want('export')) {
      // an untimed run first: the first export otherwise pays for reading the snapshot cold and the JIT (measured 2x slower at 10k)
      rmSync(await exportMetric(project, snapshot, { format: 'trl' }, join(dir, 'exports'), { runs: 1 }), { recursive: true, force: true })
      for (const variant of EXPORTS) {
        const out = await exportMetric(project, snapshot, variant, join(dir, 'exports'), { runs: n <= 100_000 ? 3 : 1, emit })
        if (variant.format === 'trl') trlDir = out
        else rmSync(out, { recursive: true, force: true })
      }
    }
    if (snapshot && want('import')) {
      // the TRL export (made here, untimed, when the export group did not run)
      if (!trlDir) {
        trlDir = join(dir, 'exports', `trl-${Date.now()}`)
        await exportSnapshot(project, { snapshotId: snapshot.id, format: 'trl', outDir: trlDir, cropToolName: 'crop_image_normalized', llamaFactoryMode: 'text' })
      }
      const exportDir = trlDir
      const file = join(exportDir, readdirSync(exportDir).find((f) => f.endsWith('.jsonl')) ?? 'export.jsonl')
      const importCount = Math.min(30_000, snapshot.traceCount)
      const importFile = join(dir, 'import.jsonl')
      {
        const out = createWriteStream(importFile)
        let k = 0
        for await (const line of lines(file)) {
          if (k++ >= importCount) break
          if (!out.write(`${line}\n`)) await once(out, 'drain')
        }
        out.end()
        await once(out, 'close')
      }
      // the TRL file's images are next to it: import reads them relative to the file
      for (const entry of readdirSync(exportDir)) if (entry !== 'export.jsonl' && statSync(join(exportDir, entry)).isDirectory()) copyTree(join(exportDir, entry), join(dir, entry))
      const target = Project.create(join(dir, `imported-${Date.now()}`))
      let imported = 0
      let stages: ImportStages | undefined
      const importCpu = process.cpuUsage()
      const importMs = await timeAsync(async () => (imported = (await importTraces(target, 'trl', importFile, { onStages: (s) => (stages = s) })).imported))
      const importCpuMs = cpuMs(importCpu)
      target.close()
      const parseMs = await timeAsync(async () => {
        for await (const line of lines(importFile)) JSON.parse(line)
      })
      emit({ name: `traces import of a TRL file (${imported.toLocaleString('en')} records)`, unit: 'records/s', median: round((imported / importMs) * 1000), p95: round((imported / importMs) * 1000), n: 1, baseline: { name: 'read + JSON.parse of the same file', median: round((importCount / parseMs) * 1000), p95: round((importCount / parseMs) * 1000), n: 1 } })
      emit({ name: 'traces import CPU', unit: 'µs/record', median: round((importCpuMs * 1000) / imported), p95: round((importCpuMs * 1000) / imported), n: 1 })
      if (stages) {
        // where a record's time goes, per thread (wall ms of that thread; on a shared box a stage also waits for a core)
        const perRecord = (ms: number): { median: number; p95: number; n: number } => ({ median: round((ms * 1000) / imported), p95: round((ms * 1000) / imported), n: 1 })
        const thread = stages.thread === 'worker' ? `worker thread; the main thread's ${stages.inlineRecords} while it loaded included` : 'main thread, inline'
        emit({ name: `traces import stage: read + JSON.parse (${thread})`, unit: 'µs/record', ...perRecord(stages.converting.read) })
        emit({ name: `traces import stage: check, ids, conversion (${thread})`, unit: 'µs/record', ...perRecord(stages.converting.convert) })
        if (stages.thread === 'worker') {
          emit({ name: 'traces import stage: loading, JSON of the chunks, messages (worker thread)', unit: 'µs/record', ...perRecord(stages.converting.other) })
          // from source the worker loads through tsx: far slower than the built trace-import-worker.js
          emit({ name: 'traces import: worker load', unit: 'ms', median: round(stages.workerLoad.ms), p95: round(stages.workerLoad.ms), n: 1, note: `${round(stages.workerLoad.cpuMs)} CPU ms` })
        }
        emit({ name: 'traces import stage: the samples\' presence lookup (main thread)', unit: 'µs/record', ...perRecord(stages.main.lookup) })
        emit({ name: 'traces import stage: the batch of new records (main thread)', unit: 'µs/record', ...perRecord(stages.main.rows) })
        emit({ name: 'traces import stage: write, insertMany + commit (main thread)', unit: 'µs/record', ...perRecord(stages.main.write) })
        emit({ name: 'traces import stage: waiting for the next chunk, taking it in (main thread)', unit: 'µs/record', ...perRecord(stages.main.wait) })
        emit({ name: 'traces import CPU, main thread', unit: 'µs/record', ...perRecord(stages.cpuMs.main) })
        if (stages.thread === 'worker') emit({ name: 'traces import CPU, worker thread', unit: 'µs/record', ...perRecord(stages.cpuMs.worker) })
      }
    }
    if (trlDir) rmSync(trlDir, { recursive: true, force: true })
    if (want('synthesis')) {
      // the issue's two rows, each in a new project (its 540 photos are ~4 GB): removed after, even with --keep
      for (const row of synthesisRows()) {
        const synthDir = join(dir, `synthesis-${row.kind}-${Date.now()}`)
        const synth = Project.create(synthDir)
        try {
          const m = await measureSynthesis(synth, row)
          const rate = (units: number, ms: number): number => round((units / ms) * 1000)
          const baseline = rate(m.baseline.traces, m.baseline.wallMs)
          emit({
            name: row.name,
            unit: 'traces/s',
            median: rate(m.traces, m.wallMs),
            p95: rate(m.traces, m.wallMs),
            n: 1,
            baseline: { name: `raw sharp cutting the looks of ${m.baseline.traces} of the traces`, median: baseline, p95: baseline, n: 1 },
            note: `${m.traces} traces, in a new project; per CPU second (user+system): ${rate(m.traces, m.cpuMs)} traces, raw sharp ${rate(m.baseline.traces, m.baseline.cpuMs)}`
          })
          if (want('export')) {
            // the scale project's traces carry rendered crops; synthesized ones do not: their export renders them (cold, once)
            const sampled = synth.snapshots.create('synthesized', { ids: m.sample.map((t) => t.id) })
            await exportMetric(synth, sampled, { format: 'trl' }, join(synthDir, 'exports'), { runs: 1, emit, what: ` of synthesized traces (${row.label}, crops rendered on demand)` })
          }
        } finally {
          synth.close()
          rmSync(synthDir, { recursive: true, force: true })
        }
      }
    }

    // ------------------------------------------------------------ RSS of the studio serving it
    project.close()
    if (!want('rss')) log('scale          RSS not measured (--only)')
    else if (existsSync('out/main/cli.js')) {
      const home = join(dir, 'home')
      const serve = await startServe(['--home', home, '--project', join(dir, 'project')])
      try {
        const rss = (): number => Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${serve.child.pid}/status`, 'utf8'))?.[1] ?? NaN) / 1024
        const samples: number[] = [rss()]
        const calls: number[] = []
        for (const filter of [{}, { status: ['needs_fix' as const] }, { query: COMMON }, { operation: 'none' as const }, { query: MEDIUM }]) {
          for (const sort of ['created', 'updated'] as const) {
            const t0 = performance.now()
            let page = await callServed(serve, 'traces.list', { ...filter, sort, order: 'desc', limit: 100 })
            for (let k = 0; k < 10 && page.next; k++) page = await callServed(serve, 'traces.list', { ...filter, sort, order: 'desc', after: page.next, limit: 100 })
            await callServed(serve, 'traces.counts', filter)
            calls.push((performance.now() - t0) / 12)
            samples.push(rss())
          }
        }
        emit({ name: `RSS of serve on the ${n.toLocaleString('en')}-trace project after lists, counts and searches`, unit: 'MB', median: round(stats(samples).median), p95: round(Math.max(...samples)), n: samples.length, note: 'p95 is the max; goal < 500 MB' })
        emit({ name: 'traces.list / traces.counts over HTTP (serve), per call', unit: 'ms', ...stats(calls) })
      } finally {
        await serve.stop()
      }
    } else log('scale          out/main/cli.js missing: RSS of serve not measured (npx electron-vite build)')
  } finally {
    if (process.argv.includes('--keep') || reused) log(`scale          kept ${dir}`)
    else rmSync(dir, { recursive: true, force: true })
  }
}

/**
 * One export metric: the snapshot exported `runs` times in one format, each run into a new
 * folder and timed beside a plain copy of the files it wrote (data file + media). Returns the
 * last run's folder (the others and the copies are removed). Without `emit`, a warm-up.
 * `what` says more of the snapshot in the metric's name.
 */
async function exportMetric(project: Project, snapshot: Snapshot, variant: (typeof EXPORTS)[number], root: string, { runs, emit, what = '' }: { runs: number; emit?: (m: Metric) => void; what?: string }): Promise<string> {
  const rates: number[] = []
  const cpuRates: number[] = []
  const copies: number[] = []
  let out = ''
  let note = ''
  for (let k = 0; k < runs; k++) {
    if (out) rmSync(out, { recursive: true, force: true })
    out = join(root, `${variant.format}${variant.llamaFactoryMode ? `-${variant.llamaFactoryMode}` : ''}-${Date.now()}-${k}`)
    const t0 = performance.now()
    const cpu = process.cpuUsage()
    const result = await exportSnapshot(project, { snapshotId: snapshot.id, outDir: out, cropToolName: 'crop_image_normalized', llamaFactoryMode: 'text', ...variant })
    const used = process.cpuUsage(cpu)
    rates.push((snapshot.traceCount / (performance.now() - t0)) * 1000)
    // on a shared box the CPU an export used compares formats better than its wall time
    cpuRates.push((snapshot.traceCount / (used.user + used.system)) * 1e6)
    const copy = `${out}-copy`
    copies.push((snapshot.traceCount / timeSync(() => copyTree(out, copy))) * 1000)
    rmSync(copy, { recursive: true, force: true })
    note = `${result.records.toLocaleString('en')} rows written${variant.format === 'verl' ? ' (one per sample)' : ''}, ${variant.format === 'verl' ? 'images inside the parquet' : `${result.images} media files`}, ${(treeBytes(out) / 1e6).toFixed(1)} MB`
  }
  const mode = variant.llamaFactoryMode && variant.format === 'llamafactory' ? ` (${variant.llamaFactoryMode} mode)` : ''
  note += `; per CPU second (user+system): ${stats(cpuRates).median} records`
  emit?.({ name: `export of a ${snapshot.traceCount.toLocaleString('en')}-trace snapshot${what} to ${variant.format}${mode}`, unit: 'records/s', ...stats(rates), baseline: { name: 'copying the export’s files (data file + media)', ...stats(copies) }, note })
  return out
}

function treeBytes(path: string): number {
  const st = statSync(path)
  return st.isDirectory() ? readdirSync(path).reduce((sum, entry) => sum + treeBytes(join(path, entry)), 0) : st.size
}

function copyTree(from: string, to: string): void {
  mkdirSync(to, { recursive: true })
  for (const entry of readdirSync(from, { withFileTypes: true })) {
    if (entry.isDirectory()) copyTree(join(from, entry.name), join(to, entry.name))
    else copyFileSync(join(from, entry.name), join(to, entry.name))
  }
}

export default { name: 'scale', run } satisfies BenchSuite
