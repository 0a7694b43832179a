// Experiment test setup: a training project whose snapshot holds one sample out for validation,
// and model folders with a real chat template (TRL's own, copied into fixtures/).
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { join, resolve } from 'node:path'
import type { Project } from '../../src/main/project/project'
import type { ExperimentDefinitionInput } from '../../src/shared/contract'
import { ablation } from '../../src/shared/experiment/presets'

/** TRL 1.13 trl/chat_templates/qwen3_vl.jinja: passes supports_tool_calling. */
export const TOOL_TEMPLATE = resolve('test/experiment/fixtures/trl-qwen3_vl.jinja')
/** TRL 1.13 trl/chat_templates/qwen2_5_vl.jinja: the stock Qwen2.5-VL template, no tool support. */
export const STOCK_TEMPLATE = resolve('test/experiment/fixtures/trl-qwen2_5_vl.jinja')

export function modelFolder(dir: string, modelType: string, template: string | null): string {
  mkdirSync(dir, { recursive: true })
  writeFileSync(join(dir, 'config.json'), JSON.stringify({ model_type: modelType }))
  if (template) writeFileSync(join(dir, 'chat_template.jinja'), readFileSync(template, 'utf8'))
  return dir
}

/**
 * Holds `sampleId`'s items of a snapshot out for validation. Snapshot splits arrive with the
 * bulk-edit branch (migration 008: snapshot_items.split); until it is merged this adds the same
 * column. After the merge, make the snapshot with `snapshots.create(name, filter, { split })`.
 */
export function holdOutForValidation(project: Project, snapshotId: string, sampleId: string): void {
  const columns = project.db.prepare<[], { name: string }>("SELECT name FROM pragma_table_info('snapshot_items')").all()
  if (!columns.some((c) => c.name === 'split')) {
    project.db.exec("ALTER TABLE snapshot_items ADD COLUMN split TEXT NOT NULL DEFAULT 'train' CHECK (split IN ('train', 'validation'))")
  }
  // snapshot items are immutable (a trigger); the split is chosen at creation on bulk-edit
  const trigger = project.db.prepare<[], { sql: string }>("SELECT sql FROM sqlite_master WHERE name = 'snapshot_items_immutable_update'").get()!.sql
  project.db.exec('DROP TRIGGER snapshot_items_immutable_update')
  project.db
    .prepare(
      `UPDATE snapshot_items SET split = 'validation' WHERE snapshot_seq = (SELECT seq FROM snapshots WHERE id = ?)
         AND trace_seq IN (SELECT t.seq FROM traces t JOIN samples s ON s.seq = t.sample_seq WHERE s.id = ?)`
    )
    .run(snapshotId, sampleId)
  project.db.exec(trigger)
}

/** The four paper arms on a model folder, fast settings (the fake trainer ignores them). */
export function definition(snapshotId: string, model: string, extra: Partial<ExperimentDefinitionInput> = {}): ExperimentDefinitionInput {
  return ablation({
    name: 'ablation',
    snapshotId,
    baseModel: { kind: 'path', path: model },
    seed: 7,
    hardware: { device: 'auto', gpus: 1, nodes: 1 },
    sft: { learningRate: 1e-3, maxSteps: 3 },
    grpo: { hyper: { learningRate: 1e-5, maxSteps: 3 }, settings: { groupSize: 4 } },
    // the fake trainer's models cannot be served: the smoke test evaluates real ones
    evaluation: { checkpoints: 'none' },
    ...extra
  })
}
