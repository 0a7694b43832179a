import type { Migration } from './migration'

// A jump deep into the unfiltered list (a scrollbar drag to row 500,000 of 1M) is an offset,
// and an offset walks every index entry it skips: 20-120 ms at 1M (issue 15). trace_seq_blocks
// counts the traces per block of 4096 seqs, so an offset is found by summing ~250 counters and
// walking at most one block (TraceRepository.list). insertMany adds each batch's counts in its
// transaction (seqs only grow: a batch touches a block or two); a delete takes one off by
// trigger, whoever deletes.
export const migration012: Migration = {
  version: 12,
  name: 'trace counts per block of seqs',
  up: (db) => {
    db.exec(`
      CREATE TABLE trace_seq_blocks (
        block INTEGER PRIMARY KEY,
        n INTEGER NOT NULL
      ) STRICT;
      INSERT INTO trace_seq_blocks (block, n) SELECT seq >> 12, count(*) FROM traces GROUP BY 1;
      CREATE TRIGGER trace_seq_blocks_delete AFTER DELETE ON traces BEGIN
        UPDATE trace_seq_blocks SET n = n - 1 WHERE block = old.seq >> 12;
      END;
    `)
  }
}
