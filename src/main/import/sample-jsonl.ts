// JSONL of annotated samples, one per line (format in README.md beside this file). Paths are
// relative to the file. Boxes are checked (inside [0,1], not inverted, on an existing image) and
// key frames against the frame count before anything is written.
import { createReadStream } from 'node:fs'
import { readFile } from 'node:fs/promises'
import { basename, dirname, isAbsolute, join } from 'node:path'
import { createInterface } from 'node:readline'
import { z } from 'zod'
import { AnswerType, NormalizedBbox, StudioError, type MediaRef, type VisualCue } from '../../shared/contract'
import type { Project } from '../project/project'
import type { NewSample } from '../samples/sample-repository'
import { inferAnswerType } from './answer-type'
import { ImportTally, messageOf, type ImportOptions, type ImportResult } from './import-result'
import { sampleVideoFrames } from './video-frames'

const Box = z.object({
  bbox: z.tuple([z.number(), z.number(), z.number(), z.number()]),
  image_index: z.number().int().nonnegative().default(0),
  units: z.enum(['normalized', 'pixels']).default('normalized')
})

const JsonlSample = z
  .object({
    id: z.string().min(1).max(100).optional(),
    question: z.string(),
    answer: z.string(),
    answer_type: AnswerType.optional(),
    choices: z.array(z.string()).optional(),
    source: z.string().min(1).optional(),
    images: z.array(z.string().min(1)).min(1).optional(),
    video: z.string().min(1).optional(),
    frames: z.array(z.string().min(1)).min(1).optional(),
    bbox: z.tuple([z.number(), z.number(), z.number(), z.number()]).optional(),
    bboxes: z.array(Box).optional(),
    key_frames: z.array(z.number().int().nonnegative()).min(1).optional()
  })
  .strict()
  .refine((s) => [s.images, s.video, s.frames].filter(Boolean).length === 1, 'give exactly one of "images", "video" or "frames"')
type JsonlSample = z.infer<typeof JsonlSample>

/** A normalized bbox from a box as written; throws a message for the offending record. */
export function toNormalizedBbox(bbox: [number, number, number, number], units: 'normalized' | 'pixels', size: { width: number; height: number }): [number, number, number, number] {
  if (bbox.some((v) => !Number.isFinite(v))) throw new StudioError('invalid_input', `bbox ${JSON.stringify(bbox)} has a non-finite value`)
  const n: [number, number, number, number] = units === 'pixels' ? [bbox[0] / size.width, bbox[1] / size.height, bbox[2] / size.width, bbox[3] / size.height] : bbox
  if (n.some((v) => v < 0 || v > 1)) throw new StudioError('invalid_input', `bbox ${JSON.stringify(bbox)} lies outside the image (${units === 'pixels' ? `${size.width}x${size.height} px` : '[0,1]'})`)
  const parsed = NormalizedBbox.safeParse(n)
  if (!parsed.success) throw new StudioError('invalid_input', `bbox ${JSON.stringify(bbox)} is empty or inverted (need x1 < x2 and y1 < y2)`)
  return parsed.data
}

async function mediaOf(project: Project, root: string, record: JsonlSample, signal?: AbortSignal): Promise<{ kind: 'image' | 'video'; media: MediaRef[] }> {
  const resolvePath = (p: string): string => (isAbsolute(p) ? p : join(root, p))
  const put = async (p: string): Promise<MediaRef> => {
    let bytes: Buffer
    try {
      bytes = await readFile(resolvePath(p))
    } catch {
      throw new StudioError('not_found', `${p} not found`)
    }
    try {
      return await project.media.put(bytes)
    } catch (error) {
      throw new StudioError('invalid_input', `${p}: ${messageOf(error)}`)
    }
  }
  if (record.images) return { kind: 'image', media: await Promise.all(record.images.map(put)) }
  if (record.frames) return { kind: 'video', media: await Promise.all(record.frames.map(put)) }
  const frames = await sampleVideoFrames(resolvePath(record.video ?? ''), undefined, signal)
  return { kind: 'video', media: await Promise.all(frames.map((f) => project.media.put(f))) }
}

export async function importSampleJsonl(project: Project, file: string, options: ImportOptions = {}): Promise<ImportResult> {
  const root = dirname(file)
  const tally = new ImportTally(options)
  const lines = createInterface({ input: createReadStream(file), crlfDelay: Infinity })
  let line = 0
  for await (const text of lines) {
    line++
    if (text.trim() === '') continue
    try {
      let raw: unknown
      try {
        raw = JSON.parse(text)
      } catch (error) {
        throw new StudioError('invalid_input', `not valid JSON (${messageOf(error)}); a truncated file ends like this`)
      }
      const parsed = JsonlSample.safeParse(raw)
      if (!parsed.success) throw new StudioError('invalid_input', parsed.error.issues.map((i) => `${i.path.join('.') || '(record)'}: ${i.message}`).join('; '))
      const record = parsed.data
      const source = record.source ?? `jsonl:${basename(file)}`
      const id = `${source}:${record.id ?? `line-${line}`}`.slice(0, 128)
      if (project.samples.exists(id)) {
        tally.step('present')
        continue
      }
      const { kind, media } = await mediaOf(project, root, record, options.signal)
      const cues: VisualCue[] = []
      const boxes = [...(record.bbox ? [{ bbox: record.bbox, image_index: 0, units: 'normalized' as const }] : []), ...(record.bboxes ?? [])]
      for (const box of boxes) {
        const image = media[box.image_index]
        if (!image || kind === 'video') throw new StudioError('invalid_input', `bbox on image ${box.image_index}, but the sample has ${kind === 'video' ? 'a video' : `${media.length} image(s)`}`)
        cues.push({ kind: 'bbox', imageIndex: box.image_index, bbox: toNormalizedBbox(box.bbox, box.units, image), sourceWidth: image.width, sourceHeight: image.height })
      }
      if (record.key_frames) {
        if (kind !== 'video') throw new StudioError('invalid_input', 'key_frames given for an image sample')
        const beyond = record.key_frames.find((f) => f >= media.length)
        if (beyond !== undefined) throw new StudioError('invalid_input', `key frame ${beyond} does not exist (the video has ${media.length} frames, 0-based)`)
        cues.push({ kind: 'frames', frames: record.key_frames })
      }
      const sample: NewSample = {
        id,
        kind,
        question: record.question,
        answer: record.answer,
        answerType: record.answer_type ?? inferAnswerType(record.answer),
        ...(record.choices ? { choices: record.choices } : {}),
        source,
        media,
        cues
      }
      project.samples.insert(sample)
      tally.step('imported')
    } catch (error) {
      if (options.signal?.aborted) throw error
      if (error instanceof StudioError && error.code === 'failed_precondition') throw error // e.g. no ffmpeg: stop, say why
      tally.step({ file, line, message: messageOf(error) })
    }
  }
  return tally.result()
}
