// Experiment presets: the same four arms at two scales. cpu-mini's time is measured
// (docs/experiment.md); gpu-24gb's is an estimate.
import type { ExperimentArm, ExperimentDefinitionInput, ZoomTaskSpec } from '../contract/schemas/experiment'
import { PAPER_GRPO, PAPER_REWARD } from '../training/defaults'

const P = 28 * 28

export interface ExperimentPreset {
  name: 'cpu-mini' | 'gpu-24gb'
  description: string
  /** expected wall time of all arms */
  expected: string
  task: ZoomTaskSpec
  /** zoom-task samples to generate, and the share held out for validation */
  samples: number
  validationFraction: number
  definition(snapshotId: string, modelPath?: string): ExperimentDefinitionInput
}

/** The four arms of the ablation; only the compared setting differs (reward.curiosity, tools). */
export const PAPER_ARMS: readonly ExperimentArm[] = [
  { name: 'warm-start', kind: 'warm-start' },
  { name: 'curiosity', kind: 'curiosity', grpo: { reward: { curiosity: true } } },
  { name: 'no-curiosity', kind: 'no-curiosity', grpo: { reward: { curiosity: false } } },
  // no visual operations offered: the floor
  { name: 'text-only', kind: 'text-only', grpo: { maxOperations: 0, reward: { curiosity: false } } }
]

const paperSettings = {
  groupSize: PAPER_GRPO.groupSize,
  temperature: PAPER_GRPO.temperature,
  topP: PAPER_GRPO.topP,
  clipLow: PAPER_GRPO.clipLow,
  clipHigh: PAPER_GRPO.clipHigh,
  klCoef: PAPER_GRPO.klCoef,
  maxOperations: PAPER_GRPO.maxOperations,
  reward: { ...PAPER_REWARD }
}

/** What every ablation shares unless told otherwise: TRL, seed 1, the four paper arms, evaluation at every checkpoint. */
export function ablation(parts: Pick<ExperimentDefinitionInput, 'name' | 'snapshotId' | 'baseModel' | 'hardware' | 'sft' | 'grpo'> & Partial<ExperimentDefinitionInput>): ExperimentDefinitionInput {
  return { version: 1, backend: 'trl', seed: 1, arms: [...PAPER_ARMS], evaluation: { checkpoints: 'every' }, ...parts }
}

export const CPU_MINI: ExperimentPreset = {
  name: 'cpu-mini',
  description: 'tiny random-init Qwen2.5-VL (~0.7M parameters), 448 px images seen at 112 px, 300 samples; TRL on 2 CPU cores',
  expected: 'about 60 min on 2 CPU cores (measured 60.7 min on a loaded box: SFT 1200 steps 5 min, each GRPO arm of 90 steps x 64 rollouts 17-20 min, validation evaluations alongside; docs/experiment.md)',
  task: { imageSize: 448, digitHeight: [12, 16], modelMaxPixels: 16 * P, cropMaxPixels: 16 * P, clutter: 60 },
  samples: 300,
  validationFraction: 0.2,
  definition: (snapshotId) =>
    ablation({
    name: 'curiosity ablation (cpu-mini)',
    snapshotId,
    baseModel: { kind: 'tiny-init', seed: 0 },
    hardware: { device: 'cpu', gpus: 1, nodes: 1 },
    task: CPU_MINI.task,
    // 300 steps left the tiny model writing empty calls ("<tool_call>\n</tool_call>") greedily:
    // 1200 steps (20 epochs of the 240 train traces) for the call format
    sft: { learningRate: 1e-3, maxSteps: 1200, batchSize: 4, saveEverySteps: 600 },
    // a tiny model moves only with a larger learning rate than the paper's 1e-6. A step is 8
    // prompts x a group of 8 (64 rollouts, ~8 s here): 90 steps is 3 epochs of the 240 train samples
    grpo: { hyper: { learningRate: 5e-5, maxSteps: 90, batchSize: 8, saveEverySteps: 45 }, settings: { ...paperSettings, maxCompletionTokens: 256 } },
    // greedy, as the paper evaluates; the SFT'd tiny model answers in ~60-150 tokens (the text-only
    // arm's first rollouts ran to a 512 cap: 20 steps of 24 s)
    evaluation: { checkpoints: 'every', settings: { maxNewTokensPerTurn: 256 } }
  })
}

export const GPU_24GB: ExperimentPreset = {
  name: 'gpu-24gb',
  description: 'Qwen2.5-VL-3B-Instruct (7B fits with LoRA r 64 and gradient checkpointing), LoRA, bf16, 1232 px images (under the reference\'s 2000·28² pre-resize, so crops cut the original) seen at 256·28² pixels (448x448); one 24 GB GPU',
  expected: 'about 8-10 h for all arms with the 3B model (SFT ~1 h, each GRPO arm ~2-3 h at groups of 8); the 7B about twice that',
  task: { imageSize: 1232, digitHeight: [10, 14], modelMaxPixels: 256 * P, cropMaxPixels: 1000 * P, clutter: 200 },
  samples: 3000,
  validationFraction: 0.1,
  definition: (snapshotId, modelPath = 'Qwen/Qwen2.5-VL-3B-Instruct') =>
    ablation({
    name: 'curiosity ablation (24 GB GPU)',
    snapshotId,
    baseModel: { kind: 'path', path: modelPath },
    hardware: { device: 'cuda', gpus: 1, nodes: 1 },
    task: GPU_24GB.task,
    sft: { learningRate: 1e-5, epochs: 1, batchSize: 1, gradAccum: 16, loraRank: 64, saveEverySteps: 200 },
    grpo: { hyper: { learningRate: 1e-6, maxSteps: 400, batchSize: 8, loraRank: 64, saveEverySteps: 100 }, settings: paperSettings },
  })
}

export const EXPERIMENT_PRESETS = { 'cpu-mini': CPU_MINI, 'gpu-24gb': GPU_24GB } as const
export type ExperimentPresetName = keyof typeof EXPERIMENT_PRESETS
