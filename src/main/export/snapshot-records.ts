// A dataset snapshot as exporter records: each (trace, revision) it froze, as the codec's Trace
// (the sample's media + the steps of that revision), with the gold answer and the assistant turns
// that are deliberate wrong looks. Everything that turns a snapshot into files (exports, training
// datasets) reads it through here. Streamed: a snapshot never sits in memory.
import { hasDerivedMedia, wrongLookTurns, type Trace } from '../../shared/toolcall'
import type { Sample } from '../../shared/contract'
import { TRAIN_PROFILE } from '../../shared/pixel-ops/profiles'
import { ViewCache } from '../pixel-ops/view-cache'
import type { Project } from '../project/project'
import { renderObservations } from '../traces/materialize'
import type { ExportRecord } from './export-record'

export function traceMedia(sample: Sample): Trace['media'] {
  const hashes = sample.media.map((m) => m.hash)
  return sample.kind === 'video' ? { kind: 'video', frames: hashes } : { kind: 'images', images: hashes }
}

export function* snapshotExportRecords(project: Project, snapshotId: string): Generator<ExportRecord> {
  // snapshots list traces in creation order, so a sample's traces are rarely adjacent: keep the
  // recently read samples (bounded) instead of reading one per trace
  const samples = new Map<string, Sample>()
  for (const item of project.snapshots.items(snapshotId)) {
    let sample = samples.get(item.sampleId)
    if (!sample) {
      if (samples.size >= 5000) samples.clear()
      sample = project.samples.get(item.sampleId)
      samples.set(sample.id, sample)
    }
    yield {
      id: item.traceId,
      sampleId: sample.id,
      trace: { question: item.state.question, media: traceMedia(sample), steps: item.state.steps },
      gold: sample.answer,
      answerType: sample.answerType,
      source: sample.source,
      wrongLookTurns: wrongLookTurns(item.state.steps),
      split: item.split
    }
  }
}

/** A media hash's file in the project (exporters copy it out under its own name). */
export function mediaPathOf(project: Project): (hash: string) => string {
  return (hash) => {
    const file = project.media.resolve(hash)
    if (!file) throw new Error(`media ${hash} is missing from the project`)
    return file.path
  }
}

/** Records rendered at once (sharp's thread pool); the order stays the snapshot's. */
const RENDER_AHEAD = 4

/**
 * The records with the media of every observation rendered: a synthesized trace stores only
 * its boxes and frame picks, and files are written from pixels. Renders go through decoded
 * views kept for the run and the project's crop cache (a crop rendered before is a cache hit).
 */
export async function* withRenderedMedia(project: Project, records: Iterable<ExportRecord>): AsyncGenerator<ExportRecord> {
  const views = new ViewCache(TRAIN_PROFILE.view)
  const render = async (record: ExportRecord): Promise<ExportRecord> => {
    if (!hasDerivedMedia(record.trace.steps)) return record
    const sample = project.samples.get(record.sampleId)
    return { ...record, trace: { ...record.trace, steps: await renderObservations(project, sample, record.trace.steps, TRAIN_PROFILE, views) } }
  }
  const ahead: Array<Promise<ExportRecord>> = []
  for (const record of records) {
    const next = render(record)
    next.catch(() => undefined) // awaited in order below; a failure is reported there
    ahead.push(next)
    if (ahead.length >= RENDER_AHEAD) yield await (ahead.shift() as Promise<ExportRecord>)
  }
  while (ahead.length > 0) yield await (ahead.shift() as Promise<ExportRecord>)
}
