// The trace store at scale: N traces (default 1,000,000; `npm run bench trace-store -- --traces=N`
// or TRACE_BENCH_TRACES; `--keep` keeps the temp project) generated in a temp project from a few real images, in big transactions.
// Each operation is printed beside a baseline measured in the same run on the same data: the same
// traces written as one JSONL file and scanned line by line (JSON.parse per line; substring
// search for words), which is what a folder of JSONL files gives you without a store.
//   insert (generate)        vs writing the same traces as JSONL
//   filtered list page       (status + operation + source, with its total) vs a JSONL scan
//   FTS query                (a word in 1 of 2000 traces) vs a JSONL substring scan
//   open one trace           (traces.get) vs a JSONL scan to that id
//   export TRL               (snapshot of a slice) vs a JSONL copy of the same traces
//   import TRL               (that export into a new project) vs reading + parsing it
import { createReadStream, createWriteStream, mkdtempSync, rmSync, statSync } from 'node:fs'
import { once } from 'node:events'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createInterface } from 'node:readline'
import type { TraceOrigin, TraceStatus } from '../src/shared/contract'
import type { Step } from '../src/shared/toolcall'
import { exportSnapshot } from '../src/main/export/snapshot-export'
import { importTraces } from '../src/main/import/trace-import'
import { Project } from '../src/main/project/project'
import { seededRandom } from '../src/main/project/sample-data'
import type { NewTrace } from '../src/main/traces/trace-rows'
import { benchMedia } from './bench-media'
import type { BenchReporter, BenchSuite, Measurement } from './harness'

const DEFAULT_TRACES = 1_000_000
const SAMPLES = 2000
const SOURCES = 5
const BATCH = 10_000
const RARE = 'zephyr' // in 1 of 2000 traces
const WORDS = 'sign digit number box frame crop zoom left right top bottom corner small large red green blue white black square circle text label price clock window door car tree person table shelf screen board paper card coin ball cup book map logo arrow line edge center middle shadow light dark bright blurry sharp clear tiny huge near far above below'.split(' ')
const STATUSES: TraceStatus[] = ['unreviewed', 'unreviewed', 'accepted', 'accepted', 'rejected', 'needs_fix']
const ORIGINS: TraceOrigin[] = ['synthesized', 'synthesized', 'synthesized', 'human', 'inference', 'rollout']

function sizeFromArgs(): number {
  const flag = process.argv.find((a) => a.startsWith('--traces='))?.split('=')[1] ?? process.env.TRACE_BENCH_TRACES
  const n = flag === undefined ? DEFAULT_TRACES : Number(flag)
  if (!Number.isInteger(n) || n < 1000) throw new Error(`--traces must be a whole number >= 1000, got ${flag}`)
  return n
}


interface BaselineRow {
  id: string
  sampleId: string
  source: string
  status: TraceStatus
  origin: TraceOrigin
  question: string
  steps: Step[]
  answer: string | null
}

async function* lines(file: string): AsyncGenerator<string> {
  yield* createInterface({ input: createReadStream(file, { encoding: 'utf8', highWaterMark: 1 << 20 }), crlfDelay: Infinity })
}

async function run(r: BenchReporter): Promise<void> {
  const n = sizeFromArgs()
  const dir = mkdtempSync(join(tmpdir(), 'trace-store-bench-'))
  console.log(`trace-store    ${n.toLocaleString('en')} traces in ${dir}`)
  try {
    const project = Project.create(join(dir, 'project'))
    const rand = seededRandom(7)
    const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)] as T
    const words = (k: number): string => Array.from({ length: k }, () => pick(WORDS)).join(' ')

    const { originals, frames, crops } = await benchMedia(project)
    const samples: Array<{ id: string; source: string; video: boolean }> = []
    for (let s = 0; s < SAMPLES; s++) {
      const video = s % 10 === 9
      const sample = { id: `bench-${s}`, source: `bench:src-${s % SOURCES}`, video }
      project.samples.insert({
        id: sample.id,
        kind: video ? 'video' : 'image',
        question: `What is shown near the ${words(3)}?`,
        answer: String(s % 10),
        answerType: 'number',
        source: sample.source,
        media: video ? frames : [pick(originals)],
        cues: []
      })
      samples.push(sample)
    }

    const traceOf = (i: number): { trace: NewTrace; row: BaselineRow } => {
      const sample = samples[i % SAMPLES]!
      const answer = String(Math.floor(rand() * 10))
      const thought = `${words(12)}${i % 2000 === 0 ? ` ${RARE}` : ''}. Now I will zoom in to look clearer at the ${words(2)}.`
      const final: Step = { kind: 'answer', text: `The ${words(4)} shows ${answer}. \\boxed{${answer}}`, boxed: answer }
      const crop = (bbox: [number, number, number, number], wrongLook = false): Step[] => [
        { kind: 'crop', toolName: 'crop_image_normalized', targetImage: 1, bbox, bboxUnits: 'normalized', ...(wrongLook ? { wrongLook } : {}) },
        { kind: 'observation', result: { type: 'crop', image: pick(crops).hash, width: 448, height: 336 } }
      ]
      const shape = rand()
      let steps: Step[]
      if (sample.video) {
        const f = 1 + Math.floor(rand() * 12)
        steps = [{ kind: 'thought', text: thought }, { kind: 'select_frames', frames: [f, f + 1, f + 2] }, { kind: 'observation', result: { type: 'frames', images: [frames[f - 1]!.hash, frames[f]!.hash, frames[f + 1]!.hash], width: 160, height: 120, first: 1, last: 3 } }, final]
      } else if (shape < 0.3) steps = [final]
      else if (shape < 0.75) steps = [{ kind: 'thought', text: thought }, ...crop([0.3, 0.3, 0.6, 0.6]), final]
      else steps = [{ kind: 'thought', text: thought }, ...crop([0, 0, 0.2, 0.2], true), { kind: 'thought', text: words(8) }, ...crop([0.4, 0.4, 0.7, 0.7]), final]
      const status = pick(STATUSES)
      const origin = pick(ORIGINS)
      const question = `What is shown near the ${words(3)}?`
      const id = `t-${i}`
      return { trace: { id, sampleId: sample.id, origin, question, steps, status }, row: { id, sampleId: sample.id, source: sample.source, status, origin, question, steps, answer } }
    }

    // ---------------------------------------------------------------- generate
    const jsonl = join(dir, 'traces.jsonl')
    const out = createWriteStream(jsonl)
    let insertMs = 0
    let writeMs = 0
    for (let start = 0; start < n; start += BATCH) {
      const batch = Array.from({ length: Math.min(BATCH, n - start) }, (_, k) => traceOf(start + k))
      let t = performance.now()
      project.traces.insertMany(
        batch.map((b) => b.trace),
        'bench'
      )
      insertMs += performance.now() - t
      t = performance.now()
      if (!out.write(batch.map((b) => JSON.stringify(b.row)).join('\n') + '\n')) await once(out, 'drain')
      writeMs += performance.now() - t
      if ((start / BATCH) % 20 === 19) process.stderr.write(`\r  generated ${start + BATCH} traces`)
    }
    out.end()
    await once(out, 'close')
    process.stderr.write('\n')
    r.compare({ label: 'insert traces (insertMany, 10k per transaction)', units: n, ms: insertMs }, { label: 'write the same traces as JSONL', units: n, ms: writeMs })
    console.log(`trace-store    project.sqlite ${(statSync(join(dir, 'project', 'project.sqlite')).size / 1e9).toFixed(2)} GB, traces.jsonl ${(statSync(jsonl).size / 1e9).toFixed(2)} GB`)

    // ---------------------------------------------------------------- filtered list page
    const filter = { status: ['accepted' as const], operation: 'crop' as const, source: 'bench:src-2' }
    const pages = 5
    let total = 0
    const listed = await r.time(`list page of 100 (status+operation+source, with total)`, () => {
      for (let p = 0; p < pages; p++) total = project.traces.list({ ...filter, offset: p * 100, limit: 100, sort: 'created', order: 'asc' }).total
      return pages
    })
    const scanList = await r.time('JSONL scan: same filter, first 100 + total', async () => {
      let matches = 0
      for await (const line of lines(jsonl)) {
        const row = JSON.parse(line) as BaselineRow
        if (row.status === 'accepted' && row.source === filter.source && row.steps.some((s) => s.kind === 'crop')) matches++
      }
      if (matches !== total) throw new Error(`baseline found ${matches} matches, the store ${total}`)
      return 1
    })
    r.compare(listed, scanList)

    // ---------------------------------------------------------------- FTS
    let hits = 0
    const fts = await r.time(`FTS "${RARE}" (page of 100 + total)`, () => {
      for (let k = 0; k < 5; k++) hits = project.traces.list({ query: RARE, offset: 0, limit: 100, sort: 'created', order: 'asc' }).total
      return 5
    })
    const scanFts = await r.time('JSONL scan: substring search', async () => {
      let found = 0
      for await (const line of lines(jsonl)) if (line.includes(RARE)) found++
      if (found !== hits) throw new Error(`baseline found ${found}, FTS ${hits}`)
      return 1
    })
    r.compare(fts, scanFts)

    // ---------------------------------------------------------------- open one trace
    const ids = Array.from({ length: 1000 }, () => `t-${Math.floor(rand() * n)}`)
    const opened = await r.time('traces.get (random id)', () => {
      for (const id of ids) project.traces.get(id)
      return ids.length
    })
    const scanGet = await r.time('JSONL scan to a random id', async () => {
      for (const id of ids.slice(0, 3)) {
        const needle = `{"id":"${id}",`
        for await (const line of lines(jsonl)) {
          if (line.startsWith(needle)) {
            JSON.parse(line)
            break
          }
        }
      }
      return 3
    })
    r.compare(opened, scanGet)

    // ---------------------------------------------------------------- export TRL
    const slice = { status: ['accepted' as const], source: 'bench:src-0' }
    let snapshotId = ''
    r.note(
      await r.time('snapshot create (accepted, src-0)', () => {
        const s = project.snapshots.create('bench', slice)
        snapshotId = s.id
        return s.traceCount
      })
    )
    const k = project.snapshots.get(snapshotId).traceCount
    const exportDir = join(dir, 'export')
    const exported = await r.time(`export TRL (${k.toLocaleString('en')} traces, crops as files)`, async () => {
      const result = await exportSnapshot(project, { snapshotId, format: 'trl', outDir: exportDir, cropToolName: 'crop_image_normalized', llamaFactoryMode: 'text' })
      return result.records
    })
    const copyFile = join(dir, 'copy.jsonl')
    const copied = await r.time('JSONL copy of the same traces (parse, filter, write)', async () => {
      const copy = createWriteStream(copyFile)
      let count = 0
      for await (const line of lines(jsonl)) {
        const row = JSON.parse(line) as BaselineRow
        if (row.status !== 'accepted' || row.source !== slice.source) continue
        if (!copy.write(`${JSON.stringify(row)}\n`)) await once(copy, 'drain')
        count++
      }
      copy.end()
      await once(copy, 'close')
      if (count !== k) throw new Error(`baseline copied ${count}, the snapshot holds ${k}`)
      return count
    })
    r.compare(exported, copied)

    // ---------------------------------------------------------------- import TRL
    const target = Project.create(join(dir, 'imported'))
    const file = join(exportDir, 'bench.jsonl')
    const imported = await r.time(`import TRL (${k.toLocaleString('en')} records: codec parse, media, 1 transaction each)`, async () => {
      const result = await importTraces(target, 'trl', file)
      if (result.skipped.length > 0) throw new Error(`import skipped ${result.skipped.length}: ${result.skipped[0]?.message}`)
      return result.imported
    })
    const parsed: Measurement = await r.time('read + JSON.parse the same TRL file', async () => {
      let count = 0
      for await (const line of lines(file)) {
        JSON.parse(line)
        count++
      }
      return count
    })
    r.compare(imported, parsed)
    target.close()
    project.close()
  } finally {
    // --keep leaves the project for query-plan work (EXPLAIN QUERY PLAN on real data)
    if (process.argv.includes('--keep')) console.log(`trace-store    kept ${dir}`)
    else rmSync(dir, { recursive: true, force: true })
  }
}

export default { name: 'trace-store', run } satisfies BenchSuite
