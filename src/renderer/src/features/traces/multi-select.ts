// The list's multi-selection for bulk actions: ctrl/cmd+click marks or unmarks one trace,
// shift+click marks the range from the last marked row. Kept in the review scope (a store of
// its own), apart from the open trace and the list's paging.
import { BULK_MAX_IDS } from '../../../../shared/contract'
import { createStore, type Store } from './store'

export interface Marked {
  ids: ReadonlySet<string>
  /** the list index of the last row marked one by one: where a shift+click range starts */
  anchor: number | null
}

export type MarkedStore = Store<Marked>

export const NONE: Marked = { ids: new Set(), anchor: null }

export function createMarked(): MarkedStore {
  return createStore<Marked>(NONE)
}

/** Ctrl/cmd+click: one trace in or out. */
export function toggleMarked(store: MarkedStore, id: string, index: number): void {
  store.set((m) => {
    const ids = new Set(m.ids)
    if (ids.has(id)) ids.delete(id)
    else ids.add(id)
    return { ids, anchor: index }
  })
}

/** Shift+click: every loaded row between the anchor (or the open trace) and this one. */
export function markRange(store: MarkedStore, index: number, from: number, rowId: (i: number) => string | undefined): void {
  store.set((m) => {
    const start = m.anchor ?? from
    const ids = new Set(m.ids)
    for (let i = Math.min(start, index); i <= Math.max(start, index) && ids.size < BULK_MAX_IDS; i++) {
      const id = rowId(i)
      if (id) ids.add(id)
    }
    return { ids, anchor: m.anchor ?? start }
  })
}

export function clearMarked(store: MarkedStore): void {
  store.set(NONE)
}
