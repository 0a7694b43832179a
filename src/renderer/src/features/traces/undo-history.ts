// One undo history across every trace a person touches. An entry says what changed and the
// revisions before and after (a trace's, or a sample's); undo and redo write a new revision with
// one of those states (the store's history only grows), so the stack holds no data of its own.
// A bulk change is one entry naming its stored record: undo and redo act on the whole record.

interface Revisions {
  /** what the person did: "accept", "move box 2", "edit gold" */
  label: string
  /** revision whose state undo brings back */
  before: number
  /** revision whose state redo brings back */
  after: number
}

export type HistoryEntry =
  | ({ kind: 'trace'; traceId: string } & Revisions)
  | ({ kind: 'sample'; sampleId: string; /** the trace open when the sample was edited */ traceId: string } & Revisions)
  | { kind: 'bulk'; bulkId: string; label: string }

export class UndoHistory {
  private done: HistoryEntry[] = []
  private undone: HistoryEntry[] = []

  constructor(private readonly limit = 500) {}

  /** A new action: it becomes the next undo, and nothing can be redone any more. */
  record(entry: HistoryEntry): void {
    this.done.push(entry)
    if (this.done.length > this.limit) this.done.shift()
    this.undone = []
  }

  nextUndo(): HistoryEntry | undefined {
    return this.done.at(-1)
  }

  nextRedo(): HistoryEntry | undefined {
    return this.undone.at(-1)
  }

  /** Call once the undo of `nextUndo()` is written. */
  undid(): void {
    const entry = this.done.pop()
    if (entry) this.undone.push(entry)
  }

  /** Call once the redo of `nextRedo()` is written. */
  redid(): void {
    const entry = this.undone.pop()
    if (entry) this.done.push(entry)
  }

  /** Forgets a trace's entries: it changed elsewhere, so their revisions no longer chain. */
  dropTrace(traceId: string): void {
    this.drop((e) => e.kind === 'trace' && e.traceId === traceId)
  }

  /** Forgets a sample's entries (changed elsewhere), or a bulk change's (undone elsewhere). */
  dropSample(sampleId: string): void {
    this.drop((e) => e.kind === 'sample' && e.sampleId === sampleId)
  }

  dropBulk(bulkId: string): void {
    this.drop((e) => e.kind === 'bulk' && e.bulkId === bulkId)
  }

  get canUndo(): boolean {
    return this.done.length > 0
  }

  get canRedo(): boolean {
    return this.undone.length > 0
  }

  private drop(match: (e: HistoryEntry) => boolean): void {
    this.done = this.done.filter((e) => !match(e))
    this.undone = this.undone.filter((e) => !match(e))
  }
}
