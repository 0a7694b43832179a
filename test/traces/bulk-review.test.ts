// Review at scale through the contract, on the real sample project (SQLite file, synthesized
// traces): bulk changes over a filter or ids as one undoable record, comments found by search,
// sample edits as revisions that move the traces' answer check, and the seeded snapshot split.
import { describe, expect, it } from 'vitest'
import type { TraceFilter } from '../../src/shared/contract'
import { validationIds, type SplitCandidate } from '../../src/main/traces/snapshot-split'
import { defaultStudio } from '../helpers/default-studio'
import { rejection } from '../helpers/rejection'
import { tempDir } from '../helpers/temp'

const root = tempDir()
const ctx = defaultStudio(root)

async function statuses(filter: TraceFilter): Promise<Record<string, number>> {
  return (await ctx.client.call('traces.counts', filter)).byStatus
}

describe('bulk changes', () => {
  it('accepts every trace of a filter as one record, undone and redone as one step, after a reload too', async () => {
    const { client, studio } = ctx
    const all = await client.call('traces.counts', {})
    expect(all.total).toBeGreaterThan(10)
    const page = await client.call('traces.list', { limit: 3 })
    const [first, second, third] = page.items
    if (!first || !second || !third) throw new Error('the sample project has traces')
    // one already accepted: the bulk leaves it (no revision) and counts it as selected only
    const pre = await client.call('traces.update', { id: first.id, expectedRevision: first.revision, status: 'accepted', action: 'accept' })

    // the count the person confirmed no longer matches: nothing is written
    const stale = await rejection(client.call('traces.bulk', { filter: {}, action: { type: 'status', status: 'accepted' }, expectedCount: all.total + 1 }))
    expect(stale.code).toBe('conflict')
    expect((await statuses({})).accepted).toBe(1)

    const bulk = await client.call('traces.bulk', { filter: {}, action: { type: 'status', status: 'accepted' }, expectedCount: all.total })
    expect(bulk).toMatchObject({ selected: all.total, changed: all.total - 1, state: 'applied', skipped: 0, label: `accept ${all.total} traces` })
    expect(await statuses({})).toMatchObject({ accepted: all.total, unreviewed: 0 })
    expect((await client.call('traces.get', { id: first.id })).revision).toBe(pre.revision)
    const accepted = await client.call('traces.get', { id: second.id })
    expect(accepted).toMatchObject({ status: 'accepted', revision: second.revision + 1 })
    const history = await client.call('traces.revisions', { id: second.id })
    expect(history.at(-1)).toMatchObject({ author: 'human', action: `bulk: accept ${all.total} traces`, state: { status: 'accepted', steps: accepted.steps } })

    // someone edits one trace after the bulk: undo leaves it as it is and says so
    await client.call('traces.update', { id: third.id, expectedRevision: third.revision + 1, status: 'rejected', action: 'reject' })

    // a new studio on the same project (a reload): the record is there and undoes
    studio.close()
    await studio.openDefault()
    const [latest] = await client.call('traces.bulkChanges', {})
    expect(latest?.id).toBe(bulk.id)
    const undone = await client.call('traces.bulkUndo', { id: bulk.id, action: 'undo' })
    expect(undone).toMatchObject({ state: 'undone', skipped: 1 })
    expect(await statuses({})).toMatchObject({ accepted: 1, rejected: 1, unreviewed: all.total - 2 })
    expect(await client.call('traces.get', { id: second.id })).toMatchObject({ status: 'unreviewed', revision: second.revision + 2 })
    expect((await client.call('traces.get', { id: third.id })).status).toBe('rejected')
    expect(await rejection(client.call('traces.bulkUndo', { id: bulk.id, action: 'undo' }))).toMatchObject({ code: 'conflict' })

    const redone = await client.call('traces.bulkUndo', { id: bulk.id, action: 'redo' })
    expect(redone).toMatchObject({ state: 'applied', skipped: 1 })
    expect(await statuses({})).toMatchObject({ accepted: all.total - 1, rejected: 1 })
    // put the project back for the next tests
    await client.call('traces.bulkUndo', { id: bulk.id, action: 'undo' })
  })

  it('adds and removes a flag on a multi-selection, keeping the flag filter exact', async () => {
    const { client } = ctx
    const page = await client.call('traces.list', { limit: 5 })
    const ids = page.items.map((t) => t.id)
    const added = await client.call('traces.bulk', { filter: { ids }, action: { type: 'addFlag', flag: 'blurry' }, expectedCount: 5 })
    expect(added).toMatchObject({ selected: 5, changed: 5 })
    expect((await client.call('traces.counts', { flag: 'blurry' })).total).toBe(5)
    const trace = await client.call('traces.get', { id: ids[0] as string })
    expect(trace.flags).toEqual([...new Set([...(page.items[0]?.flags ?? []), 'blurry'])].sort())

    const removed = await client.call('traces.bulk', { filter: { flag: 'blurry' }, action: { type: 'removeFlag', flag: 'blurry' } })
    expect(removed.changed).toBe(5)
    expect((await client.call('traces.counts', { flag: 'blurry' })).total).toBe(0)
    await client.call('traces.bulkUndo', { id: removed.id, action: 'undo' })
    expect((await client.call('traces.counts', { flag: 'blurry' })).total).toBe(5)
    expect((await client.call('traces.get', { id: ids[0] as string })).flags).toContain('blurry')
    // undoing the add, in stack order, takes the flag off again
    expect(await client.call('traces.bulkUndo', { id: added.id, action: 'undo' })).toMatchObject({ skipped: 0 })
    expect((await client.call('traces.counts', { flag: 'blurry' })).total).toBe(0)
    expect((await client.call('traces.get', { id: ids[0] as string })).flags).toEqual(page.items[0]?.flags)
  })

  it('freezes a selection as a snapshot with a seeded split; that bulk change cannot be undone', async () => {
    const { client } = ctx
    const bulk = await client.call('traces.bulk', { filter: {}, action: { type: 'snapshot', name: 'everything', split: { valFraction: 0.2, seed: 3 } } })
    expect(bulk.snapshotId).not.toBeNull()
    const snapshot = await client.call('snapshots.get', { id: bulk.snapshotId as string })
    expect(snapshot.traceCount).toBe(bulk.selected)
    expect(snapshot.split).toMatchObject({ valFraction: 0.2, seed: 3 })
    expect(snapshot.split?.validationCount).toBeGreaterThan(0)
    expect(snapshot.split?.validationCount).toBeLessThan(bulk.selected)
    expect(await rejection(client.call('traces.bulkUndo', { id: bulk.id, action: 'undo' }))).toMatchObject({ code: 'failed_precondition' })
  })
})

describe('adding to a snapshot', () => {
  it('makes a new snapshot: the base\'s traces at their frozen revisions, then the selection\'s others; the base stays as it was', async () => {
    const { client, studio } = ctx
    const [a, b, c] = (await client.call('traces.list', { limit: 3, offset: 2 })).items
    if (!a || !b || !c) throw new Error('no traces')
    const base = await client.call('snapshots.create', { name: 'base', filter: { ids: [a.id, b.id] } })
    const edited = await client.call('traces.update', { id: a.id, expectedRevision: (await client.call('traces.get', { id: a.id })).revision, comment: 'edited after the base was frozen' })
    const bulk = await client.call('traces.bulk', { filter: { ids: [b.id, c.id] }, action: { type: 'snapshot', name: 'base + c', base: base.id }, expectedCount: 2 })
    expect(bulk.label).toBe('add 2 traces to a snapshot, as "base + c"')
    const grown = await client.call('snapshots.get', { id: bulk.snapshotId as string })
    expect(grown).toMatchObject({ traceCount: 3, base: base.id, filter: { ids: [b.id, c.id] } })
    const items = [...studio.project.snapshots.items(grown.id)]
    expect(items.map((i) => i.traceId)).toEqual([a.id, b.id, c.id])
    expect(items[0]?.revision).toBe(edited.revision - 1) // a as the base froze it, not as edited since
    expect(items[0]?.state.comment).toBeUndefined()
    expect((await client.call('snapshots.get', { id: base.id })).traceCount).toBe(2)
    expect(grown.hash).not.toBe(base.hash)
  })
})

describe('snapshot split', () => {
  it('holds out the same traces for the same seed, per source, and a different seed gives another hash', async () => {
    const { client, studio } = ctx
    const a = await client.call('snapshots.create', { name: 'a', filter: {}, split: { valFraction: 0.25, seed: 11 } })
    const b = await client.call('snapshots.create', { name: 'b', filter: {}, split: { valFraction: 0.25, seed: 11 } })
    const c = await client.call('snapshots.create', { name: 'c', filter: {}, split: { valFraction: 0.25, seed: 12 } })
    const plain = await client.call('snapshots.create', { name: 'plain', filter: {} })
    expect(a.hash).toBe(b.hash)
    expect(a.hash).not.toBe(c.hash)
    expect(plain.split).toBeNull()
    const parts = (id: string): Map<string, string> => new Map([...studio.project.snapshots.items(id)].map((i) => [i.traceId, i.split]))
    expect(parts(a.id)).toEqual(parts(b.id))
    expect(parts(a.id)).not.toEqual(parts(c.id))
    // by sample (a sample's traces on one side), stratified: each source keeps its share of samples within one
    const sides = new Map<string, Set<string>>()
    const bySource = new Map<string, { samples: Set<string>; held: Set<string> }>()
    for (const item of studio.project.snapshots.items(a.id)) {
      sides.set(item.sampleId, (sides.get(item.sampleId) ?? new Set()).add(item.split))
      const source = studio.project.samples.get(item.sampleId).source
      const s = bySource.get(source) ?? { samples: new Set<string>(), held: new Set<string>() }
      s.samples.add(item.sampleId)
      if (item.split === 'validation') s.held.add(item.sampleId)
      bySource.set(source, s)
    }
    for (const parts of sides.values()) expect(parts.size).toBe(1)
    expect(bySource.size).toBeGreaterThan(0)
    for (const s of bySource.values()) expect(Math.abs(s.held.size - s.samples.size * 0.25)).toBeLessThanOrEqual(1)
    const samples = [...bySource.values()].reduce((n, s) => n + s.samples.size, 0)
    expect([...bySource.values()].reduce((n, s) => n + s.held.size, 0)).toBe(Math.round(samples * 0.25))
  })
})

describe('validationIds', () => {
  // three sources of 50, 30 and 7 samples, two traces per sample
  const candidates: SplitCandidate[] = (
    [
      ['bench:vstar', 50],
      ['generated', 30],
      ['imported', 7]
    ] as const
  ).flatMap(([source, n]) => Array.from({ length: n }, (_, i) => [0, 1].map((k) => ({ id: `${source}-${i}-t${k}`, sampleId: `${source}-${i}`, source }))).flat())

  it('holds out whole samples, about the fraction of each source, the same for the same seed in any order', () => {
    const held = validationIds(candidates, { valFraction: 0.2, seed: 5 })
    const heldSamples = new Set(candidates.filter((c) => held.has(c.id)).map((c) => c.sampleId))
    expect(heldSamples.size).toBe(Math.round(87 * 0.2))
    for (const c of candidates) expect(held.has(c.id)).toBe(heldSamples.has(c.sampleId))
    for (const [source, n] of [['bench:vstar', 50], ['generated', 30], ['imported', 7]] as const) {
      const k = [...heldSamples].filter((id) => id.startsWith(`${source}-`)).length
      expect(Math.abs(k - n * 0.2)).toBeLessThan(1)
    }
    expect(validationIds([...candidates].reverse(), { valFraction: 0.2, seed: 5 })).toEqual(held)
    expect(validationIds(candidates, { valFraction: 0.2, seed: 6 })).not.toEqual(held)
  })

  it('keeps at least one sample on each side when there are two', () => {
    const two = candidates.slice(0, 4)
    expect(validationIds(two, { valFraction: 0.01, seed: 1 }).size).toBe(2)
    expect(validationIds(two, { valFraction: 0.99, seed: 1 }).size).toBe(2)
    expect(validationIds(candidates.slice(0, 2), { valFraction: 0.5, seed: 1 }).size).toBe(0)
  })
})

describe('comments and sample edits', () => {
  it('stores a comment as a revision, finds it by search, and undo removes it from the index', async () => {
    const { client } = ctx
    const [row] = (await client.call('traces.list', { limit: 1, offset: 7 })).items
    if (!row) throw new Error('no trace')
    const noted = await client.call('traces.update', { id: row.id, expectedRevision: row.revision, comment: 'the sign is glared, recheck zwölf', action: 'comment' })
    expect(noted.comment).toBe('the sign is glared, recheck zwölf')
    expect((await client.call('traces.list', { query: 'glared zwolf' })).items.map((t) => t.id)).toEqual([row.id])
    await client.call('traces.restore', { id: row.id, revision: row.revision, expectedRevision: noted.revision, action: 'undo' })
    expect((await client.call('traces.get', { id: row.id })).comment).toBeUndefined()
    expect((await client.call('traces.list', { query: 'glared' })).total).toBe(0)
  })

  it('edits the gold answer as a revision: the traces of the sample are checked against the new gold, undo restores it', async () => {
    const { client } = ctx
    const [row] = (await client.call('traces.list', { limit: 1 })).items
    if (!row) throw new Error('no trace')
    const sample = await client.call('samples.get', { id: row.sampleId })
    const before = await client.call('traces.get', { id: row.id })
    expect(before.warnings.map((w) => w.code)).not.toContain('answer_mismatch')
    const edited = await client.call('samples.update', { id: sample.id, expectedRevision: sample.revision, answer: 'not-the-answer', flags: ['bad_gold'], action: 'edit gold' })
    expect(edited).toMatchObject({ answer: 'not-the-answer', flags: ['bad_gold'], revision: 2 })
    const after = await client.call('traces.get', { id: row.id })
    expect(after.gold).toBe('not-the-answer')
    expect(after.warnings.map((w) => w.code)).toContain('answer_mismatch')
    expect(await rejection(client.call('samples.update', { id: sample.id, expectedRevision: 1, answer: 'x' }))).toMatchObject({ code: 'conflict' })

    const history = await client.call('samples.revisions', { id: sample.id })
    expect(history.map((r) => [r.revision, r.action, r.state.answer])).toEqual([
      [1, 'original', sample.answer],
      [2, 'edit gold', 'not-the-answer']
    ])
    const undone = await client.call('samples.restore', { id: sample.id, revision: 1, expectedRevision: 2, action: 'undo' })
    expect(undone).toMatchObject({ answer: sample.answer, flags: [], revision: 3 })
    expect((await client.call('traces.get', { id: row.id })).warnings.map((w) => w.code)).not.toContain('answer_mismatch')
  })
})
