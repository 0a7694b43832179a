// Launch defaults the Train screen and the CLI start from. GRPO follows the paper (Pixel Reasoner
// §4 / DESIGN.md: lr 1e-6, groups of 8, clip 0.2/0.35, no KL, temperature 1.0, top_p 0.95,
// alpha 0.5, beta 0.05, H 0.3, N 1); a fresh tiny Qwen2.5-VL (tiny-init) trains from scratch, which
// needs a far larger learning rate to move at all in a CPU smoke run.
import type { TrainingAlgorithm } from '../contract/schemas/training'

export function defaultLearningRate(algorithm: TrainingAlgorithm, fromScratch: boolean): number {
  if (fromScratch) return algorithm === 'sft' ? 3e-3 : 1e-4
  return algorithm === 'sft' ? 1e-5 : 1e-6
}

export const PAPER_GRPO = { groupSize: 8, temperature: 1, topP: 0.95, clipLow: 0.2, clipHigh: 0.35, klCoef: 0, maxOperations: 4 } as const
export const PAPER_REWARD = { formula: 'paper', alpha: 0.5, beta: 0.05, targetRapr: 0.3, freeOperations: 1, curiosity: true } as const

/** The curves the Train screen draws, TRL's names first (DESIGN.md "Training backends"). */
export const TRAINING_CURVES = ['loss', 'reward', 'rewards/curiosity/mean', 'rapr', 'ops_per_response', 'accuracy'] as const
