import type { Migration } from './migration'

// Bulk inserts stay flat at 1M traces (issue 15). traces_sample was keyed (sample_seq, seq, ...):
// a batch of traces over many samples put an entry at the end of each sample's run, in the
// middle of the tree, so at 1M a 10k batch over 2000 samples dirtied ~2000 scattered leaves
// (and split them three ways): ~15 of the ~60 µs of CPU a bulk-inserted trace cost, with its
// checkpoint, and it grew with the table (measured on a copy of a 1M project: the traces row with
// its indexes and checkpoint 28 µs a trace; without this index 13; keyed as below 13).
// The index is now keyed by the trace's block of 65536 seqs first, (seq >> 16, sample_seq):
// a batch writes only inside the newest block's subtree (~160 leaves at most, whatever N is).
// A sample's traces are one probe per block: `(seq >> 16) IN (the blocks that hold traces)`,
// the blocks read from trace_seq_blocks (migration 012; its blocks are 2^12 seqs, so >> 4);
// at 1M that is 16 probes (trace-query.ts writes the clause; the sample triggers below too).
// Left unindexed: the foreign key's own cascade when a sample is deleted (a walk of traces;
// nothing in the studio deletes samples, and the trigger deletes the traces first, by block).
export const migration015: Migration = {
  version: 15,
  name: 'sample index by seq block',
  up: (db) => {
    db.exec(`
      DROP INDEX traces_sample;
      CREATE INDEX traces_sample ON traces(seq >> 16, sample_seq);

      DROP TRIGGER trace_facets_sample_delete;
      CREATE TRIGGER trace_facets_sample_delete BEFORE DELETE ON samples BEGIN
        DELETE FROM traces WHERE sample_seq = old.seq AND (seq >> 16) IN (SELECT block >> 4 FROM trace_seq_blocks WHERE n > 0);
      END;
      DROP TRIGGER trace_facets_sample_source;
      CREATE TRIGGER trace_facets_sample_source AFTER UPDATE OF source ON samples WHEN old.source IS NOT new.source BEGIN
        INSERT INTO trace_facets (source, status, origin, op, n)
          SELECT source, status, origin, op, sum(n) FROM (
            SELECT old.source AS source, status, origin, (crops > 0) + 2 * (frame_selections > 0) AS op, -1 AS n FROM traces
              WHERE sample_seq = new.seq AND (seq >> 16) IN (SELECT block >> 4 FROM trace_seq_blocks WHERE n > 0)
            UNION ALL
            SELECT new.source, status, origin, (crops > 0) + 2 * (frame_selections > 0), 1 FROM traces
              WHERE sample_seq = new.seq AND (seq >> 16) IN (SELECT block >> 4 FROM trace_seq_blocks WHERE n > 0))
          WHERE true GROUP BY 1, 2, 3, 4
          ON CONFLICT DO UPDATE SET n = n + excluded.n;
      END;
    `)
  }
}
