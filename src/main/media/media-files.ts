// A project's media files, without its database: content-addressed (a file's name is the sha256
// of its bytes), each written once, write-then-rename. MediaStore (media-store.ts) records them as
// rows; a trace import's worker thread stores the files its records name here and hands the rows
// to the writing thread (import/record-rows.ts), so the files need no database connection.
import { createHash, randomBytes } from 'node:crypto'
import { existsSync } from 'node:fs'
import { mkdir, rename, rm, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import sharp from 'sharp'
import { StudioError, type MediaRef } from '../../shared/contract'

const MIME_BY_FORMAT: Record<string, MediaRef['mime']> = { png: 'image/png', jpeg: 'image/jpeg', webp: 'image/webp' }
const EXT_BY_MIME: Record<MediaRef['mime'], string> = { 'image/png': 'png', 'image/jpeg': 'jpg', 'image/webp': 'webp' }

/** A stored file: its reference and its size (the `media` row's columns). */
export interface StoredMedia extends MediaRef {
  bytes: number
}

export function mediaHash(bytes: Buffer): string {
  return createHash('sha256').update(bytes).digest('hex')
}

/** The reference alone (a StoredMedia carries its size too). */
export function mediaRef(m: MediaRef): MediaRef {
  return { hash: m.hash, mime: m.mime, width: m.width, height: m.height }
}

export class MediaFiles {
  constructor(readonly root: string) {}

  /** Stores image bytes (PNG, JPEG or WebP: anything else is refused) under their hash, unless there already. */
  async put(bytes: Buffer, hash = mediaHash(bytes)): Promise<StoredMedia> {
    let meta: Awaited<ReturnType<ReturnType<typeof sharp>['metadata']>>
    try {
      meta = await sharp(bytes).metadata()
    } catch (error) {
      throw new StudioError('invalid_input', `not a readable image: ${error instanceof Error ? error.message : String(error)}`)
    }
    const mime = meta.format ? MIME_BY_FORMAT[meta.format] : undefined
    if (!mime || !meta.width || !meta.height) {
      throw new StudioError('invalid_input', `unsupported image format "${meta.format ?? 'unknown'}" (expected PNG, JPEG or WebP)`)
    }
    const stored: StoredMedia = { hash, mime, width: meta.width, height: meta.height, bytes: bytes.length }
    const file = this.pathOf(stored)
    if (!existsSync(file)) {
      await mkdir(join(this.root, hash.slice(0, 2)), { recursive: true })
      // write-then-rename: a crash never leaves a truncated file under a valid hash
      const tmp = `${file}.${randomBytes(4).toString('hex')}.tmp`
      await writeFile(tmp, bytes)
      await rename(tmp, file).catch(async (error: unknown) => {
        await rm(tmp, { force: true })
        throw error
      })
    }
    return stored
  }

  /** Where a media file lives; only ever built from a validated hash, so no path can escape root. */
  pathOf(ref: Pick<MediaRef, 'hash' | 'mime'>): string {
    return join(this.root, ref.hash.slice(0, 2), `${ref.hash}.${EXT_BY_MIME[ref.mime]}`)
  }
}
