// An experiment definition checked before any run starts, and each arm as the ordinary
// training.start input it becomes. The rules: the snapshot has a validation split; there is one
// warm-start arm and every GRPO arm starts from it; arms differ only in what they compare
// (curiosity: the bonus; text-only: no operations offered); seeds are fixed; the base model's
// chat template supports tools (TRL's test).
import { existsSync, statSync } from 'node:fs'
import { StudioError, type ArmKind, type ExperimentArm, type ExperimentDefinition, type TrainingStartInput } from '../../shared/contract'
import type { Project } from '../project/project'
import { folderChatTemplate, folderModelType, QWEN_VL_TYPES, supportsToolCalling } from './tool-support'

/** What each kind compares, as setting paths; any other difference between arms is refused. */
const COMPARED: Record<ArmKind, readonly string[]> = {
  'warm-start': [],
  curiosity: ['grpo.reward.curiosity'],
  'no-curiosity': ['grpo.reward.curiosity'],
  'text-only': ['grpo.maxOperations', 'grpo.reward.curiosity']
}

type Flat = Record<string, unknown>

function flatten(value: unknown, prefix: string, out: Flat = {}): Flat {
  if (value !== null && typeof value === 'object' && !Array.isArray(value)) {
    for (const [k, v] of Object.entries(value)) flatten(v, prefix ? `${prefix}.${k}` : k, out)
  } else out[prefix] = value
  return out
}

const shown = (v: unknown): string => (v === undefined ? '(default)' : JSON.stringify(v))

function merge<T extends object>(base: T, over: object | undefined): T {
  const out: Record<string, unknown> = { ...(base as Record<string, unknown>) }
  for (const [k, v] of Object.entries(over ?? {})) {
    const b = out[k]
    out[k] = v !== null && typeof v === 'object' && !Array.isArray(v) && b !== null && typeof b === 'object' ? merge(b as object, v as object) : v
  }
  return out as T
}

export function armTitle(def: ExperimentDefinition, arm: ExperimentArm): string {
  return `${def.name} · ${arm.name}`
}

/** The training.start input of an arm; GRPO arms start from `warmStartModel`. */
export function armStartInput(def: ExperimentDefinition, arm: ExperimentArm, warmStartModel: string | null): TrainingStartInput {
  const common = { snapshotId: def.snapshotId, backend: def.backend, hardware: def.hardware, title: armTitle(def, arm) }
  if (arm.kind === 'warm-start') {
    return { ...common, algorithm: 'sft', baseModel: def.baseModel, hyper: { ...def.sft, seed: def.seed, ...arm.hyper } }
  }
  if (!warmStartModel) throw new StudioError('failed_precondition', `arm ${arm.name} starts from the warm start, which has no model yet`)
  return {
    ...common,
    algorithm: 'grpo',
    baseModel: { kind: 'path', path: warmStartModel },
    hyper: { ...def.grpo.hyper, seed: def.seed, ...arm.hyper },
    grpo: merge(def.grpo.settings, arm.grpo)
  }
}

/** The settings that make a GRPO arm, flattened to paths (hyper.*, grpo.*). */
function grpoSettings(def: ExperimentDefinition, arm: ExperimentArm): Flat {
  const input = armStartInput(def, arm, 'warm-start')
  return flatten({ hyper: input.hyper, grpo: input.grpo }, '')
}

/** How many held-out validation items a snapshot has; null when snapshots have no split in this store. */
export function validationCount(project: Project, snapshotId: string): number | null {
  const columns = project.db.prepare<[], { name: string }>("SELECT name FROM pragma_table_info('snapshot_items')").all()
  if (!columns.some((c) => c.name === 'split')) return null
  const row = project.db
    .prepare<[string], { n: number }>("SELECT count(*) AS n FROM snapshot_items i JOIN snapshots s ON s.seq = i.snapshot_seq WHERE s.id = ? AND i.split = 'validation'")
    .get(snapshotId)
  return row?.n ?? 0
}

function checkModel(def: ExperimentDefinition): string[] {
  if (def.baseModel.kind === 'tiny-init') return [] // built by the trainer with the studio's tool template
  const dir = def.baseModel.path
  if (!existsSync(dir) || !statSync(dir).isDirectory()) {
    return [`base model ${dir} is not a local folder: download it first (huggingface-cli download ${dir} --local-dir <folder>) and give the folder`]
  }
  const type = folderModelType(dir)
  if (!type || !(QWEN_VL_TYPES as readonly string[]).includes(type)) {
    return [`base model ${dir} is ${type ? `a ${type} model` : 'not a model folder (no config.json with model_type)'}; the experiment trains Qwen2-VL / Qwen2.5-VL (model_type ${QWEN_VL_TYPES.join(' or ')})`]
  }
  if (def.chatTemplate === 'model' && !supportsToolCalling(folderChatTemplate(dir))) {
    return [
      `base model ${dir} has a chat template without tool support (TRL's supports_tool_calling fails: a tool call or its result does not appear when rendered), so GRPO cannot offer the crop tool. ` +
        'Fix: set "chatTemplate": "studio" in the experiment to train with the studio\'s tool-capable Qwen2.5-VL template, or put a tool-capable template in the folder\'s chat_template.jinja'
    ]
  }
  return []
}

function checkArms(def: ExperimentDefinition): string[] {
  const problems: string[] = []
  const names = new Set<string>()
  for (const arm of def.arms) {
    if (names.has(arm.name)) problems.push(`two arms are named ${arm.name}`)
    names.add(arm.name)
  }
  const warm = def.arms.filter((a) => a.kind === 'warm-start')
  if (warm.length !== 1) problems.push(`an experiment has exactly one warm-start arm (the SFT every GRPO arm starts from); this one has ${warm.length}`)
  for (const arm of warm) if (arm.grpo) problems.push(`arm ${arm.name} is the warm start (SFT): it has no GRPO settings`)
  const grpo = def.arms.filter((a) => a.kind !== 'warm-start')
  for (const arm of grpo) {
    const s = grpoSettings(def, arm)
    if (arm.kind === 'curiosity' && s['grpo.reward.curiosity'] === false) problems.push(`arm ${arm.name} compares the curiosity bonus but has it off (grpo.reward.curiosity: false)`)
    if (arm.kind === 'no-curiosity' && s['grpo.reward.curiosity'] !== false) problems.push(`arm ${arm.name} is the no-curiosity arm but has the bonus on: set grpo.reward.curiosity to false`)
    if (arm.kind === 'text-only' && s['grpo.maxOperations'] !== 0) problems.push(`arm ${arm.name} is text-only (no visual operations offered): set grpo.maxOperations to 0`)
    if (arm.kind !== 'text-only' && s['grpo.maxOperations'] === 0) problems.push(`arm ${arm.name} offers no operations (grpo.maxOperations 0): only the text-only arm may`)
    if (s['hyper.seed'] !== def.seed) problems.push(`arm ${arm.name} has seed ${String(s['hyper.seed'])}; every arm uses the experiment's seed ${def.seed}`)
  }
  // every pair of GRPO arms: only what their kinds compare may differ
  for (let i = 0; i < grpo.length; i++) {
    for (let j = i + 1; j < grpo.length; j++) {
      const a = grpo[i]!
      const b = grpo[j]!
      const sa = grpoSettings(def, a)
      const sb = grpoSettings(def, b)
      const allowed = new Set([...COMPARED[a.kind], ...COMPARED[b.kind]])
      const differ = [...new Set([...Object.keys(sa), ...Object.keys(sb)])].filter((k) => !allowed.has(k) && JSON.stringify(sa[k]) !== JSON.stringify(sb[k])).sort()
      if (differ.length > 0) {
        problems.push(
          `arms ${a.name} and ${b.name} differ in more than what they compare (${[...allowed].join(', ') || 'nothing'}): ` +
            differ.map((k) => `${k} ${shown(sa[k])} vs ${shown(sb[k])}`).join('; ') +
            ' — move shared settings to grpo.hyper / grpo.settings'
        )
      }
    }
  }
  return problems
}

/** Every problem of a definition, in plain words; empty when it can run. */
export function definitionProblems(project: Project, def: ExperimentDefinition): string[] {
  const problems: string[] = []
  const snapshot = project.snapshots.list().find((s) => s.id === def.snapshotId)
  if (!snapshot) problems.push(`snapshot ${def.snapshotId} does not exist in this project`)
  else {
    const held = validationCount(project, snapshot.id)
    if (!held) {
      problems.push(
        `snapshot ${snapshot.id} (${snapshot.name}) has no validation split; create it with \`pixel-studio snapshot create <name> --val-fraction 0.2 --seed 1\` (or Split in the snapshots panel) and use that snapshot`
      )
    }
  }
  return [...problems, ...checkArms(def), ...checkModel(def)]
}

/** Throws invalid_input with every problem when the definition cannot run. */
export function assertRunnableDefinition(project: Project, def: ExperimentDefinition): void {
  const problems = definitionProblems(project, def)
  if (problems.length > 0) throw new StudioError('invalid_input', `experiment "${def.name}" cannot run:\n- ${problems.join('\n- ')}`)
}
