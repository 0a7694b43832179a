// One record of each trace format -> the same neutral chat: turns of text / image / video blocks
// with media as file paths, plus what our own exports add beside the chat (record id, gold
// answer, video flag, wrong-look turns). Each format is checked with its own schema; anything
// else is an error naming the record's part at fault.
import { z } from 'zod'
import type { TraceImportFormat } from '../../shared/contract'
import { StudioError } from '../../shared/contract/errors'
import { IMAGE_PLACEHOLDER, TOOL_CALL_END, TOOL_CALL_START } from '../../shared/toolcall'

export type ChatBlock = { type: 'text'; text: string } | { type: 'image'; path: string } | { type: 'video'; frames: string[] }

export interface ChatTurn {
  role: 'system' | 'user' | 'assistant'
  blocks: ChatBlock[]
}

export interface ImportedChat {
  /** the record's own id (our exports: the trace id; Pixel-Reasoner: qid), if it has one */
  key: string | null
  /** the gold answer, when the record states it */
  answer: string | null
  /** the question's images are a video's frames (TRL / LLaMA-Factory cannot say it otherwise) */
  isVideo: boolean
  /** 0-based assistant turns that are deliberate wrong looks */
  wrongLookTurns: number[]
  turns: ChatTurn[]
}

/** Our extra columns, and the ids other datasets use. */
const Extras = z.object({
  id: z.union([z.string(), z.number()]).nullish(),
  qid: z.union([z.string(), z.number()]).nullish(),
  answer: z.union([z.string(), z.number(), z.array(z.string()).min(1)]).nullish(),
  is_video: z.boolean().nullish(),
  wrong_look_turns: z.array(z.number().int().nonnegative()).nullish()
})

function extras(e: z.infer<typeof Extras>): Omit<ImportedChat, 'turns'> {
  const key = e.id ?? e.qid
  const answer = Array.isArray(e.answer) ? e.answer[0] : e.answer
  return { key: key === null || key === undefined ? null : String(key), answer: answer === null || answer === undefined ? null : String(answer), isVideo: e.is_video ?? false, wrongLookTurns: e.wrong_look_turns ?? [] }
}

function fail(message: string): never {
  throw new StudioError('invalid_input', message)
}

function parseWith<T>(schema: z.ZodType<T>, value: unknown, what: string): T {
  const parsed = schema.safeParse(value)
  if (parsed.success) return parsed.data
  fail(`not a ${what} record: ${parsed.error.issues.slice(0, 3).map((i) => `${i.path.join('.') || '(record)'}: ${i.message}`).join('; ')}`)
}

/** Hands out a row's `images` in the order their placeholders appear. */
function imageQueue(images: readonly string[], used: string): { next: () => string; done: () => void } {
  let i = 0
  return {
    next: () => images[i++] ?? fail(`the ${used} hold more images than the ${images.length} listed in "images"`),
    done: () => {
      if (i !== images.length) fail(`"images" lists ${images.length} files but the ${used} hold ${i} image placeholders`)
    }
  }
}

// ------------------------------------------------------------------ TRL conversational

const TrlRow = Extras.extend({
  messages: z
    .array(
      z.object({
        role: z.enum(['system', 'user', 'assistant']),
        content: z.union([z.string(), z.array(z.union([z.object({ type: z.literal('text'), text: z.string() }), z.object({ type: z.literal('image') })]))])
      })
    )
    .min(2),
  images: z.array(z.string().min(1)).default([])
})

function trlChat(value: unknown): ImportedChat {
  const row = parseWith(TrlRow, value, 'TRL conversational')
  const images = imageQueue(row.images, 'messages')
  const turns = row.messages.map((m): ChatTurn => ({
    role: m.role,
    blocks: typeof m.content === 'string' ? [{ type: 'text', text: m.content }] : m.content.map((c): ChatBlock => (c.type === 'text' ? { type: 'text', text: c.text } : { type: 'image', path: images.next() }))
  }))
  images.done()
  return { ...extras(row), turns }
}

// ------------------------------------------------------------------ LLaMA-Factory ShareGPT

const ShareGptTurn = z.union([
  z.object({ from: z.string(), value: z.string() }).transform((t) => ({ role: t.from, text: t.value })),
  z.object({ role: z.string(), content: z.string() }).transform((t) => ({ role: t.role, text: t.content }))
])

const ShareGptRow = Extras.extend({
  conversations: z.array(ShareGptTurn).min(1).optional(),
  messages: z.array(ShareGptTurn).min(1).optional(),
  system: z.string().nullish(),
  images: z.array(z.string().min(1)).default([]),
  videos: z.array(z.unknown()).nullish()
})

const SHAREGPT_ROLES: Record<string, ChatTurn['role']> = { human: 'user', user: 'user', observation: 'user', gpt: 'assistant', assistant: 'assistant', function_call: 'assistant', system: 'system' }

function llamaFactoryChat(value: unknown): ImportedChat {
  const row = parseWith(ShareGptRow, value, 'LLaMA-Factory ShareGPT')
  const conversation = row.conversations ?? row.messages ?? fail('not a LLaMA-Factory ShareGPT record: it has no "conversations"')
  if (row.videos?.length) fail('"videos" are not supported: give a video as its frames in "images" (with "is_video": true)')
  const images = imageQueue(row.images, 'conversations')
  const turns: ChatTurn[] = row.system ? [{ role: 'system', blocks: [{ type: 'text', text: row.system }] }] : []
  conversation.forEach((t, i) => {
    const role = SHAREGPT_ROLES[t.role] ?? fail(`turn ${i + 1} has the unknown role "${t.role}"`)
    // tools mode: a function_call turn is the call's JSON; the codec reads it as a <tool_call> block
    const text = t.role === 'function_call' ? `${TOOL_CALL_START}\n${t.text}\n${TOOL_CALL_END}` : t.text
    const blocks: ChatBlock[] = []
    text.split('<image>').forEach((piece, k) => {
      if (k > 0) blocks.push({ type: 'image', path: images.next() })
      if (piece !== '') blocks.push({ type: 'text', text: piece })
    })
    turns.push({ role, blocks })
  })
  images.done()
  return { ...extras(row), turns }
}

// ------------------------------------------------------------------ Pixel-Reasoner SFT

// Items are {text} | {image} | {video}; loaded through `datasets` every item carries all keys,
// the unused ones null. A Qwen-style `type` key is tolerated; `image` may list several files.
const PrItem = z
  .object({
    type: z.string().nullish(),
    text: z.string().nullish(),
    image: z.union([z.string().min(1), z.array(z.string().min(1)).min(1)]).nullish(),
    video: z.union([z.string().min(1), z.array(z.string().min(1)).min(1)]).nullish()
  })
  .passthrough()

const PrRecord = Extras.extend({
  message_list: z.array(z.object({ role: z.enum(['system', 'user', 'assistant']), content: z.union([z.string(), z.array(PrItem)]) }).passthrough()).min(2)
})

function pixelReasonerChat(value: unknown): ImportedChat {
  const record = parseWith(PrRecord, value, 'Pixel-Reasoner SFT (message_list)')
  const turns = record.message_list.map((m, t): ChatTurn => {
    if (typeof m.content === 'string') return { role: m.role, blocks: [{ type: 'text', text: m.content }] }
    const blocks: ChatBlock[] = []
    m.content.forEach((item, k) => {
      const present = (['text', 'image', 'video'] as const).filter((key) => item[key] !== null && item[key] !== undefined)
      const where = `turn ${t + 1}, item ${k + 1}`
      if (present.length !== 1) fail(`${where} must hold exactly one of text, image or video (found ${present.length === 0 ? 'none' : present.join(', ')})`)
      if (item.text !== null && item.text !== undefined) blocks.push({ type: 'text', text: item.text })
      else if (item.image !== null && item.image !== undefined) for (const path of [item.image].flat()) blocks.push({ type: 'image', path })
      else if (Array.isArray(item.video)) blocks.push({ type: 'video', frames: item.video })
      else fail(`${where}: a video must be the list of its frame images (a video file is not read here; import it with the samples' video import)`)
    })
    return { role: m.role, blocks }
  })
  return { ...extras(record), turns }
}

export const CHAT_READERS: Record<TraceImportFormat, (value: unknown) => ImportedChat> = {
  trl: trlChat,
  llamafactory: llamaFactoryChat,
  pixelreasoner: pixelReasonerChat
}

/** A turn's content as the chat template would render it: text as is, each image a placeholder. */
export function templateContent(blocks: readonly ChatBlock[]): string {
  return blocks.map((b) => (b.type === 'text' ? b.text : b.type === 'image' ? IMAGE_PLACEHOLDER : IMAGE_PLACEHOLDER.repeat(b.frames.length))).join('')
}
