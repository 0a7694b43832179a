// TRL on one workstation (huggingface/trl), and on the CPU for the tiny Qwen2.5-VL. The studio writes:
// - sft.yaml / grpo.yaml: TRL's CLI config format (`trl sft --config sft.yaml`, docs/source/clis.md):
//   keys of ScriptArguments + DatasetMixtureConfig (trl/scripts/utils.py), SFTConfig / GRPOConfig
//   (trl/trainer/{sft,grpo}_config.py, on top of transformers' TrainingArguments) and ModelConfig
//   (trl/trainer/model_config.py: use_peft, lora_r, ...). The dataset is the exported TRL JSONL,
//   loaded as a `json` dataset mixture entry (DatasetConfig: path/data_files/split).
// - python/: the studio's launcher (resources/trainer/trl), the shared Pixel Reasoner rules, the
//   Qwen-VL processor and chat template (qwen_vl) and the tiny-model builder (tiny_qwen), so the run
//   folder is self-contained.
// The command runs the launcher, not `trl sft` itself: it parses the same YAML with TRL's own
// parser, but adds what the CLI cannot: the model and processor with the studio chat template, the
// studio SFT collator, the TrainerCallback that prints TrainerEvents, resume from a checkpoint, and
// for GRPO the environment_factory with the crop/frames tools and the Pixel Reasoner reward
// functions (resources/trainer/trl/README.md).
import { cpSync, mkdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import type { RunSpec, TrainerEvent } from '../../../shared/contract'
import { trainerResource } from '../paths'
import { parseEventLine } from '../trainer-events'
import { Commented, Float, toYaml, type YamlDoc } from '../yaml'
import type { PrepareContext, Requirements, TrainerAdapter } from './adapter'

/** The Python packages a run folder carries beside the launcher (resources/trainer/<name>). */
const PYTHON_PACKAGES = ['pixel_reasoner', 'qwen_vl', 'tiny_qwen']
const TRL_FILES = ['pixel_studio_trl.py', 'studio_callback.py', 'studio_model.py', 'sft_collator.py', 'pixel_reasoner_env.py']

/** The launcher and the rule packages copied into <run>/python, so the run folder is self-contained. */
export function copyPythonSources(runDir: string, files: Array<{ from: string; to: string }>, packages: readonly string[] = ['pixel_reasoner']): string {
  const dir = join(runDir, 'python')
  mkdirSync(dir, { recursive: true })
  for (const name of packages) cpSync(trainerResource(name), join(dir, name), { recursive: true, filter: (src) => !src.includes('__pycache__') })
  for (const f of files) cpSync(f.from, join(dir, f.to))
  return dir
}

/** The base model: a folder, or the tiny Qwen2.5-VL the launcher builds into <run>/base-model. */
function modelPath(spec: RunSpec): string {
  return spec.baseModel.kind === 'path' ? spec.baseModel.path : 'base-model'
}

const onGpu = (spec: RunSpec): boolean => spec.hardware.device !== 'cpu'

/**
 * A split snapshot's eval set (spec.dataset.eval): evaluated at the save points only, so a CPU run
 * stays cheap. The launcher loads the file (TRL's CLI mixture would concatenate it into the train
 * set), so the YAML names it in a comment.
 */
function evaluation(spec: RunSpec): YamlDoc {
  const { eval: file, evalRecords } = spec.dataset
  if (!file) return {}
  const steps = spec.hyper.saveEverySteps
  return {
    eval_strategy: new Commented(`the held-out side of the split, ${evalRecords ?? 0} records in ${file} (loaded by python/pixel_studio_trl.py), evaluated when a checkpoint is saved`, steps > 0 ? 'steps' : 'epoch'),
    ...(steps > 0 ? { eval_steps: steps } : {})
  }
}

/** Keys shared by SFT and GRPO (TrainingArguments, ModelConfig, the dataset mixture). */
function common(spec: RunSpec): YamlDoc {
  const h = spec.hyper
  const doc: YamlDoc = {
    model_name_or_path: modelPath(spec),
    dtype: onGpu(spec) ? 'bfloat16' : 'float32',
    datasets: new Commented('the studio-exported snapshot (TRL conversational JSONL, images relative to data/)', [{ path: 'json', data_files: spec.dataset.train, split: 'train' }]),
    output_dir: spec.outputDir,
    run_name: spec.runId,
    seed: h.seed,
    learning_rate: new Float(h.learningRate),
    num_train_epochs: new Float(h.epochs),
    max_steps: h.maxSteps > 0 ? h.maxSteps : -1,
    gradient_accumulation_steps: h.gradAccum,
    warmup_steps: new Commented('a float below 1 is a ratio of the total steps (warmup_ratio is deprecated)', new Float(h.warmupRatio)),
    logging_steps: 1,
    save_strategy: h.saveEverySteps > 0 ? 'steps' : 'epoch',
    ...(h.saveEverySteps > 0 ? { save_steps: h.saveEverySteps } : {}),
    ...evaluation(spec),
    bf16: onGpu(spec),
    use_cpu: !onGpu(spec),
    gradient_checkpointing: h.gradientCheckpointing ?? onGpu(spec),
    report_to: new Commented('metrics reach the studio through its JSONL callback; trackers are extra (TensorBoard writes under output_dir/runs)', spec.reportTo.length > 0 ? [...spec.reportTo] : 'none'),
    disable_tqdm: true
  }
  if (h.loraRank > 0) {
    Object.assign(doc, {
      use_peft: true,
      lora_r: h.loraRank,
      lora_alpha: h.loraRank * 2,
      lora_dropout: new Float(0.05),
      lora_target_modules: ['all-linear']
    })
  }
  return doc
}

export function trlSftConfig(spec: RunSpec): YamlDoc {
  return {
    ...common(spec),
    per_device_train_batch_size: spec.hyper.batchSize,
    ...(spec.dataset.eval ? { per_device_eval_batch_size: spec.hyper.batchSize } : {}),
    max_length: new Commented('no truncation: it would cut image tokens (TRL docs, "Training Vision Language Models")', null),
    remove_unused_columns: new Commented('the studio collator (python/sft_collator.py) renders each record and labels only assistant turns', false),
    dataset_kwargs: { skip_prepare_dataset: true }
  }
}

export function trlGrpoConfig(spec: RunSpec): YamlDoc {
  const g = spec.grpo
  if (!g) throw new Error('a GRPO run needs its grpo settings')
  return {
    ...common(spec),
    per_device_train_batch_size: new Commented('completions per device and step: prompts x num_generations', spec.hyper.batchSize * g.groupSize),
    ...(spec.dataset.eval ? { per_device_eval_batch_size: new Commented('whole groups, as in training', spec.hyper.batchSize * g.groupSize) } : {}),
    num_generations: g.groupSize,
    temperature: new Float(g.temperature),
    top_p: new Float(g.topP),
    epsilon: new Commented('clip range [1 - epsilon, 1 + epsilon_high] (the paper: 0.2 / 0.35)', new Float(g.clipLow)),
    epsilon_high: new Float(g.clipHigh),
    beta: new Commented('KL coefficient; 0 loads no reference model (the paper uses none)', new Float(g.klCoef)),
    scale_rewards: new Commented('advantage = reward - group mean, no std division (the paper)', 'none'),
    max_tool_calling_iterations: new Commented('operations a rollout may make (the paper: 4)', g.maxOperations),
    max_completion_length: new Commented('tokens over all turns of a rollout', g.maxCompletionTokens),
    use_vllm: new Commented('off: rollouts generate with transformers (vLLM is an option where installed)', g.useVllm),
    ...(g.useVllm ? { vllm_mode: 'colocate' } : {}),
    log_completions: false,
    remove_unused_columns: new Commented('the reward reads the answer, sample_id and is_video columns', false)
  }
}

/**
 * Scale-out on one machine: `accelerate launch` with one process per GPU (DDP; on the CPU,
 * `hardware.gpus` processes over gloo). Several machines: the files a user fills with the node-0
 * address and runs on each node (accelerate's own multi-node config).
 */
export function accelerateArgs(spec: RunSpec): string[] {
  const processes = spec.hardware.gpus
  if (processes <= 1) return []
  return ['-m', 'accelerate.commands.launch', '--multi_gpu', '--num_processes', String(processes), '--num_machines', '1', '--mixed_precision', onGpu(spec) ? 'bf16' : 'no', '--dynamo_backend', 'no']
}

export function accelerateMultiNodeConfig(spec: RunSpec, nodes: number): YamlDoc {
  return {
    compute_environment: 'LOCAL_MACHINE',
    distributed_type: new Commented('DDP across machines (accelerate launch --config_file accelerate-multinode.yaml)', onGpu(spec) ? 'MULTI_GPU' : 'MULTI_CPU'),
    num_machines: nodes,
    num_processes: new Commented('all processes of all machines: GPUs per machine x machines', nodes * spec.hardware.gpus),
    machine_rank: new Commented('0 on the first machine, 1.. on the others (launch-node.sh sets it)', 0),
    main_process_ip: new Commented('FILL IN: the address of machine 0, reachable from every machine', 'NODE0_ADDRESS'),
    main_process_port: 29500,
    rdzv_backend: 'static',
    same_network: true,
    mixed_precision: onGpu(spec) ? 'bf16' : 'no',
    use_cpu: !onGpu(spec)
  }
}

const LAUNCH_NODE = `#!/bin/sh
# Runs this TRL run on one machine of several: copy the run folder to every machine (same path),
# fill main_process_ip in accelerate-multinode.yaml, then on machine N: sh launch-node.sh N
# (PYTHON: the trainer Python on that machine; default python3).
set -e
cd "$(dirname "$0")"
RANK="\${1:?usage: sh launch-node.sh MACHINE_RANK}"
PYTHONPATH="$PWD/python" TRL_EXPERIMENTAL_SILENCE=1 exec "\${PYTHON:-python3}" -m accelerate.commands.launch \
  --config_file accelerate-multinode.yaml --machine_rank "$RANK" \
  python/pixel_studio_trl.py --run-dir "$PWD" --config CONFIG
`

function configName(spec: RunSpec): string {
  return spec.algorithm === 'sft' ? 'sft.yaml' : 'grpo.yaml'
}

function header(spec: RunSpec): string {
  return [
    `Pixel Studio run ${spec.runId}: TRL ${spec.algorithm.toUpperCase()} on snapshot ${spec.dataset.snapshotId} (${spec.dataset.snapshotHash.slice(0, 12)}), ${spec.dataset.records} records${spec.dataset.eval ? `, ${spec.dataset.evalRecords ?? 0} held out for eval` : ''}.`,
    spec.algorithm === 'sft'
      ? `By hand: \`trl sft --config sft.yaml${spec.dataset.eval ? ' --eval_strategy no' : ''}\` (no live metrics${spec.dataset.eval ? ', no eval set' : ''}) or \`python python/pixel_studio_trl.py --run-dir .\``
      : 'By hand: `python python/pixel_studio_trl.py --run-dir .` (the crop environment and the curiosity reward live there)'
  ].join('\n')
}

export const trlAdapter: TrainerAdapter = {
  backend: 'trl',
  datasetFormat: () => 'trl',
  requirements(spec: RunSpec): Requirements {
    return {
      modules: ['torch', 'trl', 'transformers', 'datasets', 'accelerate', 'PIL', ...(spec.hyper.loraRank > 0 ? ['peft'] : [])],
      files: [...TRL_FILES.map((f) => trainerResource('trl', f)), trainerResource('pixel_reasoner', 'reward.py'), trainerResource('qwen_vl', 'chat_template.jinja'), trainerResource('tiny_qwen', 'make_tiny_qwen.py')],
      install: 'pip install trl transformers datasets accelerate pillow peft (GRPO with environment_factory needs transformers >= 5.2), then set PIXEL_STUDIO_PYTHON to that Python'
    }
  },
  async prepare(ctx: PrepareContext) {
    const { spec, layout } = ctx
    const config = configName(spec)
    writeFileSync(join(layout.dir, config), toYaml(spec.algorithm === 'sft' ? trlSftConfig(spec) : trlGrpoConfig(spec), header(spec)))
    const python = copyPythonSources(
      layout.dir,
      TRL_FILES.map((f) => ({ from: trainerResource('trl', f), to: f })),
      PYTHON_PACKAGES
    )
    const script = join(python, 'pixel_studio_trl.py')
    // the scale-out recipe for a user's cluster, written with every run (the studio itself runs one machine)
    writeFileSync(join(layout.dir, 'accelerate-multinode.yaml'), toYaml(accelerateMultiNodeConfig(spec, Math.max(spec.hardware.nodes, 2)), `Run ${spec.runId} on several machines: fill in main_process_ip, then on each machine: sh launch-node.sh <rank>`))
    writeFileSync(join(layout.dir, 'launch-node.sh'), LAUNCH_NODE.replace('CONFIG', config))
    return {
      command: { command: ctx.python, args: [...accelerateArgs(spec), script, '--run-dir', layout.dir, '--config', config], env: { PYTHONPATH: python, TRL_EXPERIMENTAL_SILENCE: '1' }, cwd: layout.dir },
      files: [config, 'python/', 'accelerate-multinode.yaml', 'launch-node.sh']
    }
  },
  parseLogLine(line: string): TrainerEvent[] {
    const event = parseEventLine(line)
    return event ? [event] : []
  },
  sources: () => [],
  onCleanExit: () => []
}
