// Imports a local benchmark copy into the open project as samples, so evaluation runs, the
// sample browser and the playground all see the same data. Re-running is safe: samples already
// imported (same id) are skipped, so an interrupted import resumes where it stopped. Each sample
// also gets its benchmark item (suite, qid, category, every accepted answer; benchmark-items.ts)
// in the same transaction. A record whose answer does not fit its suite (a V* answer that is not
// a choice letter, a TallyQA count that is not a number) is skipped, named by file and row; a
// choice letter is stored bare ("(C)" -> "C", normalizeChoice).
import { existsSync, statSync } from 'node:fs'
import { readFile } from 'node:fs/promises'
import { basename, dirname, isAbsolute, join } from 'node:path'
import { StudioError, type AnswerType, type JobProgress, type MediaRef } from '../../shared/contract'
import { ProgressMeter } from '../jobs/progress-meter'
import type { Project } from '../project/project'
import { benchmarkItems } from './benchmark-items'
import { readBenchmarkFile, type BenchmarkRecord } from './benchmark-records'
import { categoryOf } from './categories'

export interface BenchmarkImportResult {
  suite: string
  file: string
  imported: number
  alreadyPresent: number
  skipped: Array<{ row: number; qid: string | null; message: string }>
}

/** What each known suite asks of an answer (paper Table 1); unknown suites are inferred per record. */
export const SUITE_ANSWER_TYPES: Record<string, AnswerType> = {
  vstar: 'multiple_choice',
  tallyqa: 'number',
  infovqa: 'free_text',
  mvbench: 'multiple_choice'
}

export function suiteOf(file: string, qid?: string): string {
  const fromQid = qid?.split('-')[0]?.toLowerCase()
  if (fromQid && fromQid in SUITE_ANSWER_TYPES) return fromQid
  return basename(file).replace(/\.(parquet|jsonl)$/i, '').toLowerCase()
}

/** Why the gold answer (the first; alternates may be spelled out) does not fit the suite's scoring, or null. */
function answerProblem(suite: string, type: AnswerType, answers: readonly string[]): string | null {
  const gold = answers[0] ?? ''
  if (gold.trim() === '') return 'the answer is empty'
  const check: Record<AnswerType, { ok: (a: string) => boolean; expected: string }> = {
    multiple_choice: { ok: (a) => /^\(?[A-K]\)?\.?$/i.test(a.trim()), expected: 'a choice letter (A-K)' },
    number: { ok: (a) => /^-?\d+(\.\d+)?$/.test(a.trim()), expected: 'a number' },
    free_text: { ok: () => true, expected: 'text' }
  }
  if (check[type].ok(gold)) return null
  return `answer ${JSON.stringify(gold)} is not ${check[type].expected}, but ${suite} is scored as ${type.replace('_', ' ')}`
}

/**
 * A choice letter as the bare capital: "(C)", "c" and "C." become "C". The reference compares
 * golds through math-verify, where "(c)" already equals "c" (src/shared/eval/scoring.ts rule 5);
 * storing the bare letter keeps the studio's own views and the exports alike.
 */
export function normalizeChoice(answer: string): string {
  const m = /^\(?([A-K])\)?\.?$/i.exec(answer.trim())
  return m?.[1] ? m[1].toUpperCase() : answer
}

function answerType(suite: string, answer: string): AnswerType {
  const known = SUITE_ANSWER_TYPES[suite]
  if (known) return known
  if (/^[A-K]$/i.test(answer.trim())) return 'multiple_choice'
  if (/^-?\d+(\.\d+)?$/.test(answer.trim())) return 'number'
  return 'free_text'
}

export function benchmarkSampleId(suite: string, qid: string): string {
  return `bench:${suite}:${qid}`.slice(0, 128)
}

export async function importBenchmark(
  project: Project,
  file: string,
  options: { signal?: AbortSignal; onProgress?: (p: JobProgress) => void } = {}
): Promise<BenchmarkImportResult> {
  if (!existsSync(file) || !statSync(file).isFile()) throw new StudioError('not_found', `benchmark file ${file} does not exist`)
  const root = dirname(file)
  const meter = new ProgressMeter('records')
  const result: BenchmarkImportResult = { suite: suiteOf(file), file, imported: 0, alreadyPresent: 0, skipped: [] }
  let seen = 0
  for await (const entry of readBenchmarkFile(file)) {
    options.signal?.throwIfAborted()
    seen++
    if (!entry.ok) {
      result.skipped.push({ row: entry.row, qid: null, message: `${file}:${entry.row}: ${entry.message}` })
    } else {
      const suite = suiteOf(file, entry.record.qid)
      result.suite = suite
      try {
        const added = await importRecord(project, { file, root, row: entry.row }, suite, entry.record)
        if (added) result.imported++
        else result.alreadyPresent++
      } catch (error) {
        const message = error instanceof Error ? error.message : String(error)
        result.skipped.push({ row: entry.row, qid: entry.record.qid, message: `${file}:${entry.row} (qid ${entry.record.qid}): ${message}` })
      }
    }
    if (seen % 25 === 0) options.onProgress?.(meter.update(seen, null, `${result.imported} imported, ${result.skipped.length} skipped`))
  }
  options.onProgress?.(meter.update(seen, seen))
  if (seen === 0) throw new StudioError('invalid_input', `${file} holds no records`)
  return result
}

async function importRecord(project: Project, at: { file: string; root: string; row: number }, suite: string, record: BenchmarkRecord): Promise<boolean> {
  const { root } = at
  const id = benchmarkSampleId(suite, record.qid)
  const type = answerType(suite, record.answer[0] ?? '')
  const problem = answerProblem(suite, type, record.answer)
  if (problem) throw new StudioError('invalid_input', problem)
  const answers = type === 'multiple_choice' ? record.answer.map(normalizeChoice) : record.answer
  const answer = answers[0] ?? ''
  const items = benchmarkItems(project)
  const item = { suite, qid: record.qid, category: categoryOf(suite, record), answers, file: at.file, row: at.row }
  if (project.samples.exists(id)) {
    // imported before benchmark items existed: attach them now
    if (!items.get(id)) items.add(id, item)
    return false
  }
  // all media first: a record with one unreadable image is skipped whole
  const media: MediaRef[] = []
  for (const rel of record.image) {
    const path = isAbsolute(rel) ? rel : join(root, rel)
    if (!existsSync(path)) throw new StudioError('not_found', `image ${rel} not found (looked in ${root})`)
    media.push(await project.media.put(await readFile(path)))
  }
  // the first accepted answer is the sample's gold; all of them are scored against (ANLS: best)
  project.db.transaction(() => {
    project.samples.insert({ id, kind: record.is_video ? 'video' : 'image', question: record.question, answer, answerType: type, source: `bench:${suite}`, media, cues: [] })
    items.add(id, item)
  })()
  return true
}
