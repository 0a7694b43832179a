import type { Migration } from './migration'

// A trace row holds what lists filter, sort and show; its body (question, steps, origin detail,
// comment: ~1.3 KB of a ~1.4 KB row) moves to trace_bodies (issues 15 and 16).
// - A bulk change of status rewrites every selected row: with the body inline that is ~1.4 KB
//   per trace (a 100k accept wrote ~140 MB of table pages); narrow rows are ~130 bytes, and a
//   list page or a count that reads rows reads a tenth of the pages.
// - Status leaves the covering tail of the indexes whose key has no updated_at (traces_origin,
//   traces_op_*): a bulk change rewrites an index entry only where the key or tail holds status
//   or updated_at, so 5 index writes per trace instead of 10 (measured on 100k: the UPDATE of a
//   bulk accept 2.3 s -> 0.9 s with both changes). A page filtered by status walks an index that
//   has it (trace-query.ts: walkIndex).
// - The rollout and synthesis job index moves with origin_detail: every trace a job wrote.
// - traces is rebuilt (the documented 12-step way, foreign keys off around the migration,
//   checked with foreign_key_check before commit): dropping the columns in place would leave
//   the rows spread over the old pages (7x the pages, measured).
export const migration011: Migration = {
  version: 11,
  name: 'narrow trace rows, bodies apart',
  foreignKeysOff: true,
  up: (db) => {
    db.exec(`
      CREATE TABLE trace_bodies (
        seq INTEGER PRIMARY KEY REFERENCES traces(seq) ON DELETE CASCADE,
        question TEXT NOT NULL,
        steps TEXT NOT NULL,
        origin_detail TEXT NOT NULL DEFAULT '{}',
        comment TEXT NOT NULL DEFAULT ''
      ) STRICT;
      INSERT INTO trace_bodies (seq, question, steps, origin_detail, comment) SELECT seq, question, steps, origin_detail, comment FROM traces ORDER BY seq;
      CREATE INDEX trace_bodies_job ON trace_bodies(json_extract(origin_detail, '$.jobId'), seq) WHERE json_extract(origin_detail, '$.jobId') IS NOT NULL;

      CREATE TABLE traces_narrow (
        seq INTEGER PRIMARY KEY,
        id TEXT NOT NULL UNIQUE,
        sample_seq INTEGER NOT NULL REFERENCES samples(seq) ON DELETE CASCADE,
        origin TEXT NOT NULL CHECK (origin IN ('synthesized', 'human', 'inference', 'rollout', 'imported')),
        status TEXT NOT NULL CHECK (status IN ('unreviewed', 'accepted', 'rejected', 'needs_fix')),
        flags TEXT NOT NULL DEFAULT '[]',
        answer TEXT,
        crops INTEGER NOT NULL DEFAULT 0,
        frame_selections INTEGER NOT NULL DEFAULT 0,
        revision INTEGER NOT NULL CHECK (revision > 0),
        created_at TEXT NOT NULL,
        updated_at TEXT NOT NULL
      ) STRICT;
      INSERT INTO traces_narrow (seq, id, sample_seq, origin, status, flags, answer, crops, frame_selections, revision, created_at, updated_at)
        SELECT seq, id, sample_seq, origin, status, flags, answer, crops, frame_selections, revision, created_at, updated_at FROM traces ORDER BY seq;
      DROP TABLE traces;
      ALTER TABLE traces_narrow RENAME TO traces;

      CREATE INDEX traces_status ON traces(status, seq, origin, crops, frame_selections, sample_seq);
      CREATE INDEX traces_origin ON traces(origin, seq, crops, frame_selections, sample_seq);
      CREATE INDEX traces_list ON traces(seq, status, origin, crops, frame_selections, sample_seq, updated_at);
      CREATE INDEX traces_updated ON traces(updated_at, seq, status, origin, crops, frame_selections, sample_seq);
      CREATE INDEX traces_status_updated ON traces(status, updated_at, seq, origin, crops, frame_selections, sample_seq);
      CREATE INDEX traces_origin_updated ON traces(origin, updated_at, seq, status, crops, frame_selections, sample_seq);
      CREATE INDEX traces_op_any ON traces((crops + frame_selections) > 0, seq, origin, crops, frame_selections, sample_seq);
      CREATE INDEX traces_op_crop ON traces(crops > 0, seq, origin, crops, frame_selections, sample_seq);
      CREATE INDEX traces_op_frames ON traces(frame_selections > 0, seq, origin, crops, frame_selections, sample_seq);
      CREATE INDEX traces_sample ON traces(sample_seq, seq, status, origin, crops, frame_selections);

      CREATE TRIGGER trace_facets_delete AFTER DELETE ON traces BEGIN
        UPDATE trace_facets SET n = n - 1
          WHERE status = old.status AND origin = old.origin AND op = (old.crops > 0) + 2 * (old.frame_selections > 0);
      END;
      CREATE TRIGGER trace_facets_update AFTER UPDATE OF status, origin, crops, frame_selections ON traces
        WHEN (old.status IS NOT new.status OR old.origin IS NOT new.origin
          OR (old.crops > 0) + 2 * (old.frame_selections > 0) IS NOT (new.crops > 0) + 2 * (new.frame_selections > 0))
          AND NOT (SELECT active FROM bulk_writing)
      BEGIN
        UPDATE trace_facets SET n = n - 1
          WHERE status = old.status AND origin = old.origin AND op = (old.crops > 0) + 2 * (old.frame_selections > 0);
        INSERT INTO trace_facets (status, origin, op, n) VALUES (new.status, new.origin, (new.crops > 0) + 2 * (new.frame_selections > 0), 1)
          ON CONFLICT DO UPDATE SET n = n + 1;
      END;
    `)
  }
}
