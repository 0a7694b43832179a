// One loaded VLM (transformers.js over onnxruntime-node) and one operation on it: generate an
// assistant turn for a conversation that may hold several images. Two documented workarounds for
// transformers.js 4.3.1 live here (shared DESIGN.md, "Inference"):
// - processor(text, [img, crop]) fails for two images: each image is preprocessed alone and the
//   `pixel_values` / `image_grid_thw` rows are concatenated, every <|image_pad|> expanded here;
// - passing past_key_values drops new images: every turn re-prefills the whole conversation.
import { performance } from 'node:perf_hooks'
import { StudioError } from '../../shared/contract/errors'
import { providerPreference, runtimeReport, type ProviderPreference } from '../runtime/execution-providers'
import { describeModelFolder, type ModelDtype, type ModelFolderDescription } from './model-folder'
import { transformers, type TfChatMessage, type TfImageProcessorOutput, type TfModel, type TfProcessor, type TfTensor, type Transformers } from './transformers-adapter'

/** Decoded pixels, row-major, 3 (RGB) or 4 (RGBA) channels. */
export interface VlmImage {
  width: number
  height: number
  channels: 3 | 4
  data: Uint8Array
}

export type ChatContent = { type: 'text'; text: string } | { type: 'image'; image: VlmImage }
export interface ChatMessage {
  role: 'system' | 'user' | 'assistant'
  content: string | ChatContent[]
}

export interface SamplingSettings {
  /** false = greedy (the paper's eval setting) */
  doSample: boolean
  temperature: number
  topP: number
  topK: number
}
export const GREEDY: SamplingSettings = { doSample: false, temperature: 1, topP: 1, topK: 0 }

export interface GenerateOptions {
  maxNewTokens: number
  /** prompt + generated tokens may not exceed this (the loop's budget); caps maxNewTokens */
  maxTotalTokens?: number
  sampling?: SamplingSettings
  /** generation stops once the text ends with one of these (besides <|im_end|>) */
  stopStrings?: string[]
  signal?: AbortSignal
  /** new text as it is generated; a partial UTF-8 character is held back until complete */
  onToken?: (delta: string) => void
}

export type TurnStop = 'eos' | 'stop_string' | 'max_tokens' | 'cancelled'

export interface TurnOutput {
  text: string
  stop: TurnStop
  /** generated tokens (including the closing <|im_end|> when the model wrote one) */
  tokens: number
  promptTokens: number
  /** <|image_pad|> tokens in the prompt after expansion: the vision features the model received */
  imagePadTokens: number
  images: number
  /** prefill + first token */
  firstTokenMs: number
  ms: number
}

export interface ProviderChoice {
  requested: ProviderPreference
  active: 'cpu' | 'cuda'
  /** why this provider: availability, or the error that forced the CPU fallback */
  reason: string
  fallback: boolean
}

export interface LoadOptions {
  /** default: PIXEL_STUDIO_EP (auto / cpu / cuda) */
  device?: ProviderPreference
  dtype?: ModelDtype
}

// transformers.js keeps process-wide env; loads are serialized so two never interleave.
let loadChain: Promise<unknown> = Promise.resolve()

export class VlmSession {
  private readonly features = new WeakMap<VlmImage, TfImageProcessorOutput>()
  private disposed = false
  private generating = false

  private constructor(
    readonly model: ModelFolderDescription,
    readonly provider: ProviderChoice,
    readonly loadMs: number,
    private readonly tf: Transformers,
    private readonly tfModel: TfModel,
    private readonly processor: TfProcessor
  ) {}

  static load(folder: string, options: LoadOptions = {}): Promise<VlmSession> {
    const next = loadChain.then(() => VlmSession.loadNow(folder, options))
    loadChain = next.catch(() => undefined)
    return next
  }

  private static async loadNow(folder: string, options: LoadOptions): Promise<VlmSession> {
    const start = performance.now()
    const desc = describeModelFolder(folder, options.dtype)
    const tf = await transformers()
    const requested = options.device ?? providerPreference()
    const sessionOptions = (device: 'cpu' | 'cuda'): Record<string, unknown> => ({
      device,
      dtype: desc.dtype,
      use_external_data_format: Object.fromEntries(
        Object.values(desc.sessions)
          .filter((s) => s.externalDataChunks > 0)
          .map((s) => [s.file.slice('onnx/'.length), s.externalDataChunks])
      )
    })

    let provider: ProviderChoice
    let model: TfModel
    const report = requested === 'cpu' ? null : await runtimeReport('inference')
    const cuda = report?.providers.find((p) => p.name === 'cuda')
    if (requested === 'cuda' || (requested === 'auto' && cuda?.available)) {
      try {
        model = await tf.loadModel(desc.modelType, desc.dir, sessionOptions('cuda'))
        provider = { requested, active: 'cuda', reason: cuda?.reason ?? 'CUDA requested', fallback: false }
      } catch (error) {
        model = await tf.loadModel(desc.modelType, desc.dir, sessionOptions('cpu'))
        provider = { requested, active: 'cpu', reason: `CUDA failed to load (${firstLine(error)}); running on CPU`, fallback: true }
      }
    } else {
      model = await tf.loadModel(desc.modelType, desc.dir, sessionOptions('cpu'))
      const reason = requested === 'cpu' ? 'CPU requested (PIXEL_STUDIO_EP=cpu or the load option)' : `CUDA not available: ${cuda?.reason ?? 'unknown'}`
      provider = { requested, active: 'cpu', reason, fallback: false }
    }
    let processor: TfProcessor
    try {
      processor = await tf.loadProcessor(desc.dir)
    } catch (error) {
      await model.dispose()
      throw new StudioError('invalid_input', `The model's processor or tokenizer did not load: ${firstLine(error)}`)
    }
    return new VlmSession(desc, provider, performance.now() - start, tf, model, processor)
  }

  /** The prompt text after the chat template, before image pads are expanded. */
  renderPrompt(messages: ChatMessage[]): string {
    return renderPrompt(this.processor, messages)
  }

  /** Counts prompt tokens (with image pads expanded) without running the model. */
  async countPromptTokens(messages: ChatMessage[]): Promise<number> {
    const { inputIds } = await this.prepare(messages)
    return inputIds.dims[1] ?? 0
  }

  async generate(messages: ChatMessage[], options: GenerateOptions): Promise<TurnOutput> {
    if (this.disposed) throw new StudioError('failed_precondition', 'The model was unloaded')
    // one KV cache and one onnxruntime session set: turns of two runs must not interleave
    if (this.generating) throw new StudioError('conflict', 'The model is already generating; run one trajectory at a time (InferenceHost queues them)')
    this.generating = true
    try {
      return await this.generateNow(messages, options)
    } finally {
      this.generating = false
    }
  }

  private async generateNow(messages: ChatMessage[], options: GenerateOptions): Promise<TurnOutput> {
    const start = performance.now()
    const prepared = await this.prepare(messages)
    const promptTokens = prepared.inputIds.dims[1] ?? 0
    const imageToken = BigInt(this.tfModel.config.image_token_id)
    const imagePadTokens = countToken(prepared.inputIds, imageToken)
    const room = options.maxTotalTokens === undefined ? options.maxNewTokens : Math.min(options.maxNewTokens, options.maxTotalTokens - promptTokens)
    if (room <= 0 || options.signal?.aborted) {
      const stop = options.signal?.aborted ? 'cancelled' : 'max_tokens'
      return { text: '', stop, tokens: 0, promptTokens, imagePadTokens, images: prepared.images, firstTokenMs: 0, ms: performance.now() - start }
    }

    const stopStrings = options.stopStrings ?? ['</tool_call>']
    const tokenizer = this.processor.tokenizer
    const generated: bigint[] = []
    let shown = ''
    let firstTokenMs = 0
    let promptSeen = false
    let hitStopString = false
    const streamer = {
      put: (value: bigint[][]): void => {
        if (!promptSeen) {
          promptSeen = true // generate() first puts the whole prompt
          return
        }
        const id = value[0]?.[0]
        if (id === undefined) return
        if (generated.length === 0) firstTokenMs = performance.now() - start
        generated.push(id)
        const text = tokenizer.decode(generated, { skip_special_tokens: true })
        if (text.endsWith('\uFFFD')) return // half a UTF-8 character: wait for the rest
        if (text.length > shown.length) {
          options.onToken?.(text.slice(shown.length))
          shown = text
        }
        if (stopStrings.some((s) => text.endsWith(s))) hitStopString = true
      },
      end: (): void => undefined
    }
    const stop = this.tf.stoppingCriterion(() => hitStopString || options.signal?.aborted === true)
    const s = options.sampling ?? GREEDY

    await this.tfModel.generate({
      input_ids: prepared.inputIds,
      attention_mask: prepared.attentionMask,
      ...(prepared.pixelValues && prepared.gridThw ? { pixel_values: prepared.pixelValues, image_grid_thw: prepared.gridThw } : {}),
      max_new_tokens: room,
      do_sample: s.doSample,
      ...(s.doSample ? { temperature: s.temperature, top_p: s.topP, top_k: s.topK } : {}),
      streamer,
      stopping_criteria: [stop]
    })

    const text = tokenizer.decode(generated, { skip_special_tokens: true })
    const lastId = generated[generated.length - 1]
    const eos = lastId !== undefined && tokenizer.decode([lastId], { skip_special_tokens: false }) === '<|im_end|>'
    let reason: TurnStop
    if (options.signal?.aborted) reason = 'cancelled'
    else if (hitStopString) reason = 'stop_string'
    else if (eos) reason = 'eos'
    else reason = 'max_tokens'
    return {
      text,
      stop: reason,
      tokens: generated.length,
      promptTokens,
      imagePadTokens,
      images: prepared.images,
      firstTokenMs,
      ms: performance.now() - start
    }
  }

  async dispose(): Promise<void> {
    if (this.disposed) return
    this.disposed = true
    await this.tfModel.dispose()
  }

  private prepare(messages: ChatMessage[]): Promise<PreparedPrompt> {
    return preparePrompt(this.tf, this.processor, messages, (image) => this.preprocess(image))
  }

  // Re-prefill sends every image each turn; its preprocessing is done once per image object.
  private async preprocess(image: VlmImage): Promise<TfImageProcessorOutput> {
    const cached = this.features.get(image)
    if (cached) return cached
    const raw = this.tf.rawImage(image.data, image.width, image.height, image.channels)
    const out = await this.processor.image_processor(raw)
    this.features.set(image, out)
    return out
  }
}

/** The prompt text after the model's chat template, before image pads are expanded. */
export function renderPrompt(processor: TfProcessor, messages: ChatMessage[]): string {
  const plain: TfChatMessage[] = messages.map((m) => ({
    role: m.role,
    content: typeof m.content === 'string' ? m.content : m.content.map((c) => (c.type === 'text' ? { type: 'text', text: c.text } : { type: 'image' }))
  }))
  return processor.apply_chat_template(plain, { add_generation_prompt: true, tokenize: false })
}

export interface PreparedPrompt {
  inputIds: TfTensor
  attentionMask: TfTensor
  pixelValues: TfTensor | null
  gridThw: TfTensor | null
  images: number
}

/**
 * The model inputs of a conversation as every agent turn builds them: the chat template, each
 * <|image_pad|> expanded to its image's merged patch count, the tokenizer (exported so the
 * prompt-format parity test tokenizes exactly what the agent loop sends).
 */
export async function preparePrompt(tf: Transformers, processor: TfProcessor, messages: ChatMessage[], preprocess: (image: VlmImage) => Promise<TfImageProcessorOutput>): Promise<PreparedPrompt> {
  const images = messages.flatMap((m) => (typeof m.content === 'string' ? [] : m.content.flatMap((c) => (c.type === 'image' ? [c.image] : []))))
  const outputs: TfImageProcessorOutput[] = []
  for (const image of images) outputs.push(await preprocess(image))

  let text = renderPrompt(processor, messages)
  const merge = (processor.image_processor.config.merge_size ?? 2) ** 2
  const pad = '<|image_pad|>'
  const parts = text.split(pad)
  if (parts.length - 1 !== images.length) {
    throw new StudioError('internal', `The chat template rendered ${parts.length - 1} image slots for ${images.length} images`)
  }
  text = parts
    .map((part, i) => {
      const grid = outputs[i]?.image_grid_thw.data
      if (!grid) return part
      const count = Number(grid[0]) * Number(grid[1]) * Number(grid[2])
      return part + pad.repeat(Math.floor(count / merge))
    })
    .join('')
  const { input_ids, attention_mask } = processor.tokenizer(text)
  if (outputs.length === 0) return { inputIds: input_ids, attentionMask: attention_mask, pixelValues: null, gridThw: null, images: 0 }
  return {
    inputIds: input_ids,
    attentionMask: attention_mask,
    pixelValues: tf.cat(outputs.map((o) => o.pixel_values), 0),
    gridThw: tf.cat(outputs.map((o) => o.image_grid_thw), 0),
    images: images.length
  }
}

function countToken(ids: TfTensor, token: bigint): number {
  let n = 0
  for (const v of Array.from(ids.data)) if (BigInt(v) === token) n++
  return n
}

function firstLine(error: unknown): string {
  return (error instanceof Error ? error.message : String(error)).split('\n')[0] ?? 'unknown error'
}
