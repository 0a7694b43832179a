// Content-addressed media: a file's name is the sha256 of its bytes, so the same image imported
// twice is stored once, crops are computed once, and a hash in a trace can never point at
// different pixels later. Rows in `media` record what the file is; files live under media/ab/
// (media-files.ts).
import { MediaHash, type MediaRef } from '../../shared/contract'
import type { Db } from '../store/database'
import { MediaFiles, mediaHash, mediaRef, type StoredMedia } from './media-files'

export class MediaStore {
  readonly files: MediaFiles
  private readonly getRow
  private readonly insertRow

  constructor(root: string, db: Db) {
    this.files = new MediaFiles(root)
    this.getRow = db.prepare<[string], MediaRef>('SELECT hash, mime, width, height FROM media WHERE hash = ?')
    this.insertRow = db.prepare<[string, MediaRef['mime'], number, number, number, string]>(
      'INSERT OR IGNORE INTO media (hash, mime, width, height, bytes, created_at) VALUES (?, ?, ?, ?, ?, ?)'
    )
  }

  get root(): string {
    return this.files.root
  }

  /** Stores image bytes (PNG, JPEG or WebP) and returns their reference. Rejects anything else. */
  async put(bytes: Buffer): Promise<MediaRef> {
    const hash = mediaHash(bytes)
    const known = this.get(hash)
    if (known) return known
    const stored = await this.files.put(bytes, hash)
    this.record([stored])
    return mediaRef(stored)
  }

  /** The rows of files already stored (MediaFiles.put: a trace import's worker stores them); present ones are left as they are. */
  record(media: readonly StoredMedia[]): void {
    const at = new Date().toISOString()
    for (const m of media) this.insertRow.run(m.hash, m.mime, m.width, m.height, m.bytes, at)
  }

  get(hash: string): MediaRef | undefined {
    if (!MediaHash.safeParse(hash).success) return undefined
    return this.getRow.get(hash)
  }

  /** Where a media file lives; only ever built from a validated hash, so no path can escape root. */
  pathOf(ref: Pick<MediaRef, 'hash' | 'mime'>): string {
    return this.files.pathOf(ref)
  }

  /** Resolves a hash from an untrusted URL to a file of this store, or undefined. */
  resolve(hash: string): { path: string; mime: MediaRef['mime'] } | undefined {
    const ref = this.get(hash)
    return ref ? { path: this.pathOf(ref), mime: ref.mime } : undefined
  }
}
