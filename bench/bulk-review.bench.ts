// Bulk review at scale: one change to N traces (default 100,000; `npm run bench bulk-review --
// --traces=N`) through BulkChanges (set-based SQL, a revision per changed trace, one stored
// record), against the baseline of the same change made trace by trace with
// TraceRepository.update in one transaction (what a loop over the selection would do), measured
// on a tenth of the traces in the same run. The goal: 100k traces in <= 2 s, undo included. The
// WAL checkpoint each such write leaves runs afterwards in a worker thread: timed apart. Each
// step's CPU time (this process, user + system) is printed too: on a box shared with a training
// run, wall time mostly measures the wait for a core.
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import sharp from 'sharp'
import type { MediaRef } from '../src/shared/contract'
import type { Step } from '../src/shared/toolcall'
import { Project } from '../src/main/project/project'
import { seededRandom } from '../src/main/project/sample-data'
import type { NewTrace } from '../src/main/traces/trace-rows'
import { checkpointsSettled } from '../src/main/store/deferred-checkpoint'
import { sizeFlag, type BenchReporter, type BenchSuite, type Measurement } from './harness'

const SAMPLES = 1000
const SOURCES = 4
const WORDS = 'sign digit number box frame crop zoom left right top bottom corner small large red green blue white black square circle text label price clock'.split(' ')

async function run(r: BenchReporter): Promise<void> {
  const n = sizeFlag('traces', 100_000)
  const dir = mkdtempSync(join(tmpdir(), 'bulk-review-bench-'))
  console.log(`bulk-review    ${n.toLocaleString('en')} traces in ${dir}`)
  try {
    const project = Project.create(join(dir, 'project'))
    const rand = seededRandom(3)
    const words = (k: number): string => Array.from({ length: k }, () => WORDS[Math.floor(rand() * WORDS.length)]).join(' ')
    const image: MediaRef = await project.media.put(await sharp({ create: { width: 640, height: 480, channels: 3, background: '#335577' } }).png().toBuffer())
    const crop: MediaRef = await project.media.put(await sharp({ create: { width: 448, height: 336, channels: 3, background: '#775533' } }).png().toBuffer())
    for (let s = 0; s < SAMPLES; s++) {
      project.samples.insert({ id: `s-${s}`, kind: 'image', question: `What is near the ${words(3)}?`, answer: String(s % 10), answerType: 'number', source: `bench:src-${s % SOURCES}`, media: [image], cues: [] })
    }
    // a typical synthesized trace: a thought, a crop with its observation, a thought, the answer
    const traceOf = (i: number, prefix: string): NewTrace => {
      const answer = String(i % 10)
      const steps: Step[] = [
        { kind: 'thought', text: `${words(14)}. Now I will zoom in to look clearer at the ${words(2)}.` },
        { kind: 'crop', toolName: 'crop_image_normalized', targetImage: 1, bbox: [0.3, 0.3, 0.6, 0.6], bboxUnits: 'normalized' },
        { kind: 'observation', result: { type: 'crop', image: crop.hash, width: 448, height: 336 } },
        { kind: 'thought', text: words(10) },
        { kind: 'answer', text: `The ${words(4)} shows ${answer}. \\boxed{${answer}}`, boxed: answer }
      ]
      return { id: `${prefix}-${i}`, sampleId: `s-${i % SAMPLES}`, origin: 'synthesized', question: `What is near the ${words(3)}?`, steps, flags: i % 3 === 0 ? ['check:cue_miss'] : [] }
    }
    const insert = (count: number, prefix: string): void => {
      for (let start = 0; start < count; start += 10_000) {
        project.traces.insertMany(
          Array.from({ length: Math.min(10_000, count - start) }, (_, k) => traceOf(start + k, prefix)),
          'bench'
        )
      }
    }
    insert(n, 'bulk')
    const small = Math.max(1000, Math.floor(n / 10))
    insert(small, 'loop')

    // wall time as the harness measures it, and the CPU time of the same call
    const cpuMs = new Map<Measurement, number>()
    const time = async (label: string, fn: () => number): Promise<Measurement> => {
      const before = process.cpuUsage()
      const m = await r.time(label, fn)
      const used = process.cpuUsage(before)
      cpuMs.set(m, (used.user + used.system) / 1000)
      return m
    }
    // the loop baseline: the loop traces accepted one by one (read, check revision, write, index)
    const loopIds = Array.from({ length: small }, (_, i) => `loop-${i}`)
    const loop = await time(`accept ${small.toLocaleString('en')} traces one by one (update per trace, one transaction)`, () => {
      project.db.transaction(() => {
        for (const id of loopIds) project.traces.update(id, { status: 'accepted' }, 1, 'bench', 'accept')
      })()
      return small
    })
    // the bulk: every unreviewed trace (the n bulk traces; the loop ones are accepted now)
    const accept = await time(`traces.bulk accept ${n.toLocaleString('en')} traces (filter: status unreviewed)`, () => project.bulk.apply({ status: ['unreviewed'] }, { type: 'status', status: 'accepted' }, { expectedCount: n, author: 'bench' }).changed)
    r.compare(accept, loop)
    const settle = async (label: string): Promise<void> => {
      r.note(await r.time(`${label}: background WAL checkpoint after it (worker thread)`, async () => ((await checkpointsSettled()).every((c) => c.ok) ? 1 : 0)))
    }
    await settle('accept')
    const change = project.bulk.list(1)[0]
    if (!change || change.changed !== n) throw new Error(`the bulk changed ${change?.changed} traces, not ${n}`)
    const undo = await time(`undo that bulk change (${n.toLocaleString('en')} traces back)`, () => {
      project.bulk.revert(change.id, 'undo', 'bench')
      return n
    })
    r.compare(undo, loop)
    await settle('undo')
    if (project.traces.count({ status: ['unreviewed'] }) !== n) throw new Error('undo did not bring every trace back')
    const flag = await time(`traces.bulk add a flag to ${n.toLocaleString('en')} traces`, () => project.bulk.apply({ status: ['unreviewed'] }, { type: 'addFlag', flag: 'reviewed:batch-1' }, { author: 'bench' }).changed)
    r.compare(flag, loop)
    await settle('add flag')
    if (project.traces.count({ flag: 'reviewed:batch-1' }) !== n) throw new Error('the flag filter does not count every flagged trace')
    const loopCpu = cpuMs.get(loop) ?? 0
    console.log(`bulk-review    loop baseline: ${small.toLocaleString('en')} traces, CPU ${(loopCpu / 1000).toFixed(2)} s`)
    for (const [label, m] of [['accept', accept], ['undo', undo], ['add flag', flag]] as const) {
      const cpu = cpuMs.get(m) ?? 0
      const cpuRatio = loopCpu / small / (cpu / n)
      console.log(
        `bulk-review    ${label}: ${n.toLocaleString('en')} traces in ${(m.ms / 1000).toFixed(2)} s, CPU ${(cpu / 1000).toFixed(2)} s (${cpuRatio.toFixed(2)}x the loop per trace) (goal <= 2 s at 100k: ${m.ms <= 2000 * (n / 100_000) ? 'met' : 'NOT met'})`
      )
    }
  } finally {
    if (!process.argv.includes('--keep')) rmSync(dir, { recursive: true, force: true })
  }
}

const suite: BenchSuite = { name: 'bulk-review', run }
export default suite
