import type { Migration } from './migration'

// Number 7 belongs to another branch of this release (incremental trace counters). This
// placeholder keeps the list contiguous until that branch lands; it changes nothing, and the
// merge replaces it with the real 007.
export const migration007: Migration = {
  version: 7,
  name: 'reserved',
  up: () => {}
}
