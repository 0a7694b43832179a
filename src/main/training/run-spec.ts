// The RunSpec a trainer receives (<run dir>/spec.json), built from what a person asked for plus
// what the studio fills in: the run id, the dataset it wrote from the snapshot, the output folder
// and, on resume, the checkpoint to continue from.
import { existsSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import type { z } from 'zod'
import { RunSpec, StudioError, TrainingStartInput } from '../../shared/contract'
import { RETIRED } from './adapters'
import type { DatasetFormat } from './dataset'

export type ParsedStartInput = z.output<typeof TrainingStartInput>

export function datasetFile(format: DatasetFormat): string {
  return join('data', format === 'trl' ? 'train.jsonl' : 'train.parquet')
}

export function buildRunSpec(
  input: ParsedStartInput,
  runId: string,
  dataset: { snapshotId: string; snapshotHash: string; format: DatasetFormat; records: number }
): RunSpec {
  if (input.backend === 'tiny-torch') throw new StudioError('invalid_input', RETIRED)
  if (input.backend === 'verl' && input.algorithm === 'sft') {
    throw new StudioError('invalid_input', 'the verl backend runs GRPO; train SFT with TRL')
  }
  if (input.backend === 'verl' && input.baseModel.kind !== 'path') {
    throw new StudioError('invalid_input', 'verl trains an existing model: set baseModel to {kind: "path", path: <a Hugging Face model folder or id>}')
  }
  if (input.algorithm === 'grpo' && input.backend === 'verl' && input.hardware.device === 'cpu') {
    throw new StudioError('invalid_input', 'verl GRPO needs GPUs (vLLM generation on Ray); use TRL to train on the CPU')
  }
  if (input.backend === 'trl' && input.hardware.nodes > 1) {
    throw new StudioError('invalid_input', 'the studio launches TRL on this machine (hardware.gpus processes); for several machines start the run with nodes 1, then use accelerate-multinode.yaml and launch-node.sh from its run folder on each machine')
  }
  if (input.backend === 'trl' && input.baseModel.kind === 'path') assertQwenVl(input.baseModel.path)
  const { snapshotId: _snapshot, title: _title, ...rest } = input
  return RunSpec.parse({
    ...rest,
    version: 1,
    runId,
    // GRPO always carries its settings (the paper's defaults when none were given)
    grpo: input.algorithm === 'grpo' ? (input.grpo ?? {}) : input.grpo,
    dataset: { snapshotId: dataset.snapshotId, snapshotHash: dataset.snapshotHash, train: datasetFile(dataset.format), format: dataset.format, records: dataset.records },
    outputDir: 'output',
    resumeFrom: null
  })
}

/** A local model folder TRL is asked to train must be a Qwen2-VL / Qwen2.5-VL (a hub id is checked by the trainer). */
function assertQwenVl(path: string): void {
  const config = join(path, 'config.json')
  if (!existsSync(config)) return
  let modelType: unknown
  try {
    modelType = (JSON.parse(readFileSync(config, 'utf8')) as { model_type?: unknown }).model_type
  } catch (error) {
    throw new StudioError('invalid_input', `${config} is not valid JSON: ${error instanceof Error ? error.message : String(error)}`)
  }
  if (modelType !== 'qwen2_vl' && modelType !== 'qwen2_5_vl') {
    throw new StudioError('invalid_input', `${path} is a ${JSON.stringify(modelType ?? null)} model; the TRL trainer trains Qwen2-VL and Qwen2.5-VL (model_type qwen2_vl or qwen2_5_vl)`)
  }
}

export function defaultTitle(input: Pick<ParsedStartInput, 'algorithm' | 'backend'>, snapshotName: string): string {
  return `${input.algorithm.toUpperCase()} · ${input.backend} · ${snapshotName}`
}
