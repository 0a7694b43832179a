// Every inference run is stored as a trace: through the contract (real worker, transformers.js,
// onnxruntime-node, tiny scripted models), each branch of the agent loop becomes the codec's
// steps exactly, with the real crop/frame media, and the trace renders back (src/shared/toolcall)
// to the very text the model streamed, turn by turn.
import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import sharp from 'sharp'
import { beforeAll, describe, expect, it } from 'vitest'
import type { InferenceProgress, InferenceResult, Sample, StoredTrace } from '../../src/shared/contract'
import { renderMessages, type Step } from '../../src/shared/toolcall'
import { makeTinyModel } from '../../src/main/inference/tiny-model/generate'
import { TINY_SCRIPTS, type TinyScriptName } from '../../src/main/inference/tiny-model/scripts'
import { defaultStudio } from '../helpers/default-studio'
import { tempDir } from '../helpers/temp'

const root = tempDir()
const started = defaultStudio(root)

beforeAll(async () => {
  // a small image: the scripted pixel box [1200, 900, 1500, 1100] lies outside it
  await sharp({ create: { width: 320, height: 240, channels: 3, background: '#36c' } }).png().toFile(join(root, 'small.png'))
  writeFileSync(join(root, 'small.jsonl'), JSON.stringify({ qid: 'small-1', question: 'What colour is it?', image: 'small.png', answer: 'blue' }) + '\n')
  await started.client.call('benchmarks.import', { path: join(root, 'small.jsonl') })
})

async function runScripted(name: TinyScriptName, sampleId: string): Promise<{ result: InferenceResult; trace: StoredTrace; sample: Sample; streamed: string[] }> {
  const dir = join(root, `model-${name}`)
  makeTinyModel(dir, { script: TINY_SCRIPTS[name] })
  const model = await started.client.call('models.add', { path: dir, name })
  await started.client.call('inference.load', { modelId: model.id, device: 'cpu' })
  const streamed: string[] = []
  const result = await started.client.call('inference.run', { sampleId }, {
    onProgress: (p: InferenceProgress) => {
      if (p.event.type === 'turn_start') streamed.push('')
      if (p.event.type === 'token') streamed[streamed.length - 1] += p.event.text
    }
  })
  return { result, trace: await started.client.call('traces.get', { id: result.traceId }), sample: await started.client.call('samples.get', { id: sampleId }), streamed }
}

/** The assistant turns the stored trace renders to. */
function renderedTurns(trace: StoredTrace, sample: Sample): string[] {
  const media = sample.kind === 'video' ? { kind: 'video' as const, frames: sample.media.map((m) => m.hash) } : { kind: 'images' as const, images: sample.media.map((m) => m.hash) }
  return renderMessages({ question: trace.question, media, steps: trace.steps })
    .filter((m) => m.role === 'assistant')
    .map((m) => m.content.map((c) => (c.type === 'text' ? c.text : '')).join(''))
}

function resultImages(result: InferenceResult): Array<{ hash: string; width: number; height: number }> {
  return result.steps.flatMap((s) => (s.kind === 'result' ? s.images.map((i) => i.media) : []))
}

const CROP_CALL = '<tool_call>\n{"name": "crop_image_normalized", "arguments": {"bbox_2d": [0.25, 0.25, 0.75, 0.75], "target_image": 1}}\n</tool_call>'

describe('inference runs stored as traces', () => {
  it('crop then answer: the crop with its real media, origin, model, settings and timings', async () => {
    const { result, trace, sample, streamed } = await runScripted('cropThenAnswer', 'sample-img-001')
    const [crop] = resultImages(result)
    if (!crop) throw new Error('no crop')
    expect(trace.steps).toEqual<Step[]>([
      { kind: 'thought', text: 'The sign is too small to read. Now I will zoom in to look clearer at the centre.\n' },
      { kind: 'crop', toolName: 'crop_image_normalized', targetImage: 1, bbox: [0.25, 0.25, 0.75, 0.75], bboxUnits: 'normalized', rawArgs: { bbox_2d: [0.25, 0.25, 0.75, 0.75], target_image: 1 }, raw: CROP_CALL },
      { kind: 'observation', result: { type: 'crop', image: crop.hash, width: crop.width, height: crop.height } },
      { kind: 'answer', text: 'The cropped image shows the letter clearly. The answer is \\boxed{B}.', boxed: 'B' }
    ])
    expect(started.studio.project.media.resolve(crop.hash)).toBeDefined()
    expect(trace).toMatchObject({
      sampleId: 'sample-img-001',
      origin: 'inference',
      status: 'unreviewed',
      flags: ['stop:answer'],
      answer: 'B',
      operations: 1,
      question: sample.question,
      originDetail: {
        model: 'cropThenAnswer',
        settings: { modelId: result.model.id, maxOperations: 4, maxNewTokensPerTurn: 1024, temperature: 0, topP: 0.95 },
        timings: { provider: 'cpu', ms: result.ms, generatedTokens: result.generatedTokens, turns: result.turns.map(({ turn: _t, ...t }) => t) }
      }
    })
    expect(trace.originDetail.timings?.turns).toHaveLength(2)
    // the trace renders back to exactly what the model wrote
    expect(renderedTurns(trace, sample)).toEqual(streamed)
    expect(streamed).toEqual(TINY_SCRIPTS.cropThenAnswer)
    // a second run is a second trace; the first is untouched
    const again = await started.client.call('inference.run', { sampleId: 'sample-img-001' })
    expect(again.traceId).not.toBe(result.traceId)
    expect((await started.client.call('traces.list', { origin: ['inference'], sampleId: 'sample-img-001' })).total).toBe(2)
  })

  it('select_frames: the chosen frames as one frames observation', async () => {
    const { result, trace, sample, streamed } = await runScripted('selectFramesThenAnswer', 'sample-vid-001')
    const frames = resultImages(result)
    expect(frames).toHaveLength(3)
    expect(trace.steps[1]).toMatchObject({ kind: 'select_frames', frames: [3, 8, 12] })
    expect(trace.steps[2]).toEqual({ kind: 'observation', result: { type: 'frames', images: frames.map((f) => f.hash), width: frames[0]?.width, height: frames[0]?.height, first: 1, last: 3 } })
    // a frame is the sample's own frame: the same media
    expect(frames.map((f) => f.hash)).toEqual([2, 7, 11].map((i) => sample.media[i]?.hash))
    expect(trace.steps.at(-1)).toMatchObject({ kind: 'answer', boxed: 'C' })
    expect(renderedTurns(trace, sample)).toEqual(streamed)
  })

  it('malformed JSON: the call as written with its code, then the error the model saw', async () => {
    const { trace, sample, streamed } = await runScripted('malformedJson', 'sample-img-002')
    expect(trace.steps.map((s) => s.kind)).toEqual(['thought', 'error', 'observation', 'answer'])
    const error = trace.steps[1]
    expect(error).toMatchObject({ kind: 'error', code: 'malformed_json', rawText: expect.stringMatching(/^<tool_call>\n\{"name".*"target_image": 1\}\}\n<\/tool_call>$/) })
    expect(trace.steps[2]).toEqual({ kind: 'observation', result: { type: 'error', code: 'malformed_json', message: error?.kind === 'error' ? error.message : '' } })
    expect(trace.warnings.map((w) => w.code)).toContain('operation_error')
    expect(renderedTurns(trace, sample)).toEqual(streamed)
  })

  it('a box outside the image: the crop call, then an error observation with the pixel-ops code', async () => {
    const { trace, sample, streamed } = await runScripted('boxOutOfRange', 'bench:small:small-1')
    expect(trace.steps[1]).toMatchObject({ kind: 'crop', bbox: [1200, 900, 1500, 1100], bboxUnits: 'pixels' })
    expect(trace.steps[2]).toEqual({ kind: 'observation', result: { type: 'error', code: 'crop_too_small', message: 'Cropped image is too small: 0x0' } })
    expect(trace.operations).toBe(1)
    expect(renderedTurns(trace, sample)).toEqual(streamed)
  })

  it('a call the reference runs despite the studio\'s rules (target 0, an extra key) is stored as run', async () => {
    const { result, trace, sample, streamed } = await runScripted('wrapTarget', 'sample-img-002')
    expect(result).toMatchObject({ stop: 'answer', operations: 1 })
    expect(trace.steps.map((s) => s.kind)).toEqual(['thought', 'crop', 'observation', 'answer'])
    expect(trace.steps[1]).toMatchObject({ kind: 'crop', targetImage: 0, rawArgs: { why: 'look' } })
    expect(resultImages(result)).toHaveLength(1) // Python's images[-1]: the (only) original was cropped
    // the stored call renders as the codec writes calls: target 0 kept, the extra key only in rawArgs
    const turns = renderedTurns(trace, sample)
    expect(turns[0]).toBe(streamed[0]?.replace(', "why": "look"', ''))
    expect(turns[1]).toBe(streamed[1])
  })

  it('endless calls: four executed crops, then the 5th call kept as too_many_calls', async () => {
    const { result, trace, sample, streamed } = await runScripted('endlessCalls', 'sample-img-003')
    expect(result.stop).toBe('max_operations')
    const kinds = trace.steps.map((s) => s.kind)
    expect(kinds).toEqual([...Array(4).fill(['thought', 'crop', 'observation']).flat(), 'thought', 'error'])
    expect(trace.steps.at(-1)).toMatchObject({ kind: 'error', code: 'too_many_calls', rawText: expect.stringContaining('"bbox_2d": [0.2, 0.2, 0.8, 0.8]') })
    expect(trace.flags).toEqual(['stop:max_operations'])
    expect(trace.answer).toBeNull()
    expect(trace.warnings.map((w) => w.code)).toContain('no_answer')
    expect(renderedTurns(trace, sample)).toEqual(streamed)
    expect(streamed).toHaveLength(5)
  })
})
