// The review screen's write path against the real contract (Studio + SQLite through the
// in-memory transport every front door shares): one undo stack across traces backed by the
// store's revisions, conflicts when a trace changed elsewhere, and the offset pages of the list.
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { Studio } from '../../src/main/app/studio'
import { inMemoryTransport } from '../../src/main/rpc/in-memory'
import { StudioClient } from '../../src/shared/contract/client'
import type { SessionEvent } from '../../src/renderer/src/features/traces/review-session'
import { ReviewSession } from '../../src/renderer/src/features/traces/review-session'
import { arrivedTrace, readAhead, reviewScope, sampleOf, traceOf } from '../../src/renderer/src/features/traces/review-scope'
import { PAGE_SIZE, TracePages, type PageStart } from '../../src/renderer/src/features/traces/trace-pages'
import { UndoHistory } from '../../src/renderer/src/features/traces/undo-history'
import { tempDir } from '../helpers/temp'

const root = tempDir()

async function studioWithTraces(name: string, count: number): Promise<{ studio: Studio; client: StudioClient; ids: string[] }> {
  const studio = new Studio({ home: join(root, name, 'home'), log: () => {} })
  const client = new StudioClient(inMemoryTransport(studio.dispatcher))
  await client.call('project.create', { path: join(root, name, 'p'), withSampleData: true })
  const ids: string[] = []
  for (let i = 0; i < count; i++) {
    const t = await client.call('traces.create', { sampleId: 'sample-img-001', origin: 'synthesized', flags: ['session-test'], steps: [{ kind: 'thought', text: `trace ${i}` }, { kind: 'answer', text: '\\boxed{1}', boxed: '1' }] })
    ids.push(t.id)
  }
  return { studio, client, ids }
}

describe('undo history', () => {
  it('a new action clears redo; dropping a trace removes only its entries', () => {
    const h = new UndoHistory()
    h.record({ kind: 'trace', traceId: 'a', label: 'accept', before: 1, after: 2 })
    h.record({ kind: 'trace', traceId: 'b', label: 'reject', before: 1, after: 2 })
    h.undid()
    expect(h.nextRedo()).toMatchObject({ traceId: 'b' })
    h.record({ kind: 'trace', traceId: 'a', label: 'edit', before: 2, after: 3 })
    expect(h.canRedo).toBe(false)
    h.dropTrace('a')
    expect(h.canUndo).toBe(false)
  })
})

describe('review session over the contract', () => {
  it('undoes and redoes across traces in order, status changes included, as new revisions', async () => {
    const { studio, client, ids } = await studioWithTraces('undo', 2)
    const [a, b] = ids as [string, string]
    const session = new ReviewSession(client)
    // accept a, then (auto-advance) accept b, then edit b; nothing awaited, as fast keys do
    const writes = [
      session.update(a, { status: 'accepted' }, 'accept'),
      session.update(b, { status: 'accepted' }, 'accept'),
      session.update(b, { steps: [{ kind: 'thought', text: 'edited' }, { kind: 'answer', text: '\\boxed{1}', boxed: '1' }] }, 'edit thought 1')
    ]
    // an undo pressed before those land undoes the LAST of them
    const undone = await session.undo()
    await Promise.all(writes)
    expect(undone?.id).toBe(b)
    const bNow = await client.call('traces.get', { id: b })
    expect(bNow.steps[0]).toEqual({ kind: 'thought', text: 'trace 1' })
    expect(bNow.status).toBe('accepted')
    expect((await session.undo())?.id).toBe(b)
    expect((await client.call('traces.get', { id: b })).status).toBe('unreviewed')
    expect((await session.undo())?.id).toBe(a) // one stack across traces
    expect((await client.call('traces.get', { id: a })).status).toBe('unreviewed')
    expect(await session.undo()).toBeNull() // nothing left
    expect((await session.redo())?.id).toBe(a)
    expect((await client.call('traces.get', { id: a })).status).toBe('accepted')
    const history = (await client.call('traces.revisions', { id: a })).map((r) => r.action)
    expect(history).toEqual(['create', 'accept', 'undo to r1', 'redo to r2']) // the store's history only grows
    studio.close()
  })

  it('a write against a revision changed elsewhere is a conflict: nothing written, history of that trace dropped', async () => {
    const { studio, client, ids } = await studioWithTraces('conflict', 2)
    const [a, b] = ids as [string, string]
    const session = new ReviewSession(client)
    const events: SessionEvent[] = []
    session.subscribe((e) => events.push(e))
    session.loaded(await client.call('traces.get', { id: a }))
    await session.update(b, { status: 'rejected' }, 'reject')
    await session.update(a, { status: 'accepted' }, 'accept')
    // someone else edits a
    await client.call('traces.update', { id: a, expectedRevision: 2, status: 'needs_fix', author: 'other' })
    expect(await session.update(a, { status: 'rejected' }, 'reject')).toBeNull()
    const conflict = events.find((e) => e.type === 'conflict')
    expect(conflict).toMatchObject({ type: 'conflict', traceId: a })
    expect((await client.call('traces.get', { id: a })).status).toBe('needs_fix') // theirs kept
    expect(session.history.nextUndo()).toMatchObject({ kind: 'trace', traceId: b }) // a's entries are gone, b's remain
    expect((await session.undo())?.id).toBe(b)
    // an external change seen through a change event also clears that trace's history
    await session.update(b, { status: 'accepted' }, 'accept')
    const theirs = await client.call('traces.update', { id: b, expectedRevision: (await client.call('traces.get', { id: b })).revision, status: 'rejected', author: 'other' })
    expect(session.external(theirs)).toBe(true)
    expect(session.history.canUndo).toBe(false)
    expect(session.external(theirs)).toBe(false) // seen already
    studio.close()
  })
})

describe('bulk changes and sample edits in the session', () => {
  it('a bulk change is one history entry: undo reverts every trace, between single edits in order', async () => {
    const { studio, client, ids } = await studioWithTraces('bulk', 4)
    const [a] = ids as [string]
    const session = new ReviewSession(client)
    const events: SessionEvent[] = []
    session.subscribe((e) => events.push(e))
    await session.update(a, { status: 'rejected' }, 'reject') // a single edit first
    const change = await session.bulk({ filter: { flag: 'session-test' }, action: { type: 'status', status: 'accepted' }, expectedCount: 4 })
    expect(change).toMatchObject({ selected: 4, changed: 4 })
    expect(session.history.nextUndo()).toEqual({ kind: 'bulk', bulkId: change?.id, label: 'accept 4 traces' })
    expect(events.some((e) => e.type === 'bulk' && e.action === 'apply')).toBe(true)
    await session.undo()
    expect((await client.call('traces.counts', { flag: 'session-test' })).byStatus).toMatchObject({ rejected: 1, unreviewed: 3 })
    // the single edit before it still undoes, though a's revision moved twice since (refetched)
    expect((await session.undo())?.id).toBe(a)
    expect((await client.call('traces.counts', { flag: 'session-test' })).byStatus).toMatchObject({ unreviewed: 4 })
    await session.redo()
    await session.redo()
    expect((await client.call('traces.counts', { flag: 'session-test' })).byStatus).toMatchObject({ accepted: 4 })
    // a stale count is refused: nothing written, the failure reported, the history unchanged
    expect(await session.bulk({ filter: { flag: 'session-test' }, action: { type: 'status', status: 'rejected' }, expectedCount: 3 })).toBeNull()
    expect(events.at(-2)).toMatchObject({ type: 'bulkFailed', message: expect.stringMatching(/matches 4 traces, not the 3/) })
    expect(session.history.nextUndo()?.kind).toBe('bulk')
    // after a reload (a new session) the stored change undoes from its record
    const fresh = new ReviewSession(client)
    await fresh.revertBulk(change?.id as string, 'undo')
    expect((await client.call('traces.counts', { flag: 'session-test' })).byStatus).toMatchObject({ rejected: 1, unreviewed: 3 })
    studio.close()
  })

  it('a gold answer edit is undoable and the trace read back checks against the new gold', async () => {
    const { studio, client, ids } = await studioWithTraces('sample', 1)
    const [a] = ids as [string]
    const session = new ReviewSession(client)
    const sample = await client.call('samples.get', { id: 'sample-img-001' })
    const edited = await session.updateSample(sample, a, { answer: '77' }, 'gold → 77')
    expect(edited).toMatchObject({ id: a, gold: '77' })
    expect(edited?.warnings.map((w) => w.code)).toContain('answer_mismatch')
    expect(session.history.nextUndo()).toMatchObject({ kind: 'sample', sampleId: sample.id, before: 1, after: 2 })
    const undone = await session.undo()
    expect(undone?.gold).toBe(sample.answer)
    expect((await client.call('samples.get', { id: sample.id })).revision).toBe(3)
    const redone = await session.redo()
    expect(redone?.gold).toBe('77')
    studio.close()
  })
})

describe('trace pages', () => {
  it('fetches only the pages around the visible rows, refreshes in place and drops answers to an old filter', async () => {
    const { studio, client } = await studioWithTraces('pages', 3 * PAGE_SIZE + 10)
    const asked: PageStart[] = []
    const fetcher = (filter: { status?: ['accepted'] }) => (start: PageStart, limit: number) => {
      asked.push(start)
      return client.call('traces.list', { flag: 'session-test', ...filter, ...start, limit })
    }
    const pages = new TracePages(fetcher({}))
    pages.want(0, 15)
    await Promise.all([pages.load(0), pages.load(PAGE_SIZE)]) // both in flight already: no new requests
    expect(pages.total).toBe(3 * PAGE_SIZE + 10)
    // the visible page and one neighbour, both asked before either arrived: by offset
    expect(asked.map((a) => ('offset' in a ? a.offset : -1)).sort((x, y) => x - y)).toEqual([0, PAGE_SIZE])
    // the next page, beside a loaded one: by its cursor, with the rows an offset gives
    const third = await pages.load(2 * PAGE_SIZE)
    expect(asked.at(-1)).toHaveProperty('after')
    const byOffset = await client.call('traces.list', { flag: 'session-test', offset: 2 * PAGE_SIZE, limit: PAGE_SIZE })
    expect(third?.id).toBe(byOffset.items[0]?.id)
    expect(pages.row(3 * PAGE_SIZE - 1)?.id).toBe(byOffset.items.at(-1)?.id)
    expect(pages.row(5)?.question).toBeDefined()
    const far = await pages.load(3 * PAGE_SIZE + 9)
    expect(far).toBeDefined()
    expect(pages.indexOf(far?.id ?? '')).toBe(3 * PAGE_SIZE + 9)

    // a new filter while a page of the old one is still on its way: the late answer is dropped
    let release: () => void = () => {}
    const gate = new Promise<void>((r) => (release = r))
    let late: Promise<unknown> = Promise.resolve()
    const slow = new TracePages((start, limit) => {
      const call = gate.then(() => client.call('traces.list', { flag: 'session-test', ...start, limit }))
      late = call
      return call
    })
    slow.want(0, 15)
    slow.reset(fetcher({ status: ['accepted'] }))
    await slow.load(0)
    expect(slow.total).toBe(0) // the new filter answered
    release()
    await late
    await new Promise((r) => setTimeout(r, 0)) // past the page's own continuation
    expect(slow.total).toBe(0) // the old answer came later and was ignored
    expect(slow.row(0)).toBeUndefined()
    studio.close()
  })

  it('carries how many traces a search does not find yet (a bulk insert still being indexed), and none once caught up', async () => {
    const { studio, client } = await studioWithTraces('pending', 4)
    const text = studio.project.traces.text
    text.background = false
    text.searchCatchUp = 0 // every tail counts as long: reported, not indexed by the search
    const before = text.pending()
    for (let i = 0; i < 3; i++) await client.call('traces.create', { sampleId: 'sample-img-001', origin: 'synthesized', flags: ['session-test'], steps: [{ kind: 'thought', text: 'late wombat' }, { kind: 'answer', text: '\\boxed{2}', boxed: '2' }] })
    const pages = new TracePages((start, limit) => client.call('traces.list', { query: 'wombat', ...start, limit }))
    pages.want(0, 15)
    await pages.load(0)
    expect(pages).toMatchObject({ total: 0, pending: before + 3 })
    text.drain()
    pages.refresh()
    await pages.loaded()
    expect(pages).toMatchObject({ total: 3, pending: 0 })
    pages.reset((start, limit) => client.call('traces.list', { ...start, limit }))
    expect(pages.pending).toBe(0)
    studio.close()
  })

  it('says when a page of the current query and data has arrived (what the filter counts wait for)', async () => {
    const { studio, client } = await studioWithTraces('loaded', 5)
    let release: () => void = () => {}
    let gate = new Promise<void>((r) => (release = r))
    const pages = new TracePages((start, limit) => gate.then(() => client.call('traces.list', { flag: 'session-test', ...start, limit })))
    const settled = (): Promise<boolean> => {
      let done = false
      void pages.loaded().then(() => (done = true))
      return new Promise((r) => setTimeout(() => r(done), 0)) // past every continuation that could resolve it
    }
    pages.want(0, 15)
    expect(await settled()).toBe(false) // its page is held back
    release()
    await pages.loaded()
    expect(pages.total).toBe(5) // resolved once the rows were there
    expect(await settled()).toBe(true)

    // changed data: loaded() waits for the refreshed page, not the one on screen
    await client.call('traces.create', { sampleId: 'sample-img-001', origin: 'human', flags: ['session-test'], steps: [{ kind: 'answer', text: '\\boxed{1}', boxed: '1' }] })
    gate = new Promise<void>((r) => (release = r))
    pages.refresh()
    expect(await settled()).toBe(false)
    release()
    await pages.loaded()
    expect(pages.total).toBe(6)

    // a new query: the same, for its first page
    gate = new Promise<void>((r) => (release = r))
    pages.reset((start, limit) => gate.then(() => client.call('traces.list', { flag: 'session-test', origin: ['human'], ...start, limit })))
    expect(await settled()).toBe(false)
    release()
    await pages.loaded()
    expect(pages.total).toBe(1)
    studio.close()
  })

  it('reads the next trace ahead until a change names it, and never while our own write to it is queued', async () => {
    const { studio, client, ids } = await studioWithTraces('ahead', 3)
    const [a, b] = ids as [string, string]
    const scope = reviewScope(join(root, 'ahead', 'p'), client)
    const first = await readAhead(scope, a)
    await sampleOf(scope, first.sampleId)
    // arrived: the editor opens it in its first render, from the same object
    expect(arrivedTrace(scope, a)?.trace).toBe(first)
    expect(await traceOf(scope, a)).toBe(first)
    // changed elsewhere (another client): the event drops it, the next open reads it afresh
    const changed = new Promise<void>((resolve) => client.on('traces.changed', (e) => e.ids?.includes(a) && resolve()))
    const other = new StudioClient(inMemoryTransport(studio.dispatcher))
    await other.call('traces.update', { id: a, expectedRevision: 1, status: 'rejected', action: 'reject' })
    await changed
    expect(arrivedTrace(scope, a)).toBeNull()
    expect(await traceOf(scope, a)).toMatchObject({ revision: 2, status: 'rejected' })
    // our own write queued: what was read ahead is older than what it will return, so it is not used
    const ahead = await readAhead(scope, b)
    const saving = scope.session.update(b, { status: 'accepted' }, 'accept')
    expect(arrivedTrace(scope, b)).toBeNull()
    expect(await traceOf(scope, b)).not.toBe(ahead)
    // once it landed, its change event dropped whatever was read meanwhile
    await saving
    expect(arrivedTrace(scope, b)).toBeNull()
    expect(await traceOf(scope, b)).toMatchObject({ revision: 2, status: 'accepted' })
    studio.close()
  })
})
