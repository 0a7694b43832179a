import type { Migration } from './migration'

// PLACEHOLDER on the insert15 branch only: version 12 is the facet counters by source (branch
// counts15, 012-source-facets). At the merge this file goes and counts15's 012 takes its place
// in the list; 013 does not depend on it.
export const migration012: Migration = {
  version: 12,
  name: 'placeholder for 012 (facet counters by source, branch counts15)',
  up: () => {}
}
