// The SQL of trace lists and counts. Every page is an index walk stopped at the page size
// (issue 15): the walk is chosen here by a fixed rule and named with INDEXED BY, so a plan
// never depends on table statistics and never sorts every match; test/traces/trace-plans.test.ts
// checks the plan of every combination. Indexes: migrations 005, 007, 010, 011, 015 and 017; facet counters: 007, 013.
import { StudioError, type TraceFilter } from '../../shared/contract'
import { toFtsQuery } from './trace-columns'

export type Sort = 'created' | 'updated'
export type Params = Record<string, string | number>

/** Searches with at most this many hits are counted exactly and, sorted by update time, read
 * whole and sorted; past it counts are extrapolated and pages walk the update-time index. */
export const SEARCH_CAP = 5000

/** trace_seq_blocks (migration 012) counts the traces per 2^12 seqs; its SQL writes `seq >> 12`. */
export const SEQ_BLOCK_SHIFT = 12
/** Offsets of the whole list from here on are found through the block counts; below, the walk is as cheap. */
export const BLOCK_JUMP_FROM = 2000

/**
 * traces_sample is keyed (seq >> 16, sample_seq) (migration 015: a bulk insert writes only in
 * the newest block): a sample's traces are one probe per block that holds traces, the blocks
 * read from trace_seq_blocks (2^12 seqs each, hence >> 4). Written exactly as the index's expression.
 */
const IN_TRACE_BLOCKS = '(t.seq >> 16) IN (SELECT DISTINCT block >> 4 FROM trace_seq_blocks WHERE n > 0)'

/** The operation filter as the conditions of its partial index (migration 017; written exactly alike, so SQLite can use it). */
const OPERATION: Record<NonNullable<TraceFilter['operation']>, { index: string; where: string }> = {
  any: { index: 'traces_op_any', where: 't.crops + t.frame_selections > 0' },
  none: { index: 'traces_op_none', where: 't.crops + t.frame_selections = 0' },
  crop: { index: 'traces_op_crop', where: 't.crops > 0' },
  select_frames: { index: 'traces_op_frames', where: 't.frame_selections > 0' }
}

export function ftsMatch(query: string): string {
  const match = toFtsQuery(query)
  if (match === null) throw new StudioError('invalid_input', `search "${query}" has no words to look for`)
  return match
}

/** `status IN (...)` and `origin IN (...)`, on columns with this prefix (traces, or the counters). */
function valueClauses(filter: TraceFilter, params: Params, prefix: string): string[] {
  const clauses: string[] = []
  for (const column of ['status', 'origin'] as const) {
    const values: readonly string[] | undefined = filter[column]
    if (!values) continue
    clauses.push(`${prefix}${column} IN (${values.map((_, i) => `@${column}${i}`).join(', ')})`)
    values.forEach((v, i) => (params[`${column}${i}`] = v))
  }
  return clauses
}

/**
 * WHERE clauses for a filter on `traces t`, without the full-text condition (the caller joins
 * or probes the index). Membership tests are correlated probes (one index lookup per walked
 * entry, nothing materialised): a page stops after its rows, whatever the set's size.
 */
export function filterClauses(filter: TraceFilter, params: Params): string[] {
  const clauses: string[] = []
  clauses.push(...valueClauses(filter, params, 't.'))
  if (filter.operation) clauses.push(OPERATION[filter.operation].where)
  if (filter.flag) {
    clauses.push('EXISTS (SELECT 1 FROM trace_flags f WHERE f.flag = @flag AND f.trace_seq = t.seq)')
    params.flag = filter.flag
  }
  if (filter.source) {
    // a source's samples are few next to its traces: a small list, read once
    clauses.push('t.sample_seq IN (SELECT ss.seq FROM samples ss WHERE ss.source = @source)')
    params.source = filter.source
  }
  if (filter.sampleId) {
    clauses.push(`t.sample_seq = (SELECT ss.seq FROM samples ss WHERE ss.id = @sampleId) AND ${IN_TRACE_BLOCKS}`)
    params.sampleId = filter.sampleId
  }
  if (filter.snapshotId) {
    clauses.push('EXISTS (SELECT 1 FROM snapshot_items i WHERE i.trace_seq = t.seq AND i.snapshot_seq = (SELECT sn.seq FROM snapshots sn WHERE sn.id = @snapshotId))')
    params.snapshotId = filter.snapshotId
  }
  if (filter.ids) {
    // a multi-selection (bulk actions): a small list, read once
    clauses.push('t.id IN (SELECT value FROM json_each(@ids))')
    params.ids = JSON.stringify(filter.ids)
  }
  return clauses
}

/** The index a page of this filter walks, in this sort (see migration 007). */
export function walkIndex(filter: TraceFilter, sort: Sort): string {
  if (filter.sampleId) return 'traces_sample' // a sample's traces: few, a probe per seq block (migration 015), sorted after
  const one = <T>(xs: readonly T[] | undefined): boolean => xs !== undefined && xs.length === 1
  if (sort === 'updated') {
    if (one(filter.status)) return 'traces_status_updated'
    if (one(filter.origin)) return 'traces_origin_updated'
    return 'traces_updated'
  }
  // traces_origin and traces_op_* do not hold status (migration 011): a status filter walks an index that does
  if (one(filter.status)) return 'traces_status'
  if (filter.status) return 'traces_list'
  if (one(filter.origin)) return 'traces_origin'
  if (filter.operation) return OPERATION[filter.operation].index
  return 'traces_list'
}

/**
 * The traces a job wrote (a synthesis run's, a training run's rollouts) of one origin, found by
 * the job index on trace_bodies (migration 011): `FROM` and `WHERE` over `traces t` and
 * `trace_bodies b`; the job id is bound as @jobId unless `jobId` names another expression (a
 * column of an outer query, or `?`).
 */
export function jobTracesSql(origin: 'synthesized' | 'rollout', jobId = '@jobId'): string {
  return `FROM trace_bodies b JOIN traces t ON t.seq = b.seq WHERE json_extract(b.origin_detail, '$.jobId') = ${jobId} AND t.origin = '${origin}'`
}

/**
 * How a search sorted by update time is read:
 * - sort: at most SEARCH_CAP hits, read whole and sorted
 * - probe: hits are dense (a common word: one entry in DENSE or more), the update-time walk
 *   probes the FTS index per entry and meets a page's hits within a few hundred entries
 * - set: otherwise (and for any prefix term, whose probe re-merges all its words' hits every
 *   time: minutes at 1M), the hits are read once into a set the update-time walk checks
 */
export type SearchWalk = 'sort' | 'probe' | 'set'
export const DENSE = 0.2

export function searchWalk(hits: { hits: number; last: number | null }, firstSeq: number, match: string): SearchWalk {
  if (hits.hits < SEARCH_CAP || hits.last === null) return 'sort'
  const dense = hits.hits / (hits.last - firstSeq + 1) >= DENSE
  return dense && !match.includes('*') ? 'probe' : 'set'
}

export interface Cursor {
  seq: number
  /** updated_at, for pages sorted by update time */
  updated?: string
}

export function encodeCursor(cursor: Cursor): string {
  return Buffer.from(JSON.stringify(cursor.updated === undefined ? [cursor.seq] : [cursor.seq, cursor.updated])).toString('base64url')
}

export function decodeCursor(text: string, sort: Sort): Cursor {
  let value: unknown
  try {
    value = JSON.parse(Buffer.from(text, 'base64url').toString('utf8'))
  } catch {
    value = undefined
  }
  if (Array.isArray(value) && Number.isInteger(value[0])) {
    if (sort === 'created' && value.length === 1) return { seq: value[0] as number }
    if (sort === 'updated' && value.length === 2 && typeof value[1] === 'string') return { seq: value[0] as number, updated: value[1] }
  }
  throw new StudioError('invalid_input', `cursor "${text}" is not a cursor of a list sorted by ${sort}`)
}

export interface PageQuery {
  filter: TraceFilter
  sort: Sort
  /** the walk direction: ascending, or descending (a desc list, or the page before an asc cursor) */
  descending: boolean
  cursor: Cursor | undefined
  /** how a search sorted by update time is read (searchWalk) */
  searchWalk?: SearchWalk
}

/**
 * The seqs (and sort keys) of one page, in walk order, with @limit and @offset to bind.
 * - no search: the chosen index, from the cursor on, other filters checked inside the index
 * - search, by creation: the FTS index's rowid order (rowid = seq) drives, stopped at the page
 * - search, by update time: see searchWalk
 */
export function pageSql(q: PageQuery, params: Params): string {
  const dir = q.descending ? 'DESC' : 'ASC'
  const cmp = q.descending ? '<' : '>'
  const clauses = filterClauses(q.filter, params)
  const orderBy = q.sort === 'updated' ? `t.updated_at ${dir}, t.seq ${dir}` : `t.seq ${dir}`
  /** the keyset condition, on the column that drives the walk */
  const keyset = (seqColumn: string): string[] => {
    if (!q.cursor) return []
    params.cursorSeq = q.cursor.seq
    if (q.sort === 'created') return [`${seqColumn} ${cmp} @cursorSeq`]
    params.cursorUpdated = q.cursor.updated ?? ''
    return [`(t.updated_at, t.seq) ${cmp} (@cursorUpdated, @cursorSeq)`]
  }
  const where = (all: string[]): string => (all.length ? `WHERE ${all.join(' AND ')}` : '')
  // only index columns: traces_status / traces_origin / traces_op_* have no updated_at
  const cols = q.sort === 'updated' ? 't.seq, t.updated_at' : 't.seq, NULL AS updated_at'
  if (q.filter.query !== undefined) {
    params.match = ftsMatch(q.filter.query)
    if (q.sort === 'created') {
      // the FTS index walks in rowid order; each hit's filter columns come from traces_list
      return `SELECT ${cols} FROM traces_fts fts CROSS JOIN traces t INDEXED BY traces_list ON t.seq = fts.rowid
        ${where(['traces_fts MATCH @match', ...keyset('fts.rowid'), ...clauses])} ORDER BY fts.rowid ${dir} LIMIT @limit OFFSET @offset`
    }
    if (q.searchWalk === 'sort') {
      return `SELECT ${cols} FROM (SELECT rowid FROM traces_fts WHERE traces_fts MATCH @match) hit CROSS JOIN traces t INDEXED BY traces_list ON t.seq = hit.rowid
        ${where([...keyset('t.seq'), ...clauses])} ORDER BY ${orderBy} LIMIT @limit OFFSET @offset`
    }
    if (q.searchWalk === 'probe') clauses.push('EXISTS (SELECT 1 FROM traces_fts fts WHERE traces_fts MATCH @match AND fts.rowid = t.seq)')
    else clauses.push('t.seq IN (SELECT rowid FROM traces_fts WHERE traces_fts MATCH @match)')
  }
  return `SELECT ${cols} FROM traces t INDEXED BY ${walkIndex(q.filter, q.sort)} ${where([...keyset('t.seq'), ...clauses])} ORDER BY ${orderBy} LIMIT @limit OFFSET @offset`
}

/** Which of a JSON array of trace ids are traces: json_each outside, the id index probed for each, never a scan of the table. */
export const EXISTING_TRACES_SQL = 'SELECT t.id FROM json_each(?) j CROSS JOIN traces t ON t.id = j.value'

/** The page's rows, by seq (a JSON array of them: one statement per page), after the page is cut (never a scan of traces). */
export const ROWS_SQL = `SELECT t.seq, t.id, s.id AS sample_id, t.origin, t.status, b.question, t.flags, t.answer, t.crops, t.frame_selections, t.revision, t.updated_at,
    s.answer AS gold, s.source, s.kind, m.hash AS thumb_hash, m.mime AS thumb_mime, m.width AS thumb_width, m.height AS thumb_height
  FROM traces t
  JOIN trace_bodies b ON b.seq = t.seq
  JOIN samples s ON s.seq = t.sample_seq
  JOIN sample_media first ON first.sample_seq = s.seq AND first.position = 0
  JOIN media m ON m.hash = first.media_hash
  WHERE t.seq IN (SELECT value FROM json_each(?))`

/** Filters the facet counters answer alone (source, status, origin, operation; nothing else). */
export function facetsAnswer(filter: TraceFilter): boolean {
  return filterUsesOnly(filter, ['source', 'status', 'origin', 'operation'])
}

/** Whether a filter sets nothing but `keys` (none at all: the whole list). */
export function filterUsesOnly(filter: TraceFilter, keys: ReadonlyArray<keyof TraceFilter>): boolean {
  return Object.entries(filter).every(([k, v]) => v === undefined || (keys as readonly string[]).includes(k))
}

/** The trace_facets rows of a filter (op bits: 1 crop, 2 select_frames; keyed by source first, migration 013). */
export function facetSql(filter: TraceFilter, params: Params): string {
  const clauses = valueClauses(filter, params, '')
  if (filter.source) {
    clauses.push('source = @source')
    params.source = filter.source
  }
  const op = { any: 'op > 0', none: 'op = 0', crop: '(op & 1) = 1', select_frames: '(op & 2) = 2' }
  if (filter.operation) clauses.push(op[filter.operation])
  return `SELECT status, origin, sum(n) AS n FROM trace_facets ${clauses.length ? `WHERE ${clauses.join(' AND ')}` : ''} GROUP BY status, origin`
}

/** Every clause of a filter, the search as a set of hits (whole-set reads: counts, snapshots). */
export function whereAll(filter: TraceFilter, params: Params): string {
  const clauses = filterClauses(filter, params)
  if (filter.query !== undefined) {
    params.match = ftsMatch(filter.query)
    clauses.push('t.seq IN (SELECT rowid FROM traces_fts WHERE traces_fts MATCH @match)')
  }
  return clauses.length ? `WHERE ${clauses.join(' AND ')}` : ''
}

/** How many hits a search has, up to @cap, and the seq of the last one read (rowid = seq). */
export const SEARCH_HITS_SQL = 'SELECT count(*) AS hits, max(rowid) AS last FROM (SELECT rowid FROM traces_fts WHERE traces_fts MATCH @match ORDER BY rowid LIMIT @cap)'

/** Counts by status and origin among a search's first @cap hits (all of them when fewer). */
export function searchCountSql(filter: TraceFilter, params: Params): string {
  params.match = ftsMatch(filter.query ?? '')
  const clauses = filterClauses({ ...filter, query: undefined }, params)
  return `SELECT t.status, t.origin, count(*) AS n
    FROM (SELECT rowid FROM traces_fts WHERE traces_fts MATCH @match ORDER BY rowid LIMIT @cap) hit CROSS JOIN traces t INDEXED BY traces_list ON t.seq = hit.rowid
    ${clauses.length ? `WHERE ${clauses.join(' AND ')}` : ''} GROUP BY t.status, t.origin`
}
