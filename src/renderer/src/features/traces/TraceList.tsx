// The trace list, virtualized: only the rows on screen exist in the DOM, their pages are fetched
// by offset as the person scrolls, and the scroll offset survives leaving the screen.
import { memo, useCallback, useEffect, useLayoutEffect, useRef, useState, useSyncExternalStore } from 'react'
import type { TraceSummary } from '../../../../shared/contract'
import { useStudio } from '../../app/studio-context'
import type { ReviewScope } from './review-scope'
import { useStore } from './store'
import { maxVirtualTop, revealRow, rowWindow, scrollHeight, scrollTopFor, virtualTopFor, type ListGeometry } from './virtual-window'

export const ROW_HEIGHT = 56

/** How a row was clicked: plain opens it; ctrl/cmd marks it; shift marks a range (bulk actions). */
export type RowClick = 'open' | 'toggle' | 'range'

/** Memoized: an undo entry or a message re-renders none of it (the selection does). */
export const TraceList = memo(function TraceList(props: { scope: ReviewScope; selectedId: string | null; onSelect: (id: string, index: number, click: RowClick) => void }): React.JSX.Element {
  const { scope, selectedId, onSelect } = props
  const { pages, scroll } = scope
  const marked = useStore(scope.marked).ids
  useSyncExternalStore(pages.subscribe, pages.getVersion)
  const ref = useRef<HTMLDivElement>(null)
  const [viewport, setViewport] = useState(600)
  const [virtualTop, setVirtualTop] = useState(scroll.virtualTop)
  /** the scrollTop we set ourselves, so its scroll event is not read back (rounding drift) */
  const expected = useRef<number | null>(null)
  /** the element's scrollTop as last seen or set: reading it after a render would force a layout */
  const current = useRef(0)
  const g: ListGeometry = { rows: pages.total ?? 0, rowHeight: ROW_HEIGHT, viewport }
  const geometry = useRef(g)
  geometry.current = g

  useLayoutEffect(() => {
    const el = ref.current
    if (!el) return
    const observer = new ResizeObserver(() => setViewport(el.clientHeight))
    observer.observe(el)
    setViewport(el.clientHeight)
    return () => observer.disconnect()
  }, [])

  // the virtual offset drives the real scrollTop (restoring the place, wheel, keys)
  const clamped = Math.min(virtualTop, maxVirtualTop(g))
  useLayoutEffect(() => {
    const el = ref.current
    if (!el) return
    const top = scrollTopFor(clamped, geometry.current)
    if (Math.abs(current.current - top) > 1) {
      expected.current = top
      current.current = top
      el.scrollTop = top
    }
    scroll.virtualTop = clamped
  }, [clamped, g.rows, viewport, scroll])

  const onScroll = useCallback(() => {
    const el = ref.current
    if (!el) return
    current.current = el.scrollTop
    if (expected.current !== null && Math.abs(current.current - expected.current) <= 1) {
      expected.current = null
      return
    }
    expected.current = null
    setVirtualTop(virtualTopFor(current.current, geometry.current))
  }, [])

  // past the browser's height cap the scrollbar is scaled; the wheel still moves real pixels
  useEffect(() => {
    const el = ref.current
    if (!el) return
    const onWheel = (event: WheelEvent): void => {
      const gg = geometry.current
      if (gg.rows * gg.rowHeight <= scrollHeight(gg)) return
      event.preventDefault()
      const delta = event.deltaMode === 1 ? event.deltaY * gg.rowHeight : event.deltaMode === 2 ? event.deltaY * gg.viewport : event.deltaY
      setVirtualTop((v) => Math.min(Math.max(v + delta, 0), maxVirtualTop(gg)))
    }
    el.addEventListener('wheel', onWheel, { passive: false })
    return () => el.removeEventListener('wheel', onWheel)
  }, [])

  const win = rowWindow(clamped, g)
  useEffect(() => pages.want(win.first, Math.max(win.last, win.first)), [pages, win.first, win.last])

  // bring the selected row into view when the selection changes (j/k, auto-advance, undo),
  // not when pages load while the person scrolls elsewhere
  useEffect(() => {
    const index = selectedId ? pages.indexOf(selectedId) : -1
    if (index >= 0) setVirtualTop((v) => revealRow(index, v, geometry.current))
  }, [selectedId, pages])

  const rows: React.JSX.Element[] = []
  for (let i = win.first; i <= win.last; i++) {
    const row = pages.row(i)
    rows.push(row ? <TraceRow key={i} index={i} row={row} selected={row.id === selectedId} marked={marked.has(row.id)} onSelect={onSelect} /> : <div key={i} className="trace-row placeholder" style={{ height: ROW_HEIGHT }} />)
  }

  return (
    <div className="trace-list" ref={ref} onScroll={onScroll} role="listbox" aria-label="Traces" data-total={pages.total ?? ''}>
      <div style={{ height: scrollHeight(g), position: 'relative' }}>
        <div className="trace-rows" style={{ transform: `translateY(${scrollTopFor(clamped, g) + win.offset}px)` }}>
          {rows}
        </div>
      </div>
      {pages.total === 0 && <div className="muted pad empty">No traces match. Clear the filters, or add traces (synthesis, a model run, “Edit a copy”).</div>}
      {pages.error && <div className="banner error">{pages.error}</div>}
    </div>
  )
})

const STATUS_LABEL: Record<TraceSummary['status'], string> = { unreviewed: 'unreviewed', accepted: 'accepted', rejected: 'rejected', needs_fix: 'needs fix' }

function TraceRow(props: { index: number; row: TraceSummary; selected: boolean; marked: boolean; onSelect: (id: string, index: number, click: RowClick) => void }): React.JSX.Element {
  const { index, row, selected, marked, onSelect } = props
  const { mediaUrl } = useStudio()
  const matches = row.answer !== null && row.answer.trim() === row.gold.trim()
  return (
    <div
      className={`trace-row${selected ? ' selected' : ''}${marked ? ' marked' : ''}`}
      style={{ height: ROW_HEIGHT }}
      role="option"
      aria-selected={selected}
      data-trace-id={row.id}
      data-index={index}
      data-marked={marked || undefined}
      onClick={(e) => {
        const click: RowClick = e.shiftKey ? 'range' : e.ctrlKey || e.metaKey ? 'toggle' : 'open'
        if (click === 'open') performance.mark('trace-open', { detail: row.id })
        onSelect(row.id, index, click)
      }}
    >
      <img src={mediaUrl(row.thumb.hash)} alt="" loading="lazy" decoding="async" width={48} height={36} />
      <div className="trace-row-main">
        <div className="trace-row-top">
          <span className={`status-dot ${row.status}`} title={STATUS_LABEL[row.status]} />
          <span className="trace-status">{STATUS_LABEL[row.status]}</span>
          <span className={`tag origin-${row.origin}`}>{row.origin}</span>
          {row.kind === 'video' && <span className="tag video">video</span>}
          <span className="muted">{row.operations} op</span>
          {row.flags.length > 0 && <span className="muted" title={row.flags.join(', ')}>⚑{row.flags.length}</span>}
        </div>
        <div className="question">{row.question}</div>
      </div>
      <div className={`trace-row-answer ${matches ? 'ok' : 'bad'}`} title={`answer ${row.answer ?? '(none)'} · gold ${row.gold}`}>
        {row.answer ?? '—'}
      </div>
    </div>
  )
}
