// Review (screen 2): the trace list with its filters on the left, the open trace on the right.
// Keyboard first (see review-keys.ts). The screen's place (filter, scroll, selection, history)
// lives in the project's review scope, so leaving and coming back finds everything as it was.
import { useCallback, useEffect, useLayoutEffect, useRef, useState } from 'react'
import type { ProjectInfo, Snapshot } from '../../../../shared/contract'
import { Panel } from '../../app/error-boundary'
import { useStudio } from '../../app/studio-context'
import { BulkBar } from './BulkBar'
import { loadImage } from './image-cache'
import { markRange, toggleMarked } from './multi-select'
import type { HistoryInfo } from './ReviewBar'
import { useReviewKeys } from './review-keys'
import { listQuery, pageFetcher, readAhead, reviewScope, sampleOf } from './review-scope'
import { SnapshotsPanel } from './SnapshotsPanel'
import { useStore } from './store'
import { TraceEditor } from './TraceEditor'
import { TraceFilters } from './TraceFilters'
import { TraceList, type RowClick } from './TraceList'
import './review.css'

/** Change events arrive in bursts (a synthesis job): the list and counts refresh once per pause. */
const REFRESH_DELAY_MS = 300

export function TraceScreen({ project, onError }: { project: ProjectInfo; onError: (message: string) => void }): React.JSX.Element {
  const { client, nav, mediaUrl } = useStudio()
  const scope = reviewScope(project.path, client)
  const { pages, session } = scope
  const place = useStore(scope.place)
  const [snapshots, setSnapshots] = useState<Snapshot[]>([])
  const [dataVersion, setDataVersion] = useState(0)
  const [history, setHistory] = useState<HistoryInfo>({ undo: null, redo: null })
  const [message, setMessage] = useState<string | null>(null)
  const searchRef = useRef<HTMLInputElement>(null)

  // the rows follow the filter and sort; the same query on return keeps the loaded pages. A layout
  // effect: the page is asked before the filters' effects ask for counts, which wait for it
  const query = listQuery(place)
  useLayoutEffect(() => {
    if (scope.query === query) return
    scope.query = query
    scope.scroll.virtualTop = 0
    pages.reset(pageFetcher(client, scope.place.get()))
  }, [scope, pages, client, query])

  useEffect(() => {
    let timer: ReturnType<typeof setTimeout> | undefined
    const off = client.on('traces.changed', () => {
      clearTimeout(timer)
      timer = setTimeout(() => {
        pages.refresh()
        setDataVersion((v) => v + 1)
      }, REFRESH_DELAY_MS)
    })
    return () => {
      off()
      clearTimeout(timer)
    }
  }, [client, pages])

  const loadSnapshots = useCallback(() => client.call('snapshots.list', {}).then(setSnapshots, (e: Error) => onError(e.message)), [client, onError])
  useEffect(() => void loadSnapshots(), [loadSnapshots])
  // a bulk "snapshot" action made one
  useEffect(() => session.subscribe((e) => e.type === 'bulk' && e.change.snapshotId && void loadSnapshots()), [session, loadSnapshots])

  useEffect(() => {
    const update = (): void => setHistory({ undo: session.history.nextUndo()?.label ?? null, redo: session.history.nextRedo()?.label ?? null })
    update()
    return session.subscribe((e) => e.type === 'history' && update())
  }, [session])

  const select = useCallback(
    (id: string | null, index?: number) => {
      scope.selectedIndex = index ?? (id ? pages.indexOf(id) : -1)
      scope.place.set((p) => (p.selectedId === id ? p : { ...p, selectedId: id }))
    },
    [scope, pages]
  )

  // a plain click opens the trace; ctrl / shift + click mark traces for a bulk action
  const clickRow = useCallback(
    (id: string, index: number, click: RowClick) => {
      if (click === 'open') select(id, index)
      else if (click === 'toggle') toggleMarked(scope.marked, id, index)
      else markRange(scope.marked, index, Math.max(0, scope.selectedIndex), (i) => pages.row(i)?.id)
    },
    [scope, pages, select]
  )

  // another screen asked for a trace (a playground run, an eval result)
  useEffect(() => {
    if (nav.screen === 'traces' && nav.traceId) select(nav.traceId)
  }, [nav, select])

  // nothing open yet: open the first trace once it is listed
  useEffect(() => {
    const off = pages.subscribe(() => {
      const first = pages.row(0)
      if (!scope.place.get().selectedId && first) select(first.id, 0)
    })
    const first = pages.row(0)
    if (!scope.place.get().selectedId && first) select(first.id, 0)
    return off
  }, [pages, scope, select])

  const go = useCallback(
    async (delta: number): Promise<void> => {
      const current = scope.place.get().selectedId
      const at = current ? pages.indexOf(current) : -1
      // a selection that left the list: its old index now holds the trace after it
      const target = at >= 0 ? at + delta : scope.selectedIndex >= 0 ? Math.max(0, scope.selectedIndex + Math.min(delta, 0)) : 0
      if (target < 0 || (pages.total !== null && target >= pages.total)) {
        setMessage(delta > 0 ? 'That was the last trace of this filter.' : 'This is the first trace.')
        return
      }
      setMessage(null)
      const row = await pages.load(target)
      if (!row) return
      select(row.id, target)
    },
    [pages, scope, select]
  )

  // read the next two traces ahead (state, sample and image) while this one is reviewed, so j /
  // accept open them without a round trip, and a fast reviewer does not outrun an image still on
  // its way; asked after the open trace's own reads
  useEffect(() => {
    const id = place.selectedId
    const at = id ? pages.indexOf(id) : -1
    if (at < 0) return
    for (const next of [pages.row(at + 1), pages.row(at + 2)]) {
      if (!next) continue
      if (!scope.traces.has(next.id)) void readAhead(scope, next.id).catch(() => undefined)
      void sampleOf(scope, next.sampleId).catch(() => undefined)
      void loadImage(mediaUrl(next.thumb.hash)).catch(() => undefined)
    }
  }, [place.selectedId, pages, scope, mediaUrl])

  const undoOrRedo = useCallback(
    (which: 'undo' | 'redo') => {
      const label = which === 'undo' ? session.history.nextUndo()?.label : session.history.nextRedo()?.label
      if (!label) {
        setMessage(`Nothing to ${which}.`)
        return
      }
      void session[which]().then((trace) => {
        if (!trace) return
        setMessage(`${which === 'undo' ? 'Undid' : 'Redid'} “${label}” on ${trace.id.slice(0, 18)}.`)
        // undo brings you back to the trace it changed (after auto-advance, the previous one)
        if (trace.id !== scope.place.get().selectedId) select(trace.id)
      })
    },
    [session, scope, select]
  )

  useReviewKeys({
    next: () => void go(1),
    prev: () => void go(-1),
    undo: () => undoOrRedo('undo'),
    redo: () => undoOrRedo('redo'),
    search: () => searchRef.current?.focus(),
    snapshots: () => scope.place.set((p) => ({ ...p, snapshotsOpen: !p.snapshotsOpen }))
  })

  return (
    <div className="review" data-testid="review-screen">
      <aside className="review-side">
        <Panel name="filters">
          <TraceFilters scope={scope} snapshots={snapshots} dataVersion={dataVersion} searchRef={searchRef} />
        </Panel>
        <Panel name="bulk-actions">
          <BulkBar scope={scope} filter={place.filter} snapshots={snapshots} onMessage={setMessage} />
        </Panel>
        <Panel name="trace-list">
          <TraceList scope={scope} selectedId={place.selectedId} onSelect={clickRow} />
        </Panel>
        <button className="snapshots-toggle" aria-expanded={place.snapshotsOpen} onClick={() => scope.place.set((p) => ({ ...p, snapshotsOpen: !p.snapshotsOpen }))}>
          {place.snapshotsOpen ? '▾' : '▸'} Snapshots ({snapshots.length}) <kbd>n</kbd>
        </button>
        {place.snapshotsOpen && (
          <Panel name="snapshots">
          <SnapshotsPanel
            client={client}
            snapshots={snapshots}
            filter={place.filter}
            matching={pages.total}
            onCreated={(s) => {
              setMessage(`Snapshot “${s.name}”: ${s.traceCount} traces, hash ${s.hash.slice(0, 12)}.`)
              void loadSnapshots()
            }}
            onPick={(id) => scope.place.set((p) => ({ ...p, filter: id ? { ...p.filter, snapshotId: id } : withoutSnapshot(p.filter) }))}
          />
          </Panel>
        )}
      </aside>
      <section className="review-main">
        {message && (
          <div className="banner info" data-testid="review-message">
            {message}
          </div>
        )}
        {place.selectedId ? (
          <Panel key={place.selectedId} name="trace-editor">
            <TraceEditor scope={scope} traceId={place.selectedId} history={history} onAdvance={() => void go(1)} onUndo={() => undoOrRedo('undo')} onRedo={() => undoOrRedo('redo')} />
          </Panel>
        ) : (
          <div className="muted pad">No trace open. Pick one in the list (j / k), or change the filters.</div>
        )}
      </section>
    </div>
  )
}

function withoutSnapshot<T extends { snapshotId?: string }>(filter: T): T {
  const { snapshotId: _s, ...rest } = filter
  return rest as T
}
