import type { Migration } from './migration'

// What a bulk change of 100k traces costs per row (issue 16, bench/bulk-review). Profiled per
// statement, a bulk accept spent about half its time writing a whole revision state per trace
// (inserting 100k rows of ~700 bytes between the existing ones of a clustered table splits
// every page it touches: ~350 MB of WAL) and up to a tenth in the per-row facet trigger.
// - trace_compact_revisions: a revision that changed only status and flags (what a bulk change
//   writes) stores those two and `base`, the revision in trace_revisions whose question, steps
//   and comment it keeps (always a whole one: a compact revision's base is its predecessor's
//   base). A revision is in exactly one of the two tables.
// - trace_revision_states: every revision with its whole state (a compact one rebuilt from its
//   base); history, undo and snapshots read revisions only through it.
// - snapshot_items reference trace_revisions by foreign key: a snapshot first turns the compact
//   revisions it freezes into whole ones (TraceRepository.freeze), so a frozen state is stored
//   whole, as before.
// - bulk_writing: a one-row flag a bulk write sets inside its transaction; while it is set the
//   facet trigger skips its two statements per row and the bulk adjusts trace_facets once,
//   grouped over the selection (a rollback clears the flag with the rest).
export const migration009: Migration = {
  version: 9,
  name: 'compact bulk revisions, facet counters adjusted per bulk',
  up: (db) => {
    db.exec(`
      CREATE TABLE trace_compact_revisions (
        trace_seq INTEGER NOT NULL REFERENCES traces(seq) ON DELETE CASCADE,
        revision INTEGER NOT NULL,
        base INTEGER NOT NULL,
        author TEXT NOT NULL,
        action TEXT NOT NULL,
        at TEXT NOT NULL,
        status TEXT NOT NULL,
        flags TEXT NOT NULL,
        PRIMARY KEY (trace_seq, revision)
      ) STRICT, WITHOUT ROWID;

      CREATE VIEW trace_revision_states AS
        SELECT trace_seq, revision, author, action, at, state, 0 AS compact FROM trace_revisions
        UNION ALL
        SELECT c.trace_seq, c.revision, c.author, c.action, c.at, json_set(b.state, '$.status', c.status, '$.flags', json(c.flags)), 1
        FROM trace_compact_revisions c JOIN trace_revisions b ON b.trace_seq = c.trace_seq AND b.revision = c.base;

      CREATE TABLE bulk_writing (
        one INTEGER PRIMARY KEY CHECK (one = 1),
        active INTEGER NOT NULL CHECK (active IN (0, 1))
      ) STRICT;
      INSERT INTO bulk_writing (one, active) VALUES (1, 0);

      DROP TRIGGER trace_facets_update;
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
