// The trace list as pages fetched while the person scrolls: only the pages around the visible
// rows are requested, the newest wanted range wins (a fast scroll over a million rows does not
// queue every page it passed), and a change refreshes the pages in place (old rows stay on
// screen until their new version arrives). A page next to a loaded one is asked by cursor (an
// index seek: as cheap at row 900,000 as at row 0); only a jump far into the list uses offset.
import type { TracePage, TraceSummary } from '../../../../shared/contract'

export const PAGE_SIZE = 100
/** pages kept in memory; the farthest from the visible rows are dropped first */
const MAX_PAGES = 60
const MAX_IN_FLIGHT = 2

interface Page {
  items: TraceSummary[]
  next: string | null
  prev: string | null
  /** the refresh generation it was fetched in */
  generation: number
}

/** Where a page starts: a row offset (a jump), or a neighbouring page's cursor. */
export type PageStart = { offset: number } | { after: string } | { before: string }
export type FetchPage = (start: PageStart, limit: number) => Promise<TracePage>

export class TracePages {
  /** rows matching the filter; null until the first page arrives */
  total: number | null = null
  /** the total is a search's extrapolation, not a count */
  estimate = false
  /** a search: traces not yet in the full-text index (a bulk insert's tail being indexed), not found yet */
  pending = 0
  error: string | null = null
  private pages = new Map<number, Page>()
  private inFlight = new Map<number, Promise<void>>()
  private wanted = { first: 0, last: 0 }
  /** bumped by reset (a new filter: old pages are useless) */
  private epoch = 0
  /** bumped by refresh (same filter, changed data: old pages are shown until replaced) */
  private generation = 0
  private readonly listeners = new Set<() => void>()
  private version = 0
  /** the generation of the last page that arrived (or failed), and who waits for the current one */
  private landed = -1
  private waiting: Array<() => void> = []

  constructor(private fetchPage: FetchPage) {}

  /** A new query (filter or sort): forget every page. */
  reset(fetchPage: FetchPage): void {
    this.fetchPage = fetchPage
    this.epoch++
    this.generation++
    this.pages.clear()
    this.inFlight.clear()
    this.total = null
    this.estimate = false
    this.pending = 0
    this.error = null
    this.changed()
    this.pump()
  }

  /** The data changed: refetch the visible pages, showing the old rows meanwhile. */
  refresh(): void {
    this.generation++
    this.pump()
  }

  /** The rows on screen (inclusive); pages around them are fetched. */
  want(first: number, last: number): void {
    this.wanted = { first, last }
    this.pump()
  }

  row(index: number): TraceSummary | undefined {
    return this.pages.get(Math.floor(index / PAGE_SIZE))?.items[index % PAGE_SIZE]
  }

  /** Index of a loaded row by id, or -1. */
  indexOf(id: string): number {
    for (const [p, page] of this.pages) {
      const i = page.items.findIndex((t) => t.id === id)
      if (i >= 0) return p * PAGE_SIZE + i
    }
    return -1
  }

  /** Resolves once the row at `index` is loaded (or there is no such row). */
  async load(index: number): Promise<TraceSummary | undefined> {
    const p = Math.floor(index / PAGE_SIZE)
    if (!this.pages.has(p)) await (this.inFlight.get(p) ?? this.fetch(p))
    return this.row(index)
  }

  /**
   * Resolves once a page of the current query and data has arrived (or failed): what may wait
   * for the rows, so it does not delay them (the filter counts).
   */
  loaded(): Promise<void> {
    if (this.landed === this.generation) return Promise.resolve()
    return new Promise((resolve) => this.waiting.push(resolve))
  }

  /** A number that changes whenever rows or the total change (for React to re-render). */
  getVersion = (): number => this.version

  subscribe = (listener: () => void): (() => void) => {
    this.listeners.add(listener)
    return () => this.listeners.delete(listener)
  }

  private pagesWanted(): number[] {
    const first = Math.max(0, Math.floor(this.wanted.first / PAGE_SIZE) - 1)
    const last = Math.floor(this.wanted.last / PAGE_SIZE) + 1
    const maxPage = this.total === null ? Math.max(first, 0) : Math.max(0, Math.ceil(this.total / PAGE_SIZE) - 1)
    const out: number[] = []
    // the visible pages first, then the neighbours
    const center = Math.floor((this.wanted.first + this.wanted.last) / 2 / PAGE_SIZE)
    for (let p = first; p <= Math.min(last, maxPage); p++) out.push(p)
    return out.sort((a, b) => Math.abs(a - center) - Math.abs(b - center))
  }

  private pump(): void {
    for (const p of this.pagesWanted()) {
      if (this.inFlight.size >= MAX_IN_FLIGHT) return
      const page = this.pages.get(p)
      if (this.inFlight.has(p) || (page && page.generation >= this.generation)) continue
      void this.fetch(p)
    }
  }

  private fetch(p: number): Promise<void> {
    const running = this.inFlight.get(p)
    if (running) return running
    const epoch = this.epoch
    const generation = this.generation
    const done = this.fetchPage(this.startOf(p), PAGE_SIZE).then(
      (result) => {
        if (epoch !== this.epoch) return
        this.pages.set(p, { items: result.items, next: result.next, prev: result.prev, generation })
        this.total = result.total
        this.estimate = result.estimate
        this.pending = result.pending ?? 0
        // the real end of an estimated list: the last page says so
        if (result.estimate && result.next === null) this.total = p * PAGE_SIZE + result.items.length
        this.error = null
        this.evict()
      },
      (error: unknown) => {
        if (epoch === this.epoch) this.error = error instanceof Error ? error.message : String(error)
      }
    ).finally(() => {
      if (epoch !== this.epoch) return
      this.inFlight.delete(p)
      if (generation === this.generation) this.land()
      this.changed()
      if (!this.error) this.pump()
    })
    this.inFlight.set(p, done)
    return done
  }

  /** A full neighbouring page gives a cursor; otherwise the page's offset. */
  private startOf(p: number): PageStart {
    const before = this.pages.get(p - 1)
    if (before?.next && before.items.length === PAGE_SIZE) return { after: before.next }
    const after = this.pages.get(p + 1)
    if (after?.prev && p > 0) return { before: after.prev }
    return { offset: p * PAGE_SIZE }
  }

  private land(): void {
    this.landed = this.generation
    for (const resolve of this.waiting.splice(0)) resolve()
  }

  private evict(): void {
    if (this.pages.size <= MAX_PAGES) return
    const center = Math.floor(this.wanted.first / PAGE_SIZE)
    const far = [...this.pages.keys()].sort((a, b) => Math.abs(b - center) - Math.abs(a - center))
    for (const p of far.slice(0, this.pages.size - MAX_PAGES)) this.pages.delete(p)
  }

  private changed(): void {
    this.version++
    for (const l of this.listeners) l()
  }
}
