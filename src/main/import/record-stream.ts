// Records of a data file, streamed: JSONL (one record per line) or one JSON array of records
// (LLaMA-Factory, Pixel-Reasoner SFT), told apart by the first non-blank character. An array is
// split into its elements by a small scanner (strings, escapes, nesting) so a file far larger
// than memory streams record by record, and a truncated file still yields every whole record
// before it, then one error for the record it cuts off. Each record carries how far into the
// file the reader is (`bytes`): progress is bytes read over the file's size, no counting pass.
import { createReadStream } from 'node:fs'
import { open } from 'node:fs/promises'
import { messageOf } from './import-result'

/** `bytes`: the file read up to here (JSONL: the end of the record's line; an array: of the block holding its end) */
export type RecordEntry = { index: number; bytes: number; ok: true; value: unknown } | { index: number; bytes: number; ok: false; message: string }

interface RecordText {
  index: number
  text: string
  cut: boolean
  bytes: number
}

const READ_BLOCK = 1 << 20

async function firstChar(file: string): Promise<string | null> {
  const handle = await open(file, 'r')
  try {
    const buffer = Buffer.alloc(4096)
    for (let position = 0; ; position += buffer.length) {
      const { bytesRead } = await handle.read(buffer, 0, buffer.length, position)
      if (bytesRead === 0) return null
      const text = buffer.subarray(0, bytesRead).toString('utf8').replace(/^\uFEFF/, '')
      const match = /\S/.exec(text)
      if (match) return match[0]
    }
  } finally {
    await handle.close()
  }
}

function parse(index: number, bytes: number, text: string): RecordEntry {
  try {
    return { index, bytes, ok: true, value: JSON.parse(text) as unknown }
  } catch (error) {
    return { index, bytes, ok: false, message: `not valid JSON (${messageOf(error)})` }
  }
}

const NEWLINE = 10
const CR = 13

/** Lines split on the bytes (a newline byte is never inside a UTF-8 character): exact byte positions, no readline. */
async function* jsonlTexts(file: string, after: number): AsyncGenerator<RecordText> {
  let rest: Buffer | null = null // a line begun in an earlier block
  let position = 0 // bytes before the current block
  let index = 0
  const line = (bytes: Buffer, end: number): RecordText | null => {
    index++
    if (index <= after) return null // skipped: not even decoded
    let text = bytes.toString('utf8', 0, bytes.length > 0 && bytes[bytes.length - 1] === CR ? bytes.length - 1 : bytes.length)
    if (index === 1 && text.charCodeAt(0) === 0xfeff) text = text.slice(1)
    return text.trim() === '' ? null : { index, text, cut: false, bytes: end }
  }
  for await (const block of createReadStream(file, { highWaterMark: READ_BLOCK }) as AsyncIterable<Buffer>) {
    let from = 0
    for (let at = block.indexOf(NEWLINE); at !== -1; at = block.indexOf(NEWLINE, from)) {
      const piece = rest ? Buffer.concat([rest, block.subarray(from, at)]) : block.subarray(from, at)
      rest = null
      const entry = line(piece, position + at + 1)
      if (entry) yield entry
      from = at + 1
    }
    if (from < block.length) rest = rest ? Buffer.concat([rest, block.subarray(from)]) : Buffer.from(block.subarray(from))
    position += block.length
  }
  if (rest) {
    const entry = line(rest, position)
    if (entry) yield entry
  }
}

/** Splits a top-level JSON array into element texts; `cut` marks an element the file ends inside. */
async function* arrayTexts(file: string): AsyncGenerator<RecordText> {
  let phase: 'start' | 'between' | 'element' | 'end' = 'start'
  let pending = '' // the current element's text from earlier chunks
  let depth = 0
  let inString = false
  let escaped = false
  let index = 0
  const stream = createReadStream(file, { encoding: 'utf8', highWaterMark: READ_BLOCK })
  for await (const chunk of stream as AsyncIterable<string>) {
    const bytes = stream.bytesRead
    let from = 0 // where the current element starts in this chunk
    for (let i = 0; i < chunk.length; i++) {
      const c = chunk.charCodeAt(i)
      if (phase === 'element') {
        if (inString) {
          if (escaped) escaped = false
          else if (c === 92 /* \ */) escaped = true
          else if (c === 34 /* " */) inString = false
          continue
        }
        if (c === 34) inString = true
        else if (c === 123 /* { */ || c === 91 /* [ */) depth++
        else if (c === 125 /* } */ || c === 93 /* ] */) {
          if (depth === 0) {
            // a bare value ended by the array's closing bracket
            yield { index, text: pending + chunk.slice(from, i), cut: false, bytes }
            pending = ''
            phase = 'end'
            continue
          }
          depth--
          if (depth === 0) {
            yield { index, text: pending + chunk.slice(from, i + 1), cut: false, bytes }
            pending = ''
            phase = 'between'
          }
        } else if (c === 44 /* , */ && depth === 0) {
          yield { index, text: pending + chunk.slice(from, i), cut: false, bytes }
          pending = ''
          phase = 'between'
        }
        continue
      }
      if (c === 32 || c === 10 || c === 13 || c === 9 || c === 0xfeff) continue
      if (phase === 'start') {
        if (c !== 91) throw new Error('the file is not a JSON array')
        phase = 'between'
      } else if (phase === 'between') {
        if (c === 44) continue
        if (c === 93) {
          phase = 'end'
          continue
        }
        phase = 'element'
        index++
        from = i
        depth = c === 123 || c === 91 ? 1 : 0
        inString = c === 34
        escaped = false
      }
      // 'end': anything after the closing bracket is ignored
    }
    if (phase === 'element') pending += chunk.slice(from)
  }
  if (phase === 'element') yield { index, text: pending, cut: true, bytes: stream.bytesRead }
}

async function* texts(file: string, after: number): AsyncGenerator<RecordText> {
  if ((await firstChar(file)) === '[') {
    for await (const t of arrayTexts(file)) if (t.index > after) yield t
  } else yield* jsonlTexts(file, after)
}

/** Every record of the file with its 1-based number (JSONL: its line), or why it is unreadable; `after`: from the record after that number on (the ones before are not parsed). */
export async function* readRecords(file: string, after = 0): AsyncGenerator<RecordEntry> {
  for await (const { index, text, cut, bytes } of texts(file, after)) {
    const entry = parse(index, bytes, text)
    yield entry.ok || !cut ? entry : { index, bytes, ok: false, message: 'the file ends inside this record (truncated?)' }
  }
}
