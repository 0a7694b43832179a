import type { Migration } from './migration'

// Review at scale and editable samples:
// - bulk_changes: one record per bulk action (accept 100k traces...), with each trace's revision
//   before and after, so the whole change is undone or redone as one step, even after a reload.
//   Undo/redo touch a trace only while it still shows what the change (or its undo) left: the
//   status it set (`status_before` is what undo writes back), the flag present or absent; a
//   trace changed otherwise since is left as it is, and counted as skipped.
// - traces.comment: a reviewer's free-text note, part of the revisioned state and searched by FTS.
// - samples are editable (question, gold answer, answer type, choices, flags) with revisions like
//   traces; revision 1 is written lazily, on a sample's first edit.
// - snapshots get a seeded train/validation split chosen at creation: `split` on the snapshot
//   (fraction and seed), `split` on each item. Both are written once and stay immutable.
// - snapshots.base_seq: a snapshot made by adding traces to another one (its items at their
//   frozen revisions, then the new ones); the older snapshot stays as it was.
export const migration008: Migration = {
  version: 8,
  name: 'bulk changes, trace comments, sample revisions, snapshot train/validation split',
  up: (db) => {
    db.exec(`
      CREATE TABLE bulk_changes (
        seq INTEGER PRIMARY KEY,
        id TEXT NOT NULL UNIQUE,
        label TEXT NOT NULL,
        action TEXT NOT NULL,
        filter TEXT NOT NULL,
        author TEXT NOT NULL,
        selected INTEGER NOT NULL,
        changed INTEGER NOT NULL,
        state TEXT NOT NULL CHECK (state IN ('applied', 'undone')),
        skipped INTEGER NOT NULL DEFAULT 0,
        snapshot_seq INTEGER REFERENCES snapshots(seq),
        created_at TEXT NOT NULL,
        updated_at TEXT NOT NULL
      ) STRICT;
      CREATE TABLE bulk_change_items (
        bulk_seq INTEGER NOT NULL REFERENCES bulk_changes(seq) ON DELETE CASCADE,
        trace_seq INTEGER NOT NULL REFERENCES traces(seq) ON DELETE CASCADE,
        before INTEGER NOT NULL,
        after INTEGER NOT NULL,
        status_before TEXT,
        PRIMARY KEY (bulk_seq, trace_seq)
      ) STRICT, WITHOUT ROWID;
      CREATE INDEX bulk_change_items_trace ON bulk_change_items(trace_seq);

      ALTER TABLE traces ADD COLUMN comment TEXT NOT NULL DEFAULT '';

      ALTER TABLE samples ADD COLUMN flags TEXT NOT NULL DEFAULT '[]';
      ALTER TABLE samples ADD COLUMN revision INTEGER NOT NULL DEFAULT 1;
      CREATE TABLE sample_revisions (
        sample_seq INTEGER NOT NULL REFERENCES samples(seq) ON DELETE CASCADE,
        revision INTEGER NOT NULL,
        author TEXT NOT NULL,
        action TEXT NOT NULL,
        at TEXT NOT NULL,
        state TEXT NOT NULL,
        PRIMARY KEY (sample_seq, revision)
      ) STRICT, WITHOUT ROWID;

      ALTER TABLE snapshots ADD COLUMN split TEXT;
      ALTER TABLE snapshots ADD COLUMN base_seq INTEGER REFERENCES snapshots(seq);
      ALTER TABLE snapshot_items ADD COLUMN split TEXT NOT NULL DEFAULT 'train' CHECK (split IN ('train', 'validation'));
    `)
  }
}
