// Exporting a dataset snapshot to files a trainer reads: TRL conversational JSONL, LLaMA-Factory
// ShareGPT (+ dataset_info.json), verl RL parquet, or the Pixel-Reasoner SFT JSON.
import { z } from 'zod'
import { CropToolName } from '../../toolcall/steps'
import { Id } from './common'

export const ExportFormat = z.enum(['trl', 'llamafactory', 'verl', 'pixelreasoner'])
export type ExportFormat = z.infer<typeof ExportFormat>

export const SnapshotExportInput = z
  .object({
    snapshotId: Id,
    format: ExportFormat,
    /** a new or empty folder; the export is written beside it and renamed into place when whole */
    outDir: z.string().min(1).max(4096),
    /** the data file's name (and LLaMA-Factory dataset key); default: from the snapshot name */
    name: z
      .string()
      .regex(/^[A-Za-z0-9][A-Za-z0-9_.-]{0,99}$/, 'a name is 1-100 chars of A-Z, a-z, 0-9, _ . - (it names a file)')
      .optional(),
    /** the crop tool's name in prompts and calls (the reference: crop_image_normalized) */
    cropToolName: CropToolName.default('crop_image_normalized'),
    /** LLaMA-Factory: calls kept as <tool_call> text (exact chat) or as function_call turns */
    llamaFactoryMode: z.enum(['text', 'tools']).default('text'),
    /**
     * media paths in the data file: absolute (default for trl and pixelreasoner, whose trainers
     * open paths as given) or relative to the export folder (default for llamafactory)
     */
    mediaPaths: z.enum(['absolute', 'relative']).optional()
  })
  .strict()
  .refine((i) => i.format !== 'verl' || i.cropToolName !== 'zoom_in', { message: 'verl exports name the crop tool crop_image_normalized or crop_image', path: ['cropToolName'] })
export type SnapshotExportInput = z.input<typeof SnapshotExportInput>

export const SnapshotExportResult = z.object({
  /** the jobs row that records this export (Snapshot.usedBy lists it) */
  jobId: Id,
  outDir: z.string(),
  format: ExportFormat,
  /** files written, relative to outDir (images/ not listed one by one) */
  files: z.array(z.string()),
  /** rows written: traces, or for verl one query per sample (both files of a split) */
  records: z.number().int().nonnegative(),
  /** of those, rows in the held-out file (the snapshot's validation side); 0 without a split */
  validationRecords: z.number().int().nonnegative(),
  images: z.number().int().nonnegative(),
  manifest: z.string()
})
export type SnapshotExportResult = z.infer<typeof SnapshotExportResult>
