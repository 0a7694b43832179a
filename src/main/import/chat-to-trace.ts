// A neutral chat (trace-formats.ts) -> a trace: the question turn gives the question and the
// sample's media; each assistant turn is parsed by the codec (parseAssistantTurn), each
// observation turn after a call is read with parseObservation and keeps the exported images
// (crops, frames) instead of recomputing them. Pure: media stay file paths here; the importer
// stores them and swaps in the hashes (resolveMedia).
//
// A record is refused (never half-imported) when its result images contradict its calls: a box
// outside [0,1] or inverted, a target image or frame that does not exist, a crop shown after a
// select_frames call, images after a call that could not run.
import { StudioError } from '../../shared/contract/errors'
import { bboxUnits, isBbox } from '../../shared/pixel-ops/geometry'
import { frameLabels, resolveCropTarget, resolveFrameSelection, type MediaContext } from '../../shared/pixel-ops/targets'
import {
  isCallStep,
  parseAssistantTurn,
  parseObservation,
  renderAssistantText,
  returnedImages,
  TOOL_CALL_END,
  TOOL_CALL_START,
  userText,
  type CallStep,
  type ErrorStep,
  type ObservationResult,
  type ObservationStep,
  type Step
} from '../../shared/toolcall'
import { MAX_OPERATIONS } from '../../shared/traces/checks'
import { errorCodeOf } from './observation-codes'
import { templateContent, type ChatBlock, type ImportedChat } from './trace-formats'

export interface ConvertedTrace {
  kind: 'image' | 'video'
  question: string
  /** the question's images, or the video's frames (file paths) */
  media: string[]
  /** media refs are file paths; crop/frames sizes are 0 where only the image file can tell */
  steps: Step[]
  /** the final answer's \boxed{} content, if any */
  boxed: string | null
}

function fail(message: string): never {
  throw new StudioError('invalid_input', message)
}

const textOf = (blocks: readonly ChatBlock[]): string => blocks.map((b) => (b.type === 'text' ? b.text : '')).join('')
const imagesOf = (blocks: readonly ChatBlock[]): string[] => blocks.flatMap((b) => (b.type === 'image' ? [b.path] : b.type === 'video' ? b.frames : []))

/** the text userText appends for each guideline, made once (every imported record is checked against them) */
let guidelineSuffixes: string[] | undefined

/** The question without the guideline the exporter appended (userText), or any "Guidelines:" tail. */
export function questionOf(text: string): string {
  guidelineSuffixes ??= (['vcot', 'notool', 'default'] as const).map((name) => userText('', name))
  for (const suffix of guidelineSuffixes) {
    if (text.endsWith(suffix)) return text.slice(0, -suffix.length)
  }
  const at = text.lastIndexOf('\n\nGuidelines:')
  return at > 0 ? text.slice(0, at).replace(/\n+$/, '') : text
}

/**
 * One assistant turn in canonical form: the newline the renderer puts before a call is rendering,
 * not thought (so a thought stored as "X\n" before a call comes back as "X"), and `raw`/`rawArgs` are dropped when rendering the steps gives the text back
 * exactly. A turn written any other way keeps the codec's steps as parsed (raw text included).
 */
function canonicalTurn(text: string, parsed: Step[]): Step[] {
  const steps: Step[] = []
  parsed.forEach((s, i) => {
    const next = parsed[i + 1]
    if (s.kind === 'thought') {
      const body = next && isCallStep(next) && s.text.endsWith('\n') ? s.text.slice(0, -1) : s.text
      if (body !== '') steps.push({ kind: 'thought', text: body })
    } else if (s.kind === 'crop' || s.kind === 'select_frames' || s.kind === 'answer') {
      const { raw: _raw, ...rest } = s
      if (rest.kind === 'answer') steps.push(rest)
      else {
        const { rawArgs: _args, ...call } = rest
        steps.push(call)
      }
    } else steps.push(s)
  })
  const call = steps.find((s) => s.kind === 'crop')
  const rendered = renderAssistantText(steps, call?.kind === 'crop' ? { cropToolName: call.toolName } : {})
  return rendered === text ? steps : parsed
}

/** Why an imported crop box cannot be what produced the crop shown after it, or null. */
export function importedBboxProblem(bbox: readonly number[]): string | null {
  const shown = JSON.stringify(bbox)
  if (bbox.some((v) => v < 0)) return `bbox ${shown} lies outside [0,1] (a negative coordinate)`
  if (bboxUnits(bbox) === 'pixels' && !bbox.every(Number.isInteger)) {
    return bbox.some((v) => v > 1)
      ? `bbox ${shown} lies outside [0,1]`
      : `bbox ${shown} has a coordinate of exactly 1, which the reference reads as pixels; write normalized values below 1`
  }
  if (bbox[2]! <= bbox[0]! || bbox[3]! <= bbox[1]!) return `bbox ${shown} is inverted or empty (need x1 < x2 and y1 < y2)`
  return null
}

/** The bbox_2d a call was written with, when its JSON can be read at all. */
function bboxOfCall(rawText: string): readonly number[] | null {
  try {
    const call = JSON.parse(rawText.slice(rawText.indexOf(TOOL_CALL_START) + TOOL_CALL_START.length, rawText.lastIndexOf(TOOL_CALL_END))) as { arguments?: { bbox_2d?: unknown } }
    const box = call.arguments?.bbox_2d
    return isBbox(box) ? box : null
  } catch {
    return null
  }
}

function observationAfter(call: CallStep | ErrorStep, blocks: readonly ChatBlock[], ctx: MediaContext, where: string): ObservationStep {
  if (blocks.some((b) => b.type === 'video')) fail(`${where}: an operation's result cannot be a video`)
  const images = imagesOf(blocks)
  const content = templateContent(blocks)
  const parsed = parseObservation(content, (n) => images[n - 1] ?? '', 1)
  if (call.kind === 'error') {
    if (images.length > 0) {
      const box = bboxOfCall(call.rawText)
      fail(`${where}: ${(box && importedBboxProblem(box)) ?? `shows images after a call that cannot run (${call.message})`}`)
    }
    const message = parsed.result.type === 'error' ? parsed.result.message : content
    const code = message === call.message ? call.code : errorCodeOf(message)
    return { kind: 'observation', result: { type: 'error', ...(code ? { code } : {}), message } }
  }
  if (images.length === 0) {
    if (parsed.result.type !== 'error') fail(`${where}: announces a result but holds no image`)
    const code = errorCodeOf(parsed.result.message)
    return { kind: 'observation', result: { type: 'error', ...(code ? { code } : {}), message: parsed.result.message } }
  }
  let result: ObservationResult
  if (call.kind === 'crop') {
    if (parsed.result.type === 'frames' || images.length !== 1) fail(`${where}: a crop returns one image, this result holds ${images.length}`)
    const problem = importedBboxProblem(call.bbox)
    if (problem) fail(`${where}: ${problem}`)
    const target = resolveCropTarget(call.targetImage, ctx)
    if (!target.ok) fail(`${where}: target_image ${call.targetImage} does not exist (${target.error.message})`)
    // the size is the image file's own (filled in when it is stored)
    result = { type: 'crop', image: images[0]!, width: 0, height: 0 }
  } else {
    if (parsed.result.type === 'crop') fail(`${where}: a crop result after a select_frames call`)
    const selection = resolveFrameSelection(call.frames, ctx)
    if (!selection.ok) fail(`${where}: select_frames ${JSON.stringify(call.frames)} picks frames that do not exist: ${selection.error.message}`)
    if (images.length !== call.frames.length) fail(`${where}: select_frames picked ${call.frames.length} frames but the result holds ${images.length} images`)
    result =
      parsed.result.type === 'frames'
        ? { ...parsed.result, images }
        : { type: 'frames', images, width: 0, height: 0, ...frameLabels(ctx, images.length) }
  }
  // the exact announcement text is rendered from the result; an unusual wording is not kept
  return { kind: 'observation', result }
}

export function chatToTrace(chat: ImportedChat): ConvertedTrace {
  let turns = chat.turns
  let skipped = 0 // leading system turns: messages are numbered as in the record
  while (turns[0]?.role === 'system') {
    turns = turns.slice(1)
    skipped++
  }
  const first = turns[0]
  if (first?.role !== 'user') fail('the first turn after the system prompt must be the question (a user turn)')
  const videos = first.blocks.filter((b) => b.type === 'video')
  const images = first.blocks.filter((b) => b.type === 'image')
  if (videos.length > 1 || (videos.length === 1 && images.length > 0)) fail('the question holds a video together with other media; one video or images only')
  const media = imagesOf(first.blocks)
  if (media.length === 0) fail('the question turn has no image or video')
  const kind = videos.length === 1 || chat.isVideo ? 'video' : 'image'
  const ctx: { originals: number; returned: number } = { originals: media.length, returned: 0 }
  const context = (): MediaContext => (kind === 'video' ? { kind: 'video', frames: media.length, returned: ctx.returned } : { kind: 'images', originals: ctx.originals, returned: ctx.returned })

  const steps: Step[] = []
  let pending: CallStep | ErrorStep | null = null
  let answered = false
  let calls = 0
  for (const [i, turn] of turns.entries()) {
    if (i === 0) continue
    const where = `turn ${i + 1 + skipped} (${turn.role})`
    if (turn.role === 'system') fail(`${where}: a system turn inside the conversation`)
    if (answered) fail(`${where}: the conversation goes on after the final answer`)
    if (turn.role === 'user') {
      if (!pending) fail(`${where}: a user turn that answers no operation call`)
      const observation = observationAfter(pending, turn.blocks, context(), where)
      steps.push(observation)
      ctx.returned += returnedImages(steps, steps.length - 1)
      pending = null
      continue
    }
    if (pending && isCallStep(pending)) fail(`${where}: follows an operation call without its result`)
    if (imagesOf(turn.blocks).length > 0) fail(`${where}: an assistant turn holds images`)
    const text = textOf(turn.blocks)
    const parsed = parseAssistantTurn(text)
    let turnSteps = canonicalTurn(text, parsed.steps)
    if (parsed.isCall) {
      calls++
      const last = turnSteps.at(-1)
      if (calls > MAX_OPERATIONS && last) {
        // the reference ends the trajectory at a 5th call, unexecuted (parseTranscript does the same)
        const rawText = last.kind === 'error' ? last.rawText : text.slice(text.lastIndexOf(TOOL_CALL_START))
        turnSteps = [...turnSteps.slice(0, -1), { kind: 'error', code: 'too_many_calls', message: `At most ${MAX_OPERATIONS} operations run per trajectory; this call ends it unexecuted`, rawText }]
        answered = true
      }
      const call = turnSteps.at(-1)
      pending = call && (isCallStep(call) || call.kind === 'error') ? call : null
    } else answered = true
    steps.push(...turnSteps)
  }
  // wrong looks are not in the text; our exports list their assistant turns beside it
  let turn = 0
  const marked = steps.map((s): Step => {
    if (s.kind === 'observation') turn++
    return isCallStep(s) && chat.wrongLookTurns.includes(turn) ? { ...s, wrongLook: true } : s
  })
  const answer = marked.findLast((s) => s.kind === 'answer')
  return { kind, question: questionOf(textOf(first.blocks)), media, steps: marked, boxed: answer?.kind === 'answer' ? answer.boxed : null }
}

/** Swaps file paths for stored media hashes and fills in the sizes only the files know. */
export function resolveMedia(steps: readonly Step[], refOf: (path: string) => { hash: string; width: number; height: number }): Step[] {
  return steps.map((s): Step => {
    if (s.kind !== 'observation') return s
    const r = s.result
    if (r.type === 'crop' && r.image !== undefined) {
      const ref = refOf(r.image)
      return { ...s, result: { ...r, image: ref.hash, width: ref.width, height: ref.height } }
    }
    if (r.type === 'frames' && r.images) {
      const refs = r.images.map(refOf)
      const size = r.width > 0 && r.height > 0 ? {} : { width: refs[0]!.width, height: refs[0]!.height }
      return { ...s, result: { ...r, images: refs.map((x) => x.hash), ...size } }
    }
    return s
  })
}
