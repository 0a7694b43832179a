import type { Migration } from './migration'

// Full-text search keeps its index and drops its copy of the text (issue 15). traces_fts was an
// FTS5 table with its own content: every trace's question, answer and step text stored a second
// time (~200 bytes a trace, a tenth of the file) and written by every insert. Nothing reads those
// columns back (search reads rowids only: trace-query.ts), so the table becomes contentless
// (`content=''`); `contentless_delete=1` (SQLite >= 3.43) keeps `DELETE ... WHERE rowid = ?`,
// which an edit uses to replace a trace's entry. Same tokenizer, same rowids, same terms: every
// query finds what it found before. Measured on the bench's text: an FTS table alone, 100k rows,
// ~11 -> ~5.5 µs of CPU a row and 41.6 -> 21.2 MB; inside a bulk insert of traces ~7 -> ~6 µs a
// trace (with its share of the commit) and ~200 bytes a trace less to write and checkpoint.
// The new index is filled from the old table's stored text, in rowid order (it appends): a
// 1M-row index took 8.3 s of CPU (11.5 s wall on a loaded machine) to rebuild.
export const migration014: Migration = {
  version: 14,
  name: 'contentless full-text index',
  up: (db) => {
    db.exec(`
      CREATE VIRTUAL TABLE traces_fts_contentless USING fts5(question, answer, text, tokenize = 'unicode61 remove_diacritics 2', content = '', contentless_delete = 1);
      INSERT INTO traces_fts_contentless (rowid, question, answer, text) SELECT rowid, question, answer, text FROM traces_fts ORDER BY rowid;
      DROP TABLE traces_fts;
      ALTER TABLE traces_fts_contentless RENAME TO traces_fts;
    `)
  }
}
