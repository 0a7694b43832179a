// Job progress on stderr. On a terminal one line is redrawn in place (\r). Anywhere else (a log
// file, a pipe, CI) a redraw is a new line, so lines are written at most once per second, plus
// the last state of each phase (12/12 samples, then 12/12 traces): a 30k-record import writes a
// few dozen lines, not 30k.
import type { JobProgress } from '../../shared/contract'

export function progressLine(p: JobProgress): string {
  const total = p.total === null ? '' : `/${p.total}`
  const rate = p.ratePerSecond ? ` ${p.ratePerSecond.toFixed(p.ratePerSecond >= 10 ? 0 : 1)}/s` : ''
  const eta = p.etaSeconds != null ? ` eta ${p.etaSeconds.toFixed(0)}s` : ''
  return `${p.done}${total} ${p.unit}${rate}${eta}${p.message ? ` ${p.message}` : ''}`
}

export interface ProgressStream {
  isTTY?: boolean
  write(text: string): unknown
}

export class ProgressPrinter {
  private lastAt = -Infinity
  /** a state not written yet (written by end() or when its phase completes) */
  private pending: JobProgress | null = null
  private redrawn = false

  constructor(
    private readonly out: ProgressStream = process.stderr,
    private readonly now: () => number = () => performance.now(),
    private readonly intervalMs = 1000
  ) {}

  update(p: JobProgress): void {
    if (this.out.isTTY) {
      this.out.write(`\r${progressLine(p)}   `)
      this.redrawn = true
      return
    }
    const phaseDone = p.total !== null && p.done >= p.total
    if (phaseDone || this.now() - this.lastAt >= this.intervalMs) this.emit(p)
    else this.pending = p
  }

  /** The job ended: finish the redrawn line, or write the state not written yet. */
  end(): void {
    if (this.out.isTTY) {
      if (this.redrawn) this.out.write('\n')
      this.redrawn = false
      return
    }
    if (this.pending) this.emit(this.pending)
  }

  private emit(p: JobProgress): void {
    this.out.write(`${progressLine(p)}\n`)
    this.lastAt = this.now()
    this.pending = null
  }
}
