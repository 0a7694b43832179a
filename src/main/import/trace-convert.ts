// One record of a trace file -> what the importer writes for it, media still as file paths:
// the format's check (trace-formats), the record's ids, and the conversion (chat-to-trace). Pure
// and plain data in, plain data out, so it runs in the import's worker thread
// (trace-import-worker.ts), before record-rows.ts stores its files and lays it out as rows.
import { hash } from 'node:crypto'
import { basename } from 'node:path'
import type { AnswerType, TraceImportFormat } from '../../shared/contract'
import type { Step } from '../../shared/toolcall'
import { chatToTrace } from './chat-to-trace'
import { inferAnswerType } from './answer-type'
import { CHAT_READERS, type ImportedChat } from './trace-formats'

/** Stable ids: the same record of the same file always maps to the same sample and trace. */
export function importIds(file: string, key: string): { sampleId: string; traceId: string } {
  const readable = `import:${basename(file)}:${key}`
  // crypto.hash: the one-shot digest, no Hash object per record
  const sampleId = readable.length <= 128 ? readable : `import:${hash('sha256', readable, 'hex').slice(0, 40)}`
  return { sampleId, traceId: `trace-import-${hash('sha256', sampleId, 'hex').slice(0, 32)}` }
}

export interface ConvertedRecord {
  /** 1-based record number (JSONL: the line) */
  index: number
  sampleId: string
  traceId: string
  kind: 'image' | 'video'
  question: string
  answer: string
  answerType: AnswerType
  /** the question's images or the video's frames, as file paths */
  media: string[]
  /** observation images are file paths (resolveMedia swaps in the stored hashes) */
  steps: Step[]
}

/** A record that cannot be imported; `traceId` when its ids were made (a re-run counts it present if it is). */
export interface RefusedRecord {
  index: number
  message: string
  traceId?: string
}

/** Converts the records of one file in order: a record id repeated in the file gets its record number too. */
export class RecordConverter {
  private readonly keys: Set<string>
  private readonly toChat: (value: unknown) => ImportedChat

  /** `keys`: the record ids of the file's earlier records, when another thread converted those */
  constructor(
    private readonly file: string,
    format: TraceImportFormat,
    keys: Iterable<string> = []
  ) {
    this.toChat = CHAT_READERS[format]
    this.keys = new Set(keys)
  }

  /** The record ids seen so far (to go on converting the file elsewhere). */
  keysSeen(): string[] {
    return [...this.keys]
  }

  /** The record converted, or why it cannot be imported (never throws: one bad record never stops the file). */
  convert(index: number, value: unknown): ConvertedRecord | RefusedRecord {
    let ids: { sampleId: string; traceId: string } | undefined
    try {
      const chat = this.toChat(value)
      let key = chat.key ?? `record-${index}`
      if (this.keys.has(key)) key = `${key}@record-${index}`
      this.keys.add(key)
      ids = importIds(this.file, key)
      const converted = chatToTrace(chat)
      const answer = chat.answer ?? converted.boxed ?? ''
      return { index, ...ids, kind: converted.kind, question: converted.question, answer, answerType: inferAnswerType(answer), media: converted.media, steps: converted.steps }
    } catch (error) {
      return { index, message: error instanceof Error ? error.message : String(error), ...(ids ? { traceId: ids.traceId } : {}) }
    }
  }
}

export function isRefused<T extends object>(r: T | RefusedRecord): r is RefusedRecord {
  return 'message' in r
}
