// Does a base model's chat template support tool calls? The same test as TRL's
// `supports_tool_calling` (trl/chat_template_utils.py, trl 1.13): render user -> assistant with a
// tool call -> tool result, in the multimodal message format TRL uses for processors, and require
// the tool name, argument key, argument value and result text to all survive. GRPO with tools
// refuses a template that fails it, so the experiment checks it before any run starts.
import { existsSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { Template } from '@huggingface/jinja'

const NAME = 'tool_name_a8f3e2b1'
const KEY = 'tool_arg_key_b9d4f5c2'
const VALUE = 'tool_arg_val_d6e7a9f3'
const CONTENT = 'tool_content_c4f9a8e2'

/** TRL's sentinel conversation, after `prepare_multimodal_messages` (text content blocks). */
const MESSAGES = [
  { role: 'user', content: [{ type: 'text', text: 'hi' }] },
  { role: 'assistant', content: [{ type: 'text', text: '' }], tool_calls: [{ type: 'function', function: { name: NAME, arguments: { [KEY]: VALUE } } }] },
  { role: 'tool', name: NAME, content: [{ type: 'text', text: CONTENT }] }
]

export function supportsToolCalling(template: string | null): boolean {
  if (!template) return false
  let rendered: string
  try {
    rendered = new Template(template).render({ messages: MESSAGES, add_generation_prompt: false, bos_token: '', eos_token: '' })
  } catch {
    return false
  }
  return [NAME, KEY, VALUE, CONTENT].every((s) => rendered.includes(s))
}

/** The chat template a model folder carries, where transformers looks: chat_template.jinja, chat_template.json, tokenizer_config.json. */
export function folderChatTemplate(dir: string): string | null {
  const jinja = join(dir, 'chat_template.jinja')
  if (existsSync(jinja)) return readFileSync(jinja, 'utf8')
  for (const file of ['chat_template.json', 'tokenizer_config.json']) {
    const path = join(dir, file)
    if (!existsSync(path)) continue
    const value: unknown = (JSON.parse(readFileSync(path, 'utf8')) as { chat_template?: unknown }).chat_template
    if (typeof value === 'string') return value
    if (Array.isArray(value)) {
      const named = value.find((t: unknown): t is { name: string; template: string } => typeof t === 'object' && t !== null && (t as { name?: unknown }).name === 'default')
      if (named) return named.template
    }
  }
  return null
}

export const QWEN_VL_TYPES = ['qwen2_vl', 'qwen2_5_vl'] as const

export function folderModelType(dir: string): string | null {
  const path = join(dir, 'config.json')
  if (!existsSync(path)) return null
  const type: unknown = (JSON.parse(readFileSync(path, 'utf8')) as { model_type?: unknown }).model_type
  return typeof type === 'string' ? type : null
}
