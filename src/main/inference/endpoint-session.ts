// An endpoint model: any OpenAI-compatible chat endpoint (vLLM, SGLang, the studio's
// serve_checkpoint.py) writes the assistant turns while the studio runs the agent loop and its
// crops. Each turn re-sends the whole conversation, images as PNG data: URLs (the same re-prefill
// the local model does). The endpoint renders the prompt with its own chat template.
import { Buffer } from 'node:buffer'
import { performance } from 'node:perf_hooks'
import { StudioError } from '../../shared/contract/errors'
import { completeChat, EndpointError, listModels, type ChatPart, type ChatRequestMessage, type OpenAiEndpoint } from '../openai/chat-completions'
import { encodePng } from './images'
import type { ModelBackend } from './model-backend'
import type { ChatMessage, GenerateOptions, ProviderChoice, TurnOutput, VlmImage } from './vlm-session'

const LABEL = 'model endpoint'

/** An EndpointError as the studio reports it (the loop shows it as the run's error). */
function studioErrorOf(error: unknown): unknown {
  if (!(error instanceof EndpointError)) return error
  return new StudioError(error.code === 'junk' || error.code === 'http' ? 'internal' : 'failed_precondition', error.message)
}

export class EndpointSession implements ModelBackend {
  /** images are PNG-encoded once per conversation, not once per turn */
  private readonly urls = new WeakMap<VlmImage, string>()

  private constructor(
    readonly endpoint: OpenAiEndpoint,
    readonly provider: ProviderChoice,
    readonly loadMs: number
  ) {}

  /** Checks the endpoint answers GET /models and serves the model (when it lists any). */
  static async connect(endpoint: OpenAiEndpoint, served?: { device: string }): Promise<EndpointSession> {
    const start = performance.now()
    let models: string[]
    try {
      models = await listModels(endpoint, undefined, LABEL)
    } catch (error) {
      throw studioErrorOf(error)
    }
    if (models.length > 0 && !models.includes(endpoint.model)) {
      throw new StudioError('invalid_input', `the ${LABEL} ${endpoint.baseUrl} does not serve "${endpoint.model}"; it serves: ${models.slice(0, 10).join(', ')}`)
    }
    const provider: ProviderChoice = served
      ? { requested: 'auto', active: served.device === 'cuda' ? 'cuda' : 'cpu', reason: `the studio's checkpoint server (serve_checkpoint.py, ${served.device}) at ${endpoint.baseUrl} writes the turns; crops run here`, fallback: false }
      : { requested: 'auto', active: 'cpu', reason: `an OpenAI-compatible endpoint at ${endpoint.baseUrl} writes the turns (on its own device); crops run here`, fallback: false }
    return new EndpointSession(endpoint, provider, performance.now() - start)
  }

  private async urlOf(image: VlmImage): Promise<string> {
    let url = this.urls.get(image)
    if (!url) {
      url = `data:image/png;base64,${Buffer.from(await encodePng(image)).toString('base64')}`
      this.urls.set(image, url)
    }
    return url
  }

  private async messagesOf(messages: ChatMessage[]): Promise<{ messages: ChatRequestMessage[]; images: number }> {
    let images = 0
    const out: ChatRequestMessage[] = []
    for (const m of messages) {
      if (typeof m.content === 'string') {
        out.push({ role: m.role, content: m.content })
        continue
      }
      const parts: ChatPart[] = []
      for (const c of m.content) {
        if (c.type === 'text') parts.push({ type: 'text', text: c.text })
        else {
          images++
          parts.push({ type: 'image_url', image_url: { url: await this.urlOf(c.image) } })
        }
      }
      // an assistant turn goes back as plain text: not every server takes parts there
      out.push(m.role === 'assistant' ? { role: m.role, content: parts.map((p) => (p.type === 'text' ? p.text : '')).join('') } : { role: m.role, content: parts })
    }
    return { messages: out, images }
  }

  async generate(messages: ChatMessage[], options: GenerateOptions): Promise<TurnOutput> {
    const start = performance.now()
    const { messages: request, images } = await this.messagesOf(messages)
    const stops = options.stopStrings ?? []
    const sampling = options.sampling
    const signal = options.signal ?? new AbortController().signal
    let completion
    try {
      completion = await completeChat(
        this.endpoint,
        request,
        {
          maxTokens: options.maxNewTokens,
          ...(sampling?.doSample ? { temperature: sampling.temperature, topP: sampling.topP, topK: sampling.topK } : {}),
          ...(stops.length ? { stop: stops } : {})
        },
        signal,
        LABEL
      )
    } catch (error) {
      if (signal.aborted) return { text: '', stop: 'cancelled', tokens: 0, promptTokens: 0, imagePadTokens: 0, images, firstTokenMs: 0, ms: performance.now() - start }
      throw studioErrorOf(error)
    }
    let text = completion.text
    // OpenAI cuts the stop string off; servers that say which one matched get it back, so a turn
    // ends with </tool_call> as the loop (and the trace) expect
    if (completion.finishReason === 'stop' && completion.matchedStop && stops.includes(completion.matchedStop) && !text.endsWith(completion.matchedStop)) text += completion.matchedStop
    // an endpoint that ignored `stop`: cut after the first stop string, as a local model stops there
    let firstStop = -1
    for (const s of stops) {
      const at = text.indexOf(s)
      if (at >= 0 && (firstStop < 0 || at + s.length < firstStop)) firstStop = at + s.length
    }
    if (firstStop >= 0) text = text.slice(0, firstStop)
    const ms = performance.now() - start
    if (text) options.onToken?.(text)
    return {
      text,
      stop: firstStop >= 0 ? 'stop_string' : completion.finishReason === 'length' ? 'max_tokens' : 'eos',
      tokens: completion.completionTokens ?? 0,
      promptTokens: completion.promptTokens ?? 0,
      imagePadTokens: 0,
      images,
      firstTokenMs: ms,
      ms
    }
  }

  async dispose(): Promise<void> {
    // nothing held: the endpoint (or the studio's server process) is stopped by its owner
  }
}
