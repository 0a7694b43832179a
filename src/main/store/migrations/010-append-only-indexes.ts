import type { Migration } from './migration'

// Bulk inserts stay flat from 0 to 1M traces (issue 15). An index whose key puts a new row in
// the middle of the tree (a wide prefix, then anything but seq) dirties a different leaf for
// nearly every inserted trace: at 1M a 10k batch rewrote almost every leaf of such an index
// and spilled past the page cache, so each batch cost more than the last (4.5k/s -> 1.1k/s).
// Every index on traces now ends its prefix with seq or updated_at (both only grow), so a
// batch appends at the right edge of each small group and dirties a bounded set of pages:
// - traces_facets is dropped: the trace_facets counters (007) answer status, origin and
//   operation counts; a count with another filter groups a covering walk (24 groups at most)
// - traces_sample becomes (sample_seq, seq, ...): one append point per sample, still covering
//   for a source's or a sample's counts, and a sample's traces come in seq order
export const migration010: Migration = {
  version: 10,
  name: 'append-only trace indexes',
  up: (db) => {
    db.exec(`
      DROP INDEX traces_facets;
      DROP INDEX traces_sample;
      CREATE INDEX traces_sample ON traces(sample_seq, seq, status, origin, crops, frame_selections);
    `)
  }
}
