// Where the time of a synthesis run goes (the benchmark prints it).
/**
 * Where the time of a run goes, in ms (filled when passed in RunOptions). Per-sample phases are
 * summed over samples, so with several samples at once they can add up to more than the wall time.
 */
export interface SynthesisTimings {
  /** reading and checking sample rows */
  read: number
  /** one sample, start to end */
  synthesize: number
  /** recipe: the variant, its looks, the template variables */
  plan: number
  /** the observations of the looks: planned from recorded sizes (no pixels; rendered only for a narrator that sees them) */
  crops: number
  narrate: number
  checks: number
  /** batch transactions: trace rows, revisions, FTS, flags, skips */
  commit: number
}

export function emptyTimings(): SynthesisTimings {
  return { read: 0, synthesize: 0, plan: 0, crops: 0, narrate: 0, checks: 0, commit: 0 }
}
