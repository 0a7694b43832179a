// Endpoint models through the contract: an OpenAI-compatible endpoint (a test server on
// 127.0.0.1 that answers as vLLM does) writes the turns; as for local models the loop sends no
// stop string (the reference's rule: a turn is a call when its text ends in </tool_call>); the studio runs the crop, sends it back as an image, stores the run as a trace. Then
// what goes wrong: the endpoint down, slow, answering junk, not serving the model; checkpoint
// folders that are not Qwen2-VL / Qwen2.5-VL are refused before any Python starts.
import { mkdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { StudioError } from '../../src/shared/contract'
import { describeCheckpointFolder } from '../../src/main/inference/checkpoint-folder'
import { defaultStudio } from '../helpers/default-studio'
import { completion, lastUserText, startFakeOpenAi, type ChatRequest, type FakeOpenAi } from '../helpers/openai-server'
import { tempDir } from '../helpers/temp'

const root = tempDir()
const fixture = defaultStudio(root)
let fake: FakeOpenAi

const CALL = '<tool_call>\n{"name": "crop_image_normalized", "arguments": {"bbox_2d": [0.1, 0.2, 0.6, 0.7], "target_image": 1}}\n'
const images = (r: ChatRequest): number => r.body.messages.flatMap((m) => (Array.isArray(m.content) ? m.content : [])).filter((c) => c.type === 'image_url').length

beforeAll(async () => {
  fake = await startFakeOpenAi()
})
afterAll(async () => {
  await fake.close()
})

describe('endpoint models', () => {
  it('an endpoint writes the turns, the studio runs the crop and stores the trajectory', async () => {
    const { client } = fixture
    const entry = await client.call('models.addEndpoint', { name: 'vllm-like', baseUrl: `${fake.baseUrl}/`, model: 'pixel-reasoner', apiKey: 'sk-endpoint-test' })
    expect(entry).toMatchObject({ kind: 'endpoint', path: fake.baseUrl, endpoint: { baseUrl: fake.baseUrl, model: 'pixel-reasoner', hasApiKey: true }, modelType: null, problem: null })
    expect(JSON.stringify(await client.call('models.list', {}))).not.toContain('sk-endpoint-test')

    // first turn: a call (the model ends its turn after </tool_call>); second: the answer
    fake.answer = (r) =>
      images(r) === 1
        ? { json: { choices: [{ index: 0, message: { role: 'assistant', content: `I will zoom in.\n${CALL}</tool_call>` }, finish_reason: 'stop' }], usage: { prompt_tokens: 300, completion_tokens: 40 } } }
        : { json: completion('The zoomed view shows it. \\boxed{B}') }
    fake.models = ['pixel-reasoner']
    const status = await client.call('inference.load', { modelId: entry.id })
    expect(status.loaded).toMatchObject({ modelId: entry.id, name: 'vllm-like' })
    expect(status.loaded?.provider.reason).toContain('an OpenAI-compatible endpoint')

    const result = await client.call('inference.run', { sampleId: 'sample-img-001' })
    expect(result).toMatchObject({ stop: 'answer', answer: 'B', operations: 1, error: null })
    expect(result.steps.map((s) => s.kind)).toEqual(['thought', 'operation', 'result', 'answer'])
    expect(result.steps[1]).toMatchObject({ kind: 'operation', op: 'crop', args: { bbox_2d: [0.1, 0.2, 0.6, 0.7], target_image: 1 } })
    expect(result.steps[1]?.kind === 'operation' && result.steps[1].raw.endsWith('</tool_call>')).toBe(true)
    expect(result.turns[0]).toMatchObject({ promptTokens: 300, generatedTokens: 40 })

    const chats = fake.requests.filter((r) => r.body.messages.length > 0)
    const [first, second] = chats.slice(-2)
    expect(first?.headers.authorization).toBe('Bearer sk-endpoint-test')
    expect(first?.body).toMatchObject({ model: 'pixel-reasoner', temperature: 0 })
    expect(first?.body).not.toHaveProperty('stop')
    expect(first?.body.messages[0]?.role).toBe('system')
    expect(images(first!)).toBe(1)
    // the crop went back to the endpoint as an image, after the call the model made
    expect(images(second!)).toBe(2)
    expect(second?.body.messages[2]).toMatchObject({ role: 'assistant', content: `I will zoom in.\n${CALL}</tool_call>` })
    expect(lastUserText(second!)).toMatch(/Here is the cropped image \(Image Size: \d+x\d+\):/)

    const trace = await client.call('traces.get', { id: result.traceId })
    expect(trace).toMatchObject({ origin: 'inference', sampleId: 'sample-img-001' })
    expect(trace.steps.map((s) => s.kind)).toEqual(['thought', 'crop', 'observation', 'answer'])
    await client.call('inference.unload', {})
  })

  it('down, slow, junk, or not serving the model: each said plainly', async () => {
    const { client } = fixture
    const closed = await startFakeOpenAi()
    await closed.close() // a port nobody listens on any more
    const down = await client.call('models.addEndpoint', { name: 'down', baseUrl: closed.baseUrl, model: 'm' })
    expect(await client.call('inference.load', { modelId: down.id }).catch((e: StudioError) => e.message)).toBe(`the model endpoint ${closed.baseUrl}/models could not be reached (ECONNREFUSED)`)

    const other = await client.call('models.addEndpoint', { name: 'wrong model', baseUrl: fake.baseUrl, model: 'not-served' })
    fake.models = ['pixel-reasoner', 'qwen']
    expect(await client.call('inference.load', { modelId: other.id }).catch((e: StudioError) => e.message)).toBe(`the model endpoint ${fake.baseUrl} does not serve "not-served"; it serves: pixel-reasoner, qwen`)

    const slow = await client.call('models.addEndpoint', { name: 'slow', baseUrl: fake.baseUrl, model: 'pixel-reasoner', timeoutMs: 1000 })
    await client.call('inference.load', { modelId: slow.id })
    fake.answer = () => ({ json: completion('late'), delayMs: 5000 })
    const late = await client.call('inference.run', { sampleId: 'sample-img-001' })
    expect(late).toMatchObject({ stop: 'error', steps: [] })
    expect(late.error).toMatch(/no answer from .*\/chat\/completions within 1000 ms/)

    fake.answer = () => ({ status: 502, text: '<html><body>Bad gateway</body></html>' })
    const gateway = await client.call('inference.run', { sampleId: 'sample-img-001' })
    expect(gateway.error).toContain('the model endpoint answered HTTP 502: <html><body>Bad gateway</body></html>')
    fake.answer = () => ({ text: 'not json at all' })
    const junk = await client.call('inference.run', { sampleId: 'sample-img-001' })
    expect(junk.error).toContain('the model endpoint answered with something that is not JSON: not json at all')
    // junk words are a model's answer like any other: stored, with no boxed answer
    fake.answer = () => ({ json: completion('zx!! qq') })
    const words = await client.call('inference.run', { sampleId: 'sample-img-001' })
    expect(words).toMatchObject({ stop: 'answer', answer: null, error: null })
    expect((await client.call('traces.get', { id: words.traceId })).steps).toEqual([{ kind: 'answer', text: 'zx!! qq', boxed: null }])
    await client.call('inference.unload', {})

    expect(await client.call('models.addEndpoint', { name: 'bad', baseUrl: 'ftp://host/v1', model: 'm' }).catch((e: StudioError) => e.message)).toBe('the endpoint URL must be http:// or https://, got ftp:')
  })

  it('checkpoint folders: a run folder resolves to its newest checkpoint; other models are refused by name', async () => {
    const { client } = fixture
    const run = join(root, 'run-folder')
    const checkpoint = (dir: string, config: object): void => {
      mkdirSync(dir, { recursive: true })
      writeFileSync(join(dir, 'config.json'), JSON.stringify(config))
      writeFileSync(join(dir, 'preprocessor_config.json'), '{}')
      writeFileSync(join(dir, 'tokenizer_config.json'), '{}')
      writeFileSync(join(dir, 'model.safetensors'), 'weights')
    }
    checkpoint(join(run, 'output', 'checkpoint-5'), { model_type: 'qwen2_5_vl', torch_dtype: 'float32' })
    checkpoint(join(run, 'output', 'checkpoint-40'), { model_type: 'qwen2_5_vl', torch_dtype: 'float32' })
    expect(describeCheckpointFolder(run)).toMatchObject({ dir: join(run, 'output', 'checkpoint-40'), modelType: 'qwen2_5_vl', adapterBase: null })
    const entry = await client.call('models.addCheckpoint', { path: run })
    expect(entry).toMatchObject({ kind: 'checkpoint', name: 'output/checkpoint-40', path: join(run, 'output', 'checkpoint-40'), modelType: 'qwen2_5_vl', dtype: 'float32', problem: null })

    const llama = join(root, 'llama')
    checkpoint(llama, { model_type: 'llama' })
    expect(await client.call('models.addCheckpoint', { path: llama }).catch((e: StudioError) => e.message)).toBe(
      `${llama} is a "llama" model: the studio runs Qwen2-VL / Qwen2.5-VL checkpoints only (config.json model_type qwen2_vl or qwen2_5_vl)`
    )
    const adapter = join(root, 'adapter')
    mkdirSync(adapter, { recursive: true })
    writeFileSync(join(adapter, 'adapter_config.json'), JSON.stringify({ peft_type: 'LORA', base_model_name_or_path: 'Qwen/Qwen2.5-VL-7B-Instruct' }))
    expect(await client.call('models.addCheckpoint', { path: adapter }).catch((e: StudioError) => e.message)).toContain('is a LoRA adapter whose base model "Qwen/Qwen2.5-VL-7B-Instruct" is not a local folder')
    const empty = join(root, 'empty')
    mkdirSync(join(empty, 'onnx'), { recursive: true })
    expect(await client.call('models.addCheckpoint', { path: empty }).catch((e: StudioError) => e.message)).toContain('holds no checkpoint')
    expect(await client.call('models.addCheckpoint', { path: empty }).catch((e: StudioError) => e.message)).toContain('a transformers.js folder, add it with "Add folder"')
  })
})
