// Model text -> steps. Total: every input gives steps, and every character of the input is
// kept in some step's `raw`/`rawText` (joined in order they reproduce the input).
//
// Reference rules (Pixel-Reasoner experience_maker.py):
//   l.2237  the turn's text with every "<|im_end|>" removed
//   l.2241-2242 it is a call only if that text ENDS with "</tool_call>" (no trailing whitespace)
//   l.1145-1147 parse_last_tool: json.loads(text.split("<tool_call>")[-1].split("</tool_call>")[0])
//           -> only the LAST block counts; earlier blocks are just text
//   l.2246  a call when 4 were already made ends the trajectory (not executed)
// The reference applies split("<tool_call>")[-1] to the whole prompt+response; when a turn has
// "</tool_call>" but no "<tool_call>" it would re-read an EARLIER block (or the system prompt's
// example). We look only inside the turn and report `malformed_call`.
import { lastBoxed } from '../eval/answer-extraction'
import { bboxUnits, DEFAULT_PADDING, isBbox, validateAuthoredBbox } from '../pixel-ops/geometry'
import type { CropToolName, ErrorStep, ObservationStep, Step, StepErrorCode } from './steps'
import { IM_END, IM_START, toolKind, TOOL_CALL_END, TOOL_CALL_START } from './tools'

export interface ParseOptions {
  /**
   * 'reference' (default, for model output): a box is rejected only when no image could be cut
   * from it (normalized, and inverted or empty after padding and clamping) — otherwise the
   * executor decides, as the reference does. 'strict' (for authored data): normalized values in
   * [0,1] with positive area.
   */
  bboxPolicy?: 'reference' | 'strict'
  padding?: number
  /** the name listed as available in unknown-tool messages */
  cropToolName?: CropToolName
  /**
   * The agent loop's reading, as the reference executes calls: only the advertised crop tool
   * (`cropToolName`, the reference's `crop_image_normalized`) and `select_frames` are tools
   * (`self.operations[tool_name]`, EM l.1450 / l.2276), so the aliases `crop_image` / `zoom_in`
   * are unknown there, and an unknown tool's message is the KeyError's text the reference shows
   * (`'crop_image'`). Off (import): every alias is accepted.
   */
  reference?: boolean
}

/** Which tool a name means in the agent loop: the advertised crop name and select_frames only. */
function referenceToolKind(name: string, cropToolName: CropToolName): 'crop' | 'select_frames' | undefined {
  return name === cropToolName ? 'crop' : name === 'select_frames' ? 'select_frames' : undefined
}

/** Python's repr() of a str, as str(KeyError(name)) prints it. */
export function pyStrRepr(s: string): string {
  const quote = s.includes("'") && !s.includes('"') ? '"' : "'"
  const body = s.replace(/[\\\n\r\t]/g, (c) => ({ '\\': '\\\\', '\n': '\\n', '\r': '\\r', '\t': '\\t' })[c] ?? c)
  return quote + (quote === "'" ? body.replaceAll("'", "\\'") : body) + quote
}

/**
 * Whether the LAST `"key": <number>` of a call's JSON is written as a float (has '.', 'e' or 'E'):
 * Python's json.loads then gives a float, which the reference cannot use as a list index.
 * JSON.parse loses that distinction (1.0 === 1), so the text is read.
 */
function writtenAsFloat(json: string, key: string): boolean {
  const matches = [...json.matchAll(new RegExp(`"${key}"\\s*:\\s*(-?\\d+(?:\\.\\d*)?(?:[eE][+-]?\\d+)?)`, 'g'))]
  return /[.eE]/.test(matches.at(-1)?.[1] ?? '')
}

export interface ParsedTurn {
  /** [thought?, call | error] for a call turn; [answer] otherwise */
  steps: Step[]
  isCall: boolean
}

const stripEnd = (s: string): string => s.replaceAll(IM_END, '')

function errorStep(code: StepErrorCode, message: string, rawText: string): ErrorStep {
  return { kind: 'error', code, message, rawText }
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v)
}

function checkKeys(args: Record<string, unknown>, required: readonly string[], tool: string): string | null {
  const missing = required.filter((k) => !(k in args))
  const extra = Object.keys(args).filter((k) => !required.includes(k))
  const parts: string[] = []
  if (missing.length > 0) parts.push(`missing ${missing.map((k) => `"${k}"`).join(', ')}`)
  if (extra.length > 0) parts.push(`unexpected ${extra.map((k) => `"${k}"`).join(', ')}`)
  return parts.length > 0 ? `Invalid arguments for \`${tool}\`: ${parts.join('; ')}. Expected exactly ${required.map((k) => `"${k}"`).join(' and ')}.` : null
}

/** The JSON between <tool_call> and </tool_call> -> a call step or a typed error step. */
export function parseCallJson(inner: string, rawText: string, options: ParseOptions = {}): Step {
  let value: unknown
  try {
    value = JSON.parse(inner)
  } catch (error) {
    return errorStep('malformed_json', `The tool call is not valid JSON: ${(error as Error).message}`, rawText)
  }
  if (!isPlainObject(value) || typeof value.name !== 'string') {
    return errorStep('malformed_call', 'The tool call must be a JSON object {"name": <tool name>, "arguments": {...}}', rawText)
  }
  const name = value.name
  const kind = options.reference ? referenceToolKind(name, options.cropToolName ?? 'crop_image_normalized') : toolKind(name)
  if (!kind) {
    const message = options.reference ? pyStrRepr(name) : `Unknown tool \`${name}\`. Available tools: ${options.cropToolName ?? 'crop_image_normalized'}, select_frames.`
    return errorStep('unknown_tool', message, rawText)
  }
  const args = value.arguments
  if (!isPlainObject(args)) return errorStep('bad_arguments', `"arguments" of \`${name}\` must be a JSON object, got ${JSON.stringify(args) ?? 'nothing'}`, rawText)

  // The agent loop reads arguments as the reference indexes them: extra keys are ignored, a missing
  // one is Python's KeyError text (target_image is read first, EM l.1207), and a box's first four
  // numbers are used (bbox_2d[0..3], l.154).
  const keyCheck = (required: readonly string[]): string | null => {
    if (!options.reference) return checkKeys(args, required, name)
    const missing = required.find((k) => !(k in args))
    return missing === undefined ? null : pyStrRepr(missing)
  }
  if (kind === 'select_frames') {
    const keys = keyCheck(['target_frames'])
    if (keys) return errorStep('bad_arguments', keys, rawText)
    const frames = args.target_frames
    if (!Array.isArray(frames) || !frames.every((f) => typeof f === 'number' && Number.isInteger(f))) {
      return errorStep('bad_arguments', `target_frames must be a list of whole frame numbers, got ${JSON.stringify(frames)}`, rawText)
    }
    return { kind: 'select_frames', frames: frames as number[], rawArgs: args, raw: rawText }
  }

  const keys = keyCheck(options.reference ? ['target_image', 'bbox_2d'] : ['bbox_2d', 'target_image'])
  if (keys) return errorStep('bad_arguments', keys, rawText)
  const given = args.bbox_2d
  const bbox = options.reference && Array.isArray(given) && given.length > 4 ? given.slice(0, 4) : given
  if (!isBbox(bbox)) return errorStep('bad_arguments', `bbox_2d must be a list of 4 numbers [x1, y1, x2, y2], got ${JSON.stringify(bbox)}`, rawText)
  // Python semantics of the reference's `images[tgt - 1]`: True is 1; a float (1.0 too) raises
  const target = args.target_image === true ? 1 : args.target_image
  if (typeof target === 'number' && writtenAsFloat(inner, 'target_image')) {
    return errorStep('bad_arguments', 'list indices must be integers or slices, not float', rawText)
  }
  // the agent loop lets Python's negative indexing through (pixel-ops resolveCropTarget 'reference')
  if (typeof target !== 'number' || !Number.isInteger(target) || (target < 1 && !options.reference)) {
    return errorStep('bad_arguments', `target_image must be a whole number from 1 (the original image) up, got ${JSON.stringify(target)}`, rawText)
  }
  const units = bboxUnits(bbox)
  if ((options.bboxPolicy ?? 'reference') === 'strict') {
    const v = validateAuthoredBbox(bbox)
    if (!v.ok) return errorStep(v.error.code, v.error.message, rawText)
  } else if (units === 'normalized') {
    // Same arithmetic as geometry.cropRegion; for normalized boxes the outcome does not depend
    // on the image size. Messages are Pillow's / the reference's.
    const p = options.padding ?? DEFAULT_PADDING
    const c = (v: number): number => Math.min(Math.max(0, v), 1)
    const [x1, y1, x2, y2] = [c(bbox[0] - p), c(bbox[1] - p), c(bbox[2] + p), c(bbox[3] + p)]
    if (x2 < x1) return errorStep('bbox_out_of_range', "Coordinate 'right' is less than 'left'", rawText)
    if (y2 < y1) return errorStep('bbox_out_of_range', "Coordinate 'lower' is less than 'upper'", rawText)
    if (x2 === x1 || y2 === y1) return errorStep('bbox_out_of_range', `Cropped image is too small: the box ${JSON.stringify(bbox)} lies outside the image`, rawText)
  }
  return { kind: 'crop', toolName: name as CropToolName, targetImage: target, bbox: [bbox[0], bbox[1], bbox[2], bbox[3]], bboxUnits: units, rawArgs: args, raw: rawText }
}

/** One assistant turn (the model's output for one generation) -> steps. */
export function parseAssistantTurn(text: string, options: ParseOptions = {}): ParsedTurn {
  const body = stripEnd(text)
  if (!body.endsWith(TOOL_CALL_END)) {
    return { isCall: false, steps: [{ kind: 'answer', text: body, boxed: lastBoxed(body), raw: text }] }
  }
  const start = text.lastIndexOf(TOOL_CALL_START)
  if (start < 0) {
    return { isCall: true, steps: [errorStep('malformed_call', 'The turn ends with </tool_call> but has no <tool_call> before it', text)] }
  }
  const steps: Step[] = []
  const before = text.slice(0, start)
  if (before !== '') steps.push({ kind: 'thought', text: stripEnd(before), raw: before })
  const block = text.slice(start)
  const inner = stripEnd(block.slice(TOOL_CALL_START.length)).split(TOOL_CALL_END)[0] ?? ''
  steps.push(parseCallJson(inner, block, options))
  return { isCall: true, steps }
}

// ---------------------------------------------------------------- whole transcripts

export interface TranscriptSegment {
  /** null for text before the first <|im_start|> */
  role: 'system' | 'user' | 'assistant' | (string & {}) | null
  /** the segment exactly as in the input (header, content, <|im_end|>, trailing newline) */
  raw: string
  /** the content between the header line and <|im_end|> */
  content: string
  /** assistant turns: parsed steps; observation user turns: one observation step */
  steps: Step[]
}

export interface ParsedTranscript {
  segments: TranscriptSegment[]
  /** all steps in order (assistant steps and observations), without the system/question turns */
  steps: Step[]
  /** the first user turn's text (question + guideline), media placeholders removed */
  question: string | null
  /** calls made, failed ones included (the reference's num_toolcalls) */
  calls: number
}

const VISION = /<\|vision_start\|>(?:<\|image_pad\|>|<\|video_pad\|>)*<\|vision_end\|>/g
const CROP_OBS = /^\nHere is the cropped image \(Image Size: (\d+)x(\d+)\):((?:<\|vision_start\|>(?:<\|image_pad\|>)*<\|vision_end\|>)*)$/
const FRAMES_OBS = /^\nHere are the selected frames \(Frame Size: (\d+)x(\d+), Numbered (-?\d+) to (-?\d+)\):((?:<\|vision_start\|>(?:<\|image_pad\|>)*<\|vision_end\|>)*)$/
const ERROR_OBS = /^\nExecution error:\n([\s\S]*)\n$/

/** A user turn after the question: the observation it carries. */
export function parseObservation(content: string, imageRef: (n: number) => string, firstImage: number): ObservationStep {
  const countImages = (s: string): number => (s.match(VISION) ?? []).length
  let m = CROP_OBS.exec(content)
  if (m && countImages(m[3] ?? '') === 1) {
    return { kind: 'observation', result: { type: 'crop', image: imageRef(firstImage), width: Number(m[1]), height: Number(m[2]) }, raw: content }
  }
  m = FRAMES_OBS.exec(content)
  if (m && countImages(m[5] ?? '') >= 1) {
    const images = Array.from({ length: countImages(m[5] ?? '') }, (_, i) => imageRef(firstImage + i))
    return { kind: 'observation', result: { type: 'frames', images, width: Number(m[1]), height: Number(m[2]), first: Number(m[3]), last: Number(m[4]) }, raw: content }
  }
  m = ERROR_OBS.exec(content)
  // Anything else is kept as an error observation holding the text, so nothing is lost.
  return { kind: 'observation', result: { type: 'error', message: m ? (m[1] ?? '') : content }, raw: content }
}

/**
 * A whole chat transcript (Qwen "<|im_start|>role\n...<|im_end|>\n" turns; a text without any
 * <|im_start|> is read as one assistant turn). Images in observations are named
 * `transcript:image:<n>`, n counting every image placeholder in the transcript from 1.
 */
export function parseTranscript(text: string, options: ParseOptions & { maxCalls?: number } = {}): ParsedTranscript {
  const maxCalls = options.maxCalls ?? 4
  const segments: TranscriptSegment[] = []
  const steps: Step[] = []
  let question: string | null = null
  let calls = 0
  let images = 0
  const imageRef = (n: number): string => `transcript:image:${n}`

  const pieces = text.split(IM_START)
  const first = pieces.shift() ?? ''
  if (pieces.length === 0) {
    const turn = parseAssistantTurn(text, options)
    return { segments: [{ role: 'assistant', raw: text, content: text, steps: turn.steps }], steps: turn.steps, question: null, calls: turn.isCall ? 1 : 0 }
  }
  if (first !== '') segments.push({ role: null, raw: first, content: first, steps: [] })

  for (const piece of pieces) {
    const raw = IM_START + piece
    const nl = piece.indexOf('\n')
    const role = nl >= 0 ? piece.slice(0, nl) : piece
    const rest = nl >= 0 ? piece.slice(nl + 1) : ''
    const end = rest.indexOf(IM_END)
    const content = end >= 0 ? rest.slice(0, end) : rest
    const seg: TranscriptSegment = { role, raw, content, steps: [] }
    if (role === 'assistant' && end < 0 && content === '') {
      // a trailing generation prompt: the model has not answered yet
    } else if (role === 'assistant') {
      const turn = parseAssistantTurn(content, options)
      if (turn.isCall) {
        if (calls >= maxCalls) {
          const last = turn.steps.at(-1)
          const rawText = last?.kind === 'error' ? last.rawText : (last?.raw ?? content)
          turn.steps[turn.steps.length - 1] = errorStep('too_many_calls', `At most ${maxCalls} operations run per trajectory; this call ends it unexecuted`, rawText)
        }
        calls++
      }
      seg.steps = turn.steps
    } else if (role === 'user') {
      const n = (content.match(VISION) ?? []).length
      if (question === null) question = content.replace(VISION, '')
      else seg.steps = [parseObservation(content, imageRef, images + 1)]
      images += n
    }
    steps.push(...seg.steps)
    segments.push(seg)
  }
  return { segments, steps, question, calls }
}
