// A narrator's chat function over an OpenAI-compatible endpoint: the shared client
// (src/main/openai) with the narrator's turns (images as encoded bytes) and its error codes.
import { Buffer } from 'node:buffer'
import { completeChat, EndpointError, type ChatRequestMessage, type OpenAiEndpoint } from '../../openai/chat-completions'
import type { ChatFn, ChatTurn } from './chat-narrator'
import { NarratorError } from './narrator'

export type { OpenAiEndpoint } from '../../openai/chat-completions'

function messagesOf(turns: ChatTurn[]): ChatRequestMessage[] {
  return turns.map((t) => ({
    role: t.role,
    content: t.content.map((c) => (c.type === 'text' ? { type: 'text', text: c.text } : { type: 'image_url', image_url: { url: `data:${c.mime};base64,${Buffer.from(c.bytes).toString('base64')}` } }))
  }))
}

export function openAiChat(endpoint: OpenAiEndpoint): ChatFn {
  return async (turns, signal) => {
    try {
      return (await completeChat(endpoint, messagesOf(turns), {}, signal, 'narrator endpoint')).text
    } catch (error) {
      if (error instanceof EndpointError) throw new NarratorError(`narrator_${error.code}`, error.message)
      throw error
    }
  }
}
