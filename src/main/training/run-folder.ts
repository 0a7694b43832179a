// Writes a run folder: the dataset from the snapshot (once; a resume reuses it), spec.json and
// the backend's files, and returns the command that trains. Used when a queued run starts, and
// by `pixel-studio train prepare`, which writes a folder to run elsewhere (a GPU box, a cluster).
import { existsSync, mkdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { readdirSync } from 'node:fs'
import { basename, resolve } from 'node:path'
import { StudioError, TrainingStartInput, type RunSpec } from '../../shared/contract'
import type { Project } from '../project/project'
import { adapterFor } from './adapters'
import type { PrepareContext } from './adapters/adapter'
import { assertTrainable, writeDataset } from './dataset'
import { layoutAt, type RunLayout } from './paths'
import { buildRunSpec } from './run-spec'
import type { TrainerCommand } from './trainer-process'

export async function writeRunFolder(
  project: Project,
  spec: RunSpec,
  layout: RunLayout,
  options: { attempt: number; python: string; signal?: AbortSignal }
): Promise<{ ctx: PrepareContext; command: TrainerCommand; files: string[] }> {
  const adapter = adapterFor(spec.backend)
  mkdirSync(layout.dir, { recursive: true })
  const written = existsSync(join(layout.dir, spec.dataset.train))
  const dataset = written ? spec.dataset : await writeDataset(project, spec.dataset.snapshotId, adapter.datasetFormat(), layout, options.signal)
  const ctx: PrepareContext = { spec: { ...spec, dataset }, layout, attempt: options.attempt, python: options.python }
  writeFileSync(layout.spec, `${JSON.stringify(ctx.spec, null, 2)}\n`)
  const { command, files } = await adapter.prepare(ctx)
  return { ctx, command, files: ['spec.json', dataset.train, ...(dataset.eval ? [dataset.eval] : []), ...files] }
}

/** A run folder for another machine: nothing is queued and no Python is checked here. */
export async function prepareRunFolder(project: Project, raw: TrainingStartInput, dir: string, python: string): Promise<{ spec: RunSpec; command: TrainerCommand; files: string[] }> {
  const input = TrainingStartInput.parse(raw)
  const out = resolve(dir)
  if (existsSync(out) && readdirSync(out).length > 0) throw new StudioError('conflict', `${out} is not empty; choose a new or empty folder`)
  const snapshot = project.snapshots.get(input.snapshotId)
  const records = assertTrainable(project, snapshot.id)
  const spec = buildRunSpec(input, basename(out), { snapshotId: snapshot.id, snapshotHash: snapshot.hash, format: adapterFor(input.backend).datasetFormat(), records })
  const { ctx, command, files } = await writeRunFolder(project, spec, layoutAt(out, spec.outputDir), { attempt: 1, python })
  return { spec: ctx.spec, command, files }
}
