// Golden files for the TRL and verl adapters: the generated configs and command lines, byte for
// byte (UPDATE_GOLDEN=1 rewrites them), AND checked against those projects' formats: every YAML
// key must be a field of the upstream dataclass TRL parses it into (names read from
// huggingface/trl and transformers, test/training/golden/upstream-fields.json), every Hydra
// override a key of verl's generated trainer config, the tool config must pass a mirror of
// verl/tools/schemas.py, and the YAML is read by PyYAML (what TRL and Hydra use) into the
// intended types.
import { execFileSync } from 'node:child_process'
import { existsSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs'
import { join, resolve } from 'node:path'
import { beforeAll, describe, expect, it } from 'vitest'
import { z } from 'zod'
import type { RunSpec } from '../../src/shared/contract'
import type { PrepareContext } from '../../src/main/training/adapters/adapter'
import { trlAdapter } from '../../src/main/training/adapters/trl'
import { parseVerlMetricsLine, rolloutDumpParser, splitVerlResponse, verlAdapter } from '../../src/main/training/adapters/verl'
import { runLayout } from '../../src/main/training/paths'
import { buildRunSpec } from '../../src/main/training/run-spec'
import { tempDir } from '../helpers/temp'
import { tinyRun, trainerResources } from './helpers'

const GOLDEN = resolve('test/training/golden')
const UPSTREAM = JSON.parse(readFileSync(join(GOLDEN, 'upstream-fields.json'), 'utf8')) as { trl: Record<string, string[]>; verl: Record<string, string[]> }
const root = tempDir('pixel-studio-golden-')
/** Debian's python3 (PyYAML is what TRL's config parser and Hydra read YAML with) */
const python = existsSync('/usr/bin/python3') ? '/usr/bin/python3' : 'python3'

beforeAll(() => {
  process.env.PIXEL_STUDIO_RESOURCES = trainerResources(join(root, 'resources'))
})

function spec(backend: 'trl' | 'verl', algorithm: 'sft' | 'grpo', extra: Record<string, unknown> = {}): RunSpec {
  const base = tinyRun('snap-golden', 42, { backend, algorithm, baseModel: { kind: 'path', path: '/models/Qwen2.5-VL-7B-Instruct' }, hardware: { device: 'cuda', gpus: 1, nodes: 1 }, ...extra })
  return buildRunSpec(base as never, 'run-golden', { snapshotId: 'snap-golden', snapshotHash: 'f'.repeat(64), format: backend === 'verl' ? 'verl' : 'trl', records: 2 })
}

/** The spec of a run on a split snapshot: writeDataset names the held-out side's file in RunSpec.dataset. */
function withEval(s: RunSpec): RunSpec {
  return { ...s, dataset: { ...s.dataset, eval: s.dataset.format === 'verl' ? 'data/val.parquet' : 'data/eval.jsonl', evalRecords: 1 } }
}

function context(name: string, s: RunSpec): PrepareContext {
  const layout = runLayout(join(root, name), 'run-golden', s.outputDir)
  mkdirSync(layout.dir, { recursive: true })
  return { spec: s, layout, attempt: 1, python: '/usr/bin/python3' }
}

/** Compares (or with UPDATE_GOLDEN=1 rewrites) a golden file; run-folder paths become <RUN>. */
function golden(file: string, text: string, runDir: string): void {
  const normalized = text.replaceAll(runDir, '<RUN>')
  const path = join(GOLDEN, file)
  if (process.env.UPDATE_GOLDEN || !existsSync(path)) {
    mkdirSync(join(path, '..'), { recursive: true })
    writeFileSync(path, normalized)
  }
  expect(normalized).toBe(readFileSync(path, 'utf8'))
}

/** PyYAML's reading of a file: what TRL's parser (yaml.safe_load) and Hydra get. */
function pyYaml(file: string): Record<string, unknown> {
  const out = execFileSync(python, ['-c', 'import json,sys,yaml; print(json.dumps(yaml.safe_load(open(sys.argv[1]))))', file], { encoding: 'utf8' })
  return JSON.parse(out) as Record<string, unknown>
}

const trlFields = (...classes: string[]): Set<string> => new Set(classes.flatMap((c) => UPSTREAM.trl[Object.keys(UPSTREAM.trl).find((k) => k.includes(c))!]!))

describe('TRL adapter', () => {
  it('writes an SFT config TRL parses into its dataclasses (golden)', async () => {
    const s = spec('trl', 'sft', { hyper: { learningRate: 2e-5, epochs: 2, maxSteps: 0, batchSize: 1, gradAccum: 8, warmupRatio: 0.05, seed: 42, loraRank: 16, saveEverySteps: 50 } })
    const ctx = context('trl-sft', s)
    const { command } = await trlAdapter.prepare(ctx)
    golden('trl-sft/sft.yaml', readFileSync(join(ctx.layout.dir, 'sft.yaml'), 'utf8'), ctx.layout.dir)
    golden('trl-sft/command.json', `${JSON.stringify(command, null, 2)}\n`, ctx.layout.dir)
    const config = pyYaml(join(ctx.layout.dir, 'sft.yaml'))
    const allowed = trlFields('SFTConfig', '_BaseConfig', 'ModelConfig', 'ScriptArguments', 'DatasetMixtureConfig', 'TrainingArguments')
    expect(Object.keys(config).filter((k) => !allowed.has(k))).toEqual([])
    const datasetKeys = trlFields('DatasetConfig')
    for (const d of config.datasets as Array<Record<string, unknown>>) expect(Object.keys(d).filter((k) => !datasetKeys.has(k))).toEqual([])
    expect(config).toMatchObject({ learning_rate: 2e-5, warmup_steps: 0.05, num_train_epochs: 2, max_steps: -1, gradient_accumulation_steps: 8, max_length: null, use_peft: true, lora_r: 16, save_steps: 50 })
    expect(typeof config.learning_rate).toBe('number') // PyYAML reads 2e-05 (no dot) as a string
    expect(existsSync(join(ctx.layout.dir, 'python', 'pixel_studio_trl.py'))).toBe(true)
    expect(existsSync(join(ctx.layout.dir, 'python', 'pixel_reasoner', '__init__.py'))).toBe(true)
  })

  it('evaluates a split snapshot\'s held-out side at the save points, in TRL\'s own keys (golden)', async () => {
    const s = withEval(spec('trl', 'sft', { hyper: { learningRate: 2e-5, epochs: 1, maxSteps: 0, batchSize: 2, gradAccum: 1, warmupRatio: 0, seed: 42, loraRank: 0, saveEverySteps: 10 } }))
    const ctx = context('trl-sft-split', s)
    await trlAdapter.prepare(ctx)
    golden('trl-sft-split/sft.yaml', readFileSync(join(ctx.layout.dir, 'sft.yaml'), 'utf8'), ctx.layout.dir)
    const config = pyYaml(join(ctx.layout.dir, 'sft.yaml'))
    const allowed = trlFields('SFTConfig', '_BaseConfig', 'ModelConfig', 'ScriptArguments', 'DatasetMixtureConfig', 'TrainingArguments')
    expect(Object.keys(config).filter((k) => !allowed.has(k))).toEqual([])
    expect(config).toMatchObject({ eval_strategy: 'steps', eval_steps: 10, save_steps: 10, per_device_eval_batch_size: 2 })
    // the eval file is the launcher's to load: TRL's dataset mixture would concatenate it into the train set
    expect(config.datasets).toEqual([{ path: 'json', data_files: 'data/train.jsonl', split: 'train' }])
    // GRPO evaluates whole groups; without a save interval, once an epoch
    const g = context('trl-grpo-split', withEval(spec('trl', 'grpo', { grpo: { groupSize: 4, maxOperations: 4 } })))
    await trlAdapter.prepare(g)
    const grpo = pyYaml(join(g.layout.dir, 'grpo.yaml'))
    expect(grpo).toMatchObject({ eval_strategy: 'epoch', per_device_eval_batch_size: 4 })
    expect(grpo).not.toHaveProperty('eval_steps')
    // no split, no evaluation
    const plain = context('trl-sft-plain', spec('trl', 'sft'))
    await trlAdapter.prepare(plain)
    expect(pyYaml(join(plain.layout.dir, 'sft.yaml'))).not.toHaveProperty('eval_strategy')
  })

  it('writes a GRPO config with the paper\'s settings: groups of 8, clip 0.2/0.35, no KL, no std scaling (golden)', async () => {
    const s = spec('trl', 'grpo', { grpo: { groupSize: 8, maxOperations: 4 }, hyper: { learningRate: 1e-6, epochs: 1, maxSteps: 300, batchSize: 2, gradAccum: 1, warmupRatio: 0, seed: 42, loraRank: 0, saveEverySteps: 25 }, hardware: { device: 'cuda', gpus: 4, nodes: 1 } })
    const ctx = context('trl-grpo', s)
    const { command } = await trlAdapter.prepare(ctx)
    golden('trl-grpo/grpo.yaml', readFileSync(join(ctx.layout.dir, 'grpo.yaml'), 'utf8'), ctx.layout.dir)
    golden('trl-grpo/command.json', `${JSON.stringify(command, null, 2)}\n`, ctx.layout.dir)
    const config = pyYaml(join(ctx.layout.dir, 'grpo.yaml'))
    const allowed = trlFields('GRPOConfig', '_BaseConfig', 'ModelConfig', 'ScriptArguments', 'DatasetMixtureConfig', 'TrainingArguments')
    expect(Object.keys(config).filter((k) => !allowed.has(k))).toEqual([])
    expect(config).toMatchObject({ num_generations: 8, per_device_train_batch_size: 16, epsilon: 0.2, epsilon_high: 0.35, beta: 0, scale_rewards: 'none', temperature: 1, top_p: 0.95, max_tool_calling_iterations: 4, learning_rate: 1e-6, max_steps: 300 })
    expect(command.args.slice(0, 5)).toEqual(['-m', 'accelerate.commands.launch', '--multi_gpu', '--num_processes', '4'])
    // the multi-node recipe a user fills with the node-0 address
    const multi = pyYaml(join(ctx.layout.dir, 'accelerate-multinode.yaml'))
    expect(multi).toMatchObject({ distributed_type: 'MULTI_GPU', num_machines: 2, num_processes: 8, machine_rank: 0, main_process_ip: 'NODE0_ADDRESS' })
    expect(readFileSync(join(ctx.layout.dir, 'launch-node.sh'), 'utf8')).toContain('--config_file accelerate-multinode.yaml --machine_rank "$RANK"')
  })

  it('trains a fresh tiny model and GRPO on the CPU; refuses the retired tiny-torch and several machines', async () => {
    const tiny = spec('trl', 'grpo', { baseModel: { kind: 'tiny-init', seed: 0 }, hardware: { device: 'cpu', gpus: 1, nodes: 1 } })
    const ctx = context('trl-tiny', tiny)
    const { command } = await trlAdapter.prepare(ctx)
    expect(command.args[0]).toBe(join(ctx.layout.dir, 'python', 'pixel_studio_trl.py'))
    expect(pyYaml(join(ctx.layout.dir, 'grpo.yaml'))).toMatchObject({ model_name_or_path: 'base-model', use_cpu: true, bf16: false, use_vllm: false, dtype: 'float32' })
    for (const pkg of ['qwen_vl/chat_template.jinja', 'tiny_qwen/make_tiny_qwen.py', 'sft_collator.py']) expect(existsSync(join(ctx.layout.dir, 'python', pkg))).toBe(true)
    expect(() => spec('tiny-torch' as 'trl', 'sft', {})).toThrow(/retired: train with backend trl/)
    expect(() => spec('trl', 'sft', { hardware: { device: 'cuda', gpus: 2, nodes: 2 } })).toThrow(/accelerate-multinode.yaml/)
  })
})

// verl/tools/schemas.py (OpenAIFunctionToolSchema) and the tool config loader (tool_registry.py)
const VerlTool = z.object({
  class_name: z.string().regex(/^[\w.]+\.\w+$/),
  config: z.object({ type: z.literal('native') }).passthrough(),
  tool_schema: z.object({
    type: z.string(),
    function: z.object({
      name: z.string(),
      description: z.string(),
      parameters: z.object({ type: z.string(), properties: z.record(z.string(), z.object({ type: z.string(), description: z.string().nullable().optional(), enum: z.array(z.string()).nullable().optional() }).passthrough()), required: z.array(z.string()) })
    })
  })
})

describe('verl adapter', () => {
  it('writes the tool config, run script and Hydra overrides verl knows (golden)', async () => {
    const s = spec('verl', 'grpo', { hardware: { device: 'cuda', gpus: 8, nodes: 2, rayAddress: '10.0.0.1:6379' }, hyper: { learningRate: 1e-6, epochs: 2, maxSteps: 0, batchSize: 64, gradAccum: 4, warmupRatio: 0, seed: 42, loraRank: 64, saveEverySteps: 0 } })
    const ctx = context('verl-grpo', s)
    const { command } = await verlAdapter.prepare(ctx)
    golden('verl-grpo/tool_config.yaml', readFileSync(join(ctx.layout.dir, 'tool_config.yaml'), 'utf8'), ctx.layout.dir)
    golden('verl-grpo/run_verl.sh', readFileSync(join(ctx.layout.dir, 'run_verl.sh'), 'utf8'), ctx.layout.dir)
    golden('verl-grpo/command.json', `${JSON.stringify(command, null, 2)}\n`, ctx.layout.dir)

    const tools = z.object({ tools: z.array(VerlTool) }).parse(pyYaml(join(ctx.layout.dir, 'tool_config.yaml')))
    expect(tools.tools.map((t) => t.tool_schema.function.name)).toEqual(['crop_image_normalized', 'select_frames'])
    expect(tools.tools.map((t) => t.class_name)).toEqual(['pixel_reasoner_verl.CropImageNormalizedTool', 'pixel_reasoner_verl.SelectFramesTool'])

    const known = new Set(UPSTREAM.verl['verl/trainer/config/_generated_ppo_trainer.yaml'])
    const overrides = command.args.slice(2)
    const keys = overrides.map((o) => o.slice(0, o.indexOf('=')))
    expect(keys.filter((k) => !k.startsWith('+') && !known.has(k))).toEqual([])
    // '+' adds keys the base config lacks; their parents must exist
    for (const k of keys.filter((k) => k.startsWith('+'))) expect(known.has(k.slice(1).split('.').slice(0, 2).join('.'))).toBe(true)
    expect(overrides).toContain('trainer.logger=[console,file]')
    expect(overrides).toContain('reward_model.reward_manager=batch')
    expect(overrides).toContain('+ray_kwargs.ray_init.address=10.0.0.1:6379')
    expect(overrides).toContain('trainer.nnodes=2')
    expect(overrides).toContain('actor_rollout_ref.model.lora_rank=64')
    expect(overrides).toContain('actor_rollout_ref.actor.clip_ratio_high=0.35')
    expect(command.env.VERL_FILE_LOGGER_PATH).toBe(join(ctx.layout.dir, 'logs', 'verl-metrics-1.jsonl'))
    // the script runs as written: bash -n parses it
    execFileSync('bash', ['-n', join(ctx.layout.dir, 'run_verl.sh')])
  })

  it('validates on a split snapshot\'s held-out queries at the save points, and on nothing without one (golden)', async () => {
    const s = withEval(spec('verl', 'grpo', { hyper: { learningRate: 1e-6, epochs: 1, maxSteps: 0, batchSize: 8, gradAccum: 1, warmupRatio: 0, seed: 42, loraRank: 0, saveEverySteps: 10 } }))
    const ctx = context('verl-split', s)
    const { command } = await verlAdapter.prepare(ctx)
    golden('verl-split/command.json', `${JSON.stringify(command, null, 2)}\n`, ctx.layout.dir)
    expect(command.args).toContain(`data.train_files=${join(ctx.layout.dir, 'data', 'train.parquet')}`)
    expect(command.args).toContain(`data.val_files=${join(ctx.layout.dir, 'data', 'val.parquet')}`)
    expect(command.args).toContain('trainer.test_freq=10')
    expect(command.args).toContain('trainer.save_freq=10')
    const plain = await verlAdapter.prepare(context('verl-plain', spec('verl', 'grpo')))
    expect(plain.command.args).toContain('trainer.test_freq=-1')
  })

  it('resumes from a verl checkpoint folder, and refuses SFT', async () => {
    const s = { ...spec('verl', 'grpo'), resumeFrom: '/runs/x/output/checkpoints/global_step_40' }
    const ctx = context('verl-resume', s)
    const { command } = await verlAdapter.prepare(ctx)
    expect(command.args).toContain('trainer.resume_mode=resume_path')
    expect(command.args).toContain('trainer.resume_from_path=/runs/x/output/checkpoints/global_step_40')
    expect(() => spec('verl', 'sft')).toThrow(/runs GRPO/)
  })

  it('reads verl\'s file logger, console checkpoints and rollout dumps into TrainerEvents', () => {
    // verl/utils/tracking.py FileLogger.log: {"step": step, "data": data}
    expect(parseVerlMetricsLine('{"step": 3, "data": {"actor/pg_loss": 0.25, "critic/score/mean": 0.6, "tool_call_counts/mean": 1.5, "training/epoch": 0, "timing_s/step": 12.5, "note": "x"}}')).toEqual([
      { event: 'metrics', step: 3, epoch: 0, values: { 'actor/pg_loss': 0.25, loss: 0.25, 'critic/score/mean': 0.6, reward: 0.6, 'tool_call_counts/mean': 1.5, ops_per_response: 1.5, 'training/epoch': 0, 'timing_s/step': 12.5 } }
    ])
    expect(parseVerlMetricsLine('not json')).toEqual([])
    expect(parseVerlMetricsLine('{"step": -1, "data": {}}')).toEqual([])
    expect(verlAdapter.parseLogLine('(TaskRunner pid=4242) local_global_step_folder: /runs/r/output/checkpoints/global_step_20')).toEqual([
      { event: 'checkpoint', step: 20, path: '/runs/r/output/checkpoints/global_step_20' }
    ])
    const parse = rolloutDumpParser((i) => (i === 0 ? 'sample-img-001' : null), 2)
    const turn1 = 'Zoom.\n<tool_call>\n{"name": "crop_image_normalized", "arguments": {"bbox_2d": [0.1, 0.1, 0.5, 0.5], "target_image": 1}}\n</tool_call>'
    const output = `${turn1}user\n<tool_response>\nHere is the cropped image (Image Size: 84x84):\n</tool_response>\nassistant\nIt is \\boxed{7}.`
    expect(splitVerlResponse(output)).toEqual([turn1, 'It is \\boxed{7}.'])
    const a = parse(JSON.stringify({ step: 5, output, score: 1.1, acc: 1, curiosity: 0.1, penalty: 0, rapr: 0.5, ops: 1, sample_index: 0 }))
    const b = parse(JSON.stringify({ step: 5, output: 'It is \\boxed{3}.', score: 0, acc: 0, curiosity: 0, penalty: 0, rapr: 0.5, ops: 0, sample_index: 0 }))
    expect(a[1]).toEqual({ event: 'rollout', step: 5, sampleId: 'sample-img-001', turns: [turn1, 'It is \\boxed{7}.'], reward: 1.1, correct: true, operations: 1 })
    expect(b[0]).toEqual({ event: 'metrics', step: 5, values: { accuracy: 0.5, 'rewards/curiosity/mean': 0.05, 'rewards/penalty/mean': 0, rapr: 0.5, ops_per_response: 0.5 } })
    expect(b).toHaveLength(2)
    expect(parse(JSON.stringify({ step: 5, output: 'x', acc: 0, sample_index: 0 }))).toHaveLength(1) // the group's 2 rollouts are already out
  })
})

describe('the Python the adapters ship', () => {
  it('compiles', () => {
    const files = ['trl', 'verl'].flatMap((d) => readdirSync(resolve('resources/trainer', d)).filter((f) => f.endsWith('.py')).map((f) => resolve('resources/trainer', d, f)))
    expect(files.length).toBeGreaterThanOrEqual(4)
    execFileSync(python, ['-c', 'import ast,sys\nfor f in sys.argv[1:]: ast.parse(open(f).read(), f)', ...files])
  })
})
