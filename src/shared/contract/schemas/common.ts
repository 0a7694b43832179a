import { z } from 'zod'

/** Progress of any long job: enough for a bar, a rate and an ETA in the UI and the CLI. */
export const JobProgress = z.object({
  done: z.number().nonnegative(),
  total: z.number().nonnegative().nullable(),
  unit: z.string(),
  message: z.string().optional(),
  ratePerSecond: z.number().nonnegative().optional(),
  etaSeconds: z.number().nonnegative().nullable().optional()
})
export type JobProgress = z.infer<typeof JobProgress>

export const Empty = z.object({}).strict()

/** sha256 hex of a media file's bytes: its name in the content-addressed store. */
export const MediaHash = z.string().regex(/^[0-9a-f]{64}$/, 'expected a sha256 hex digest')
export type MediaHash = z.infer<typeof MediaHash>

export const Id = z.string().min(1).max(128)

/** Free-form lowercase tags on traces and samples: `self_correction`, `check:answer_mismatch`, ... */
export const Flag = z.string().regex(/^[a-z0-9][a-z0-9_:.-]{0,63}$/, 'a flag is 1-64 chars of a-z, 0-9, _ : . -')

/** Who made a change: `human` for edits in the UI, else the job or tool (`synthesis:<job>`, `import`). */
export const Author = z.string().min(1).max(200)

/** Undo/redo/restore of a revisioned record (a trace, a sample): a new revision with the state of an earlier one. */
export const RestoreInput = z
  .object({
    id: Id,
    revision: z.number().int().positive(),
    expectedRevision: z.number().int().positive(),
    action: z.enum(['undo', 'redo', 'restore']).default('restore'),
    author: Author.default('human')
  })
  .strict()

/** One revision of a record: who, when, what, and the whole state after it. */
export function revisionOf<S extends z.ZodType>(state: S) {
  return z.object({ revision: z.number().int().positive(), author: z.string(), action: z.string(), at: z.string(), state })
}
