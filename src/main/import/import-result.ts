// What every import reports: counts, and each skipped record with where it was and why. A bad
// record never stops the import and never leaves half a sample behind.
import type { JobProgress } from '../../shared/contract'
import { ProgressMeter } from '../jobs/progress-meter'

export interface SkippedRecord {
  file: string
  /** 1-based line or record number; null for a whole file */
  line: number | null
  message: string
}

export interface ImportResult {
  imported: number
  /** present from an earlier run (an interrupted import resumes by skipping them) */
  alreadyPresent: number
  skipped: SkippedRecord[]
}

export interface ImportOptions {
  signal?: AbortSignal
  onProgress?: (p: JobProgress) => void
}

/** Counts and reports progress; `every` limits how often a progress event is sent. */
export class ImportTally implements ImportResult {
  imported = 0
  alreadyPresent = 0
  skipped: SkippedRecord[] = []
  private seen = 0
  private readonly meter = new ProgressMeter('records')

  private lastReport = -Infinity

  /** `every`: at most one progress event per `every` records; `minMs`: and per `minMs` milliseconds */
  constructor(
    private readonly options: ImportOptions,
    /** records in all, when known (an estimate may be set as the import goes) */
    public total: number | null = null,
    private readonly every = 10,
    private readonly minMs = 0
  ) {}

  step(outcome: 'imported' | 'present' | SkippedRecord): void {
    this.options.signal?.throwIfAborted()
    if (outcome === 'imported') this.imported++
    else if (outcome === 'present') this.alreadyPresent++
    else this.skipped.push(outcome)
    this.seen++
    if (this.seen === this.total || (this.seen % this.every === 0 && performance.now() - this.lastReport >= this.minMs)) this.report()
  }

  report(): void {
    this.lastReport = performance.now()
    this.options.onProgress?.(this.meter.update(this.seen, this.total, `${this.imported} imported, ${this.alreadyPresent} already present, ${this.skipped.length} skipped`))
  }

  result(): ImportResult {
    this.report()
    return { imported: this.imported, alreadyPresent: this.alreadyPresent, skipped: this.skipped }
  }
}

export function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error)
}
