// One prompt format everywhere: the same trajectory (an accepted trace of the sample project,
// exported for TRL) rendered to token ids by each path that feeds a model, on the tiny Qwen2.5-VL
// built by resources/trainer/tiny_qwen with the studio chat template:
//   - the TRL SFT collator (what SFT trains on);
//   - a TRL GRPO rollout made by GRPOTrainer's own methods (prompt with the environment's tools,
//     generated turns, the environment's real crop result as TRL appends it);
//   - the export's messages through the chat template, with and without tools;
//   - the studio agent loop (its prompt preparation, transformers.js over the same folder).
// All must be the same ids; the template must pass TRL's tool-calling and prefix checks.
import { execFileSync, spawnSync } from 'node:child_process'
import { cpSync, readFileSync } from 'node:fs'
import { dirname, join, resolve } from 'node:path'
import sharp from 'sharp'
import { beforeAll, describe, expect, it } from 'vitest'
import { systemPrompt, VCOT_GUIDELINE } from '../../src/main/inference/agent-loop'
import { transformers } from '../../src/main/inference/transformers-adapter'
import { preparePrompt, type ChatContent, type ChatMessage, type VlmImage } from '../../src/main/inference/vlm-session'
import { systemText, userText } from '../../src/shared/toolcall'
import { trainerPython } from '../helpers/python'
import { tempDir } from '../helpers/temp'
import { buildTrainingData, type TrainingData } from './training-data'

interface Rendered {
  sft: number[]
  grpo: number[]
  export_tools: number[]
  export_plain: number[]
  observations: string[]
  supports_tool_calling: boolean
  prefix_preserving: boolean
  env_image_fields: Record<string, string>
  text_only_tools: number
  text_only_prompt: string
}

interface ExportRow {
  messages: Array<{ role: 'system' | 'user' | 'assistant'; content: Array<{ type: 'image' } | { type: 'text'; text: string }> }>
  images: string[]
}

const root = tempDir('pixel-studio-prompt-format-')
const modelDir = join(root, 'tiny-qwen')
let data: TrainingData
let rendered: Rendered
let row: ExportRow

beforeAll(async () => {
  execFileSync(trainerPython(), ['resources/trainer/tiny_qwen/make_tiny_qwen.py', modelDir, '--seed', '1'], { stdio: 'pipe', timeout: 180_000 })
  data = await buildTrainingData(root)
  const run = spawnSync(trainerPython(), ['test/training/fixtures/render_paths.py', modelDir, data.file, '0'], { encoding: 'utf8', timeout: 300_000 })
  if (run.status !== 0) throw new Error(`render_paths.py failed: ${run.stderr.slice(-2000)}`)
  rendered = JSON.parse(run.stdout.trim().split('\n').at(-1) ?? '') as Rendered
  row = JSON.parse(readFileSync(data.file, 'utf8').split('\n')[0] ?? '') as ExportRow
}, 600_000)

async function loadImage(path: string): Promise<VlmImage> {
  const { data: pixels, info } = await sharp(path).removeAlpha().raw().toBuffer({ resolveWithObject: true })
  return { width: info.width, height: info.height, channels: 3, data: new Uint8Array(pixels.buffer, pixels.byteOffset, pixels.byteLength) }
}

describe('one prompt format (tiny Qwen2.5-VL, studio chat template)', () => {
  it('gives TRL\'s environment path image fields it can split, and the text-only arm a prompt without tools, as the agent loop at maxOperations 0', () => {
    expect(rendered.env_image_fields).toEqual({ pixel_values: 'Tensor', image_grid_thw: 'Tensor' })
    expect(rendered.text_only_tools).toBe(0)
    expect(rendered.text_only_prompt).toContain(`<|im_start|>system\n${systemPrompt('crop_image_normalized', false)}<|im_end|>`)
    expect(rendered.text_only_prompt).not.toContain('<tools>')
  })

  it('passes TRL supports_tool_calling and the prefix-preserving check', () => {
    expect(rendered.supports_tool_calling).toBe(true)
    expect(rendered.prefix_preserving).toBe(true)
  })

  it('SFT collator, GRPO rollout and the export (with and without tools) give the same token ids', () => {
    expect(rendered.sft.length).toBeGreaterThan(50)
    expect(rendered.export_tools).toEqual(rendered.sft)
    expect(rendered.export_plain).toEqual(rendered.sft)
    // a rollout ends on the EOS it generated; the rendered conversation adds the turn's "\n"
    expect(rendered.grpo).toEqual(rendered.sft.slice(0, -1))
    // the environment's crop (shared pixel-op rules) has the size of the exported observation
    const exported = row.messages.filter((m) => m.role === 'user').slice(1).map((m) => m.content.flatMap((c) => (c.type === 'text' ? [c.text] : [])).join(''))
    expect(rendered.observations).toEqual(exported)
  })

  it('the agent loop (transformers.js) sends the same ids at every turn', async () => {
    const tf = await transformers()
    const processor = await tf.loadProcessor(modelDir)
    const sample = data.samples[0]!
    // export paths are absolute (a hand-run trainer opens them as given); relative ones sit beside the file
    const images = row.images.map((p) => resolve(dirname(data.file), p))
    let next = 0
    const messages: ChatMessage[] = []
    for (const m of row.messages) {
      if (m.role === 'system') {
        expect(m.content).toEqual([{ type: 'text', text: systemPrompt() }])
        messages.push({ role: 'system', content: systemPrompt() })
        continue
      }
      const content: ChatContent[] = []
      for (const c of m.content) content.push(c.type === 'image' ? { type: 'image', image: await loadImage(images[next++]!) } : { type: 'text', text: c.text })
      messages.push(m.role === 'assistant' ? { role: 'assistant', content: content.map((c) => (c.type === 'text' ? c.text : '')).join('') } : { role: 'user', content })
    }
    const userTurn = messages[1]!.content as ChatContent[]
    expect(userTurn.at(-1)).toEqual({ type: 'text', text: userText(sample.question, { text: VCOT_GUIDELINE }) })

    const preprocess = async (image: VlmImage) => processor.image_processor(tf.rawImage(image.data, image.width, image.height, image.channels))
    const ids = (t: { data: ArrayLike<number | bigint> }): number[] => Array.from(t.data, Number)
    let turns = 0
    for (const [i, m] of messages.entries()) {
      if (m.role !== 'assistant') continue
      // the prompt of this turn, as the agent loop builds it, is a prefix of the trained ids ...
      const prompt = ids((await preparePrompt(tf, processor, messages.slice(0, i), preprocess)).inputIds)
      expect(prompt).toEqual(rendered.sft.slice(0, prompt.length))
      // ... followed by what the model writes: the turn's text and <|im_end|>
      const written = [...ids(processor.tokenizer(m.content as string).input_ids), ids(processor.tokenizer('<|im_end|>').input_ids)[0]!]
      expect(rendered.sft.slice(prompt.length, prompt.length + written.length)).toEqual(written)
      turns++
    }
    expect(turns).toBe(2)
  })

  it('a verl GRPO prompt (tool schemas from its tool_config.yaml) renders the reference system text: the schema reaches the model', { timeout: 600_000 }, () => {
    const question = userText('What number is written on the small white sign?', 'vcot')
    const run = spawnSync(trainerPython(), ['test/training/fixtures/render_verl_prompt.py', modelDir, 'test/training/golden/verl-grpo/tool_config.yaml', question], { encoding: 'utf8', timeout: 300_000 })
    expect(run.status, run.stderr.slice(-2000)).toBe(0)
    expect(run.stdout).toBe(`<|im_start|>system\n${systemText({ cropToolName: 'crop_image_normalized' })}<|im_end|>\n<|im_start|>user\n<|vision_start|><|image_pad|><|vision_end|>${question}<|im_end|>\n<|im_start|>assistant\n`)
  })

  it('a Qwen folder whose template has no tool support trains with the studio template, and says so', { timeout: 600_000 }, () => {
    const folder = join(root, 'stock-template')
    cpSync(modelDir, folder, { recursive: true })
    const script = [
      'import os, sys',
      "sys.path[:0] = ['resources/trainer', 'resources/trainer/trl']",
      'import studio_model',
      'from trl.chat_template_utils import qwen2_5_vl_chat_template, supports_tool_calling',
      'from qwen_vl.processor import load_processor',
      // TRL's copy of the stock Qwen2.5-VL template: no tools, so GRPO would refuse it
      "open(os.path.join(sys.argv[1], 'chat_template.jinja'), 'w').write(qwen2_5_vl_chat_template)",
      'print(supports_tool_calling(load_processor(sys.argv[1])))',
      'p = studio_model.load_processor_with_template(sys.argv[1], print)',
      'print(p.chat_template == studio_model.studio_template(), supports_tool_calling(p))'
    ]
    const out = execFileSync(trainerPython(), ['-c', script.join('\n'), folder], { encoding: 'utf8' }).trim().split('\n')
    expect(out[0]).toBe('False')
    expect(out[1]).toContain("its chat template has no tool support; training with the studio's")
    expect(out[1]).toContain('qwen_vl/chat_template.jinja')
    expect(out.at(-1)).toBe('True True')
  })
})
