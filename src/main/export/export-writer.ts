// Writes a stream of records in one target format into a folder: the data file, the media it
// references (copied once each), and for LLaMA-Factory its dataset_info.json. Streaming, so a
// million-trace snapshot never sits in memory; cancellable between records. With `evalName`,
// records on the validation side of the snapshot's split go to a second data file (TRL's eval
// set, LLaMA-Factory's eval_dataset, Pixel-Reasoner's second SFT file), in the same pass.
import { createWriteStream } from 'node:fs'
import { mkdir, writeFile } from 'node:fs/promises'
import { join, resolve } from 'node:path'
import { once } from 'node:events'
import type { JobProgress } from '../../shared/contract'
import type { RenderOptions } from '../../shared/toolcall'
import { ProgressMeter } from '../jobs/progress-meter'
import { MediaWriter, type ExportRecord } from './export-record'
import { datasetInfo, toShareGptRow, type LlamaFactoryMode } from './llamafactory'
import { toPixelReasonerRecord } from './pixelreasoner'
import { toTrlRow } from './trl'

export type ExportFormat = 'trl' | 'llamafactory' | 'pixelreasoner'

export interface ExportOptions {
  format: ExportFormat
  outDir: string
  /** dataset name (file name and dataset_info key) */
  name: string
  /** the held-out set's name: validation records go to its own file */
  evalName?: string
  mode?: LlamaFactoryMode
  render?: RenderOptions
  total?: number | null
  signal?: AbortSignal
  onProgress?: (p: JobProgress) => void
  pathOf: (ref: string) => string
  /**
   * Where the media paths in the data file point: an absolute folder (the export's final place),
   * or null for paths relative to the data file's folder. Default: absolute at `outDir` for trl
   * and pixelreasoner (their trainers open paths as given, relative to the working directory),
   * relative for llamafactory (it resolves them against its dataset_dir).
   */
  mediaRoot?: string | null
}

/** The default of ExportOptions.mediaRoot for a format. */
export function defaultMediaRoot(format: ExportFormat, outDir: string): string | null {
  return format === 'llamafactory' ? null : resolve(outDir)
}

export interface ExportSummary {
  file: string
  records: number
  /** distinct media files written under images/ */
  images: number
  files: string[]
  /** records written to the eval file (0 without one) */
  evalRecords: number
  evalFile: string | null
}

/** One data file being written: a JSON array or JSON lines, with backpressure. */
class RowFile {
  readonly out
  count = 0

  constructor(
    readonly path: string,
    private readonly array: boolean
  ) {
    this.out = createWriteStream(path)
  }

  async open(): Promise<void> {
    if (this.array) await this.write('[\n')
  }

  async add(row: string): Promise<void> {
    await this.write(this.array ? `${this.count > 0 ? ',\n' : ''}${row}` : `${row}\n`)
    this.count++
  }

  async finish(): Promise<void> {
    if (this.array) await this.write('\n]\n')
  }

  async close(): Promise<void> {
    this.out.end()
    await once(this.out, 'close')
  }

  private async write(text: string): Promise<void> {
    if (!this.out.write(text)) await once(this.out, 'drain')
  }
}

/** Per format: the data file's extension, whether rows form one JSON array, and the row itself. */
const ROWS: Record<ExportFormat, { ext: 'jsonl' | 'json'; array: boolean; row: (record: ExportRecord, media: MediaWriter, options: ExportOptions) => Promise<unknown> }> = {
  trl: { ext: 'jsonl', array: false, row: (record, media, o) => toTrlRow(record, media, o.render) },
  llamafactory: { ext: 'json', array: true, row: (record, media, o) => toShareGptRow(record, media, o.mode, o.render) },
  pixelreasoner: { ext: 'json', array: true, row: (record, media, o) => toPixelReasonerRecord(record, media, o.render) }
}

export async function exportRecords(records: AsyncIterable<ExportRecord> | Iterable<ExportRecord>, options: ExportOptions): Promise<ExportSummary> {
  await mkdir(options.outDir, { recursive: true })
  const format = ROWS[options.format]
  const media = new MediaWriter(options.outDir, options.pathOf, options.mediaRoot === undefined ? defaultMediaRoot(options.format, options.outDir) : options.mediaRoot)
  const meter = new ProgressMeter('traces')
  const file = `${options.name}.${format.ext}`
  const evalFile = options.evalName ? `${options.evalName}.${format.ext}` : null
  const train = new RowFile(join(options.outDir, file), format.array)
  const held = evalFile ? new RowFile(join(options.outDir, evalFile), format.array) : null
  let count = 0
  try {
    await train.open()
    await held?.open()
    for await (const record of records) {
      options.signal?.throwIfAborted()
      const row = JSON.stringify(await format.row(record, media, options))
      await (held && record.split === 'validation' ? held : train).add(row)
      count++
      if (count % 100 === 0) options.onProgress?.(meter.update(count, options.total ?? null))
    }
    await train.finish()
    await held?.finish()
  } finally {
    await train.close()
    await held?.close()
  }
  const files = evalFile ? [file, evalFile] : [file]
  if (options.format === 'llamafactory') {
    const info = { ...datasetInfo(options.name, file, options.mode ?? 'text'), ...(options.evalName && evalFile ? datasetInfo(options.evalName, evalFile, options.mode ?? 'text') : {}) }
    await writeFile(join(options.outDir, 'dataset_info.json'), `${JSON.stringify(info, null, 2)}\n`)
    files.push('dataset_info.json')
  }
  options.onProgress?.(meter.update(count, count))
  return { file: join(options.outDir, file), records: train.count, images: media.count, files, evalRecords: held?.count ?? 0, evalFile: evalFile ? join(options.outDir, evalFile) : null }
}
