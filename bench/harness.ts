// Benchmarks print ratios against a baseline measured in the same run on the same machine,
// so numbers from a 2-core CI box and a workstation compare. They are not tests: nothing here
// fails on speed.
import { performance } from 'node:perf_hooks'

/** A flag's value: `--name=value` or `--name value` (suites read their flags with this). */
export function flagValue(name: string, argv: readonly string[] = process.argv): string | undefined {
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i] as string
    if (a.startsWith(`--${name}=`)) return a.slice(name.length + 3)
    if (a === `--${name}` && i + 1 < argv.length && !(argv[i + 1] as string).startsWith('--')) return argv[i + 1]
  }
  return undefined
}

/** Arguments that are not flags nor a flag's value: the suites to run. */
export function suiteNames(args: readonly string[]): string[] {
  return args.filter((a, i) => !a.startsWith('--') && !(i > 0 && /^--[^=]+$/.test(args[i - 1] as string) && !VALUELESS.has(args[i - 1] as string)))
}

/** Flags that take no value (so the word after them is a suite name). */
const VALUELESS = new Set(['--json', '--keep'])

export interface Measurement {
  /** what was measured, e.g. "crop+resize 4000x3000 -> 448" */
  label: string
  /** work units done (images, traces, rows) */
  units: number
  /** wall time in milliseconds */
  ms: number
}

export interface BenchSuite {
  name: string
  run(report: BenchReporter): Promise<void>
}

export class BenchReporter {
  private rows: Array<{ suite: string; label: string; perSec: number; ratio: string }> = []
  constructor(private readonly suite: string) {}

  /** Times `fn`, which returns how many units it did. */
  async time(label: string, fn: () => Promise<number> | number): Promise<Measurement> {
    const start = performance.now()
    const units = await fn()
    return { label, units, ms: performance.now() - start }
  }

  /** Prints `subject` beside `baseline`: ratio > 1 means subject does more units per second. */
  compare(subject: Measurement, baseline: Measurement): void {
    const rate = (m: Measurement): number => (m.units / m.ms) * 1000
    const ratio = rate(subject) / rate(baseline)
    this.line(baseline, '1.00x (baseline)')
    this.line(subject, `${ratio.toFixed(2)}x vs "${baseline.label}"`)
  }

  /** A measurement without a comparison (e.g. a breakdown of where time goes). */
  note(m: Measurement): void {
    this.line(m, '')
  }

  private line(m: Measurement, ratio: string): void {
    const perSec = (m.units / m.ms) * 1000
    this.rows.push({ suite: this.suite, label: m.label, perSec, ratio })
    console.log(
      `${this.suite.padEnd(14)} ${m.label.padEnd(52)} ${fmt(perSec).padStart(12)}/s  ${m.units} in ${m.ms.toFixed(1)} ms  ${ratio}`
    )
  }
}

function fmt(n: number): string {
  return n >= 100 ? n.toFixed(0) : n.toFixed(2)
}

/** Distribution of repeated timings (frame times, latencies). */
export interface Stats {
  n: number
  median: number
  p95: number
  max: number
  mean: number
}

export function stats(values: number[]): Stats {
  const s = [...values].sort((a, b) => a - b)
  const at = (q: number): number => s[Math.min(s.length - 1, Math.floor(q * s.length))] ?? NaN
  return { n: s.length, median: at(0.5), p95: at(0.95), max: s.at(-1) ?? NaN, mean: s.reduce((a, b) => a + b, 0) / Math.max(1, s.length) }
}

/** Prints a distribution, with its median's ratio to a baseline's when given. */
export function statLine(suite: string, label: string, st: Stats, unit = 'ms', baseline?: Stats): void {
  const ratio = baseline ? `  ${(st.median / baseline.median).toFixed(2)}x baseline median` : ''
  console.log(`${suite.padEnd(14)} ${label.padEnd(58)} median ${st.median.toFixed(1)} ${unit}  p95 ${st.p95.toFixed(1)}  max ${st.max.toFixed(1)}  (n=${st.n})${ratio}`)
}

/** A whole-number size from `--<name>=N` (or the env variable), at least 1000: the data a suite generates. */
export function sizeFlag(name: string, fallback: number, env?: string): number {
  const flag = process.argv.find((a) => a.startsWith(`--${name}=`))?.split('=')[1] ?? (env ? process.env[env] : undefined)
  const n = flag === undefined ? fallback : Number(flag)
  if (!Number.isInteger(n) || n < 1000) throw new Error(`--${name} must be a whole number >= 1000, got ${flag}`)
  return n
}
