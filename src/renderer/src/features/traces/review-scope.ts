// The review screen's state for one open project, kept while the person is on other screens:
// the filter, the selection, the scroll offset, the loaded pages and the undo history.
import type { Sample, StoredTrace, TraceFilter } from '../../../../shared/contract'
import type { StudioClient } from '../../../../shared/contract/client'
import { createMarked, type MarkedStore } from './multi-select'
import { ReviewSession } from './review-session'
import { createStore, type Store } from './store'
import { TracePages, type FetchPage } from './trace-pages'

export type SortKey = 'created' | 'updated'

export interface ReviewPlace {
  filter: TraceFilter
  sort: SortKey
  order: 'asc' | 'desc'
  selectedId: string | null
  /** the right-hand panel: the steps, or the diff against the original */
  panel: 'steps' | 'diff'
  snapshotsOpen: boolean
}

export interface ReviewScope {
  client: StudioClient
  place: Store<ReviewPlace>
  pages: TracePages
  session: ReviewSession
  /** traces marked for a bulk action (ctrl / shift + click) */
  marked: MarkedStore
  /** the list's virtual scroll offset (not reactive: only the list reads and writes it) */
  scroll: { virtualTop: number }
  /** the list index the selection had when it was made: next/prev go on from there when the
   * selected trace has left the list (accepted under an "unreviewed" filter) */
  selectedIndex: number
  /** samples already fetched (neighbouring traces often share one) */
  samples: Map<string, Promise<Sample>>
  /** traces fetched ahead (the next one in the list), dropped when a change event names them */
  traces: Map<string, Promise<StoredTrace>>
  /** the list query the pages were fetched for (a new one resets them) */
  query: string
}

const INITIAL: ReviewPlace = { filter: {}, sort: 'created', order: 'asc', selectedId: null, panel: 'steps', snapshotsOpen: false }

export function pageFetcher(client: StudioClient, place: ReviewPlace): FetchPage {
  const { filter, sort, order } = place
  return (start, limit) => client.call('traces.list', { ...filter, sort, order, ...start, limit })
}

/** What the list's rows depend on: a change resets the pages. */
export function listQuery(place: ReviewPlace): string {
  return JSON.stringify([place.filter, place.sort, place.order])
}

let current: { key: string; client: StudioClient; scope: ReviewScope; off: () => void } | null = null

/** The scope of this project (created on first use, replaced when the project changes). */
export function reviewScope(projectPath: string, client: StudioClient): ReviewScope {
  if (current && current.key === projectPath && current.client === client) return current.scope
  current?.off()
  const place = createStore(INITIAL)
  const scope: ReviewScope = {
    client,
    place,
    pages: new TracePages(pageFetcher(client, INITIAL)),
    session: new ReviewSession(client),
    marked: createMarked(),
    scroll: { virtualTop: 0 },
    selectedIndex: -1,
    samples: new Map(),
    traces: new Map(),
    query: listQuery(INITIAL)
  }
  // a trace read ahead is good until a change names it (events arrive in order with results:
  // a read that left the server before the change is dropped by the change's event)
  const off = client.on('traces.changed', (event) => {
    if (event.ids === null) scope.traces.clear()
    else for (const id of event.ids) scope.traces.delete(id)
  })
  current = { key: projectPath, client, scope, off }
  return scope
}

/**
 * A trace as it is now: read ahead (the next trace, while this one is reviewed) or fetched. Never
 * from the read-ahead while our own writes to it are queued (its result is newer).
 */
export function traceOf(scope: ReviewScope, id: string): Promise<StoredTrace> {
  return aheadOf(scope, id) ?? readAhead(scope, id)
}

/** The read-ahead of a trace, unless our own writes to it are queued (their result is newer). */
function aheadOf(scope: ReviewScope, id: string): Promise<StoredTrace> | undefined {
  return scope.session.isPending(id) ? undefined : scope.traces.get(id)
}

/** Fetches a trace into the read-ahead (a few entries: the next traces). */
export function readAhead(scope: ReviewScope, id: string): Promise<StoredTrace> {
  if (scope.traces.size >= 8) scope.traces.clear()
  const loading = remember(scope.client.call('traces.get', { id }))
  loading.catch(() => scope.traces.get(id) === loading && scope.traces.delete(id))
  scope.traces.set(id, loading)
  return loading
}

/** What the reads of traces and samples resolved to, once they have: a trace read ahead opens in its first render. */
const arrived = new WeakMap<Promise<unknown>, unknown>()

function remember<T>(loading: Promise<T>): Promise<T> {
  loading.then(
    (value) => arrived.set(loading, value),
    () => undefined
  )
  return loading
}

/** The trace and its sample when both have arrived (read ahead), else null: fetch them. */
export function arrivedTrace(scope: ReviewScope, id: string): { trace: StoredTrace; sample: Sample } | null {
  const loading = aheadOf(scope, id)
  const trace = loading && (arrived.get(loading) as StoredTrace | undefined)
  const sampleLoading = trace && scope.samples.get(trace.sampleId)
  const sample = sampleLoading && (arrived.get(sampleLoading) as Sample | undefined)
  return trace && sample ? { trace, sample } : null
}

/** A sample, fetched once per scope (the cache is small: it is cleared past 200 entries). */
export function sampleOf(scope: ReviewScope, id: string): Promise<Sample> {
  let found = scope.samples.get(id)
  if (!found) {
    if (scope.samples.size > 200) scope.samples.clear()
    found = remember(scope.client.call('samples.get', { id }))
    found.catch(() => scope.samples.delete(id))
    scope.samples.set(id, found)
  }
  return found
}
