// Trace -> the model's chat: a structured message list (role + text/image/video blocks, what
// exporters use) and the Qwen2.5-VL chat text. Reference for each piece:
//   user turn      prompts_dataset.py l.156-157: [media..., text(question + trigger)]
//   calls          Qwen-Agent NousFnCallPrompt: "<tool_call>\n" + json.dumps(call) + "\n</tool_call>"
//   observations   experience_maker.py l.2300 (frames), l.2314 (crop), l.2325 (error); all are
//                  `user` turns
//   chat template  Qwen2-VL/Qwen2.5-VL tokenizer chat_template: "<|im_start|>{role}\n" + items
//                  (image -> <|vision_start|><|image_pad|><|vision_end|>, video -> ..video_pad..,
//                  text as is) + "<|im_end|>\n"; generation prompt "<|im_start|>assistant\n"
import { toModelBbox } from '../pixel-ops/geometry'
import { PyFloat, pyDumps, type PyJson } from './pyjson'
import { observationMedia, type CallStep, type CropToolName, type MediaRef, type ObservationResult, type Step, type Trace } from './steps'
import { IMAGE_PLACEHOLDER, IM_END, IM_START, VIDEO_PLACEHOLDER, systemText, TOOL_CALL_END, TOOL_CALL_START, userText, type GuidelineName } from './tools'

export type ContentBlock = { type: 'text'; text: string } | { type: 'image'; image: MediaRef } | { type: 'video'; frames: MediaRef[] }

export interface ChatMessage {
  role: 'system' | 'user' | 'assistant'
  content: ContentBlock[]
}

export interface RenderOptions {
  /** the crop tool's name in the tool schema and in rendered calls (a per-export setting) */
  cropToolName?: CropToolName
  /** include the Qwen-Agent tools block in the system message (false = the `notool` setup) */
  tools?: boolean
  /** the text after the question; `vcot` for training and eval */
  guideline?: GuidelineName | { text: string }
  systemBase?: string
  /** decimals of normalized bbox values in rendered calls */
  bboxDecimals?: number
  /** end with "<|im_start|>assistant\n"; default: when the trace does not end with an answer */
  addGenerationPrompt?: boolean
}

/** "<tool_call>\n{...}\n</tool_call>" for a call step, canonical JSON, Python spacing. */
export function renderCall(step: CallStep, options: Pick<RenderOptions, 'cropToolName' | 'bboxDecimals'> = {}): string {
  let call: PyJson
  if (step.kind === 'crop') {
    const bbox: PyJson = step.bboxUnits === 'normalized' ? toModelBbox(step.bbox, options.bboxDecimals ?? 3).map((v) => new PyFloat(v)) : [...step.bbox]
    call = { name: options.cropToolName ?? 'crop_image_normalized', arguments: { bbox_2d: bbox, target_image: step.targetImage } }
  } else {
    call = { name: 'select_frames', arguments: { target_frames: [...step.frames] } }
  }
  return `${TOOL_CALL_START}\n${pyDumps(call)}\n${TOOL_CALL_END}`
}

/** The text a call result is announced with (followed by the image blocks). */
export function observationText(result: ObservationResult): string {
  switch (result.type) {
    case 'crop':
      return `\nHere is the cropped image (Image Size: ${result.width}x${result.height}):`
    case 'frames':
      return `\nHere are the selected frames (Frame Size: ${result.width}x${result.height}, Numbered ${result.first} to ${result.last}):`
    case 'error':
      return `\nExecution error:\n${result.message}\n`
  }
}

export function observationContent(result: ObservationResult): ContentBlock[] {
  const text: ContentBlock = { type: 'text', text: observationText(result) }
  const media = observationMedia(result)
  // derived media (a trace that stores only its boxes) is rendered before a trace is written out
  if (media === null) throw new Error(`the ${result.type} of this observation is not rendered (renderObservations first)`)
  return [text, ...media.map((image): ContentBlock => ({ type: 'image', image }))]
}

/**
 * One assistant turn's text from its steps. Thought and answer text go out verbatim; a call is
 * put on a new line when the text before it does not end with one (as Qwen-Agent joins content
 * and a function call); an error step re-emits the model's call exactly as written.
 */
export function renderAssistantText(steps: readonly Step[], options: RenderOptions = {}): string {
  let out = ''
  for (const s of steps) {
    if (s.kind === 'thought' || s.kind === 'answer') out += s.text
    else if (s.kind === 'crop' || s.kind === 'select_frames') {
      if (out !== '' && !out.endsWith('\n')) out += '\n'
      out += renderCall(s, options)
    } else if (s.kind === 'error') out += s.rawText
  }
  return out
}

/** The trace as chat messages: system, user (media + question), then assistant/observation turns. */
export function renderMessages(trace: Trace, options: RenderOptions = {}): ChatMessage[] {
  const system = systemText({ tools: options.tools ?? true, cropToolName: options.cropToolName ?? 'crop_image_normalized', base: options.systemBase })
  const media: ContentBlock[] = trace.media.kind === 'images' ? trace.media.images.map((image): ContentBlock => ({ type: 'image', image })) : [{ type: 'video', frames: [...trace.media.frames] }]
  const messages: ChatMessage[] = [
    { role: 'system', content: [{ type: 'text', text: system }] },
    { role: 'user', content: [...media, { type: 'text', text: userText(trace.question, options.guideline ?? 'vcot') }] }
  ]
  let turn: Step[] = []
  const flush = (): void => {
    if (turn.length > 0) messages.push({ role: 'assistant', content: [{ type: 'text', text: renderAssistantText(turn, options) }] })
    turn = []
  }
  for (const s of trace.steps) {
    if (s.kind === 'observation') {
      flush()
      messages.push({ role: 'user', content: observationContent(s.result) })
    } else turn.push(s)
  }
  flush()
  return messages
}

/**
 * 0-based indexes of the assistant turns holding a deliberate wrong look. Turns split where
 * renderMessages splits them: at each observation.
 */
export function wrongLookTurns(steps: readonly Step[]): number[] {
  const turns = new Set<number>()
  let turn = 0
  for (const s of steps) {
    if (s.kind === 'observation') turn++
    else if ((s.kind === 'crop' || s.kind === 'select_frames') && s.wrongLook) turns.add(turn)
  }
  return [...turns]
}

/** Qwen2-VL / Qwen2.5-VL chat template (add_vision_id off). */
export function applyChatTemplate(messages: readonly ChatMessage[], addGenerationPrompt: boolean): string {
  let out = ''
  if (messages[0]?.role !== 'system') out += `${IM_START}system\nYou are a helpful assistant.${IM_END}\n`
  for (const m of messages) {
    out += `${IM_START}${m.role}\n`
    for (const c of m.content) out += c.type === 'text' ? c.text : c.type === 'image' ? IMAGE_PLACEHOLDER : VIDEO_PLACEHOLDER
    out += `${IM_END}\n`
  }
  if (addGenerationPrompt) out += `${IM_START}assistant\n`
  return out
}

/** The whole trace as the model's chat text. */
export function renderChatText(trace: Trace, options: RenderOptions = {}): string {
  const last = trace.steps.at(-1)
  const endsWithAnswer = last?.kind === 'answer' || (last?.kind === 'error' && last.code === 'too_many_calls')
  return applyChatTemplate(renderMessages(trace, options), options.addGenerationPrompt ?? !endsWithAnswer)
}
