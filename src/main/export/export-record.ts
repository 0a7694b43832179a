// What an exporter receives: one trace in the codec's form (src/shared/toolcall), its gold answer,
// and which assistant turns are deliberate wrong looks (kept in the text, masked from the loss
// where the target format can say so).
import { copyFile, mkdir } from 'node:fs/promises'
import { existsSync } from 'node:fs'
import { basename, join } from 'node:path'
import type { AnswerType } from '../../shared/contract'
import type { Trace } from '../../shared/toolcall'

export interface ExportRecord {
  id: string
  /** the sample the trace answers (RL exports write one query per sample; trainers report rollouts per sample) */
  sampleId: string
  trace: Trace
  gold: string
  answerType: AnswerType
  source: string
  /** 0-based indexes of assistant turns that are deliberate wrong looks */
  wrongLookTurns: number[]
  /** the side of the snapshot's train/validation split (absent: train) */
  split?: 'train' | 'validation'
}

/**
 * Copies each media file into <out>/images once and returns its path as the data file writes it:
 * relative to <out>, or absolute under `absoluteRoot` (the folder the export ends up in, which
 * differs from `outDir` while it is staged). A trace's media refs are store hashes; `pathOf`
 * finds the file (named <hash>.<ext> in the store).
 */
export class MediaWriter {
  private readonly written = new Set<string>()

  constructor(
    private readonly outDir: string,
    private readonly pathOf: (ref: string) => string,
    private readonly absoluteRoot: string | null = null
  ) {}

  /** how many distinct media files were written */
  get count(): number {
    return this.written.size
  }

  async write(ref: string): Promise<string> {
    const source = this.pathOf(ref)
    const rel = join('images', basename(source))
    if (!this.written.has(ref)) {
      const target = join(this.outDir, rel)
      if (!existsSync(target)) {
        await mkdir(join(this.outDir, 'images'), { recursive: true })
        await copyFile(source, target)
      }
      this.written.add(ref)
    }
    return this.absoluteRoot === null ? rel : join(this.absoluteRoot, rel)
  }
}
