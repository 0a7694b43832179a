import { z } from 'zod'
import { Author, Flag, Id, RestoreInput, revisionOf } from './common'
import { MediaRef } from './media'

const unit = z.number().min(0).max(1)

/** Normalized [x1, y1, x2, y2] with x1 < x2 and y1 < y2: how every box is stored. */
export const NormalizedBbox = z
  .tuple([unit, unit, unit, unit])
  .refine(([x1, y1, x2, y2]) => x1 < x2 && y1 < y2, 'bbox must satisfy x1 < x2 and y1 < y2 (non-empty, not inverted)')
export type NormalizedBbox = z.infer<typeof NormalizedBbox>

/** Where the answer is: a region of one image, or the key frames of a video. */
export const VisualCue = z.discriminatedUnion('kind', [
  z.object({
    kind: z.literal('bbox'),
    /** 0-based index into the sample's media */
    imageIndex: z.number().int().nonnegative(),
    bbox: NormalizedBbox,
    /** size of the image the box was drawn on, to convert back to pixels exactly */
    sourceWidth: z.number().int().positive(),
    sourceHeight: z.number().int().positive()
  }),
  z.object({
    kind: z.literal('frames'),
    /** 0-based indices into the sample's frames */
    frames: z.array(z.number().int().nonnegative()).min(1)
  })
])
export type VisualCue = z.infer<typeof VisualCue>

export const AnswerType = z.enum(['multiple_choice', 'number', 'free_text'])
export type AnswerType = z.infer<typeof AnswerType>

export const SampleKind = z.enum(['image', 'video'])
export type SampleKind = z.infer<typeof SampleKind>

export const Sample = z.object({
  id: Id,
  kind: SampleKind,
  question: z.string(),
  answer: z.string(),
  answerType: AnswerType,
  choices: z.array(z.string()).optional(),
  source: z.string(),
  /** the images, or a video's sampled frames in order */
  media: z.array(MediaRef).min(1),
  cues: z.array(VisualCue),
  /** free-form tags, like a trace's (`ambiguous`, `bad_gold`...) */
  flags: z.array(Flag),
  /** every edit of question, gold answer, answer type, choices or flags is a new revision */
  revision: z.number().int().positive(),
  createdAt: z.string()
})
export type Sample = z.infer<typeof Sample>

/** What one sample revision holds: everything an edit can change. */
export const SampleState = z.object({
  question: z.string().min(1),
  answer: z.string().min(1),
  answerType: AnswerType,
  choices: z.array(z.string()).optional(),
  flags: z.array(Flag)
})
export type SampleState = z.infer<typeof SampleState>

export const SampleUpdateInput = z
  .object({
    id: Id,
    /** the revision the change was made against; a newer one is a conflict, nothing is written */
    expectedRevision: z.number().int().positive(),
    question: z.string().min(1).max(20_000).optional(),
    answer: z.string().min(1).max(2_000).optional(),
    answerType: AnswerType.optional(),
    /** null removes the choices */
    choices: z.array(z.string().min(1).max(2_000)).max(26).nullable().optional(),
    flags: z.array(Flag).optional(),
    action: z.string().min(1).max(200).default('edit sample'),
    author: Author.default('human')
  })
  .strict()
export type SampleUpdateInput = z.input<typeof SampleUpdateInput>

export const SampleRestoreInput = RestoreInput

export const SampleRevision = revisionOf(SampleState)
export type SampleRevision = z.infer<typeof SampleRevision>

export const SampleSummary = Sample.pick({ id: true, kind: true, question: true, answer: true, source: true }).extend({
  thumb: MediaRef,
  mediaCount: z.number().int().nonnegative(),
  cueCount: z.number().int().nonnegative()
})
export type SampleSummary = z.infer<typeof SampleSummary>

export const SampleListInput = z
  .object({
    offset: z.number().int().nonnegative().default(0),
    limit: z.number().int().min(1).max(500).default(100),
    kind: SampleKind.optional(),
    /** e.g. "bench:vstar" */
    source: z.string().min(1).max(200).optional()
  })
  .strict()

export const SamplePage = z.object({ total: z.number().int().nonnegative(), items: z.array(SampleSummary) })
export type SamplePage = z.infer<typeof SamplePage>
