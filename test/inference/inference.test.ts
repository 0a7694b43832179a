// The model path and the agent loop through the REAL transformers.js 4.3.1 + onnxruntime-node
// stack on CPU, with tiny scripted Qwen2-VL models generated here at test time (nothing
// committed, nothing fetched). The model is not a VLM: it emits a script, so every assertion is
// about what the studio does with real tokenizer, processor, mRoPE, vision merge and KV cache.
import { copyFileSync, mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { StudioError } from '../../src/shared/contract/errors'
import { runAgent, type AgentEvent, type AgentInput } from '../../src/main/inference/agent-loop'
import { InferenceHost } from '../../src/main/inference/inference-host'
import { describeModelFolder } from '../../src/main/inference/model-folder'
import { makeTinyModel } from '../../src/main/inference/tiny-model/generate'
import { TINY_SCRIPTS, type TinyScriptName } from '../../src/main/inference/tiny-model/scripts'
import { VlmSession, type VlmImage } from '../../src/main/inference/vlm-session'
import { tempDir } from '../helpers/temp'

const root = tempDir('pixel-studio-inference-')
const sessions = new Map<TinyScriptName, VlmSession>()

function modelDir(name: TinyScriptName): string {
  const dir = join(root, name)
  makeTinyModel(dir, { script: TINY_SCRIPTS[name] })
  return dir
}

async function session(name: TinyScriptName): Promise<VlmSession> {
  let s = sessions.get(name)
  if (!s) {
    s = await VlmSession.load(modelDir(name), { device: 'cpu' })
    sessions.set(name, s)
  }
  return s
}

afterAll(async () => {
  for (const s of sessions.values()) await s.dispose()
})

/** A solid image with an optional rectangle of another colour. */
function image(width: number, height: number, bg: [number, number, number], rect?: { x: number; y: number; w: number; h: number; color: [number, number, number] }): VlmImage {
  const data = new Uint8Array(width * height * 3)
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const inRect = rect && x >= rect.x && x < rect.x + rect.w && y >= rect.y && y < rect.y + rect.h
      data.set(inRect ? rect.color : bg, (y * width + x) * 3)
    }
  }
  return { width, height, channels: 3, data }
}

function meanColor(img: VlmImage): [number, number, number] {
  const sum = [0, 0, 0]
  for (let i = 0; i < img.data.length; i += img.channels) for (let c = 0; c < 3; c++) sum[c] = (sum[c] as number) + (img.data[i + c] as number)
  const n = img.width * img.height
  return sum.map((v) => Math.round(v / n)) as [number, number, number]
}

const RED: [number, number, number] = [220, 20, 20]
const BLUE: [number, number, number] = [20, 20, 220]
// 320x240 with red exactly where the centre crop lands: bbox 0.25..0.75 padded by 0.1 -> 0.15..0.85
const scene = image(320, 240, BLUE, { x: 48, y: 36, w: 224, h: 168, color: RED })
const imageInput = (settings?: AgentInput['settings']): AgentInput => ({ question: 'Which letter is on the sign?', media: { kind: 'images', images: [scene] }, ...(settings ? { settings } : {}) })

describe('tiny model generator', () => {
  it('writes a complete transformers.js folder with small files', () => {
    const dir = modelDir('cropThenAnswer')
    const desc = describeModelFolder(dir)
    expect(desc).toMatchObject({ modelType: 'qwen2_vl', dtypeLabel: 'fp32', tiny: true, architecture: 'Qwen2VLForConditionalGeneration' })
    for (const s of Object.values(desc.sessions)) expect(s.bytes).toBeLessThan(1_000_000)
    expect(desc.totalBytes).toBeLessThan(1_000_000)
    expect(JSON.parse(readFileSync(join(dir, 'tokenizer_config.json'), 'utf8')).chat_template).toContain('<|vision_start|><|image_pad|><|vision_end|>')
  })
})

describe('model folder validation', () => {
  it('describes a Qwen2.5-VL folder with q4 files', () => {
    const dir = join(root, 'q25')
    makeTinyModel(dir, { script: TINY_SCRIPTS.answerOnly, modelType: 'qwen2_5_vl', dtype: 'q4' })
    const desc = describeModelFolder(dir)
    expect(desc.modelType).toBe('qwen2_5_vl')
    expect(desc.dtype).toEqual({ embed_tokens: 'q4', vision_encoder: 'q4', decoder_model_merged: 'q4' })
    expect(desc.sessions.decoder_model_merged.file).toBe('onnx/decoder_model_merged_q4.onnx')
    expect(desc.sessions.decoder_model_merged.irVersion).toBe(7)
    expect(desc.loadBytes).toBeGreaterThan(0)
    expect(desc.totalBytes).toBeGreaterThanOrEqual(desc.loadBytes)
  })

  it('lists every missing file', () => {
    const dir = join(root, 'missing')
    makeTinyModel(dir, { script: TINY_SCRIPTS.answerOnly })
    rmSync(join(dir, 'onnx', 'vision_encoder.onnx'))
    rmSync(join(dir, 'tokenizer.json'))
    const error = catchError(() => describeModelFolder(dir))
    expect(error.code).toBe('invalid_input')
    expect(error.message).toContain('onnx/vision_encoder.onnx')
    expect(error.message).toContain('tokenizer.json')
    expect(error.issues?.map((i) => i.path)).toEqual(expect.arrayContaining(['tokenizer.json', 'onnx/vision_encoder.onnx']))
  })

  it('refuses a wrong model_type, a file that is not ONNX, and a folder that does not exist', () => {
    const dir = join(root, 'wrong')
    makeTinyModel(dir, { script: TINY_SCRIPTS.answerOnly })
    const config = JSON.parse(readFileSync(join(dir, 'config.json'), 'utf8')) as Record<string, unknown>
    writeFileSync(join(dir, 'config.json'), JSON.stringify({ ...config, model_type: 'llava' }))
    writeFileSync(join(dir, 'onnx', 'embed_tokens.onnx'), '<html>not a model</html>')
    const error = catchError(() => describeModelFolder(dir))
    expect(error.issues?.some((i) => i.path.startsWith('config.json') && i.path.includes('model_type'))).toBe(true)
    expect(error.issues).toContainEqual({ path: 'onnx/embed_tokens.onnx', message: expect.stringContaining('not an ONNX model') })
    expect(catchError(() => describeModelFolder(join(root, 'nope'))).code).toBe('not_found')
  })
})

describe('execution provider', () => {
  it('falls back to CPU with the reason when the CUDA provider cannot load', async () => {
    // onnxruntime-node is installed here without its CUDA provider libraries (README, "CUDA")
    const s = await VlmSession.load(modelDir('answerOnly'), { device: 'cuda' })
    try {
      expect(s.provider).toMatchObject({ requested: 'cuda', active: 'cpu', fallback: true, reason: expect.stringContaining('CUDA failed to load') })
      const out = await s.generate([{ role: 'user', content: 'hi' }], { maxNewTokens: 64 })
      expect(out).toMatchObject({ text: 'It is plainly visible. \\boxed{42}', stop: 'eos' })
    } finally {
      await s.dispose()
    }
  })
})

describe('agent loop on the real transformers.js path', () => {
  beforeAll(async () => {
    // load the models once; each load is ~100 ms
    for (const name of Object.keys(TINY_SCRIPTS) as TinyScriptName[]) await session(name)
  })

  it('crops, feeds the crop back as a second image, and answers', async () => {
    const s = await session('cropThenAnswer')
    const events: AgentEvent[] = []
    const result = await runAgent(s, imageInput(), { onEvent: (e) => events.push(e) })

    expect(result.stop).toBe('answer')
    expect(result.answer).toBe('B')
    expect(result.operations).toBe(1)
    expect(s.provider).toMatchObject({ active: 'cpu', fallback: false })

    // the crop really happened, on the padded box, and came back resized (smart_resize, 28 px grid)
    const obs = result.steps.find((st) => st.kind === 'result')
    if (obs?.kind !== 'result') throw new Error('no result step')
    const crop = obs.images[0]
    // the reference crops the image as the model sees it: 320x240 is below the eval minimum
    // (256*28*28 px), so smart_resize scales it up to 532x392; 0.15..0.85 of that, Pillow-rounded
    expect(crop?.source).toEqual({ targetImage: 1, box: { left: 80, top: 59, width: 372, height: 274 }, size: { width: 532, height: 392 } })
    expect(crop && crop.image.width % 28).toBe(0)
    expect(obs.text).toBe(`\nHere is the cropped image (Image Size: ${crop?.image.width}x${crop?.image.height}):`)
    const [r, g, b] = meanColor(crop?.image as VlmImage)
    expect(r).toBeGreaterThan(200)
    expect(g + b).toBeLessThan(60)

    // turn 2 was re-prefilled with both images: the original and the crop
    const [t0, t1] = result.turns
    expect(t0?.images).toBe(1)
    expect(t1?.images).toBe(2)
    expect(t1?.imagePadTokens).toBeGreaterThan(t0?.imagePadTokens ?? 0)
    const prompt = s.renderPrompt(result.messages.slice(0, 4))
    expect(prompt.match(/<\|image_pad\|>/g)).toHaveLength(2)
    expect(prompt).toContain('<|im_start|>user\n\nHere is the cropped image (Image Size: ')
    expect(prompt).toContain('# Tools')

    // streamed tokens add up to exactly the assistant turns
    const streamed = events.filter((e) => e.type === 'token' && e.turn === 0).map((e) => (e.type === 'token' ? e.text : '')).join('')
    expect(streamed).toBe(result.messages[2]?.content)
    expect(streamed.endsWith('</tool_call>')).toBe(true)
    expect(events.map((e) => e.type).filter((t) => t !== 'token')).toEqual(['turn_start', 'turn_end', 'operation', 'observation', 'turn_start', 'turn_end', 'done'])
  })

  it('selects frames of a 16-frame video and answers', async () => {
    const frames = Array.from({ length: 16 }, (_, i) => image(96, 64, [i * 15, 100, 255 - i * 15]))
    const result = await runAgent(await session('selectFramesThenAnswer'), { question: 'Where does the ball go?', media: { kind: 'video', frames } })
    expect(result.stop).toBe('answer')
    expect(result.answer).toBe('C')
    const obs = result.steps.find((st) => st.kind === 'result')
    if (obs?.kind !== 'result') throw new Error('no result step')
    expect(obs.images.map((o) => o.frame)).toEqual([3, 8, 12])
    expect(obs.images.map((o) => meanColor(o.image)[0])).toEqual([30, 105, 165])
    expect(obs.text).toBe('\nHere are the selected frames (Frame Size: 96x64, Numbered 1 to 3):')
    expect(result.turns.map((t) => t.images)).toEqual([16, 19])
  })

  it('malformed JSON in a call becomes an execution error and the loop goes on', async () => {
    const result = await runAgent(await session('malformedJson'), imageInput())
    const err = result.steps.find((st) => st.kind === 'error')
    expect(err).toMatchObject({ kind: 'error', message: expect.stringContaining('not valid JSON') })
    expect(result.messages[3]?.content).toEqual([{ type: 'text', text: expect.stringMatching(/^\nExecution error:\nThe tool call is not valid JSON: .*\n$/) }])
    expect(result).toMatchObject({ stop: 'answer', answer: 'A', operations: 1 })
    expect(result.turns[1]?.images).toBe(1)
  })

  it('a box outside the image returns the crop error text', async () => {
    const result = await runAgent(await session('boxOutOfRange'), imageInput())
    expect(result.steps.find((st) => st.kind === 'error')).toMatchObject({ message: 'Cropped image is too small: 0x0' })
    expect(result.messages[3]?.content).toEqual([{ type: 'text', text: '\nExecution error:\nCropped image is too small: 0x0\n' }])
    expect(result).toMatchObject({ stop: 'answer', answer: 'D' })
  })

  it('an alias tool name gets the reference\'s KeyError observation; a call written past is an answer', async () => {
    const alias = await runAgent(await session('aliasCall'), imageInput())
    expect(alias.steps.find((st) => st.kind === 'error')).toMatchObject({ code: 'unknown_tool', message: "'crop_image'" })
    expect(alias.messages[3]?.content).toEqual([{ type: 'text', text: "\nExecution error:\n'crop_image'\n" }])
    expect(alias).toMatchObject({ stop: 'answer', answer: 'E', operations: 1 })

    const past = await runAgent(await session('pastTheCall'), imageInput())
    expect(past).toMatchObject({ stop: 'answer', answer: 'F', operations: 0 })
    expect(past.turns).toHaveLength(1)
    expect(past.turns[0]?.stop).toBe('eos')
  })

  it('endless calls stop at the operation limit with 4 executed', async () => {
    const result = await runAgent(await session('endlessCalls'), imageInput())
    expect(result.stop).toBe('max_operations')
    expect(result.operations).toBe(4)
    expect(result.steps.filter((st) => st.kind === 'result')).toHaveLength(4)
    expect(result.turns).toHaveLength(5) // the 5th call is generated but not executed
    expect(result.turns.map((t) => t.images)).toEqual([1, 2, 3, 4, 5])
    expect(result.answer).toBeNull()
  })

  it('stops at the image and token limits, and samples when asked', async () => {
    const s = await session('endlessCalls')
    expect((await runAgent(s, imageInput({ maxImages: 2 }))).stop).toBe('max_images')
    expect(await s.countPromptTokens([{ role: 'user', content: 'x' }])).toBeGreaterThan(0)
    const short = await runAgent(s, imageInput({ maxTotalTokens: 2100 }))
    expect(short.stop).toBe('max_tokens')
    const sampled = await runAgent(await session('cropThenAnswer'), imageInput({ sampling: { doSample: true, temperature: 1, topP: 0.95, topK: 40 }, postToolTemperature: 0.9 }))
    expect(sampled).toMatchObject({ stop: 'answer', answer: 'B' })
  })

  it('cancels mid-run between tokens', async () => {
    const abort = new AbortController()
    const result = await runAgent(await session('endlessCalls'), imageInput(), {
      signal: abort.signal,
      onEvent: (e) => {
        if (e.type === 'token' && e.turn === 1) abort.abort()
      }
    })
    expect(result.stop).toBe('cancelled')
    expect(result.turns).toHaveLength(2)
    expect(result.turns[1]?.stop).toBe('cancelled')
    expect(result.turns[1]?.generatedTokens).toBeLessThan(5)
    expect(result.operations).toBe(1)
  })
})

describe('inference worker', () => {
  it('queues one request, refuses the next, cancels a waiting one, and unloads', async () => {
    const host = await InferenceHost.start(modelDir('endlessCalls'), { device: 'cpu', maxQueue: 1 })
    try {
      expect(host.model?.tiny).toBe(true)
      expect(host.provider.active).toBe('cpu')
      const tokens: string[] = []
      const first = host.run(imageInput(), { onEvent: (e) => e.type === 'token' && tokens.push(e.text) })
      const second = host.run(imageInput())
      expect(host.busy).toBe(true)
      expect(host.queued).toBe(1)
      const third = await host.run(imageInput()).catch((e: unknown) => e)
      expect(third).toBeInstanceOf(StudioError)
      expect(third).toMatchObject({ code: 'conflict', message: expect.stringContaining('busy') })
      // batch work waits for room instead: it wakes when the first run ends and the second starts
      expect(host.hasRoom).toBe(false)
      const room = host.whenRoom().then(() => ({ busy: host.busy, queued: host.queued }))

      const [a, b] = await Promise.all([first, second])
      expect([a.stop, b.stop]).toEqual(['max_operations', 'max_operations'])
      expect(await room).toEqual({ busy: true, queued: 0 })
      expect(tokens.join('')).toContain('</tool_call>')

      // a waiting request is cancelled without running; a running one stops between tokens
      const running = new AbortController()
      const waiting = new AbortController()
      const r1 = host.run(imageInput(), { signal: running.signal, onEvent: (e) => e.type === 'token' && running.abort() })
      const r2 = host.run(imageInput(), { signal: waiting.signal })
      waiting.abort()
      await expect(r2).rejects.toMatchObject({ code: 'cancelled' })
      expect((await r1).stop).toBe('cancelled')
    } finally {
      await host.unload()
    }
    await expect(host.run(imageInput())).rejects.toMatchObject({ code: 'cancelled', message: 'The model was unloaded' })

    // a broken folder fails to load with the validator's error, and the worker is gone
    const bad = join(root, 'bad-for-worker')
    mkdirSync(bad, { recursive: true })
    copyFileSync(join(modelDir('answerOnly'), 'config.json'), join(bad, 'config.json'))
    await expect(InferenceHost.start(bad, { device: 'cpu' })).rejects.toMatchObject({ code: 'invalid_input', message: expect.stringContaining('missing') })
    expect(statSync(bad).isDirectory()).toBe(true)
  })
})

function catchError(fn: () => unknown): StudioError {
  try {
    fn()
  } catch (error) {
    if (error instanceof StudioError) return error
    throw error
  }
  throw new Error('expected a StudioError')
}
