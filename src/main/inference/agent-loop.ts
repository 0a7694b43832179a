// The Pixel Reasoner agent loop (research/pixel-reasoner.md §1-2, 5.4; reference:
// curiosity_driven_rl/.../experience_maker.py): generate a turn up to <|im_end|> (no </tool_call>
// stop string, as the reference's vLLM stop list l.1989); if its text ends with </tool_call>,
// run the LAST call (crop or select_frames), append the result as a user turn, re-prefill, go on.
// A model that writes on past its call has answered (l.2237-2242). Calls are read as the
// reference executes them: only its two tool names, Python semantics for target_image.
// Limits follow the reference: a 5th call ends the trajectory (failed calls count, as there),
// more than 16 images ends it, and so does a prompt+output total over the token budget.
import { performance } from 'node:perf_hooks'
import sharp from 'sharp'
import { EVAL_PROFILE, frameLabels, PixelOpError, resolveCropTarget, resolveFrameSelection, smartResize, type MediaContext, type PixelProfile } from '../../shared/pixel-ops'
import { GUIDELINES, parseAssistantTurn, systemText, userText, type Step, type StepErrorCode } from '../../shared/toolcall'
import { cropRgb } from '../pixel-ops/crop'
import { sha256 } from '../pixel-ops/image'
import { decodeImage } from './images'
import type { ModelBackend } from './model-backend'
import type { ChatContent, ChatMessage, SamplingSettings, TurnOutput, VlmImage } from './vlm-session'

/** The reference's `vcot` template (it starts with "\n\n"; the question adds two more). */
export const VCOT_GUIDELINE: string = GUIDELINES.vcot

export interface AgentSettings {
  /** executed (or failed) calls; the next call ends the trajectory (reference: 4) */
  maxOperations: number
  /** images in the conversation, a video counting as one (reference: 16) */
  maxImages: number
  /** prompt + generated tokens of a turn (reference: 12*1024-200) */
  maxTotalTokens: number
  maxNewTokensPerTurn: number
  sampling: SamplingSettings
  /** the reference samples post-tool turns at 0.9 during RL; null keeps `sampling` */
  postToolTemperature: number | null
  /** crop results are resized into this pixel range (eval: 256*28² .. 5120*28²) */
  cropMinPixels: number
  cropMaxPixels: number
  cropPadding: number
  maxSelectedFrames: number
  /** the crop tool's advertised name; a call must use it (the aliases are import-only) */
  cropToolName: 'crop_image_normalized' | 'crop_image'
  guideline: string
}

export const DEFAULT_AGENT_SETTINGS: AgentSettings = {
  maxOperations: 4,
  maxImages: 16,
  maxTotalTokens: 12 * 1024 - 200,
  maxNewTokensPerTurn: 2048,
  sampling: { doSample: false, temperature: 1, topP: 1, topK: 0 },
  postToolTemperature: null,
  cropMinPixels: 256 * 28 * 28,
  cropMaxPixels: 5120 * 28 * 28,
  cropPadding: 0.1,
  maxSelectedFrames: 8,
  cropToolName: 'crop_image_normalized',
  guideline: VCOT_GUIDELINE
}

export type AgentMedia = { kind: 'images'; images: VlmImage[] } | { kind: 'video'; frames: VlmImage[] }

export interface AgentInput {
  question: string
  media: AgentMedia
  settings?: Partial<AgentSettings>
}

export type OperationCall =
  | { op: 'crop'; name: string; bbox: unknown; targetImage: unknown }
  | { op: 'select_frames'; name: string; frames: unknown }

/** A pixel box in the image a crop was cut from (that image as the model sees it). */
export interface CropBox {
  left: number
  top: number
  width: number
  height: number
}

export interface ObservationImage {
  image: VlmImage
  /** crop: which image (1-based, as the model numbers them), the pixel box, and that image's size */
  source?: { targetImage: number; box: CropBox; size: { width: number; height: number } }
  /** select_frames: the 1-based frame number */
  frame?: number
}

export type AgentStep =
  | { kind: 'thought'; turn: number; text: string }
  | { kind: 'operation'; turn: number; call: OperationCall; raw: string }
  | { kind: 'result'; turn: number; text: string; images: ObservationImage[] }
  /**
   * A call that could not be read (code from the codec), failed when run (a pixel-ops code; the
   * operation step before it in the same turn), or a 5th call that ended the run (too_many_calls).
   */
  | { kind: 'error'; turn: number; message: string; raw: string; code?: StepErrorCode }
  | { kind: 'answer'; turn: number; text: string; boxed: string | null }

export type AgentStopReason = 'answer' | 'max_operations' | 'max_tokens' | 'max_images' | 'cancelled' | 'error'

export interface TurnStats {
  turn: number
  promptTokens: number
  generatedTokens: number
  imagePadTokens: number
  images: number
  firstTokenMs: number
  ms: number
  tokensPerSecond: number
  stop: TurnOutput['stop']
}

export interface AgentResult {
  stop: AgentStopReason
  /** the last \boxed{} of the final turn (null when there is none) */
  answer: string | null
  steps: AgentStep[]
  /** the whole conversation, observations included, as the model saw it */
  messages: ChatMessage[]
  /** calls executed or failed */
  operations: number
  turns: TurnStats[]
  generatedTokens: number
  ms: number
  error: string | null
  settings: AgentSettings
}

export type AgentEvent =
  | { type: 'turn_start'; turn: number; images: number }
  | { type: 'token'; turn: number; text: string }
  | { type: 'turn_end'; turn: number; stats: TurnStats }
  | { type: 'operation'; turn: number; call: OperationCall }
  | { type: 'observation'; turn: number; text: string; images: ObservationImage[]; error: boolean }
  | { type: 'done'; result: AgentResult }

/**
 * The system turn: "You are a helpful assistant." + the Qwen-Agent tools block (src/shared/toolcall).
 * No operation allowed (maxOperations 0, the text-only arm) offers no tools: the block is left out,
 * as TRL renders a run that has none.
 */
export function systemPrompt(cropToolName: AgentSettings['cropToolName'] = 'crop_image_normalized', tools = true): string {
  return systemText({ cropToolName, tools })
}

interface LoopState {
  media: AgentMedia
  /** images returned so far (crops, selected frames), in order */
  returned: VlmImage[]
}

/** The eval profile with this run's crop settings: src/shared/pixel-ops owns every rule. */
function profileOf(settings: AgentSettings): PixelProfile {
  return { ...EVAL_PROFILE, crop: { minPixels: settings.cropMinPixels, maxPixels: settings.cropMaxPixels }, padding: settings.cropPadding, maxSelectedFrames: settings.maxSelectedFrames }
}

function contextOf(s: LoopState): MediaContext {
  return s.media.kind === 'video' ? { kind: 'video', frames: s.media.frames.length, returned: s.returned.length } : { kind: 'images', originals: s.media.images.length, returned: s.returned.length }
}

/** Images the model can address: a video counts as one (its frames are one item), as in the reference. */
function imageCount(s: LoopState): number {
  return (s.media.kind === 'video' ? 1 : s.media.images.length) + s.returned.length
}

/** Originals and frames are cropped as the model sees them: resized into the profile's view bounds. */
async function modelView(image: VlmImage, bounds: PixelProfile['view']): Promise<VlmImage> {
  const r = smartResize({ width: image.width, height: image.height }, bounds)
  if (!r.ok) throw r.error
  if (r.value.width === image.width && r.value.height === image.height) return image
  const { data, info } = await sharp(image.data, { raw: { width: image.width, height: image.height, channels: image.channels } })
    .resize(r.value.width, r.value.height, { kernel: 'cubic', fit: 'fill' })
    .removeAlpha()
    .raw()
    .toBuffer({ resolveWithObject: true })
  return { width: info.width, height: info.height, channels: 3, data: new Uint8Array(data.buffer, data.byteOffset, data.byteLength) }
}

async function execute(call: OperationCall, s: LoopState, settings: AgentSettings): Promise<{ text: string; images: ObservationImage[] }> {
  const profile = profileOf(settings)
  const ctx = contextOf(s)
  if (call.op === 'select_frames') {
    const frames = call.frames
    const r = resolveFrameSelection(Array.isArray(frames) ? (frames as number[]) : [], ctx, profile.maxSelectedFrames, 'reference')
    if (!r.ok) throw r.error
    const video = s.media.kind === 'video' ? s.media.frames : []
    const picked = r.value.map((i) => ({ image: video[i] as VlmImage, frame: i + 1 }))
    const first = picked[0]?.image as VlmImage
    const label = frameLabels(ctx, picked.length)
    return { text: `\nHere are the selected frames (Frame Size: ${first.width}x${first.height}, Numbered ${label.first} to ${label.last}):`, images: picked }
  }

  const target = call.targetImage
  if (typeof target !== 'number') throw new PixelOpError('bad_arguments', `target_image must be a whole number, got ${JSON.stringify(target)}`)
  const resolved = resolveCropTarget(target, ctx, 'reference')
  if (!resolved.ok) throw resolved.error
  const t = resolved.value
  let source: VlmImage
  if (t.kind === 'returned') source = s.returned[t.index] as VlmImage
  else if (t.kind === 'frame') source = await modelView((s.media.kind === 'video' ? s.media.frames : [])[t.index] as VlmImage, profile.videoFrame)
  else source = await modelView((s.media.kind === 'images' ? s.media.images : [])[t.index] as VlmImage, profile.view)
  const view = { data: Buffer.from(source.data.buffer, source.data.byteOffset, source.data.byteLength), width: source.width, height: source.height, id: sha256(source.data) }
  let crop
  try {
    crop = await cropRgb(view, Array.isArray(call.bbox) ? (call.bbox as number[]) : [], profile)
  } catch (error) {
    if (error instanceof PixelOpError) throw error
    throw new PixelOpError('unreadable_image', error instanceof Error ? error.message : String(error))
  }
  const image = await decodeImage(crop.png)
  return {
    text: `\nHere is the cropped image (Image Size: ${crop.width}x${crop.height}):`,
    // the image actually cut, 1-based (a target <= 0 indexes from the end, as in Python)
    images: [{ image, source: { targetImage: t.kind === 'returned' ? imageCount(s) - s.returned.length + t.index + 1 : t.index + 1, box: crop.region.box, size: crop.source } }]
  }
}

function toCall(step: Extract<Step, { kind: 'crop' | 'select_frames' }>): OperationCall {
  return step.kind === 'crop'
    ? { op: 'crop', name: step.toolName, bbox: step.bbox, targetImage: step.targetImage }
    : { op: 'select_frames', name: 'select_frames', frames: step.frames }
}

/** The text of a step as the codec parsed it (a call's block, or an unreadable call as written). */
function rawOf(step: Step): string {
  return step.kind === 'error' ? step.rawText : 'raw' in step ? (step.raw ?? '') : ''
}

/**
 * Runs one trajectory. Never throws for model or tool failures: they end in `stop: 'error'` or
 * become observations, so a caller always gets the partial trajectory back.
 */
export async function runAgent(session: ModelBackend, input: AgentInput, options: { signal?: AbortSignal; onEvent?: (e: AgentEvent) => void } = {}): Promise<AgentResult> {
  const settings: AgentSettings = { ...DEFAULT_AGENT_SETTINGS, ...input.settings }
  const emit = options.onEvent ?? ((): void => undefined)
  const start = performance.now()
  const state: LoopState = { media: input.media, returned: [] }
  const mediaContent: ChatContent[] =
    input.media.kind === 'images' ? input.media.images.map((image) => ({ type: 'image', image })) : input.media.frames.map((image) => ({ type: 'image', image }))
  // transformers.js 4.3.1 has no Qwen2-VL video path: a video goes in as its frames, image by image.
  const messages: ChatMessage[] = [
    { role: 'system', content: systemPrompt(settings.cropToolName, settings.maxOperations > 0) },
    { role: 'user', content: [...mediaContent, { type: 'text', text: userText(input.question, { text: settings.guideline }) }] }
  ]
  const steps: AgentStep[] = []
  const turns: TurnStats[] = []
  let operations = 0
  let answer: string | null = null
  let error: string | null = null
  let stop: AgentStopReason | null = null

  for (let turn = 0; stop === null; turn++) {
    if (options.signal?.aborted) {
      stop = 'cancelled'
      break
    }
    const images = messages.reduce((n, m) => n + (typeof m.content === 'string' ? 0 : m.content.filter((c) => c.type === 'image').length), 0)
    emit({ type: 'turn_start', turn, images })
    const sampling = turn > 0 && settings.postToolTemperature !== null ? { ...settings.sampling, temperature: settings.postToolTemperature } : settings.sampling
    let out: TurnOutput
    try {
      out = await session.generate(messages, {
        maxNewTokens: settings.maxNewTokensPerTurn,
        maxTotalTokens: settings.maxTotalTokens,
        sampling,
        stopStrings: [],
        ...(options.signal ? { signal: options.signal } : {}),
        onToken: (text) => emit({ type: 'token', turn, text })
      })
    } catch (e) {
      error = e instanceof Error ? e.message : String(e)
      stop = 'error'
      break
    }
    const stats: TurnStats = {
      turn,
      promptTokens: out.promptTokens,
      generatedTokens: out.tokens,
      imagePadTokens: out.imagePadTokens,
      images: out.images,
      firstTokenMs: out.firstTokenMs,
      ms: out.ms,
      tokensPerSecond: out.ms > 0 ? (out.tokens / out.ms) * 1000 : 0,
      stop: out.stop
    }
    turns.push(stats)
    emit({ type: 'turn_end', turn, stats })
    if (out.stop === 'cancelled') {
      if (out.text) steps.push({ kind: 'thought', turn, text: out.text })
      stop = 'cancelled'
      break
    }
    messages.push({ role: 'assistant', content: out.text })

    const parsed = parseAssistantTurn(out.text, { cropToolName: settings.cropToolName, reference: true })
    const last = parsed.steps.at(-1)
    if (!parsed.isCall || !last) {
      if (out.stop === 'max_tokens') {
        steps.push({ kind: 'thought', turn, text: out.text })
        stop = 'max_tokens'
      } else {
        answer = last?.kind === 'answer' ? last.boxed : null
        steps.push({ kind: 'answer', turn, text: last?.kind === 'answer' ? last.text : out.text, boxed: answer })
        stop = 'answer'
      }
      break
    }
    // the text before the call as the codec reads it (untrimmed: the trace renders back to it)
    const thought = parsed.steps.length > 1 ? parsed.steps[0] : undefined
    if (thought?.kind === 'thought' && thought.text.trim()) steps.push({ kind: 'thought', turn, text: thought.text })
    const raw = rawOf(last)
    if (operations >= settings.maxOperations) {
      // as the reference: the call is not run and ends the trajectory; the trace keeps it
      steps.push({ kind: 'error', turn, code: 'too_many_calls', message: `At most ${settings.maxOperations} operations run per trajectory; this call ends it unexecuted`, raw })
      stop = 'max_operations'
      break
    }
    if (out.promptTokens + out.tokens > settings.maxTotalTokens) {
      stop = 'max_tokens'
      break
    }
    operations++

    let observation: { text: string; images: ObservationImage[] }
    let failed = false
    if (last.kind !== 'crop' && last.kind !== 'select_frames') {
      const message = last.kind === 'error' ? last.message : 'The tool call could not be read'
      steps.push({ kind: 'error', turn, message, raw, code: last.kind === 'error' ? last.code : 'malformed_call' })
      observation = { text: `\nExecution error:\n${message}\n`, images: [] }
      failed = true
    } else {
      const call = toCall(last)
      steps.push({ kind: 'operation', turn, call, raw })
      emit({ type: 'operation', turn, call })
      try {
        observation = await execute(call, state, settings)
        steps.push({ kind: 'result', turn, text: observation.text, images: observation.images })
      } catch (e) {
        // any failure is shown to the model, as the reference does (str(e) of whatever raised)
        const message = e instanceof Error ? e.message : String(e)
        steps.push({ kind: 'error', turn, message, raw, ...(e instanceof PixelOpError ? { code: e.code } : {}) })
        observation = { text: `\nExecution error:\n${message}\n`, images: [] }
        failed = true
      }
    }
    if (imageCount(state) + observation.images.length > settings.maxImages) {
      stop = 'max_images' // as the reference: the result is not shown to the model
      break
    }
    state.returned.push(...observation.images.map((o) => o.image))
    messages.push({ role: 'user', content: [{ type: 'text', text: observation.text }, ...observation.images.map((o): ChatContent => ({ type: 'image', image: o.image }))] })
    emit({ type: 'observation', turn, text: observation.text, images: observation.images, error: failed })
  }

  const result: AgentResult = {
    stop: stop ?? 'error',
    answer,
    steps,
    messages,
    operations,
    turns,
    generatedTokens: turns.reduce((n, t) => n + t.generatedTokens, 0),
    ms: performance.now() - start,
    error,
    settings
  }
  emit({ type: 'done', result })
  return result
}
