// Chat completions from any OpenAI-compatible endpoint (vLLM, SGLang, llama.cpp server, Ollama,
// a hosted API, the studio's own serve_checkpoint.py): POST {baseUrl}/chat/completions, images
// inline as data: URLs. Every failure becomes an EndpointError a person can act on; network
// errors, timeouts, 429 and 5xx are retried with backoff. The API key goes only into the
// Authorization header: never into a message or a log. Used by synthesis narrators and by
// endpoint models (inference).
import { z } from 'zod'

export interface OpenAiEndpoint {
  baseUrl: string
  model: string
  apiKey?: string | undefined
  timeoutMs: number
  retries: number
  maxTokens: number
}

export type ChatPart = { type: 'text'; text: string } | { type: 'image_url'; image_url: { url: string } }
export interface ChatRequestMessage {
  role: 'system' | 'user' | 'assistant'
  content: string | ChatPart[]
}

/** Sampling and stop settings of one request; absent = greedy, no stop strings. */
export interface ChatOptions {
  temperature?: number
  topP?: number
  topK?: number
  stop?: string[]
  maxTokens?: number
}

export interface ChatCompletion {
  text: string
  /** 'stop' | 'length' | ... as the endpoint says, null when it does not */
  finishReason: string | null
  /** the stop string that ended the text (vLLM `stop_reason`, SGLang `matched_stop`), when the endpoint says */
  matchedStop: string | null
  promptTokens: number | null
  completionTokens: number | null
}

export type EndpointErrorCode = 'unreachable' | 'timeout' | 'http' | 'junk'

export class EndpointError extends Error {
  constructor(
    readonly code: EndpointErrorCode,
    message: string
  ) {
    super(message)
    this.name = 'EndpointError'
  }
}

const Content = z.union([z.string(), z.array(z.object({ type: z.string(), text: z.string().optional() }).loose()), z.null()])
const Completion = z
  .object({
    choices: z
      .array(
        z
          .object({
            message: z.object({ content: Content.optional() }).loose(),
            finish_reason: z.string().nullable().optional(),
            stop_reason: z.union([z.string(), z.number()]).nullable().optional(),
            matched_stop: z.union([z.string(), z.number()]).nullable().optional()
          })
          .loose()
      )
      .min(1),
    usage: z.object({ prompt_tokens: z.number().optional(), completion_tokens: z.number().optional() }).loose().nullable().optional()
  })
  .loose()
const ErrorBody = z.object({ error: z.union([z.string(), z.object({ message: z.string() }).loose()]) }).loose()

function snippet(text: string): string {
  const one = text.replace(/\s+/g, ' ').trim()
  return one.length > 160 ? `${one.slice(0, 160)}...` : one || '(empty)'
}

/** The request body in OpenAI's chat format; greedy unless a temperature > 0 is asked for. */
export function chatBody(endpoint: OpenAiEndpoint, messages: ChatRequestMessage[], options: ChatOptions = {}): string {
  const sampled = (options.temperature ?? 0) > 0
  return JSON.stringify({
    model: endpoint.model,
    messages,
    max_tokens: options.maxTokens ?? endpoint.maxTokens,
    // greedy: the same sample gets the same words where the server is deterministic
    temperature: sampled ? options.temperature : 0,
    ...(sampled && options.topP !== undefined ? { top_p: options.topP } : {}),
    ...(sampled && options.topK ? { top_k: options.topK } : {}),
    // vLLM / SGLang / serve_checkpoint.py keep the stop string in the text with this (others ignore it)
    ...(options.stop?.length ? { stop: options.stop, include_stop_str_in_output: true } : {})
  })
}

export function endpointUrl(endpoint: Pick<OpenAiEndpoint, 'baseUrl'>, route: string): string {
  return `${endpoint.baseUrl.replace(/\/+$/, '')}/${route}`
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(resolve, ms)
    signal.addEventListener(
      'abort',
      () => {
        clearTimeout(timer)
        reject(signal.reason)
      },
      { once: true }
    )
  })
}

/** One attempt: the completion, or an EndpointError with `retry` telling whether another attempt may help. */
async function attempt(endpoint: OpenAiEndpoint, body: string, signal: AbortSignal, label: string): Promise<ChatCompletion | { error: EndpointError; retry: boolean }> {
  const url = endpointUrl(endpoint, 'chat/completions')
  const timeout = AbortSignal.timeout(endpoint.timeoutMs)
  let response: Response
  let text: string
  try {
    response = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(endpoint.apiKey ? { authorization: `Bearer ${endpoint.apiKey}` } : {}) },
      body,
      signal: AbortSignal.any([signal, timeout])
    })
    text = await response.text()
  } catch (error) {
    if (signal.aborted) throw signal.reason
    if (timeout.aborted) return { error: new EndpointError('timeout', `no answer from ${url} within ${endpoint.timeoutMs} ms`), retry: true }
    const cause = error instanceof Error && error.cause instanceof Error ? ((error.cause as NodeJS.ErrnoException).code ?? error.cause.message) : error instanceof Error ? error.message : String(error)
    return { error: new EndpointError('unreachable', `the ${label} ${url} could not be reached (${cause})`), retry: true }
  }
  if (!response.ok) {
    let detail = snippet(text)
    try {
      const parsed = ErrorBody.safeParse(JSON.parse(text))
      if (parsed.success) detail = typeof parsed.data.error === 'string' ? parsed.data.error : parsed.data.error.message
    } catch {
      // not JSON: the snippet it is
    }
    const hint = response.status === 401 || response.status === 403 ? ' (check the API key)' : response.status === 404 ? ` (check the base URL and the model "${endpoint.model}")` : ''
    const retry = response.status === 429 || response.status >= 500
    return { error: new EndpointError('http', `the ${label} answered HTTP ${response.status}${hint}: ${detail}`), retry }
  }
  let json: unknown
  try {
    json = JSON.parse(text)
  } catch {
    return { error: new EndpointError('junk', `the ${label} answered with something that is not JSON: ${snippet(text)}`), retry: false }
  }
  const parsed = Completion.safeParse(json)
  if (!parsed.success) return { error: new EndpointError('junk', `the ${label}'s answer is not a chat completion (no choices[0].message): ${snippet(text)}`), retry: false }
  const choice = parsed.data.choices[0]
  const content = choice?.message.content
  const matched = choice?.stop_reason ?? choice?.matched_stop
  return {
    text: typeof content === 'string' ? content : Array.isArray(content) ? content.map((c) => c.text ?? '').join('') : '',
    finishReason: choice?.finish_reason ?? null,
    matchedStop: typeof matched === 'string' ? matched : null,
    promptTokens: parsed.data.usage?.prompt_tokens ?? null,
    completionTokens: parsed.data.usage?.completion_tokens ?? null
  }
}

/**
 * One assistant turn from the endpoint, retried as configured; throws EndpointError (or the
 * signal's reason when aborted). `label` names the endpoint in messages ("narrator endpoint").
 */
export async function completeChat(endpoint: OpenAiEndpoint, messages: ChatRequestMessage[], options: ChatOptions, signal: AbortSignal, label = 'endpoint'): Promise<ChatCompletion> {
  const body = chatBody(endpoint, messages, options)
  let last: EndpointError | undefined
  for (let i = 0; i <= endpoint.retries; i++) {
    if (i > 0) await sleep(250 * 2 ** (i - 1), signal)
    const result = await attempt(endpoint, body, signal, label)
    if (!('error' in result)) return result
    last = result.error
    if (!result.retry) break
  }
  throw last ?? new EndpointError('unreachable', `the ${label} was not tried`)
}

const Models = z.object({ data: z.array(z.object({ id: z.string() }).loose()) }).loose()

/** GET {baseUrl}/models: the model ids the endpoint serves (vLLM, SGLang and OpenAI all answer it). */
export async function listModels(endpoint: Pick<OpenAiEndpoint, 'baseUrl' | 'apiKey' | 'timeoutMs'>, signal?: AbortSignal, label = 'endpoint'): Promise<string[]> {
  const url = endpointUrl(endpoint, 'models')
  const timeout = AbortSignal.timeout(endpoint.timeoutMs)
  let response: Response
  let text: string
  try {
    response = await fetch(url, { headers: endpoint.apiKey ? { authorization: `Bearer ${endpoint.apiKey}` } : {}, signal: signal ? AbortSignal.any([signal, timeout]) : timeout })
    text = await response.text()
  } catch (error) {
    if (signal?.aborted) throw signal.reason
    if (timeout.aborted) throw new EndpointError('timeout', `no answer from ${url} within ${endpoint.timeoutMs} ms`)
    const cause = error instanceof Error && error.cause instanceof Error ? ((error.cause as NodeJS.ErrnoException).code ?? error.cause.message) : String(error)
    throw new EndpointError('unreachable', `the ${label} ${url} could not be reached (${cause})`)
  }
  if (!response.ok) throw new EndpointError('http', `the ${label} answered HTTP ${response.status} to GET ${url}: ${snippet(text)}`)
  try {
    return Models.parse(JSON.parse(text)).data.map((m) => m.id)
  } catch {
    throw new EndpointError('junk', `the ${label}'s GET ${url} is not a model list: ${snippet(text)}`)
  }
}
