// verl on Ray (volcengine/verl), for GRPO on one node or many. The studio writes:
// - data/train.parquet: the RL rows of src/main/export/verl.ts (prompt, images, reward_model,
//   extra_info with tools_kwargs), read through a small dataset subclass (data.custom_cls) that
//   decodes tools_kwargs, which our parquet keeps as JSON text (its keys vary by tool), into the
//   dict verl's tool agent loop indexes (verl/experimental/agent_loop/tool_agent_loop.py
//   `_call_tool`: tools_kwargs.get(tool_name)).
// - tool_config.yaml: verl's tool config (examples/sglang_multiturn/config/tool_config/*.yaml:
//   tools[].class_name / config.type / tool_schema, validated by verl/tools/schemas.py) listing
//   the Pixel Reasoner crop and frame tools (resources/trainer/verl/pixel_reasoner_verl.py, a
//   verl BaseTool running the shared rules; verl's own image_zoom_in_tool takes pixel boxes
//   without the reference's padding).
// - python/: that module and the shared rules; its compute_score is the custom reward for the
//   `batch` reward manager (verl/workers/reward_manager/batch.py), which sees whole batches and
//   so whole groups, as RaPR needs.
// - Hydra overrides for `python3 -m verl.trainer.main_ppo` (keys of
//   verl/trainer/config/_generated_ppo_trainer.yaml), with trainer.logger=[console,file]: the
//   file logger writes {"step", "data"} JSON lines to VERL_FILE_LOGGER_PATH
//   (verl/utils/tracking.py FileLogger), and trainer.rollout_data_dir gets <step>.jsonl dumps
//   (ray_trainer.py `_dump_generations`) with the reward's extra fields (rapr, curiosity, ...).
// - run_verl.sh: the same command, to run by hand on a cluster (`ray job submit` docs:
//   docs/start/multinode.rst).
import { existsSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import type { RunSpec, TrainerEvent } from '../../../shared/contract'
import { cropToolSchema, SELECT_FRAMES_TOOL_SCHEMA } from '../../../shared/toolcall'
import { trainerResource } from '../paths'
import { toYaml, type YamlValue } from '../yaml'
import type { EventSource, PrepareContext, Requirements, TrainerAdapter } from './adapter'
import { copyPythonSources } from './trl'

const MODULE = 'pixel_reasoner_verl'

export function verlToolConfig(): { tools: YamlValue[] } {
  const tool = (className: string, schema: unknown): YamlValue => ({ class_name: `${MODULE}.${className}`, config: { type: 'native' }, tool_schema: schema as YamlValue })
  return { tools: [tool('CropImageNormalizedTool', cropToolSchema('crop_image_normalized')), tool('SelectFramesTool', SELECT_FRAMES_TOOL_SCHEMA)] }
}

export function metricsFile(ctx: Pick<PrepareContext, 'layout' | 'attempt'>): string {
  // FileLogger opens its file with "wb": one file per attempt keeps every attempt's metrics
  return join(ctx.layout.dir, 'logs', `verl-metrics-${ctx.attempt}.jsonl`)
}

const checkpointsDir = (ctx: Pick<PrepareContext, 'layout'>): string => join(ctx.layout.output, 'checkpoints')
const rolloutsDir = (ctx: Pick<PrepareContext, 'layout'>): string => join(ctx.layout.dir, 'rollouts')

/** The Hydra overrides, in a stable order (golden-tested). */
export function verlOverrides(ctx: PrepareContext): string[] {
  const { spec, layout } = ctx
  const g = spec.grpo
  if (!g) throw new Error('verl runs GRPO: the spec needs its grpo settings')
  if (spec.baseModel.kind !== 'path') throw new Error('verl trains an existing model folder (baseModel.kind "path")')
  const h = spec.hyper
  const python = join(layout.dir, 'python')
  const module = join(python, `${MODULE}.py`)
  const data = join(layout.dir, spec.dataset.train)
  const saveFreq = h.saveEverySteps > 0 ? h.saveEverySteps : 20
  const out = [
    'algorithm.adv_estimator=grpo',
    // the paper's advantage: reward minus the group mean, no std normalisation
    'algorithm.norm_adv_by_std_in_grpo=False',
    'algorithm.use_kl_in_reward=False',
    `data.train_files=${data}`,
    // a split snapshot's held-out queries; without one verl still needs val_files, and never reads them (test_freq=-1)
    `data.val_files=${spec.dataset.eval ? join(layout.dir, spec.dataset.eval) : data}`,
    `data.train_batch_size=${h.batchSize * h.gradAccum}`,
    'data.max_prompt_length=4096',
    'data.max_response_length=8192',
    'data.filter_overlong_prompts=True',
    'data.truncation=error',
    'data.return_raw_chat=True',
    'data.image_key=images',
    `data.custom_cls.path=${module}`,
    'data.custom_cls.name=PixelStudioDataset',
    `actor_rollout_ref.model.path=${spec.baseModel.path}`,
    ...(h.loraRank > 0 ? [`actor_rollout_ref.model.lora_rank=${h.loraRank}`, `actor_rollout_ref.model.lora_alpha=${h.loraRank * 2}`, 'actor_rollout_ref.model.target_modules=all-linear'] : []),
    `actor_rollout_ref.actor.optim.lr=${h.learningRate}`,
    `actor_rollout_ref.actor.ppo_mini_batch_size=${h.batchSize}`,
    'actor_rollout_ref.actor.ppo_micro_batch_size_per_gpu=1',
    `actor_rollout_ref.actor.clip_ratio_low=${g.clipLow}`,
    `actor_rollout_ref.actor.clip_ratio_high=${g.clipHigh}`,
    `actor_rollout_ref.actor.use_kl_loss=${g.klCoef > 0 ? 'True' : 'False'}`,
    `actor_rollout_ref.actor.kl_loss_coef=${g.klCoef}`,
    'actor_rollout_ref.actor.entropy_coeff=0',
    // the HF model folder too, so a finished run has weights the studio can export and load
    'actor_rollout_ref.actor.checkpoint.save_contents=[model,optimizer,extra,hf_model]',
    'actor_rollout_ref.actor.checkpoint.load_contents=[model,optimizer,extra]',
    'actor_rollout_ref.rollout.name=vllm',
    `actor_rollout_ref.rollout.n=${g.groupSize}`,
    `actor_rollout_ref.rollout.temperature=${g.temperature}`,
    `actor_rollout_ref.rollout.top_p=${g.topP}`,
    'actor_rollout_ref.rollout.tensor_model_parallel_size=1',
    'actor_rollout_ref.rollout.log_prob_micro_batch_size_per_gpu=1',
    'actor_rollout_ref.rollout.multi_turn.enable=True',
    // maxOperations calls, then the answer
    `actor_rollout_ref.rollout.multi_turn.max_assistant_turns=${g.maxOperations + 1}`,
    `actor_rollout_ref.rollout.multi_turn.tool_config_path=${join(layout.dir, 'tool_config.yaml')}`,
    'actor_rollout_ref.rollout.agent.default_agent_loop=tool_agent',
    ...(g.klCoef > 0 ? ['actor_rollout_ref.ref.log_prob_micro_batch_size_per_gpu=1'] : []),
    // the batch manager sees a whole batch, hence whole groups (RaPR is per group)
    'reward_model.use_reward_loop=False',
    'reward_model.reward_manager=batch',
    `custom_reward_function.path=${module}`,
    'custom_reward_function.name=compute_score',
    'trainer.logger=[console,file]',
    'trainer.project_name=pixel-studio',
    `trainer.experiment_name=${spec.runId}`,
    `trainer.nnodes=${spec.hardware.nodes}`,
    `trainer.n_gpus_per_node=${spec.hardware.gpus}`,
    `trainer.total_epochs=${Math.max(1, Math.ceil(h.epochs))}`,
    ...(h.maxSteps > 0 ? [`trainer.total_training_steps=${h.maxSteps}`] : []),
    `trainer.save_freq=${saveFreq}`,
    // validate at the save points, and only on a held-out set
    `trainer.test_freq=${spec.dataset.eval ? saveFreq : -1}`,
    'trainer.val_before_train=False',
    `trainer.default_local_dir=${checkpointsDir(ctx)}`,
    `trainer.rollout_data_dir=${rolloutsDir(ctx)}`,
    ...(spec.resumeFrom ? ['trainer.resume_mode=resume_path', `trainer.resume_from_path=${spec.resumeFrom}`] : ['trainer.resume_mode=disable']),
    // Ray workers (maybe on other nodes) import the tools and reward from the run folder, and
    // the trainer (a Ray actor) writes its metrics where the studio reads them
    `+ray_kwargs.ray_init.runtime_env.env_vars.PYTHONPATH=${python}`,
    `+ray_kwargs.ray_init.runtime_env.env_vars.VERL_FILE_LOGGER_PATH=${metricsFile(ctx)}`,
    ...(spec.hardware.rayAddress ? [`+ray_kwargs.ray_init.address=${spec.hardware.rayAddress}`] : [])
  ]
  return out
}

/** verl's metric names -> the studio's (TRL's where they exist); everything is kept as well. */
const METRIC_NAMES: Record<string, string> = {
  'actor/pg_loss': 'loss',
  'actor/lr': 'learning_rate',
  'critic/score/mean': 'reward',
  'tool_call_counts/mean': 'ops_per_response'
}

export function parseVerlMetricsLine(line: string): TrainerEvent[] {
  let parsed: unknown
  try {
    parsed = JSON.parse(line)
  } catch {
    return []
  }
  const entry = parsed as { step?: unknown; data?: unknown }
  if (typeof entry.step !== 'number' || !Number.isInteger(entry.step) || entry.step < 0 || typeof entry.data !== 'object' || entry.data === null) return []
  const values: Record<string, number> = {}
  for (const [name, value] of Object.entries(entry.data as Record<string, unknown>)) {
    if (typeof value !== 'number' || !Number.isFinite(value)) continue
    values[name] = value
    const alias = METRIC_NAMES[name]
    if (alias) values[alias] = value
  }
  const epoch = values['training/epoch']
  return Object.keys(values).length ? [{ event: 'metrics', step: entry.step, ...(epoch !== undefined ? { epoch } : {}), values }] : []
}

/**
 * A decoded verl response (special tokens skipped) -> the assistant turns. Between turns the
 * Qwen chat template put `<|im_start|>user\n<tool_response>...</tool_response><|im_end|>\n
 * <|im_start|>assistant\n`; with special tokens gone that reads `user\n<tool_response>...
 * </tool_response>\nassistant\n`.
 */
export function splitVerlResponse(output: string): string[] {
  return output.split(/\n?user\n<tool_response>[\s\S]*?<\/tool_response>\n?assistant\n/)
}

/** Reads the rollout dumps: per-step means of the reward's extra fields, and one group as rollouts. */
export function rolloutDumpParser(sampleOf: (index: number) => string | null, groupSize: number): (line: string) => TrainerEvent[] {
  const steps = new Map<number, { n: number; sums: Record<string, number>; groups: Set<number>; rollouts: number; firstGroup: number | null }>()
  return (line) => {
    let row: Record<string, unknown>
    try {
      row = JSON.parse(line) as Record<string, unknown>
    } catch {
      return []
    }
    const step = row.step
    if (typeof step !== 'number' || !Number.isInteger(step) || step < 0) return []
    let s = steps.get(step)
    if (!s) {
      s = { n: 0, sums: {}, groups: new Set(), rollouts: 0, firstGroup: null }
      steps.set(step, s)
    }
    s.n++
    const num = (k: string): number => (typeof row[k] === 'number' && Number.isFinite(row[k]) ? (row[k] as number) : 0)
    for (const k of ['acc', 'curiosity', 'penalty', 'rapr', 'ops', 'score']) s.sums[k] = (s.sums[k] ?? 0) + num(k)
    const mean = (k: string): number => (s.sums[k] ?? 0) / s.n
    const events: TrainerEvent[] = [
      { event: 'metrics', step, values: { accuracy: mean('acc'), 'rewards/curiosity/mean': mean('curiosity'), 'rewards/penalty/mean': mean('penalty'), rapr: mean('rapr'), ops_per_response: mean('ops') } }
    ]
    const index = typeof row.sample_index === 'number' ? row.sample_index : null
    if (index !== null) {
      s.firstGroup ??= index
      const sampleId = sampleOf(index)
      if (index === s.firstGroup && s.rollouts < groupSize && sampleId && typeof row.output === 'string') {
        s.rollouts++
        events.push({ event: 'rollout', step, sampleId, turns: splitVerlResponse(row.output), reward: num('score'), correct: num('acc') >= 1, operations: Math.max(0, Math.round(num('ops'))) })
      }
    }
    return events
  }
}

function sampleIndex(ctx: PrepareContext): (index: number) => string | null {
  let map: Map<number, string> | null = null
  return (index) => {
    if (!map) {
      map = new Map()
      const file = join(ctx.layout.data, 'queries.jsonl')
      if (existsSync(file)) {
        for (const line of readFileSync(file, 'utf8').split('\n')) {
          if (!line.trim()) continue
          const q = JSON.parse(line) as { index: number; sample_id: string }
          map.set(q.index, q.sample_id)
        }
      }
    }
    return map.get(index) ?? null
  }
}

function header(spec: RunSpec): string {
  return [
    `# Pixel Studio run ${spec.runId}: verl GRPO on snapshot ${spec.dataset.snapshotId} (${spec.dataset.snapshotHash.slice(0, 12)}), ${spec.dataset.records} queries${spec.dataset.eval ? `, ${spec.dataset.evalRecords ?? 0} held out for validation` : ''}.`,
    '# The run folder must be at the same path on every node (shared storage): data, tools, reward and logs live here.',
    '# On a running Ray cluster: ray job submit --address=http://<head>:8265 -- bash run_verl.sh (docs/start/multinode.rst)'
  ].join('\n')
}

export const verlAdapter: TrainerAdapter = {
  backend: 'verl',
  datasetFormat: () => 'verl',
  requirements(): Requirements {
    return {
      modules: ['torch', 'verl', 'ray', 'vllm', 'PIL'],
      files: [trainerResource('verl', `${MODULE}.py`), trainerResource('pixel_reasoner', 'reward.py')],
      install: 'install verl with vLLM (verl docs, "Installation"), then set PIXEL_STUDIO_PYTHON to that Python; for a cluster set hardware.rayAddress'
    }
  },
  async prepare(ctx: PrepareContext) {
    const { layout } = ctx
    writeFileSync(join(layout.dir, 'tool_config.yaml'), toYaml(verlToolConfig(), `Pixel Studio run ${ctx.spec.runId}: the Pixel Reasoner tools for verl's tool agent loop`))
    const python = copyPythonSources(layout.dir, [{ from: trainerResource('verl', `${MODULE}.py`), to: `${MODULE}.py` }])
    const overrides = verlOverrides(ctx)
    const env = { PYTHONPATH: python, VERL_FILE_LOGGER_PATH: metricsFile(ctx) }
    const script = [header(ctx.spec), 'set -euo pipefail', `cd "$(dirname "$0")"`, ...Object.entries(env).map(([k, v]) => `export ${k}=${JSON.stringify(v)}`), 'exec python3 -m verl.trainer.main_ppo \\', ...overrides.map((o, i) => `  '${o}'${i < overrides.length - 1 ? ' \\' : ''}`)].join('\n')
    writeFileSync(join(layout.dir, 'run_verl.sh'), `#!/usr/bin/env bash\n${script}\n`, { mode: 0o755 })
    return {
      command: { command: ctx.python, args: ['-m', 'verl.trainer.main_ppo', ...overrides], env, cwd: layout.dir },
      files: ['tool_config.yaml', 'run_verl.sh', 'python/']
    }
  },
  parseLogLine(line: string): TrainerEvent[] {
    // ray_trainer.py _save_checkpoint prints the folder (Ray prefixes actor output with "(TaskRunner pid=...)")
    const m = /local_global_step_folder: (\S*global_step_(\d+))/.exec(line)
    return m?.[1] && m[2] ? [{ event: 'checkpoint', step: Number(m[2]), path: m[1] }] : []
  },
  sources(ctx: PrepareContext): EventSource[] {
    return [
      { path: metricsFile(ctx), kind: 'file', parse: parseVerlMetricsLine },
      { path: rolloutsDir(ctx), kind: 'dir', parse: rolloutDumpParser(sampleIndex(ctx), ctx.spec.grpo?.groupSize ?? 8) }
    ]
  },
  onCleanExit(ctx: PrepareContext): TrainerEvent[] {
    // verl prints no "done": the last checkpoint's HF folder is the model (actor/huggingface)
    const latest = join(checkpointsDir(ctx), 'latest_checkpointed_iteration.txt')
    const step = existsSync(latest) ? readFileSync(latest, 'utf8').trim() : null
    const modelDir = step ? join(checkpointsDir(ctx), `global_step_${step}`, 'actor', 'huggingface') : checkpointsDir(ctx)
    return [{ event: 'done', modelDir, onnxDir: null }]
  }
}
