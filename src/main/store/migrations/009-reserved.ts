import type { Migration } from './migration'

// Reserved: version 9 is the bulk-update path's migration, written on another branch at the
// same time as 010. This placeholder changes nothing; when that branch lands, its 009 replaces
// this file (a project that ran this empty 009 has no bulk-update changes yet: re-create it).
export const migration009: Migration = {
  version: 9,
  name: 'reserved (bulk-update path)',
  up: () => {}
}
