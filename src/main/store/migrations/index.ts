import type { Migration } from './migration'
import { migration001 } from './001-initial'
import { migration002 } from './002-traces'
import { migration003 } from './003-benchmark-items'
import { migration004 } from './004-training'
import { migration005 } from './005-trace-indexes'
import { migration006 } from './006-job-skips'
import { migration007 } from './007-trace-scale'
import { migration008 } from './008-bulk-samples-split'
import { migration009 } from './009-bulk-write-cost'
import { migration010 } from './010-append-only-indexes'
import { migration011 } from './011-narrow-trace-rows'
import { migration012 } from './012-seq-blocks'
import { migration013 } from './013-source-facets'
import { migration014 } from './014-contentless-fts'
import { migration015 } from './015-sample-index-by-block'

/** In order; `version` must equal position + 1 (checked by the migrator and a test). */
export const migrations: readonly Migration[] = [migration001, migration002, migration003, migration004, migration005, migration006, migration007, migration008, migration009, migration010, migration011, migration012, migration013, migration014, migration015]
