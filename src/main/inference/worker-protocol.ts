// Messages between InferenceHost (main thread) and inference-worker.ts. Plain structured-clone
// data: images travel as raw pixels, errors as RpcErrorBody so StudioError survives the hop.
import type { RpcErrorBody } from '../../shared/contract/errors'
import type { AgentEvent, AgentInput, AgentResult } from './agent-loop'
import type { ModelSource } from './model-backend'
import type { ModelFolderDescription } from './model-folder'
import type { ChatMessage, LoadOptions, ProviderChoice, TurnOutput } from './vlm-session'

/** One plain assistant turn (no tools): what narrators ask of the loaded model. */
export interface GenerateTurnOptions {
  maxNewTokens: number
}

export type HostToWorker =
  | { type: 'load'; source: ModelSource; options: LoadOptions }
  | { type: 'run'; id: number; input: AgentInput }
  | { type: 'generate'; id: number; messages: ChatMessage[]; options: GenerateTurnOptions }
  | { type: 'cancel'; id: number }
  | { type: 'unload' }

export type WorkerToHost =
  | { type: 'loaded'; model: ModelFolderDescription | null; provider: ProviderChoice; loadMs: number }
  | { type: 'load_failed'; error: RpcErrorBody }
  | { type: 'event'; id: number; event: Exclude<AgentEvent, { type: 'done' }> }
  | { type: 'result'; id: number; result: AgentResult }
  | { type: 'generated'; id: number; output: TurnOutput }
  | { type: 'run_failed'; id: number; error: RpcErrorBody }
  | { type: 'unloaded' }
