// The steps of a Pixel Reasoner trace: what the codec renders to model text and parses back.
// Schemas validate at boundaries (files, trainer output, the renderer); types are inferred.
import { z } from 'zod'
import { PIXEL_OP_ERROR_CODES } from '../pixel-ops/errors'

/** Names accepted on input (reference, verl-tool port, demo). */
export const CROP_TOOL_NAMES = ['crop_image_normalized', 'crop_image', 'zoom_in'] as const
export const CropToolName = z.enum(CROP_TOOL_NAMES)
export type CropToolName = z.infer<typeof CropToolName>

export const ToolName = z.enum([...CROP_TOOL_NAMES, 'select_frames'])
export type ToolName = z.infer<typeof ToolName>

/** An image as the trace refers to it: a content hash or a path relative to the dataset. */
export const MediaRef = z.string().min(1)
export type MediaRef = z.infer<typeof MediaRef>

export const BboxSchema = z.tuple([z.number(), z.number(), z.number(), z.number()])

/** Codec errors (parsing model text) plus execution errors (pixel-ops). */
export const STEP_ERROR_CODES = ['malformed_call', 'malformed_json', 'unknown_tool', 'too_many_calls', ...PIXEL_OP_ERROR_CODES] as const
export const StepErrorCode = z.enum(STEP_ERROR_CODES)
export type StepErrorCode = z.infer<typeof StepErrorCode>

/** Free reasoning text of an assistant turn (before its call). */
export const ThoughtStep = z.object({
  kind: z.literal('thought'),
  text: z.string(),
  /** exactly as in the model's output (may include <|im_end|>) when parsed */
  raw: z.string().optional()
})

/**
 * A deliberate wrong look in a self-correction trace (paper §3: inserted erroneous operations).
 * Rendered like any call; exporters mask its assistant turn from the SFT loss.
 */
const WrongLook = z.boolean().optional()

export const CropStep = z.object({
  kind: z.literal('crop'),
  toolName: CropToolName,
  /**
   * 1-based over [original image(s) or the video, ...returned images]. A model run may hold 0 or
   * less: the agent loop indexes as the reference's Python does (from the end); authored data is
   * checked >= 1 by the codec's parse.
   */
  targetImage: z.number().int(),
  /** as the model wrote it; normalized unless `bboxUnits` says pixels (reference heuristic) */
  bbox: BboxSchema,
  bboxUnits: z.enum(['normalized', 'pixels']),
  rawArgs: z.record(z.string(), z.unknown()).optional(),
  raw: z.string().optional(),
  wrongLook: WrongLook
})

export const SelectFramesStep = z.object({
  kind: z.literal('select_frames'),
  /** 1-based frame numbers in the model's order (duplicates kept, as the reference does) */
  frames: z.array(z.number().int()),
  rawArgs: z.record(z.string(), z.unknown()).optional(),
  raw: z.string().optional(),
  wrongLook: WrongLook
})

/** The final assistant turn. `boxed` is the content of its last balanced \boxed{...}. */
export const AnswerStep = z.object({
  kind: z.literal('answer'),
  text: z.string(),
  boxed: z.string().nullable(),
  raw: z.string().optional()
})

/**
 * A call the model wrote that cannot run (bad JSON, unknown tool, bad arguments, a 5th call).
 * `rawText` is the call exactly as written; `message` is what the model is shown after
 * "Execution error:" (too_many_calls ends the trajectory instead, as in the reference).
 */
export const ErrorStep = z.object({
  kind: z.literal('error'),
  code: StepErrorCode,
  message: z.string(),
  rawText: z.string()
})

const Size = { width: z.number().int().positive(), height: z.number().int().positive() }

/**
 * What a call returned, sent back to the model as a user turn. The media (a crop's `image`, the
 * frames' `images`) may be absent: then the trace stores only the call (its box or frame picks)
 * and the sizes, and the pixels are derived data, rendered on demand from the sample's media
 * when someone needs them (src/main/traces/materialize.ts `renderObservations`). Synthesized
 * traces are stored this way; traces with stored media keep them.
 */
export const ObservationResult = z.discriminatedUnion('type', [
  z.object({ type: z.literal('crop'), image: MediaRef.optional(), ...Size }),
  z.object({
    type: z.literal('frames'),
    images: z.array(MediaRef).min(1).optional(),
    ...Size,
    /** the reference's "Numbered {first} to {last}" label (see pixel-ops frameLabels) */
    first: z.number().int(),
    last: z.number().int()
  }),
  z.object({ type: z.literal('error'), code: StepErrorCode.optional(), message: z.string() })
])
export type ObservationResult = z.infer<typeof ObservationResult>

export const ObservationStep = z.object({
  kind: z.literal('observation'),
  result: ObservationResult,
  raw: z.string().optional()
})

export const Step = z.discriminatedUnion('kind', [ThoughtStep, CropStep, SelectFramesStep, AnswerStep, ErrorStep, ObservationStep])
export type Step = z.infer<typeof Step>
export type ThoughtStep = z.infer<typeof ThoughtStep>
export type CropStep = z.infer<typeof CropStep>
export type SelectFramesStep = z.infer<typeof SelectFramesStep>
export type AnswerStep = z.infer<typeof AnswerStep>
export type ErrorStep = z.infer<typeof ErrorStep>
export type ObservationStep = z.infer<typeof ObservationStep>
export type CallStep = CropStep | SelectFramesStep

export const TraceMedia = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('images'), images: z.array(MediaRef) }),
  /** the video's sampled frames (the reference uses 16) */
  z.object({ kind: z.literal('video'), frames: z.array(MediaRef).min(1) })
])
export type TraceMedia = z.infer<typeof TraceMedia>

/** A whole trace: the query and the ordered steps of the model's reasoning. */
export const Trace = z.object({
  question: z.string(),
  media: TraceMedia,
  steps: z.array(Step)
})
export type Trace = z.infer<typeof Trace>

export function isCallStep(s: Step): s is CallStep {
  return s.kind === 'crop' || s.kind === 'select_frames'
}

/** The media an observation shows, or null when they are derived and not rendered here. */
export function observationMedia(result: ObservationResult): string[] | null {
  if (result.type === 'crop') return result.image === undefined ? null : [result.image]
  if (result.type === 'frames') return result.images ?? null
  return []
}

/**
 * How many images the observation at `index` returns (what later `target_image` numbers count):
 * its media, or for derived frames the frames its call picked (duplicates kept, as executed).
 */
export function returnedImages(steps: readonly Step[], index: number): number {
  const s = steps[index]
  if (s?.kind !== 'observation') return 0
  const media = observationMedia(s.result)
  if (media) return media.length
  if (s.result.type === 'crop') return 1
  const call = steps[index - 1]
  return call?.kind === 'select_frames' ? call.frames.length : 0
}

/** True when some observation of `steps` has derived media that is not rendered (see ObservationResult). */
export function hasDerivedMedia(steps: readonly Step[]): boolean {
  return steps.some((s) => s.kind === 'observation' && observationMedia(s.result) === null)
}
