// The full-text index written off the insert path (issue 15, migration 016; text-index.ts): a
// search right after insertMany finds the new traces (a short tail is indexed first), a long tail
// is reported as pending until the catch-up reaches it, an edit of a trace in the tail is indexed
// once with its new text, the background catch-up runs by itself, and a process killed
// mid-catch-up leaves a mark the next open resumes from.
import { spawnSync } from 'node:child_process'
import { join } from 'node:path'
import { beforeAll, describe, expect, it } from 'vitest'
import { Project } from '../../src/main/project/project'
import { TEXT_CHUNK } from '../../src/main/traces/text-index'
import { traceRows, type TraceRows } from '../../src/main/traces/trace-rows'
import { addSampleData } from '../../src/main/project/sample-data'
import { catchUpTraces } from '../fixtures/text-catch-up-traces'
import { killAfterProgress } from '../helpers/kill-child'
import { assertBuilt, CLI } from '../helpers/serve-process'
import { tempDir } from '../helpers/temp'

const root = tempDir()
let project: Project
let sampleId = ''

/** Entries in the index (a contentless table still counts its rows) and traces, which must be equal once caught up. */
function entries(p: Project): { entries: number; traces: number } {
  return {
    entries: p.db.prepare<[], { n: number }>('SELECT count(*) AS n FROM traces_fts').get()!.n,
    traces: p.db.prepare<[], { n: number }>('SELECT count(*) AS n FROM traces').get()!.n
  }
}

/** The background catch-up's own signal: the tail is empty (one chunk per event-loop turn). */
async function caughtUp(p: Project): Promise<void> {
  for (let turns = 0; p.traces.text.pending() > 0; turns++) {
    if (turns > 10_000) throw new Error('the catch-up did not finish')
    await new Promise((r) => setImmediate(r))
  }
}

beforeAll(async () => {
  project = Project.create(join(root, 'text'))
  await addSampleData(project)
  sampleId = project.samples.list({ offset: 0, limit: 1 }).items[0]!.id
})

describe('deferred full-text index', () => {
  it('leaves new traces out of the insert and finds them in a search right after it', () => {
    project.traces.text.background = false
    const before = project.traces.text.indexedThrough()
    project.traces.insertMany(catchUpTraces(sampleId, 0, 300), 'test')
    expect(project.traces.text.pending()).toBe(300)
    expect(project.traces.text.indexedThrough()).toBe(before)
    // the search indexes the short tail first
    const page = project.traces.list({ query: 'uniq123', sort: 'created', order: 'asc', offset: 0, limit: 10 })
    expect(page.items.map((t) => t.id)).toEqual(['catch-123'])
    expect(page.pending).toBeUndefined()
    expect(project.traces.text.pending()).toBe(0)
    expect(project.traces.counts({ query: 'common' })).toMatchObject({ total: 300, estimate: false })
    expect(entries(project)).toEqual({ entries: entries(project).traces, traces: entries(project).traces })
  })

  it('reports a long tail as pending, indexes an edited trace of it once with its new text, and finds all after the catch-up', () => {
    project.traces.text.background = false
    project.traces.text.searchCatchUp = 100
    try {
      const ids = project.traces.insertMany(catchUpTraces(sampleId, 1000, 2500), 'test')
      // an edit in the tail: only its new text is indexed, by the catch-up
      const edited = project.traces.get(ids[7]!)
      project.traces.update(edited.id, { steps: [{ kind: 'thought', text: 'rewritten zebra' }, { kind: 'answer', text: '\\boxed{7}', boxed: '7' }] }, edited.revision, 'human', 'edit')
      const page = project.traces.list({ query: 'common', sort: 'created', order: 'desc', offset: 0, limit: 5 })
      expect(page.pending).toBe(2500)
      expect(page.total).toBe(300)
      expect(project.traces.counts({ query: 'common' })).toMatchObject({ total: 300, pending: 2500 })
      // a list without a search says nothing of it
      expect(project.traces.list({ sort: 'created', order: 'asc', offset: 0, limit: 1 }).pending).toBeUndefined()
      expect(project.traces.text.catchUp()).toBe(2000)
      expect(project.traces.text.pending()).toBe(500)
      expect(project.traces.text.drain()).toBe(500)
      expect(project.traces.counts({ query: 'common' })).toEqual({ total: 300 + 2499, byStatus: expect.any(Object), byOrigin: expect.any(Object), estimate: false })
      expect(project.traces.seqs({ query: 'zebra' }).map((t) => t.id)).toEqual([edited.id])
      expect(project.traces.count({ query: 'uniq1007' })).toBe(0)
      expect(project.traces.count({ query: 'uniq3499' })).toBe(1)
      // an edit of an indexed trace replaces its entry at once, as before
      const again = project.traces.get(edited.id)
      project.traces.update(again.id, { steps: [{ kind: 'thought', text: 'quokka' }, { kind: 'answer', text: '\\boxed{7}', boxed: '7' }] }, again.revision, 'human', 'edit')
      expect(project.traces.text.pending()).toBe(0)
      expect(project.traces.count({ query: 'zebra' })).toBe(0)
      expect(project.traces.count({ query: 'quokka' })).toBe(1)
      const { traces } = entries(project)
      expect(entries(project)).toEqual({ entries: traces, traces })
    } finally {
      project.traces.text.searchCatchUp = 10_000
    }
  })

  it('snapshots a search whole: the traces a page reports pending are indexed first', () => {
    project.traces.text.background = false
    project.traces.text.searchCatchUp = 100
    try {
      project.traces.insertMany(catchUpTraces(sampleId, 20_000, 2500), 'test')
      expect(project.traces.list({ query: 'uniq22499', sort: 'created', order: 'asc', offset: 0, limit: 5 })).toMatchObject({ total: 0, pending: 2500 })
      expect(project.snapshots.create('whole search', { query: 'uniq22499' }).traceCount).toBe(1)
      expect(project.traces.text.pending()).toBe(0)
      expect(project.traces.seqs({ query: 'uniq20000' }).map((t) => t.id)).toEqual(['catch-20000'])
    } finally {
      project.traces.text.searchCatchUp = 10_000
    }
  })

  it('writes the entries of rows that bring their text (an import) at once on a caught-up index, and leaves them to the catch-up behind a tail', () => {
    project.traces.text.background = false
    project.traces.text.drain()
    const rows = (from: number, count: number): TraceRows[] => catchUpTraces(sampleId, from, count).map(traceRows)
    project.traces.insertRows(rows(30_000, 700), 'test', 'import', { indexText: true })
    // indexed with the rows, the mark past them: nothing pending, each found once
    expect(project.traces.text.pending()).toBe(0)
    expect(project.traces.text.indexedThrough()).toBe(project.db.prepare<[], number>('SELECT max(seq) FROM traces').pluck().get())
    expect(project.traces.seqs({ query: 'uniq30699' }).map((t) => t.id)).toEqual(['catch-30699'])
    // behind a tail the catch-up has not reached, the rows' entries wait for it too (never indexed twice)
    project.traces.insertMany(catchUpTraces(sampleId, 31_000, 300), 'test')
    project.traces.insertRows(rows(32_000, 200), 'test', 'import', { indexText: true })
    expect(project.traces.text.pending()).toBe(500)
    project.traces.text.drain()
    const { traces } = entries(project)
    expect(entries(project)).toEqual({ entries: traces, traces })
    for (const i of [30_000, 31_299, 32_199]) expect(project.traces.seqs({ query: `uniq${i}` }).map((t) => t.id)).toEqual([`catch-${i}`])
  })

  it('catches up in the background after a write, one chunk per event-loop turn', async () => {
    project.traces.text.background = true
    project.traces.insertMany(catchUpTraces(sampleId, 5000, 4500), 'test')
    expect(project.traces.text.pending()).toBe(4500)
    await caughtUp(project)
    expect(project.traces.count({ query: 'uniq9499' })).toBe(1)
    const { traces } = entries(project)
    expect(entries(project)).toEqual({ entries: traces, traces })
  })

  it('resumes after a kill -9 mid-catch-up: the committed chunks stay, the killed one is redone, each trace indexed once', async () => {
    const dir = join(root, 'killed')
    await killAfterProgress('test/fixtures/text-catch-up-child.ts', [dir, '7000'], 4000)
    const reopened = Project.open(dir)
    try {
      // one chunk committed, the second rolled back with the process
      const first = reopened.db.prepare<[], { seq: number }>("SELECT seq FROM traces WHERE id = 'catch-0'").get()!.seq
      expect(reopened.traces.text.indexedThrough()).toBe(first + 2000 - 1)
      expect(reopened.traces.text.pending()).toBe(5000)
      // the open scheduled the rest
      await caughtUp(reopened)
      const { traces } = entries(reopened)
      expect(entries(reopened)).toEqual({ entries: traces, traces })
      for (const i of [0, 1999, 2000, 3999, 6999]) expect(reopened.traces.seqs({ query: `uniq${i}` }).map((t) => t.id)).toEqual([`catch-${i}`])
    } finally {
      reopened.close()
    }
  })

  it('leaves a project searchable after a CLI command: the tail is indexed before the process exits', async () => {
    assertBuilt()
    const dir = join(root, 'cli')
    const p = Project.create(dir)
    p.traces.text.background = false
    await addSampleData(p)
    const traces = entries(p).traces
    // more than a chunk: the command says what it is doing while it indexes
    const tail = TEXT_CHUNK * 2 + 300
    p.traces.insertMany(catchUpTraces(p.samples.list({ offset: 0, limit: 1 }).items[0]!.id, 0, tail), 'test')
    expect(p.traces.text.pending()).toBe(tail)
    p.close()
    const run = spawnSync(process.execPath, [CLI, '--home', join(root, 'cli-home'), '--project', dir, 'project', 'info', '--json'], { encoding: 'utf8' })
    expect(run.status, run.stderr).toBe(0)
    expect(run.stderr).toContain('traces indexed for search')
    expect(run.stderr).toContain(`${tail}/${tail} traces indexed for search`) // the last line: all of it
    const reopened = Project.open(dir)
    try {
      expect(reopened.traces.text.pending()).toBe(0)
      expect(entries(reopened)).toEqual({ entries: traces + tail, traces: traces + tail })
    } finally {
      reopened.close()
    }
  })
})
