import { StudioError, type TrainingBackend } from '../../../shared/contract'
import type { TrainerAdapter } from './adapter'
import { trlAdapter } from './trl'
import { verlAdapter } from './verl'

// 'tiny-torch' (the retired hand-written trainer) stays in the contract so old runs still read
const ADAPTERS: Partial<Record<TrainingBackend, TrainerAdapter>> = { trl: trlAdapter, verl: verlAdapter }

export function adapterFor(backend: TrainingBackend): TrainerAdapter {
  const adapter = ADAPTERS[backend]
  if (!adapter) throw new StudioError('invalid_input', RETIRED)
  return adapter
}

export const RETIRED = 'the tiny-torch trainer was retired: train with backend trl (baseModel tiny-init builds a tiny Qwen2.5-VL that trains on the CPU)'
