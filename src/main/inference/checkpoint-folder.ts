// A PyTorch checkpoint the studio can serve (serve_checkpoint.py): a `save_pretrained` folder of
// a Qwen2-VL / Qwen2.5-VL model with its processor, or a LoRA adapter on such a local base. A
// training run's folder resolves to its final model, else its newest checkpoint. Anything else
// is refused with what is wrong, before a Python process is ever started.
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs'
import { basename, join, resolve } from 'node:path'
import { z } from 'zod'
import { StudioError } from '../../shared/contract/errors'

export type CheckpointModelType = 'qwen2_vl' | 'qwen2_5_vl'

export interface CheckpointFolder {
  /** the folder serve_checkpoint.py is given */
  dir: string
  modelType: CheckpointModelType
  /** a LoRA adapter: its base model folder (merged on load) */
  adapterBase: string | null
  dtype: string
  totalBytes: number
}

const Config = z.object({ model_type: z.string().optional(), torch_dtype: z.string().nullable().optional(), dtype: z.string().nullable().optional() }).loose()
const AdapterConfig = z.object({ base_model_name_or_path: z.string().nullable().optional(), peft_type: z.string().optional() }).loose()

const isDir = (p: string): boolean => existsSync(p) && statSync(p).isDirectory()
const isModel = (dir: string): boolean => existsSync(join(dir, 'config.json')) || existsSync(join(dir, 'adapter_config.json'))

function readJson<T>(file: string, schema: z.ZodType<T>): T {
  try {
    return schema.parse(JSON.parse(readFileSync(file, 'utf8')))
  } catch (error) {
    throw new StudioError('invalid_input', `${file} is unreadable: ${error instanceof Error ? error.message.split('\n')[0] : String(error)}`)
  }
}

/** checkpoint-N (transformers), step-N (ours): the newest first. */
function checkpointsIn(dir: string): string[] {
  if (!isDir(dir)) return []
  return readdirSync(dir)
    .map((name) => ({ name, step: Number(/^(?:checkpoint|step)-(\d+)$/.exec(name)?.[1] ?? NaN) }))
    .filter((c) => Number.isFinite(c.step) && isModel(join(dir, c.name)))
    .sort((a, b) => b.step - a.step)
    .map((c) => join(dir, c.name))
}

/** The model folder in `path`: itself, a run's final model (output/, output/final, final), else the newest checkpoint. */
export function resolveCheckpointDir(path: string): string {
  const dir = resolve(path)
  if (!isDir(dir)) throw new StudioError('not_found', `${dir} is not a folder`)
  for (const candidate of [dir, join(dir, 'output', 'final'), join(dir, 'output'), join(dir, 'final')]) if (isModel(candidate)) return candidate
  const newest = [dir, join(dir, 'output'), join(dir, 'output', 'checkpoints'), join(dir, 'checkpoints')].flatMap(checkpointsIn)[0]
  if (newest) return newest
  const hint = isDir(join(dir, 'onnx')) ? ' (it holds onnx/: a transformers.js folder, add it with "Add folder")' : ''
  throw new StudioError('invalid_input', `${dir} holds no checkpoint: no config.json or adapter_config.json there, in output/ or final/, nor a checkpoint-N / step-N folder${hint}`)
}

function modelTypeOf(dir: string): { modelType: CheckpointModelType; dtype: string } {
  const config = readJson(join(dir, 'config.json'), Config)
  const type = config.model_type
  if (type !== 'qwen2_vl' && type !== 'qwen2_5_vl') {
    throw new StudioError('invalid_input', `${dir} is a "${type ?? 'unknown'}" model: the studio runs Qwen2-VL / Qwen2.5-VL checkpoints only (config.json model_type qwen2_vl or qwen2_5_vl)`)
  }
  return { modelType: type, dtype: config.torch_dtype ?? config.dtype ?? 'unknown' }
}

function sizeOf(dir: string): number {
  return readdirSync(dir)
    .filter((f) => /\.(safetensors|bin)$/.test(f))
    .reduce((n, f) => n + statSync(join(dir, f)).size, 0)
}

/** Validates a checkpoint (or run) folder; throws a StudioError saying what is wrong. */
export function describeCheckpointFolder(path: string): CheckpointFolder {
  const dir = resolveCheckpointDir(path)
  let weights = dir
  let adapterBase: string | null = null
  if (existsSync(join(dir, 'adapter_config.json'))) {
    const adapter = readJson(join(dir, 'adapter_config.json'), AdapterConfig)
    const base = adapter.base_model_name_or_path
    if (!base || !isDir(base)) throw new StudioError('invalid_input', `${dir} is a LoRA adapter whose base model ${JSON.stringify(base ?? null)} is not a local folder: set base_model_name_or_path to the base model's folder`)
    if (!existsSync(join(base, 'config.json'))) throw new StudioError('invalid_input', `the LoRA base ${base} of ${dir} has no config.json`)
    adapterBase = resolve(base)
    weights = adapterBase
  }
  const { modelType, dtype } = modelTypeOf(weights)
  const processorDir = adapterBase && !existsSync(join(dir, 'tokenizer_config.json')) ? adapterBase : dir
  const missing = ['preprocessor_config.json', 'tokenizer_config.json'].filter((f) => !existsSync(join(processorDir, f)))
  if (missing.length > 0) throw new StudioError('invalid_input', `${processorDir} has no ${missing.join(' or ')}: save the processor with the checkpoint (processor.save_pretrained)`)
  if (sizeOf(weights) === 0) throw new StudioError('invalid_input', `${weights} has no weights (*.safetensors or *.bin)`)
  return { dir, modelType, adapterBase, dtype, totalBytes: sizeOf(weights) + (adapterBase ? sizeOf(dir) : 0) }
}

/** A name for a checkpoint: its run's folder name and its own, e.g. "train-2026-…/checkpoint-40". */
export function checkpointName(dir: string, given?: string): string {
  if (given) return given
  const own = basename(dir)
  const parent = basename(resolve(dir, '..'))
  return own === 'output' || own === 'final' ? `${basename(resolve(dir, own === 'final' ? '../..' : '..'))} (${own})` : /^(checkpoint|step)-\d+$/.test(own) ? `${parent}/${own}` : own
}
