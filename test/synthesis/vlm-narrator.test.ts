// The local-VLM narrator on real transformers.js + onnxruntime: tiny scripted models (not real
// VLMs) write the text, loaded in the inference worker and asked from the synthesis worker.
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { makeTinyModel } from '../../src/main/inference/tiny-model/generate'
import type { ChatTurn } from '../../src/main/synthesis/narrators/chat-narrator'
import { createNarrator } from '../../src/main/synthesis/narrators'
import { createSynthesisJob, SynthesisSpec } from '../../src/main/synthesis/synthesis-jobs'
import { runSynthesisJob } from '../../src/main/synthesis/synthesis-run'
import { renderObservations } from '../../src/main/traces/materialize'
import { defaultStudio } from '../helpers/default-studio'
import { tempDir } from '../helpers/temp'

const root = tempDir()
const started = defaultStudio(root)

async function load(name: string, script: string[]): Promise<void> {
  const dir = join(root, name)
  makeTinyModel(dir, { script })
  const model = await started.client.call('models.add', { path: dir, name })
  await started.client.call('inference.load', { modelId: model.id, device: 'cpu' })
}

describe('the local VLM narrator', () => {
  it('writes the whole-image look and the analysis with the loaded model', async () => {
    await load('narrator', ['A cluttered scene with a tiny detail on one side.', 'Up close the detail is easy to read.'])
    const result = await started.client.call('synthesis.run', { settings: { narrator: 'vlm', seed: 4 }, samples: { sampleIds: ['sample-img-001', 'sample-img-003', 'sample-vid-001'] } })
    expect(result).toMatchObject({ status: 'succeeded', created: 3, skipped: 0, narrator: 'vlm:narrator' })
    const page = await started.client.call('traces.list', { origin: ['synthesized'], query: 'cluttered', limit: 10 })
    expect(page.total).toBe(3)
    for (const item of page.items) {
      const trace = await started.client.call('traces.get', { id: item.id })
      expect(trace.originDetail.narrator).toBe('vlm:narrator')
      expect(trace.steps[0]).toMatchObject({ kind: 'thought', text: expect.stringMatching(/^A cluttered scene with a tiny detail on one side\. Now I will (zoom in|select some frames) to look clearer at /) })
      // the model boxed nothing, so the gold answer is stated by the template's answer line
      const answer = trace.steps.at(-1)
      expect(answer).toMatchObject({ kind: 'answer', text: expect.stringMatching(/^Up close the detail is easy to read\. (So the|The) answer is \\boxed\{/) })
      expect(trace.answer).toBe(trace.gold)
      expect(trace.status).toBe('unreviewed')
    }
  })

  it('skips samples when the model writes only a tool call', async () => {
    await load('caller', ['<tool_call>\n{"name": "crop_image_normalized", "arguments": {"bbox_2d": [0.2, 0.2, 0.8, 0.8], "target_image": 1}}\n</tool_call>'])
    const result = await started.client.call('synthesis.run', { settings: { narrator: 'vlm' }, samples: { sampleIds: ['sample-img-002', 'sample-vid-002'] } })
    expect(result).toMatchObject({ status: 'succeeded', created: 0, skipped: 2, skippedByCode: { narrator_junk: 2 } })
    expect(result.skippedSamples[0]?.message).toMatch(/the narrator wrote no usable description of the whole input/)
  })

  it('shows the narrator the whole image and exactly the crop the trace holds', async () => {
    const project = started.studio.project
    const calls: ChatTurn[][] = []
    const narrator = createNarrator('vlm', {
      vlm: {
        modelName: 'recorder',
        chat: async (turns) => {
          calls.push(turns)
          return calls.length % 2 ? 'Whole image.' : 'Detail.'
        }
      }
    })
    const job = createSynthesisJob(project, SynthesisSpec.parse({ settings: { seed: 12 }, samples: { sampleIds: ['sample-img-004'] } }))
    await runSynthesisJob(project, job.id, narrator)
    const trace = project.traces.list({ origin: ['synthesized'], sampleId: 'sample-img-004', limit: 100, offset: 0, sort: 'created', order: 'desc' }).items[0]!
    const steps = project.traces.get(trace.id).steps
    const sample = project.samples.get('sample-img-004')
    const [first, second] = calls
    expect(first?.[0]).toMatchObject({ role: 'system' })
    const whole = first?.[1]?.content[0]
    expect(whole).toMatchObject({ type: 'image', mime: 'image/jpeg' })
    expect(whole?.type === 'image' && Buffer.from(whole.bytes).equals(readFileSync(project.media.pathOf(sample.media[0]!)))).toBe(true)
    // the second turn continues the conversation with the crop of the final (right) look
    expect(second?.[2]).toEqual({ role: 'assistant', content: [{ type: 'text', text: 'Whole image.' }] })
    // the trace stores the box; the crop the narrator saw is the one rendered on demand from it
    const lastObservation = (await renderObservations(project, sample, steps)).findLast((s) => s.kind === 'observation')
    const cropHash = lastObservation?.kind === 'observation' && lastObservation.result.type === 'crop' ? (lastObservation.result.image ?? '') : ''
    expect(cropHash).toMatch(/^[0-9a-f]{64}$/)
    const detail = second?.[3]?.content[0]
    expect(detail?.type === 'image' && Buffer.from(detail.bytes).equals(readFileSync(project.media.pathOf({ hash: cropHash, mime: 'image/png' })))).toBe(true)
    expect(second?.[3]?.content[1]).toMatchObject({ type: 'text', text: expect.stringMatching(/zoomed-in view of the small white sign\. The correct answer is \d+\./) })
  })
})
