// Owns the loaded model (one at a time, in its worker) and adapts the agent loop to the contract:
// a sample's media in, live events out (crops stored as content-addressed media so every client
// can show them), and a serializable result.
import { readFile } from 'node:fs/promises'
import {
  StudioError,
  type InferenceEvent,
  type InferenceResult,
  type InferenceSettings,
  type InferenceStatus,
  type InferenceStep,
  type ObservationImage,
  type Sample
} from '../../shared/contract'
import type { Project } from '../project/project'
import type { AgentEvent, AgentResult, AgentSettings, AgentStep, ObservationImage as AgentImage, OperationCall } from './agent-loop'
import { decodeImage, encodePng } from './images'
import { InferenceHost } from './inference-host'
import { storeInferenceTrace, type TraceRecordOptions } from './inference-trace'
import type { ModelRegistry } from './model-registry'
import { startCheckpointServer, type CheckpointServer } from './checkpoint-server'
import type { ModelSource } from './model-backend'
import type { RegisteredModel } from '../settings/settings'
import type { ChatContent, ChatMessage, TurnOutput } from './vlm-session'

/** A message for `generate`: text, and images as encoded bytes. */
export interface GenerateMessage {
  role: 'system' | 'user' | 'assistant'
  content: Array<{ type: 'text'; text: string } | { type: 'image'; bytes: Uint8Array }>
}

type Device = 'auto' | 'cpu' | 'cuda'

export interface ManagerOptions {
  /** the Python that serves checkpoint models (the trainer environment's) and what fixes it when it lacks the stack */
  python?: () => { path: string; setupHint: string }
  log?: (line: string) => void
}

export interface RunRequest {
  project: Project
  sample: Sample
  question: string
  settings: InferenceSettings
  signal: AbortSignal
  onEvent: (event: InferenceEvent, generatedTokens: number) => void
  /** how the run is stored as a trace (default: a Playground run) */
  record?: TraceRecordOptions
  /**
   * Batch work (eval, batch inference) waits for room behind interactive runs instead of being
   * refused when the queue is full; an interactive run is refused clearly.
   */
  waitForRoom?: boolean
}

/** The one batch job (eval run or batch inference) allowed at a time. */
export interface BatchLease {
  release(): void
}

export class InferenceManager {
  private host: InferenceHost | null = null
  private loadedId: string | null = null
  private loadedName = ''
  private loading: Promise<unknown> | null = null
  private batch: string | null = null

  /** the checkpoint server of a loaded checkpoint model */
  private server: CheckpointServer | null = null

  constructor(
    private readonly registry: ModelRegistry,
    private readonly onChange: (status: InferenceStatus) => void = () => {},
    private readonly options: ManagerOptions = {}
  ) {}

  status(): InferenceStatus {
    const host = this.host
    return {
      loaded: host && this.loadedId ? { modelId: this.loadedId, name: this.loadedName, provider: { active: host.provider.active, reason: host.provider.reason, fallback: host.provider.fallback }, loadMs: host.loadMs } : null,
      busy: host?.busy ?? false,
      queued: host?.queued ?? 0
    }
  }

  async load(modelId: string, device: Device): Promise<InferenceStatus> {
    if (this.loading) throw new StudioError('conflict', 'a model is already being loaded; wait for it to finish')
    const model = this.registry.get(modelId)
    const work = (async () => {
      await this.unloadQuietly()
      const server = model.kind === 'checkpoint' ? await this.startServer(model, device) : null
      try {
        this.host = await InferenceHost.start(this.sourceOf(model, server), { device })
      } catch (error) {
        await server?.stop()
        throw error
      }
      this.server = server
      this.loadedId = model.id
      this.loadedName = model.name
    })()
    this.loading = work
    try {
      await work
    } finally {
      this.loading = null
    }
    const status = this.status()
    this.onChange(status)
    return status
  }

  async unload(): Promise<InferenceStatus> {
    await this.unloadQuietly()
    const status = this.status()
    this.onChange(status)
    return status
  }

  /**
   * Claims the model for a batch job. A second batch job is refused with what holds it: two would
   * interleave their samples and each take twice as long, so one waits for the other to be done.
   */
  beginBatch(what: string): BatchLease {
    if (this.batch) throw new StudioError('conflict', `${this.batch} is running on the model; wait for it to finish or cancel it first`)
    this.batch = what
    let released = false
    return {
      release: () => {
        if (released) return
        released = true
        this.batch = null
      }
    }
  }

  /**
   * Makes `modelId` the loaded model (loading it when another or none is loaded), or with no id
   * keeps the loaded one; fails clearly when there is none.
   */
  async ensureLoaded(modelId: string | undefined, why: string): Promise<{ id: string; name: string }> {
    if (modelId && this.loadedModelId !== modelId) await this.load(modelId, 'auto')
    const loaded = this.status().loaded
    if (!loaded) throw new StudioError('failed_precondition', `no model is loaded: ${why}`)
    return { id: loaded.modelId, name: loaded.name }
  }

  /** The loaded model's id, or null. */
  get loadedModelId(): string | null {
    return this.host ? this.loadedId : null
  }

  async run(request: RunRequest): Promise<InferenceResult> {
    const host = this.host
    if (!host || !this.loadedId) throw new StudioError('failed_precondition', 'no model is loaded: load one first (Playground, or `inference.load`)')
    const model = { id: this.loadedId, name: this.loadedName }
    const { project, sample } = request
    const images = await Promise.all(
      sample.media.map(async (m, i) => {
        const path = project.media.pathOf(m)
        let bytes: Buffer
        try {
          bytes = await readFile(path)
        } catch {
          throw new StudioError('not_found', `sample ${sample.id}: image ${i + 1} (${path}) is missing from the project's media folder`)
        }
        try {
          return await decodeImage(bytes)
        } catch (error) {
          throw new StudioError('invalid_input', `sample ${sample.id}: image ${i + 1} (${path}) cannot be decoded: ${error instanceof Error ? error.message : String(error)}`)
        }
      })
    )
    let generated = 0
    // Events and the final steps describe the same images (cloned across the worker boundary);
    // storing twice is harmless: the media store is content-addressed.
    const store = async (image: AgentImage): Promise<ObservationImage> => {
      // a selected frame returned as decoded is the sample's own frame: point at that media
      const own = image.frame !== undefined ? sample.media[image.frame - 1] : undefined
      const media = own && own.width === image.image.width && own.height === image.image.height ? own : await project.media.put(Buffer.from(await encodePng(image.image)))
      const out: ObservationImage = {
        media,
        // the box is in pixels of the image as the model saw it (its size comes with it)
        ...(image.source ? { crop: { targetImage: image.source.targetImage, ...image.source.box, sourceWidth: image.source.size.width, sourceHeight: image.source.size.height } } : {}),
        ...(image.frame !== undefined ? { frame: image.frame } : {})
      }
      return out
    }
    // events are converted in order; image storage is async, so chain them
    let chain = Promise.resolve()
    const onEvent = (event: AgentEvent): void => {
      chain = chain.then(async () => {
        const converted = await convertEvent(event, store)
        if (event.type === 'token') generated++
        if (converted) request.onEvent(converted, generated)
      })
    }
    const agentSettings: Partial<AgentSettings> = {
      maxOperations: request.settings.maxOperations,
      maxNewTokensPerTurn: request.settings.maxNewTokensPerTurn,
      sampling: request.settings.temperature > 0 ? { doSample: true, temperature: request.settings.temperature, topP: request.settings.topP, topK: 0 } : { doSample: false, temperature: 1, topP: 1, topK: 0 }
    }
    while (request.waitForRoom && !host.hasRoom) {
      await host.whenRoom()
      request.signal.throwIfAborted()
      if (this.host !== host) throw new StudioError('cancelled', 'the model was unloaded while the run waited')
    }
    const result: AgentResult = await host.run(
      { question: request.question, media: sample.kind === 'video' ? { kind: 'video', frames: images } : { kind: 'images', images }, settings: agentSettings },
      { signal: request.signal, onEvent }
    )
    await chain
    if (result.stop === 'cancelled') throw new StudioError('cancelled', 'the inference run was cancelled')
    const steps: InferenceStep[] = []
    for (const step of result.steps) steps.push(await convertStep(step, store))
    const out: Omit<InferenceResult, 'traceId'> = {
      sampleId: sample.id,
      model,
      provider: host.provider.active,
      stop: result.stop,
      answer: result.answer,
      gold: sample.answer,
      matchesGold: result.answer !== null && result.answer.trim().toLowerCase() === sample.answer.trim().toLowerCase(),
      steps,
      operations: result.operations,
      generatedTokens: result.generatedTokens,
      ms: result.ms,
      turns: result.turns.map((t) => ({ turn: t.turn, promptTokens: t.promptTokens, generatedTokens: t.generatedTokens, images: t.images, ms: t.ms, tokensPerSecond: t.tokensPerSecond })),
      error: result.error
    }
    const trace = storeInferenceTrace(project, { sample, question: request.question, settings: request.settings, result: out }, request.record ?? { author: 'playground' })
    return { ...out, traceId: trace.id }
  }

  /**
   * One assistant turn of the loaded model for a conversation whose images are encoded bytes
   * (PNG/JPEG/WebP): what narrators use to describe an image and a crop. No tools run.
   */
  async generate(messages: GenerateMessage[], options: { maxNewTokens: number; signal?: AbortSignal }): Promise<{ text: string; stop: TurnOutput['stop']; model: string }> {
    const host = this.host
    if (!host || !this.loadedId) throw new StudioError('failed_precondition', 'no model is loaded: load one first (Playground, or `inference.load`)')
    const model = this.loadedName
    const decoded: ChatMessage[] = []
    for (const m of messages) {
      const content: ChatContent[] = []
      for (const c of m.content) content.push(c.type === 'text' ? c : { type: 'image', image: await decodeImage(c.bytes) })
      decoded.push({ role: m.role, content })
    }
    const output = await host.generate(decoded, { maxNewTokens: options.maxNewTokens, ...(options.signal ? { signal: options.signal } : {}) })
    if (options.signal?.aborted || output.stop === 'cancelled') throw new StudioError('cancelled', 'the generation was cancelled')
    return { text: output.text, stop: output.stop, model }
  }

  async close(): Promise<void> {
    await this.unloadQuietly()
  }

  private async unloadQuietly(): Promise<void> {
    const host = this.host
    const server = this.server
    this.host = null
    this.server = null
    this.loadedId = null
    if (host) await host.unload()
    if (server) await server.stop()
  }

  /** What the worker loads: the folder, the endpoint, or the checkpoint's server as an endpoint. */
  private sourceOf(model: RegisteredModel, server: CheckpointServer | null): ModelSource {
    if (model.kind === 'folder') return { kind: 'folder', folder: model.path }
    const endpoint = server ? { baseUrl: server.baseUrl, model: server.model, apiKey: null, timeoutMs: 600_000 } : model.endpoint
    if (!endpoint) throw new StudioError('failed_precondition', `model "${model.name}" has no endpoint settings: remove it and add it again`)
    // an endpoint answers or fails on its own: one retry for a dropped connection, no more
    return { kind: 'endpoint', endpoint: { baseUrl: endpoint.baseUrl, model: endpoint.model, apiKey: endpoint.apiKey ?? undefined, timeoutMs: endpoint.timeoutMs, retries: 1, maxTokens: 2048 }, ...(server ? { served: { device: server.device } } : {}) }
  }

  /** Serves a checkpoint with the trainer environment's Python; an exit nobody asked for unloads the model. */
  private async startServer(model: RegisteredModel, device: Device): Promise<CheckpointServer> {
    const python = this.options.python?.() ?? { path: 'python3', setupHint: 'install the trainer environment' }
    const server = await startCheckpointServer(model.path, { python: python.path, setupHint: python.setupHint, device, name: model.id, ...(this.options.log ? { log: this.options.log } : {}) })
    void server.exited.then(({ code, signal, tail, expected }) => {
      if (expected || this.server !== server) return
      this.options.log?.(`the checkpoint server of ${model.name} exited (${signal ?? `code ${code}`}): ${tail.slice(-3).join(' | ')}`)
      void this.unload()
    })
    return server
  }
}

function callArgs(call: OperationCall): unknown {
  return call.op === 'crop' ? { bbox_2d: call.bbox, target_image: call.targetImage } : { target_frames: call.frames }
}

async function convertEvent(event: AgentEvent, store: (i: AgentImage) => Promise<ObservationImage>): Promise<InferenceEvent | null> {
  switch (event.type) {
    case 'turn_start':
      return { type: 'turn_start', turn: event.turn, images: event.images }
    case 'token':
      return { type: 'token', turn: event.turn, text: event.text }
    case 'operation':
      return { type: 'operation', turn: event.turn, name: event.call.name, op: event.call.op, args: callArgs(event.call) }
    case 'observation':
      return { type: 'observation', turn: event.turn, text: event.text, error: event.error, images: await Promise.all(event.images.map(store)) }
    case 'turn_end':
      return { type: 'turn_end', turn: event.turn, tokens: event.stats.generatedTokens, ms: event.stats.ms, tokensPerSecond: event.stats.tokensPerSecond }
    case 'done':
      return null
  }
}

async function convertStep(step: AgentStep, store: (i: AgentImage) => Promise<ObservationImage>): Promise<InferenceStep> {
  switch (step.kind) {
    case 'thought':
      return step
    case 'operation':
      return { kind: 'operation', turn: step.turn, name: step.call.name, op: step.call.op, args: callArgs(step.call), raw: step.raw }
    case 'result':
      return { kind: 'result', turn: step.turn, text: step.text, images: await Promise.all(step.images.map(store)) }
    case 'error':
      return step
    case 'answer':
      return step
  }
}

