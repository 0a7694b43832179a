// Pixel-Reasoner SFT format (the released TIGER-Lab/PixelReasoner-SFT-Data, read by
// instruction_tuning/sft_tool.py): a JSON array of records, each with `message_list` =
// [{role, content: [{type: "text", text} | {type: "image", image} | {type: "video", video: [...]}]}].
// Every item carries its "type": qwen-vl-utils 0.0.10's extract_vision_info reads ele["type"] of
// every item without an image/video key, so a text item without one raises KeyError: 'type'
// (0.0.11 accepts it). The trainer opens media paths as given (no root is prefixed: sft_tool.py /
// qwen_module.py pass message_list straight to process_vision_info), so they are absolute by
// default (ExportOptions.mediaRoot). Every turn is the codec's rendering (system with the tools
// block, calls as exact <tool_call> text, observations as user turns), except that the question
// turn puts its text FIRST: the reference loader reads a video at `message[1]['content'][1]`
// (qwen_module.py prepare_from_msg_2_vlm_inputs), so the released records hold [text, media].
// Extra keys (`qid`, `answer`, `wrong_look_turns`) are ignored by the reference and read back by
// our import.
import { renderMessages, type RenderOptions } from '../../shared/toolcall'
import type { ExportRecord, MediaWriter } from './export-record'

export type PixelReasonerContent = { type: 'text'; text: string } | { type: 'image'; image: string } | { type: 'video'; video: string[] }

export interface PixelReasonerRecord {
  message_list: Array<{ role: 'system' | 'user' | 'assistant'; content: PixelReasonerContent[] }>
  qid: string
  answer: string
  wrong_look_turns: number[]
}

export async function toPixelReasonerRecord(record: ExportRecord, media: MediaWriter, options: RenderOptions = {}): Promise<PixelReasonerRecord> {
  const messageList: PixelReasonerRecord['message_list'] = []
  for (const [index, message] of renderMessages(record.trace, options).entries()) {
    const blocks = index === 1 ? [...message.content.filter((c) => c.type === 'text'), ...message.content.filter((c) => c.type !== 'text')] : message.content
    const content: PixelReasonerContent[] = []
    for (const c of blocks) {
      if (c.type === 'text') content.push({ type: 'text', text: c.text })
      else if (c.type === 'image') content.push({ type: 'image', image: await media.write(c.image) })
      else {
        const frames: string[] = []
        for (const frame of c.frames) frames.push(await media.write(frame))
        content.push({ type: 'video', video: frames })
      }
    }
    messageList.push({ role: message.role, content })
  }
  return { message_list: messageList, qid: record.id, answer: record.gold, wrong_look_turns: record.wrongLookTurns }
}
