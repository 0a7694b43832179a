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
