import type { Migration } from './migration'

// Counts for the filter bar with a source (issue 15): the facet counters (007, 009) gain the
// trace's source (its sample's), so a source filter, alone or with status / origin / operation,
// sums a few counter rows instead of grouping a covering walk of traces_sample (140 ms over
// ~250k entries at 1M). The counters stay sources x statuses x origins x operations rows.
// Who keeps them, in the writing transaction:
// - trace updates: the per-row trigger (as before, plus a sample lookup by seq for each side;
//   a moved sample_seq moves the trace), skipped while a bulk change sets bulk_writing
// - inserts: TraceRepository.insertMany, once per batch; bulk changes: FACETS_MOVED_SQL, once
// - trace deletes: the per-row trigger. A sample's delete cascades to its traces only after the
//   sample row is gone (where the trigger can no longer read the source), so the sample's
//   traces are deleted first, by trigger, while it is still there
// - a sample's source (nothing edits it today; whoever does): its traces move, grouped
export const migration013: Migration = {
  version: 13,
  name: 'facet counters by source',
  up: (db) => {
    db.exec(`
      DROP TRIGGER trace_facets_delete;
      DROP TRIGGER trace_facets_update;
      DROP TABLE trace_facets;
      CREATE TABLE trace_facets (
        source TEXT NOT NULL,
        status TEXT NOT NULL,
        origin TEXT NOT NULL,
        -- 1: uses crop_image, 2: uses select_frames (bits)
        op INTEGER NOT NULL,
        n INTEGER NOT NULL,
        PRIMARY KEY (source, status, origin, op)
      ) STRICT, WITHOUT ROWID;
      -- grouped by sample first (a walk of traces_sample), then each sample's source read once
      INSERT INTO trace_facets (source, status, origin, op, n)
        SELECT s.source, g.status, g.origin, g.op, sum(g.n)
        FROM (SELECT sample_seq, status, origin, (crops > 0) + 2 * (frame_selections > 0) AS op, count(*) AS n FROM traces GROUP BY 1, 2, 3, 4) g
        JOIN samples s ON s.seq = g.sample_seq
        GROUP BY 1, 2, 3, 4;

      CREATE TRIGGER trace_facets_delete AFTER DELETE ON traces BEGIN
        UPDATE trace_facets SET n = n - 1
          WHERE source = (SELECT source FROM samples WHERE seq = old.sample_seq)
            AND status = old.status AND origin = old.origin AND op = (old.crops > 0) + 2 * (old.frame_selections > 0);
      END;
      CREATE TRIGGER trace_facets_update AFTER UPDATE OF status, origin, crops, frame_selections, sample_seq ON traces
        WHEN (old.status IS NOT new.status OR old.origin IS NOT new.origin OR old.sample_seq IS NOT new.sample_seq
          OR (old.crops > 0) + 2 * (old.frame_selections > 0) IS NOT (new.crops > 0) + 2 * (new.frame_selections > 0))
          AND NOT (SELECT active FROM bulk_writing)
      BEGIN
        UPDATE trace_facets SET n = n - 1
          WHERE source = (SELECT source FROM samples WHERE seq = old.sample_seq)
            AND status = old.status AND origin = old.origin AND op = (old.crops > 0) + 2 * (old.frame_selections > 0);
        INSERT INTO trace_facets (source, status, origin, op, n)
          SELECT source, new.status, new.origin, (new.crops > 0) + 2 * (new.frame_selections > 0), 1 FROM samples WHERE seq = new.sample_seq
          ON CONFLICT DO UPDATE SET n = n + 1;
      END;

      CREATE TRIGGER trace_facets_sample_delete BEFORE DELETE ON samples BEGIN
        DELETE FROM traces WHERE sample_seq = old.seq;
      END;
      CREATE TRIGGER trace_facets_sample_source AFTER UPDATE OF source ON samples WHEN old.source IS NOT new.source BEGIN
        INSERT INTO trace_facets (source, status, origin, op, n)
          SELECT source, status, origin, op, sum(n) FROM (
            SELECT old.source AS source, status, origin, (crops > 0) + 2 * (frame_selections > 0) AS op, -1 AS n FROM traces WHERE sample_seq = new.seq
            UNION ALL
            SELECT new.source, status, origin, (crops > 0) + 2 * (frame_selections > 0), 1 FROM traces WHERE sample_seq = new.seq)
          WHERE true GROUP BY 1, 2, 3, 4
          ON CONFLICT DO UPDATE SET n = n + excluded.n;
      END;
    `)
  }
}
