// The samples a synthesis run selects, read in pages in insertion order, each either usable
// (a Sample with the one cue the recipe retrieves) or a skip with a reason a person can act on.
// Its own query rather than SampleRepository.get: one round trip per page instead of two per
// sample (100k-sample runs), and a broken cue becomes a reason, not an exception.
import { z } from 'zod'
import { MediaRef, VisualCue, type Sample, type SynthesisSelection } from '../../shared/contract'
import type { SampleRow } from '../samples/sample-repository'
import type { Db } from '../store/database'

export type SkipCode = 'no_cue' | 'cue_outside_image' | 'cue_invalid' | 'unreadable_sample'

export type ReadSample = { ok: true; sample: Sample; cue: VisualCue } | { ok: false; sampleId: string; code: SkipCode; message: string }

/** A samples row with its media as a JSON array (json_group_array). */
type Row = SampleRow & { media: string }

const MediaList = z.array(MediaRef)
const Choices = z.array(z.string())

function where(selection: SynthesisSelection): { sql: string; params: Record<string, unknown> } {
  const clauses: string[] = []
  const params: Record<string, unknown> = {}
  if (selection.source) {
    clauses.push('s.source = @source')
    params.source = selection.source
  }
  if (selection.kind) {
    clauses.push('s.kind = @kind')
    params.kind = selection.kind
  }
  if (selection.sampleIds) {
    clauses.push('s.id IN (SELECT value FROM json_each(@ids))')
    params.ids = JSON.stringify(selection.sampleIds)
  }
  return { sql: clauses.join(' AND '), params }
}

/** How many samples the selection holds (its `limit` applied). */
export function countSelected(db: Db, selection: SynthesisSelection): number {
  const w = where(selection)
  const n = db.prepare<Record<string, unknown>, { n: number }>(`SELECT count(*) AS n FROM samples s ${w.sql ? `WHERE ${w.sql}` : ''}`).get(w.params)?.n ?? 0
  return selection.limit === undefined ? n : Math.min(n, selection.limit)
}

function finite(v: unknown): v is number {
  return typeof v === 'number' && Number.isFinite(v)
}

/** The cue the recipe retrieves (the first), checked against the sample's media, or why not. */
export function cueOf(kind: Sample['kind'], media: readonly MediaRef[], cues: unknown): { ok: true; cue: VisualCue } | { ok: false; code: SkipCode; message: string } {
  if (!Array.isArray(cues) || cues.length === 0) {
    return { ok: false, code: 'no_cue', message: `no visual cue to look at: annotate a ${kind === 'video' ? 'set of key frames' : 'box'} where the answer is` }
  }
  const first: unknown = cues[0]
  const raw = (typeof first === 'object' && first !== null ? first : {}) as Record<string, unknown>
  if (raw.kind === 'bbox') {
    if (kind !== 'image') return { ok: false, code: 'cue_invalid', message: 'the cue is a box but the sample is a video: a video needs key frames' }
    const box = raw.bbox
    if (!Array.isArray(box) || box.length !== 4 || !box.every(finite)) return { ok: false, code: 'cue_invalid', message: `the cue box is not 4 numbers: ${JSON.stringify(box)}` }
    if (!box.every((v) => v >= 0 && v <= 1)) {
      return { ok: false, code: 'cue_outside_image', message: `the cue box ${JSON.stringify(box)} reaches outside the image (normalized coordinates must lie in [0, 1])` }
    }
    const index = raw.imageIndex
    if (!Number.isInteger(index) || (index as number) < 0 || (index as number) >= media.length) {
      return { ok: false, code: 'cue_outside_image', message: `the cue is on image ${String(index)} but the sample has ${media.length} image(s)` }
    }
  } else if (raw.kind === 'frames') {
    if (kind !== 'video') return { ok: false, code: 'cue_invalid', message: 'the cue is a set of key frames but the sample is an image: an image needs a box' }
    const frames = raw.frames
    if (!Array.isArray(frames) || frames.length === 0) return { ok: false, code: 'no_cue', message: 'the key-frame cue selects no frame' }
    const bad = frames.find((f) => !Number.isInteger(f) || (f as number) < 0 || (f as number) >= media.length)
    if (bad !== undefined) return { ok: false, code: 'cue_outside_image', message: `key frame ${String(bad)} does not exist (the video has ${media.length} frames, 0-${media.length - 1})` }
  }
  const parsed = VisualCue.safeParse(first)
  if (!parsed.success) return { ok: false, code: 'cue_invalid', message: `the cue is malformed: ${parsed.error.issues.map((i) => `${i.path.join('.') || 'cue'}: ${i.message}`).join('; ')}` }
  return { ok: true, cue: parsed.data }
}

function parse(row: Row): ReadSample {
  let media: MediaRef[]
  let cues: unknown
  let choices: string[] | undefined
  let flags: string[]
  try {
    media = MediaList.parse(JSON.parse(row.media))
    cues = JSON.parse(row.cues)
    choices = row.choices === null ? undefined : Choices.parse(JSON.parse(row.choices))
    flags = Choices.parse(JSON.parse(row.flags))
  } catch {
    return { ok: false, sampleId: row.id, code: 'unreadable_sample', message: 'the sample row is damaged (its media, cues or choices are not valid JSON)' }
  }
  if (media.length === 0) return { ok: false, sampleId: row.id, code: 'unreadable_sample', message: 'the sample has no media' }
  const cue = cueOf(row.kind, media, cues)
  if (!cue.ok) return { ...cue, sampleId: row.id }
  const sample: Sample = {
    id: row.id,
    kind: row.kind,
    question: row.question,
    answer: row.answer,
    answerType: row.answer_type,
    ...(choices ? { choices } : {}),
    source: row.source,
    media,
    cues: Array.isArray(cues) ? (cues as Sample['cues']) : [],
    flags,
    revision: row.revision,
    createdAt: row.created_at
  }
  return { ok: true, sample, cue: cue.cue }
}

/** Pages of the selection in insertion order (seq), `limit` applied. */
export function* readSelected(db: Db, selection: SynthesisSelection, pageSize = 500): Generator<ReadSample> {
  const w = where(selection)
  const statement = db.prepare<Record<string, unknown>, Row>(
    `SELECT s.seq, s.id, s.kind, s.question, s.answer, s.answer_type, s.choices, s.source, s.cues, s.flags, s.revision, s.created_at,
       (SELECT json_group_array(json_object('hash', m.hash, 'mime', m.mime, 'width', m.width, 'height', m.height) ORDER BY sm.position)
        FROM sample_media sm JOIN media m ON m.hash = sm.media_hash WHERE sm.sample_seq = s.seq) AS media
     FROM samples s WHERE s.seq > @after ${w.sql ? `AND ${w.sql}` : ''} ORDER BY s.seq LIMIT @pageSize`
  )
  let after = 0
  let left = selection.limit ?? Number.POSITIVE_INFINITY
  while (left > 0) {
    const rows = statement.all({ ...w.params, after, pageSize: Math.min(pageSize, left) })
    if (rows.length === 0) return
    for (const row of rows) yield parse(row)
    left -= rows.length
    after = rows[rows.length - 1]?.seq ?? after
  }
}

/** Every sample source with its image and video counts (what a run can select). */
export function sampleSources(db: Db): Array<{ source: string; image: number; video: number }> {
  return db
    .prepare<[], { source: string; image: number; video: number }>(
      "SELECT source, sum(kind = 'image') AS image, sum(kind = 'video') AS video FROM samples GROUP BY source ORDER BY source"
    )
    .all()
}
