import type { Migration } from './migration'

// A million traces: every list page an index walk, counts without a scan (issue 15).
// - Pages are keyset (seek) pages: `(sort key, seq) > cursor ORDER BY sort key, seq LIMIT n`.
//   Each index below is one filter's equality prefix, then a sort key, then the other filter
//   columns (covering), so a page is a range walk stopped after n entries that checks the
//   remaining filters inside the index and never reads a wide row nor sorts the matches.
//   The repository picks the walk (trace-query.ts); test/traces/trace-plans.test.ts checks
//   every plan. traces_list gains updated_at: a search's hits sorted by update time are read
//   from it by seq without touching the rows.
// - Operations are indexed as expressions: `(crops + frame_selections) > 0` (any / none),
//   `crops > 0`, `frame_selections > 0`; trace-query.ts writes exactly these expressions.
// - trace_facets: how many traces per (status, origin, operation kind), so counts for the filter
//   bar read at most 80 rows. Updates (one trace or a bulk UPDATE) and deletes keep it by
//   trigger, whoever writes; inserts are added by TraceRepository.insertMany, once per batch in
//   the batch's transaction (an AFTER INSERT trigger made every insert write a statement
//   journal: bulk inserts ran 2-8x slower).
export const migration007: Migration = {
  version: 7,
  name: 'keyset page indexes, facet counters',
  up: (db) => {
    db.exec(`
      DROP INDEX traces_list;
      CREATE INDEX traces_list ON traces(seq, status, origin, crops, frame_selections, sample_seq, updated_at);
      DROP INDEX traces_updated;
      CREATE INDEX traces_updated ON traces(updated_at, seq, status, origin, crops, frame_selections, sample_seq);
      CREATE INDEX traces_status_updated ON traces(status, updated_at, seq, origin, crops, frame_selections, sample_seq);
      CREATE INDEX traces_origin_updated ON traces(origin, updated_at, seq, status, crops, frame_selections, sample_seq);
      CREATE INDEX traces_op_any ON traces((crops + frame_selections) > 0, seq, status, origin, crops, frame_selections, sample_seq);
      CREATE INDEX traces_op_crop ON traces(crops > 0, seq, status, origin, crops, frame_selections, sample_seq);
      CREATE INDEX traces_op_frames ON traces(frame_selections > 0, seq, status, origin, crops, frame_selections, sample_seq);

      CREATE TABLE trace_facets (
        status TEXT NOT NULL,
        origin TEXT NOT NULL,
        -- 1: uses crop_image, 2: uses select_frames (bits)
        op INTEGER NOT NULL,
        n INTEGER NOT NULL,
        PRIMARY KEY (status, origin, op)
      ) STRICT, WITHOUT ROWID;
      INSERT INTO trace_facets (status, origin, op, n)
        SELECT status, origin, (crops > 0) + 2 * (frame_selections > 0), count(*) FROM traces GROUP BY 1, 2, 3;

      CREATE TRIGGER trace_facets_delete AFTER DELETE ON traces BEGIN
        UPDATE trace_facets SET n = n - 1
          WHERE status = old.status AND origin = old.origin AND op = (old.crops > 0) + 2 * (old.frame_selections > 0);
      END;
      CREATE TRIGGER trace_facets_update AFTER UPDATE OF status, origin, crops, frame_selections ON traces
        WHEN old.status IS NOT new.status OR old.origin IS NOT new.origin
          OR (old.crops > 0) + 2 * (old.frame_selections > 0) IS NOT (new.crops > 0) + 2 * (new.frame_selections > 0)
      BEGIN
        UPDATE trace_facets SET n = n - 1
          WHERE status = old.status AND origin = old.origin AND op = (old.crops > 0) + 2 * (old.frame_selections > 0);
        INSERT INTO trace_facets (status, origin, op, n) VALUES (new.status, new.origin, (new.crops > 0) + 2 * (new.frame_selections > 0), 1)
          ON CONFLICT DO UPDATE SET n = n + 1;
      END;
    `)
  }
}
