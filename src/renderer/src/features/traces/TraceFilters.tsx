// Filters, search, sort and counts of the trace list. Status and origin chips show how many
// traces each would add under the rest of the filter.
import { memo, useEffect, useRef, useState, useSyncExternalStore } from 'react'
import { TraceFlag, TraceOrigin, TraceStatus, type Snapshot, type TraceCounts, type TraceFilter } from '../../../../shared/contract'
import type { ReviewPlace, ReviewScope } from './review-scope'
import { useStorePart } from './store'

const STATUS_LABEL: Record<TraceStatus, string> = { unreviewed: 'unreviewed', accepted: 'accepted', rejected: 'rejected', needs_fix: 'needs fix' }
const OPERATIONS = [
  ['', 'any or none'],
  ['any', 'with operations'],
  ['none', 'text only'],
  ['crop', 'with a crop'],
  ['select_frames', 'with frame selection']
] as const

/** how long a search's rows stay on screen before its counts are asked */
const SEARCH_COUNTS_PAUSE_MS = 400
/** how often a search with traces not yet searchable is asked again */
const PENDING_RECHECK_MS = 1500

function toggle<T>(list: readonly T[] | undefined, value: T): T[] | undefined {
  const next = list?.includes(value) ? list.filter((v) => v !== value) : [...(list ?? []), value]
  return next.length ? next : undefined
}

/** A count as shown: a search's extrapolated count reads as one ("≈760k"), not as a tally. */
function countLabel(n: number, estimate: boolean): string {
  if (!estimate) return n.toLocaleString()
  return `≈${n >= 10_000 ? `${Math.round(n / 1000).toLocaleString()}k` : n.toLocaleString()}`
}

/** A filter without the given keys (absent keys do not narrow). */
function without(filter: TraceFilter, ...keys: Array<keyof TraceFilter>): TraceFilter {
  const out = { ...filter }
  for (const k of keys) delete out[k]
  return out
}

/** The filter with `key` set to `value`, or without it for undefined. */
function narrow<K extends keyof TraceFilter>(filter: TraceFilter, key: K, value: TraceFilter[K] | undefined): TraceFilter {
  return value === undefined ? without(filter, key) : { ...filter, [key]: value }
}

/** Memoized, and reading only the filter and sort of the place: opening a trace re-renders none of it. */
export const TraceFilters = memo(function TraceFilters(props: { scope: ReviewScope; snapshots: Snapshot[]; dataVersion: number; searchRef: React.RefObject<HTMLInputElement | null> }): React.JSX.Element {
  const { scope, snapshots, dataVersion, searchRef } = props
  const filter = useStorePart(scope.place, (p) => p.filter)
  const sort = useStorePart(scope.place, (p) => p.sort)
  const order = useStorePart(scope.place, (p) => p.order)
  useSyncExternalStore(scope.pages.subscribe, scope.pages.getVersion)
  const [byStatus, setByStatus] = useState<TraceCounts | null>(null)
  const [byOrigin, setByOrigin] = useState<TraceCounts | null>(null)
  const [query, setQuery] = useState(filter.query ?? '')
  const [flag, setFlag] = useState(filter.flag ?? '')
  const [source, setSource] = useState(filter.source ?? '')

  const setFilter = (f: (current: TraceFilter) => TraceFilter): void => scope.place.set((p): ReviewPlace => ({ ...p, filter: f(p.filter) }))

  // counts under the rest of the filter, refreshed when traces change (debounced by the screen),
  // asked once the list's page has arrived: on one server thread they would delay the rows. A
  // search's counts read thousands of hits: asked after a pause, so the next word typed (or a
  // scroll) is not queued behind the counts of one already replaced. One call when both filters
  // are the same.
  useEffect(() => {
    let live = true
    let timer: ReturnType<typeof setTimeout> | undefined
    const noStatus = without(filter, 'status')
    const noOrigin = without(filter, 'origin')
    const same = JSON.stringify(noStatus) === JSON.stringify(noOrigin)
    const ask = (): void =>
      void Promise.all([scope.client.call('traces.counts', noStatus), same ? null : scope.client.call('traces.counts', noOrigin)]).then(
        ([s, o]) => {
          if (!live) return
          setByStatus(s)
          setByOrigin(o ?? s)
        },
        () => live && (setByStatus(null), setByOrigin(null))
      )
    void scope.pages.loaded().then(() => {
      if (!live) return
      if (filter.query === undefined) ask()
      else timer = setTimeout(ask, SEARCH_COUNTS_PAUSE_MS)
    })
    return () => {
      live = false
      clearTimeout(timer)
    }
  }, [scope, filter, dataVersion])

  // a search while a bulk insert's tail is still being indexed (the studio catches it up in the
  // background): the pages are asked again until every trace is searchable
  const pending = scope.pages.pending
  useEffect(() => {
    if (pending === 0) return
    const timer = setTimeout(() => scope.pages.refresh(), PENDING_RECHECK_MS)
    return () => clearTimeout(timer)
  }, [scope, pending])

  // typing waits for a pause before the list is asked again
  const debounce = useRef<ReturnType<typeof setTimeout>>(undefined)
  const later = (f: () => void): void => {
    clearTimeout(debounce.current)
    debounce.current = setTimeout(f, 250)
  }
  useEffect(() => () => clearTimeout(debounce.current), [])

  const flagOk = flag === '' || TraceFlag.safeParse(flag).success
  const searchOk = query.trim() === '' || /[\p{L}\p{N}]/u.test(query)

  return (
    <div className="trace-filters" aria-label="Trace filters">
      <input
        ref={searchRef}
        type="search"
        aria-label="Search traces"
        placeholder="Search question, reasoning, answer ( / )"
        value={query}
        className={searchOk ? '' : 'invalid'}
        onChange={(e) => {
          const value = e.target.value
          setQuery(value)
          later(() => setFilter((f) => narrow(f, 'query', /[\p{L}\p{N}]/u.test(value) ? value.trim().slice(0, 500) : undefined)))
        }}
        onKeyDown={(e) => e.key === 'Escape' && e.currentTarget.blur()}
      />
      <div className="chips" role="group" aria-label="Status">
        {TraceStatus.options.map((s) => (
          <button key={s} className={`chip ${filter.status?.includes(s) ? 'on' : ''}`} aria-pressed={Boolean(filter.status?.includes(s))} onClick={() => setFilter((f) => narrow(f, 'status', toggle(f.status, s)))}>
            <span className={`status-dot ${s}`} /> {STATUS_LABEL[s]} <span className="count">{byStatus ? countLabel(byStatus.byStatus[s] ?? 0, byStatus.estimate) : '·'}</span>
          </button>
        ))}
      </div>
      <div className="chips" role="group" aria-label="Origin">
        {TraceOrigin.options.map((o) => (
          <button key={o} className={`chip ${filter.origin?.includes(o) ? 'on' : ''}`} aria-pressed={Boolean(filter.origin?.includes(o))} onClick={() => setFilter((f) => narrow(f, 'origin', toggle(f.origin, o)))}>
            {o} <span className="count">{byOrigin ? countLabel(byOrigin.byOrigin[o] ?? 0, byOrigin.estimate) : '·'}</span>
          </button>
        ))}
      </div>
      <div className="filter-row">
        <select aria-label="Operations" value={filter.operation ?? ''} onChange={(e) => setFilter((f) => narrow(f, 'operation', (e.target.value || undefined) as TraceFilter['operation']))}>
          {OPERATIONS.map(([v, label]) => (
            <option key={v} value={v}>
              {label}
            </option>
          ))}
        </select>
        <select aria-label="Snapshot" value={filter.snapshotId ?? ''} onChange={(e) => setFilter((f) => narrow(f, 'snapshotId', e.target.value || undefined))}>
          <option value="">any snapshot</option>
          {snapshots.map((s) => (
            <option key={s.id} value={s.id}>
              in {s.name}
            </option>
          ))}
        </select>
      </div>
      <div className="filter-row">
        <input
          aria-label="Flag"
          placeholder="flag, e.g. self_correction"
          value={flag}
          className={flagOk ? '' : 'invalid'}
          title={flagOk ? 'traces with this flag' : 'a flag is 1-64 chars of a-z, 0-9, _ : . -'}
          onChange={(e) => {
            const value = e.target.value.trim()
            setFlag(value)
            later(() => setFilter((f) => narrow(f, 'flag', value && TraceFlag.safeParse(value).success ? value : undefined)))
          }}
        />
        <input
          aria-label="Source"
          placeholder="source, e.g. bench:vstar"
          value={source}
          onChange={(e) => {
            const value = e.target.value.trim()
            setSource(value)
            later(() => setFilter((f) => narrow(f, 'source', value ? value.slice(0, 200) : undefined)))
          }}
        />
      </div>
      <div className="filter-row">
        <select aria-label="Sort" value={`${sort}:${order}`} onChange={(e) => {
          const [sort, order] = e.target.value.split(':') as [ReviewPlace['sort'], ReviewPlace['order']]
          scope.place.set((p) => ({ ...p, sort, order }))
        }}>
          <option value="created:asc">oldest first</option>
          <option value="created:desc">newest first</option>
          <option value="updated:desc">recently edited</option>
          <option value="updated:asc">least recently edited</option>
        </select>
        <span className="muted" data-testid="trace-total">
          {scope.pages.total === null ? '…' : `${countLabel(scope.pages.total, scope.pages.estimate)} traces`}
          {scope.pages.pending > 0 && ` · ${scope.pages.pending.toLocaleString()} not yet searchable`}
        </span>
        {Object.keys(filter).length > 0 && (
          <button
            className="link"
            onClick={() => {
              setQuery('')
              setFlag('')
              setSource('')
              setFilter(() => ({}))
            }}
          >
            clear
          </button>
        )}
      </div>
    </div>
  )
})
