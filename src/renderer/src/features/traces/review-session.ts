// Every write the review screen makes goes through here, one at a time: edits and status
// changes as revisions made against the revision last seen (a stale write is the store's
// `conflict`), undo and redo as restores of an earlier revision. One queue for all traces, so
// an undo pressed while an accept is still saving undoes that accept, not the action before it.
// Sample edits (gold answer...) and bulk changes go through the same queue and history: a bulk
// change over 100k traces is one entry, undone with one call.
import { StudioError, type BulkChange, type Sample, type SampleUpdateInput, type StoredTrace, type TraceBulkInput, type TraceUpdateInput } from '../../../../shared/contract'
import type { StudioClient } from '../../../../shared/contract/client'
import { UndoHistory } from './undo-history'

export type TracePatch = Pick<TraceUpdateInput, 'steps' | 'status' | 'flags' | 'question' | 'comment'>
export type SamplePatch = Pick<SampleUpdateInput, 'question' | 'answer' | 'answerType' | 'choices' | 'flags'>

export type SessionEvent =
  /** a write of ours landed; `pending` writes for this trace are still queued */
  | { type: 'saved'; trace: StoredTrace; pending: number }
  /** a write was refused because the trace changed elsewhere; its history is dropped */
  | { type: 'conflict'; traceId: string; message: string }
  | { type: 'failed'; traceId: string; message: string }
  /** undo/redo availability may have changed */
  | { type: 'history' }
  /** a sample edit (or its undo) landed: views of its traces reload (their answer check moved) */
  | { type: 'sample'; sample: Sample }
  /** a bulk change, its undo or redo landed: every view of traces reloads */
  | { type: 'bulk'; change: BulkChange; action: 'apply' | 'undo' | 'redo' }
  | { type: 'bulkFailed'; message: string }

export class ReviewSession {
  readonly history = new UndoHistory()
  private readonly known = new Map<string, number>()
  private readonly pending = new Map<string, number>()
  private readonly listeners = new Set<(event: SessionEvent) => void>()
  private queue: Promise<unknown> = Promise.resolve()

  constructor(private readonly client: StudioClient) {}

  subscribe(listener: (event: SessionEvent) => void): () => void {
    this.listeners.add(listener)
    return () => this.listeners.delete(listener)
  }

  /** The editor loaded this state; ignored while our own writes to it are queued. */
  loaded(trace: StoredTrace): void {
    if (!this.isPending(trace.id)) this.known.set(trace.id, trace.revision)
  }

  /**
   * A state read after a change event: newer than what we wrote means someone else changed the
   * trace, so our undo entries for it no longer chain. Returns true for such a change.
   */
  external(trace: StoredTrace): boolean {
    if (this.isPending(trace.id)) return false
    const known = this.known.get(trace.id)
    this.known.set(trace.id, trace.revision)
    if (known === undefined || trace.revision <= known) return false
    this.history.dropTrace(trace.id)
    this.emit({ type: 'history' })
    return true
  }

  isPending(traceId: string): boolean {
    return (this.pending.get(traceId) ?? 0) > 0
  }

  revisionOf(traceId: string): number | undefined {
    return this.known.get(traceId)
  }

  /** Writes a change as one undoable action. Resolves to the saved trace, or null on failure. */
  update(traceId: string, patch: TracePatch, label: string): Promise<StoredTrace | null> {
    return this.enqueue(traceId, async () => {
      const expectedRevision = await this.revision(traceId)
      const trace = await this.client.call('traces.update', { id: traceId, expectedRevision, ...patch, action: label })
      if (trace.revision !== expectedRevision) this.history.record({ kind: 'trace', traceId, label, before: expectedRevision, after: trace.revision })
      return trace
    })
  }

  /**
   * Edits the sample of the open trace as one undoable action. Resolves to that trace as it now
   * reads (its gold answer and checks), or null on failure.
   */
  updateSample(sample: Sample, traceId: string, patch: SamplePatch, label: string): Promise<StoredTrace | null> {
    return this.enqueue(traceId, () =>
      this.sampleWrite(sample.id, async () => {
        const before = this.sampleRevision(sample)
        const saved = await this.client.call('samples.update', { id: sample.id, expectedRevision: before, ...patch, action: label })
        if (saved.revision !== before) this.history.record({ kind: 'sample', sampleId: sample.id, traceId, label, before, after: saved.revision })
        return this.sampleSaved(saved, traceId)
      })
    )
  }

  /** Applies one change to every trace of a selection (a filter, or ids) as one undoable action. */
  bulk(input: TraceBulkInput): Promise<BulkChange | null> {
    return this.chainBulk(async () => {
      const change = await this.client.call('traces.bulk', input)
      // a snapshot changes no trace: nothing to undo
      if (change.action.type !== 'snapshot') this.history.record({ kind: 'bulk', bulkId: change.id, label: change.label })
      return this.bulkSaved(change, 'apply')
    })
  }

  /**
   * Undoes or redoes a stored bulk change (also one from before a reload). When it is the next
   * entry of the history this is that entry's undo or redo; otherwise the history forgets it.
   */
  async revertBulk(bulkId: string, action: 'undo' | 'redo'): Promise<void> {
    const next = action === 'undo' ? this.history.nextUndo() : this.history.nextRedo()
    if (next?.kind === 'bulk' && next.bulkId === bulkId) {
      await this.step(action)
      return
    }
    await this.chainBulk(async () => {
      const change = await this.client.call('traces.bulkUndo', { id: bulkId, action })
      this.history.dropBulk(bulkId)
      return this.bulkSaved(change, action)
    })
  }

  /** Undoes the last action, whichever trace it was on. Resolves to that trace, or null. */
  undo(): Promise<StoredTrace | null> {
    return this.step('undo')
  }

  redo(): Promise<StoredTrace | null> {
    return this.step('redo')
  }

  private step(action: 'undo' | 'redo'): Promise<StoredTrace | null> {
    // the entry is read when the queue reaches this call, after every earlier write has landed
    const run = async (): Promise<StoredTrace | null> => {
      const entry = action === 'undo' ? this.history.nextUndo() : this.history.nextRedo()
      if (!entry) return null
      const done = (): void => (action === 'undo' ? this.history.undid() : this.history.redid())
      if (entry.kind === 'bulk') {
        await this.runBulk(async () => {
          const change = await this.client.call('traces.bulkUndo', { id: entry.bulkId, action })
          done()
          return this.bulkSaved(change, action)
        })
        return null
      }
      if (entry.kind === 'sample') {
        this.hold(entry.traceId)
        return this.write(entry.traceId, () =>
          this.sampleWrite(entry.sampleId, async () => {
            const sample = await this.client.call('samples.get', { id: entry.sampleId })
            const saved = await this.client.call('samples.restore', { id: entry.sampleId, revision: action === 'undo' ? entry.before : entry.after, expectedRevision: this.sampleRevision(sample), action })
            done()
            return this.sampleSaved(saved, entry.traceId)
          })
        )
      }
      this.hold(entry.traceId)
      return this.write(entry.traceId, async () => {
        const trace = await this.client.call('traces.restore', {
          id: entry.traceId,
          revision: action === 'undo' ? entry.before : entry.after,
          expectedRevision: await this.revision(entry.traceId),
          action
        })
        if (action === 'undo') this.history.undid()
        else this.history.redid()
        return trace
      })
    }
    return this.chain(run)
  }

  /** sample revisions as this session last saw them (a sample edited elsewhere is a conflict) */
  private readonly samples = new Map<string, number>()

  private sampleRevision(sample: Sample): number {
    return this.samples.get(sample.id) ?? sample.revision
  }

  /** A sample write; when the sample changed elsewhere its entries no longer chain: forget them. */
  private async sampleWrite(sampleId: string, work: () => Promise<StoredTrace>): Promise<StoredTrace> {
    try {
      return await work()
    } catch (error) {
      if (error instanceof StudioError && error.code === 'conflict') {
        this.samples.delete(sampleId)
        this.history.dropSample(sampleId)
      }
      throw error
    }
  }

  private async sampleSaved(sample: Sample, traceId: string): Promise<StoredTrace> {
    this.samples.set(sample.id, sample.revision)
    this.emit({ type: 'sample', sample })
    return this.client.call('traces.get', { id: traceId })
  }

  private bulkSaved(change: BulkChange, action: 'apply' | 'undo' | 'redo'): BulkChange {
    // the revisions of every trace moved: read them afresh when next needed
    for (const id of this.known.keys()) if (!this.isPending(id)) this.known.delete(id)
    this.emit({ type: 'bulk', change, action })
    this.emit({ type: 'history' })
    return change
  }

  private chainBulk(work: () => Promise<BulkChange>): Promise<BulkChange | null> {
    let result: BulkChange | null = null
    return this.chain(async () => {
      result = await this.runBulk(work)
      return null
    }).then(() => result)
  }

  /** Runs a bulk write; a failure is reported as an event, never thrown. */
  private async runBulk(work: () => Promise<BulkChange>): Promise<BulkChange | null> {
    try {
      return await work()
    } catch (error) {
      this.emit({ type: 'bulkFailed', message: error instanceof Error ? error.message : String(error) })
      this.emit({ type: 'history' })
      return null
    }
  }

  private enqueue(traceId: string, work: () => Promise<StoredTrace>): Promise<StoredTrace | null> {
    this.hold(traceId) // counted from now, so the editor does not adopt an older save meanwhile
    return this.chain(() => this.write(traceId, work))
  }

  private chain(run: () => Promise<StoredTrace | null>): Promise<StoredTrace | null> {
    const result = this.queue.then(run, run)
    this.queue = result
    return result
  }

  /** Runs one held write, updates the known revision, tells listeners. Never rejects. */
  private async write(traceId: string, work: () => Promise<StoredTrace>): Promise<StoredTrace | null> {
    try {
      const trace = await work()
      this.known.set(traceId, trace.revision)
      this.release(traceId)
      this.emit({ type: 'saved', trace, pending: this.pending.get(traceId) ?? 0 })
      this.emit({ type: 'history' })
      return trace
    } catch (error) {
      this.release(traceId)
      const message = error instanceof Error ? error.message : String(error)
      if (error instanceof StudioError && error.code === 'conflict') {
        this.known.delete(traceId)
        this.history.dropTrace(traceId)
        this.emit({ type: 'conflict', traceId, message })
      } else this.emit({ type: 'failed', traceId, message })
      this.emit({ type: 'history' })
      return null
    }
  }

  private hold(traceId: string): void {
    this.pending.set(traceId, (this.pending.get(traceId) ?? 0) + 1)
  }

  private release(traceId: string): void {
    const n = (this.pending.get(traceId) ?? 1) - 1
    if (n > 0) this.pending.set(traceId, n)
    else this.pending.delete(traceId)
  }

  private async revision(traceId: string): Promise<number> {
    const known = this.known.get(traceId)
    if (known !== undefined) return known
    const trace = await this.client.call('traces.get', { id: traceId })
    this.known.set(traceId, trace.revision)
    return trace.revision
  }

  private emit(event: SessionEvent): void {
    for (const listener of this.listeners) listener(event)
  }
}
