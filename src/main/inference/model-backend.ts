// The seam the agent loop runs on: something that writes one assistant turn for a conversation.
// A local transformers.js model (VlmSession) and an OpenAI-compatible endpoint (EndpointSession)
// both are one; the loop, its tools and its limits do not know which.
import type { OpenAiEndpoint } from '../openai/chat-completions'
import type { ChatMessage, GenerateOptions, TurnOutput } from './vlm-session'

export interface ModelBackend {
  generate(messages: ChatMessage[], options: GenerateOptions): Promise<TurnOutput>
}

/** What the inference worker loads: a transformers.js folder, or an endpoint that writes the turns. */
export type ModelSource =
  | { kind: 'folder'; folder: string }
  /** served: the studio's own checkpoint server, which says its device */
  | { kind: 'endpoint'; endpoint: OpenAiEndpoint; served?: { device: string } }
