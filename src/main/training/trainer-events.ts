// Trainer output -> TrainerEvents. A line is an event only if it is one JSON object that matches
// the contract's TrainerEvent schema (src/shared/contract/schemas/training.ts); anything else is
// log text. Paths in events are resolved against the run folder here, once.
import { existsSync } from 'node:fs'
import { isAbsolute, join } from 'node:path'
import { TrainerEvent } from '../../shared/contract'

export function parseEventLine(line: string): TrainerEvent | null {
  const text = line.trim()
  if (!text.startsWith('{') || !text.endsWith('}')) return null
  let value: unknown
  try {
    value = JSON.parse(text)
  } catch {
    return null
  }
  const parsed = TrainerEvent.safeParse(value)
  return parsed.success ? parsed.data : null
}

/** A line the trainer meant as an event (a JSON object with an "event" key) whether or not it is one. */
export function looksLikeEvent(line: string): boolean {
  return /^\s*\{\s*"event"\s*:/.test(line)
}

/**
 * A path a trainer printed: absolute, else relative to the output folder (the contract's rule for
 * `done`) or to the run folder (what a trainer that prints `output/...` means), whichever exists.
 */
export function resolveTrainerPath(path: string, runDir: string, outputDir: string): string {
  if (isAbsolute(path)) return path
  const underOutput = join(runDir, outputDir, path)
  const underRun = join(runDir, path)
  if (existsSync(underOutput)) return underOutput
  if (existsSync(underRun)) return underRun
  return path.startsWith(`${outputDir}/`) ? underRun : underOutput
}
