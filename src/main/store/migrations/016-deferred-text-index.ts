import type { Migration } from './migration'

// The full-text index is written off the bulk-insert path (issue 15; traces/text-index.ts): at
// 1M traces a trace's FTS5 entry was ~10 of the ~60 µs of CPU a bulk-inserted trace cost.
// `indexed_through` is the seq up to which every trace is in traces_fts; the traces after it
// (seqs only grow) are indexed in chunks after the write, before a search when they are few,
// and on open for what a killed process left. An existing project is indexed whole: the mark
// starts at its newest trace.
export const migration016: Migration = {
  version: 16,
  name: 'deferred full-text index',
  up: (db) => {
    db.exec(`
      CREATE TABLE trace_text_state (
        one INTEGER PRIMARY KEY CHECK (one = 1),
        indexed_through INTEGER NOT NULL
      ) STRICT;
      INSERT INTO trace_text_state (one, indexed_through) SELECT 1, coalesce(max(seq), 0) FROM traces;
    `)
  }
}
