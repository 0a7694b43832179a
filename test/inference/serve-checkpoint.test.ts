// resources/serve/serve_checkpoint.py under the studio's supervisor (checkpoint-server.ts), with
// the trainer environment's Python: a LoRA adapter on the tiny Qwen2.5-VL is merged on load and
// served over the OpenAI protocol (models, a chat with an image, a bad request answered 400);
// a folder of another model type is refused by the script itself (exit 2, the reason shown).
import { spawnSync } from 'node:child_process'
import { mkdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import sharp from 'sharp'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startCheckpointServer, type CheckpointServer } from '../../src/main/inference/checkpoint-server'
import { describeCheckpointFolder } from '../../src/main/inference/checkpoint-folder'
import { assertTrainerPython } from '../helpers/python'
import { rejection } from '../helpers/rejection'
import { tempDir } from '../helpers/temp'

const root = tempDir()
const python = assertTrainerPython()
const base = join(root, 'tiny')
const adapter = join(root, 'lora')
let server: CheckpointServer | undefined
const options = { python, setupHint: 'run `pixel-studio trainer setup`', device: 'cpu' as const, name: 'tiny-lora' }

beforeAll(() => {
  const made = spawnSync(python, ['resources/trainer/tiny_qwen/make_tiny_qwen.py', base], { encoding: 'utf8', timeout: 300_000 })
  if (made.status !== 0) throw new Error(made.stderr)
  const lora = spawnSync(
    python,
    [
      '-c',
      [
        'import sys',
        'from peft import LoraConfig, get_peft_model',
        'from transformers import Qwen2_5_VLForConditionalGeneration',
        'model = Qwen2_5_VLForConditionalGeneration.from_pretrained(sys.argv[1])',
        'peft = get_peft_model(model, LoraConfig(r=4, lora_alpha=8, target_modules=["q_proj", "v_proj"]))',
        'peft.save_pretrained(sys.argv[2])'
      ].join('\n'),
      base,
      adapter
    ],
    { encoding: 'utf8', timeout: 300_000 }
  )
  if (lora.status !== 0) throw new Error(lora.stderr)
}, 600_000)
afterAll(async () => {
  await server?.stop()
})

describe('serve_checkpoint.py', () => {
  it('serves a LoRA adapter merged onto its base over the OpenAI protocol, and stops on request', async () => {
    expect(describeCheckpointFolder(adapter)).toMatchObject({ dir: adapter, adapterBase: base, modelType: 'qwen2_5_vl' })
    server = await startCheckpointServer(adapter, { ...options, timeoutMs: 300_000 })
    expect(server.baseUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/v1$/)
    expect(server.device).toBe('cpu')
    const models = (await (await fetch(`${server.baseUrl}/models`)).json()) as { data: Array<{ id: string }> }
    expect(models.data.map((m) => m.id)).toEqual(['tiny-lora'])

    const png = await sharp({ create: { width: 96, height: 64, channels: 3, background: { r: 200, g: 40, b: 40 } } }).png().toBuffer()
    const chat = async (content: unknown): Promise<Response> =>
      fetch(`${server!.baseUrl}/chat/completions`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ model: 'tiny-lora', max_tokens: 8, temperature: 0, stop: ['</tool_call>'], messages: [{ role: 'user', content }] })
      })
    const ok = await chat([{ type: 'image_url', image_url: { url: `data:image/png;base64,${png.toString('base64')}` } }, { type: 'text', text: 'What color?' }])
    expect(ok.status).toBe(200)
    const body = (await ok.json()) as { choices: Array<{ message: { content: string }; finish_reason: string }>; usage: { prompt_tokens: number; completion_tokens: number } }
    expect(typeof body.choices[0]?.message.content).toBe('string')
    expect(['stop', 'length']).toContain(body.choices[0]?.finish_reason)
    expect(body.usage.prompt_tokens).toBeGreaterThan(4) // the image's vision tokens are in the prompt
    expect(body.usage.completion_tokens).toBeLessThanOrEqual(8)

    const bad = await chat([{ type: 'input_audio', input_audio: {} }])
    expect(bad.status).toBe(400)
    expect(await bad.json()).toEqual({ error: { message: "unsupported content part type 'input_audio'", type: 'invalid_request_error' } })

    await server.stop()
    expect((await server.exited).expected).toBe(true)
    server = undefined
  }, 600_000)

  it('refuses a folder of another model type itself (exit 2, the reason)', async () => {
    const llama = join(root, 'llama')
    mkdirSync(llama, { recursive: true })
    writeFileSync(join(llama, 'config.json'), JSON.stringify({ model_type: 'llama' }))
    const error = await rejection(startCheckpointServer(llama, { ...options, timeoutMs: 120_000 }))
    expect(error.code).toBe('invalid_input')
    expect(error.message).toBe(`the checkpoint server exited (code 2) before it was ready: ${llama} is a 'llama' model: only Qwen2-VL / Qwen2.5-VL checkpoints (model_type qwen2_vl or qwen2_5_vl) can be served`)
  }, 180_000)
})
