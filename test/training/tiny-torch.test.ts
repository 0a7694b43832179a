// The tiny-torch trainer for real: python3 + Debian's torch as a child process, on a dataset
// exported from a real project. SFT (loss falls, metrics and checkpoints, the wrong-look turn
// masked), the exported ONNX model in the studio's own inference path (transformers.js +
// onnxruntime-node, the agent loop), resume, SIGTERM, then GRPO with the Pixel Reasoner reward.
// Every stdout line must parse as the contract's TrainerEvent.
import { existsSync, readFileSync, writeFileSync } from 'node:fs'
import { dirname, join, resolve } from 'node:path'
import sharp from 'sharp'
import { beforeAll, describe, expect, it } from 'vitest'
import type { TrainerEvent } from '../../src/shared/contract/schemas/training'
import { TRAIN_PROFILE } from '../../src/shared/pixel-ops'
import { groupRewards } from '../../src/shared/reward'
import { parseAssistantTurn } from '../../src/shared/toolcall'
import { runAgent } from '../../src/main/inference/agent-loop'
import { decodeImage } from '../../src/main/inference/images'
import { describeModelFolder } from '../../src/main/inference/model-folder'
import { encode } from '../../src/main/inference/tiny-model/tokenizer'
import { VlmSession } from '../../src/main/inference/vlm-session'
import { runPython, torchUnavailable } from '../helpers/python'
import { tempDir } from '../helpers/temp'
import { baseSpec, buildReplayData, buildTrainingData, eventsOf, runTrainer, writeRun, type TrainerRun, type TrainingData } from './tiny-torch-run'

const unavailable = torchUnavailable()
if (unavailable) console.warn(`tiny-torch tests skipped: ${unavailable}`)
const root = tempDir('pixel-studio-tiny-torch-')

interface TrlRow {
  messages: Array<{ role: string; content: Array<{ type: string; text?: string }> }>
  images: string[]
  sample_id: string
  wrong_look_turns: number[]
}

function rowsOf(data: TrainingData): TrlRow[] {
  return readFileSync(data.file, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as TrlRow)
}

/** Assistant tokens a correct loss mask trains: every turn but the wrong looks, each + <|im_end|>. */
function expectedTrainedTokens(rows: TrlRow[]): number {
  let n = 0
  for (const row of rows) {
    row.messages
      .filter((m) => m.role === 'assistant')
      .forEach((m, turn) => {
        if (!row.wrong_look_turns.includes(turn)) n += encode(m.content.map((c) => c.text ?? '').join('')).length + 1
      })
  }
  return n
}

const mean = (xs: number[]): number => xs.reduce((a, b) => a + b, 0) / xs.length

describe.skipIf(unavailable !== null)(`tiny-torch trainer${unavailable ? ` (skipped: ${unavailable})` : ''}`, () => {
  let data: TrainingData
  let sft: TrainerRun
  const sftDir = join(root, 'sft')

  beforeAll(async () => {
    data = await buildTrainingData(root)
  })

  it('SFT: every line is a TrainerEvent, the loss falls, the wrong look is masked, checkpoints and the ONNX export land', async () => {
    writeRun(sftDir, baseSpec(data, { hyper: { learningRate: 1e-2, maxSteps: 120, saveEverySteps: 60 } }))
    sft = await runTrainer(sftDir)
    expect(sft.invalid).toEqual([])
    expect(sft.code, sft.stderr).toBe(0)
    expect(sft.events[0]).toMatchObject({ event: 'started', device: 'cpu' })

    const metrics = eventsOf(sft, 'metrics')
    expect(metrics.map((m) => m.step)).toEqual(Array.from({ length: 120 }, (_, i) => i + 1))
    for (const m of metrics) expect(Object.keys(m.values)).toEqual(expect.arrayContaining(['loss', 'learning_rate', 'mean_token_accuracy', 'grad_norm']))
    const loss = metrics.map((m) => m.values.loss ?? NaN)
    const first = mean(loss.slice(0, 5))
    const last = mean(loss.slice(-10))
    expect(first).toBeGreaterThan(4) // ~ln(272): nothing learned yet
    expect(last).toBeLessThan(first / 10)
    expect(metrics.at(-1)?.values.mean_token_accuracy).toBeGreaterThan(0.9)

    // the loss mask: assistant turns + <|im_end|>, without the deliberate wrong look
    const rows = rowsOf(data)
    expect(rows.map((r) => r.wrong_look_turns)).toEqual([[], [0], []])
    const summary = eventsOf(sft, 'log').find((l) => l.message.startsWith('sft:'))?.message ?? ''
    expect(summary).toContain(`${expectedTrainedTokens(rows)} trained tokens`)
    expect(summary).toContain('1 wrong-look turns masked')

    expect(eventsOf(sft, 'checkpoint')).toEqual([{ event: 'checkpoint', step: 60, path: join(sftDir, 'output', 'checkpoints', 'step-60') }])
    for (const f of ['model.pt', 'optimizer.pt', 'trainer_state.json']) expect(existsSync(join(sftDir, 'output', 'checkpoints', 'step-60', f))).toBe(true)
    const done = sft.events.at(-1)
    expect(done).toEqual({ event: 'done', modelDir: join(sftDir, 'output', 'model'), onnxDir: join(sftDir, 'output', 'onnx') })
    const folder = describeModelFolder(join(sftDir, 'output', 'onnx'))
    expect(folder).toMatchObject({ modelType: 'qwen2_vl', dtypeLabel: 'fp32', tiny: false, vocabSize: 272 })
  }, 600_000)

  it('the exported model runs in the studio agent loop and zooms where it was trained to, then answers', async () => {
    const row = rowsOf(data).find((r) => r.sample_id === 'sample-img-003')! // its question is its own
    const sample = data.samples.find((s) => s.id === row.sample_id)!
    const trainedCall = parseAssistantTurn(row.messages[2]!.content[0]!.text!).steps.at(-1)
    expect(trainedCall?.kind).toBe('crop')
    const session = await VlmSession.load(join(sftDir, 'output', 'onnx'), { device: 'cpu' })
    try {
      const image = await decodeImage(readFileSync(resolve(dirname(data.file), row.images[0]!)))
      // crops resized as in training (TRAIN_PROFILE), so the observation text is the one it learned
      const settings = { cropMinPixels: TRAIN_PROFILE.crop.minPixels, cropMaxPixels: TRAIN_PROFILE.crop.maxPixels, maxNewTokensPerTurn: 256 }
      const result = await runAgent(session, { question: sample.question, media: { kind: 'images', images: [image] }, settings })
      const op = result.steps.find((s) => s.kind === 'operation')
      expect(op?.kind === 'operation' && op.call).toEqual({ op: 'crop', name: 'crop_image_normalized', bbox: trainedCall?.kind === 'crop' ? trainedCall.bbox : null, targetImage: 1 })
      expect(result.steps.some((s) => s.kind === 'result')).toBe(true)
      expect(result).toMatchObject({ stop: 'answer', answer: sample.answer, operations: 1 })
    } finally {
      await session.dispose()
    }
  }, 120_000)

  it('resumes from a checkpoint: the step count continues', async () => {
    const dir = join(root, 'resume')
    writeRun(dir, baseSpec(data, { hyper: { learningRate: 1e-2, maxSteps: 62 }, resumeFrom: join(sftDir, 'output', 'checkpoints', 'step-60'), exportOnnx: false }))
    const run = await runTrainer(dir)
    expect(run.invalid).toEqual([])
    expect(run.code, run.stderr).toBe(0)
    expect(eventsOf(run, 'metrics').map((m) => m.step)).toEqual([61, 62])
    expect(eventsOf(run, 'log').map((l) => l.message)).toContainEqual(expect.stringMatching(/^resumed from .*step-60 at step 60$/))
    // it continued the trained model: the loss starts low, not at ln(272)
    expect(eventsOf(run, 'metrics')[0]?.values.loss).toBeLessThan(1)
    expect(run.events.at(-1)).toEqual({ event: 'done', modelDir: join(dir, 'output', 'model'), onnxDir: null })
  }, 120_000)

  it('SIGTERM: the step in flight finishes, a checkpoint is saved, the process exits 0 without `done`', async () => {
    const dir = join(root, 'sigterm')
    writeRun(dir, baseSpec(data, { hyper: { learningRate: 1e-2, maxSteps: 1000 }, exportOnnx: false }))
    let signalled = false
    const run = await runTrainer(dir, {
      onEvent: (e: TrainerEvent, child) => {
        if (e.event === 'metrics' && !signalled) {
          signalled = true
          child.kill('SIGTERM')
        }
      }
    })
    expect(run.invalid).toEqual([])
    expect(run.code, run.stderr).toBe(0)
    const steps = eventsOf(run, 'metrics').map((m) => m.step)
    const checkpoints = eventsOf(run, 'checkpoint')
    expect(checkpoints).toHaveLength(1)
    expect(checkpoints[0]?.step).toBe(steps.at(-1))
    const state = JSON.parse(readFileSync(join(checkpoints[0]!.path, 'trainer_state.json'), 'utf8')) as { step: number; algorithm: string }
    expect(state).toMatchObject({ step: steps.at(-1), algorithm: 'sft' })
    expect(run.events.some((e) => e.event === 'done')).toBe(false)
    expect(eventsOf(run, 'log').at(-1)?.message).toMatch(/^stopped by SIGTERM after step \d+ of 1000/)
  }, 120_000)

  it('GRPO from the SFT model: rollouts through the pixel ops, rewards as the shared reward rule computes them', async () => {
    const dir = join(root, 'grpo')
    writeRun(
      dir,
      baseSpec(data, {
        algorithm: 'grpo',
        baseModel: { kind: 'path', path: join(sftDir, 'output', 'model') },
        hyper: { learningRate: 1e-3, maxSteps: 2, warmupRatio: 0 },
        grpo: { groupSize: 4, temperature: 0.7 },
        exportOnnx: false
      })
    )
    const run = await runTrainer(dir)
    expect(run.invalid).toEqual([])
    expect(run.code, run.stderr).toBe(0)
    const rollouts = eventsOf(run, 'rollout')
    const metrics = eventsOf(run, 'metrics')
    expect(metrics.map((m) => m.step)).toEqual([1, 2])
    expect(rollouts).toHaveLength(8)
    const sampleIds = data.samples.map((s) => s.id)
    for (const step of [1, 2]) {
      const group = rollouts.filter((r) => r.step === step)
      expect(group).toHaveLength(4)
      expect(new Set(group.map((r) => r.sampleId)).size).toBe(1) // batchSize 1: one prompt, one group
      expect(sampleIds).toContain(group[0]?.sampleId)
      for (const r of group) expect(r.turns.length).toBeGreaterThan(0)
      // the trainer's reward is the shared rule's (paper formula, defaults)
      const expected = groupRewards(group.map((r) => ({ correct: r.correct, operations: r.operations })))
      group.forEach((r, i) => expect(r.reward).toBeCloseTo(expected.rewards[i]!.total, 9))
      const values = metrics.find((m) => m.step === step)!.values
      expect(values.reward).toBeCloseTo(mean(group.map((r) => r.reward)), 9)
      expect(values.rapr).toBeCloseTo(expected.rapr, 9)
      expect(values['rewards/correctness/mean']).toBeCloseTo(mean(expected.rewards.map((x) => x.correctness)), 9)
      expect(values['rewards/curiosity/mean']).toBeCloseTo(mean(expected.rewards.map((x) => x.curiosity)), 9)
      expect(values['rewards/penalty/mean']).toBeCloseTo(mean(expected.rewards.map((x) => x.penalty)), 9)
      expect(values.ops_per_response).toBeCloseTo(mean(group.map((r) => r.operations)), 9)
      expect(values.accuracy).toBeCloseTo(mean(group.map((r) => (r.correct ? 1 : 0))), 9)
      expect(values).toHaveProperty('loss')
      expect(values).toHaveProperty('learning_rate')
    }
    // the SFT model zooms: most rollouts start with a crop call
    expect(rollouts.filter((r) => r.operations > 0).length).toBeGreaterThan(4)
    expect(run.events.at(-1)).toMatchObject({ event: 'done', onnxDir: null })
  }, 300_000)

  it('rollouts execute calls with the studio rules: the Python environment replays the observations the studio materialized', async () => {
    const file = await buildReplayData(root)
    // each assistant call of each exported row, run by the GRPO rollout environment
    const script = [
      'import json',
      'from data import load_images, read_rows',
      'from pixel_reasoner import toolcall',
      'from rollout import Environment',
      'out = []',
      'for row in read_rows(sys.argv[1]):',
      "    shown = sum(1 for b in row.messages[1]['content'] if b['type'] == 'image')",
      "    env = Environment(load_images(row, sys.argv[1], shown), row.is_video)",
      '    got = []',
      "    for m in row.messages:",
      "        text = ''.join(b.get('text', '') for b in m['content'])",
      "        if m['role'] == 'assistant' and toolcall.is_call(text):",
      '            observation, images, failed = env.run_call(text)',
      '            env.returned.extend(images)',
      "            got.append({'text': observation, 'sizes': [[i.width, i.height] for i in images]})",
      '    out.append(got)',
      'print(json.dumps(out))'
    ]
    const run = runPython(script, [file])
    expect(run.stderr).toBe('')
    const replayed = JSON.parse(run.stdout) as Array<Array<{ text: string; sizes: number[][] }>>
    // what the studio wrote: each observation turn's text and its images' sizes
    const rows = readFileSync(file, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as TrlRow)
    const expected = await Promise.all(
      rows.map(async (row) => {
        let image = row.messages.slice(0, 2).flatMap((m) => m.content).filter((c) => c.type === 'image').length
        const out: Array<{ text: string; sizes: number[][] }> = []
        for (const m of row.messages.slice(2)) {
          if (m.role !== 'user') continue
          const sizes: number[][] = []
          const count = m.content.filter((b) => b.type === 'image').length
          for (let k = 0; k < count; k++) {
            const meta = await sharp(resolve(dirname(file), row.images[image++]!)).metadata()
            sizes.push([meta.width!, meta.height!])
          }
          out.push({ text: m.content.map((c) => c.text ?? '').join(''), sizes })
        }
        return out
      })
    )
    expect(replayed).toEqual(expected)
    // the replay covered a crop of a crop, an error, frames and a crop of a frame
    expect(expected.flat().map((o) => o.text.split(' (')[0])).toEqual([
      '\nHere is the cropped image',
      '\nHere is the cropped image',
      '\nExecution error:\nCropped image is too small: 0x0\n',
      '\nHere are the selected frames',
      '\nHere is the cropped image'
    ])
  }, 120_000)

  it('a bad dataset row, or none at all, is a `data` error naming the file (and line)', async () => {
    const dir = join(root, 'bad-row')
    const rows = readFileSync(data.file, 'utf8').trim().split('\n')
    const broken = JSON.parse(rows[1]!) as TrlRow
    broken.images = broken.images.slice(1) // one image block fewer than images
    const file = join(dirname(data.file), 'bad.jsonl')
    writeFileSync(file, `${rows[0]}\n${JSON.stringify(broken)}\n`)
    writeRun(dir, baseSpec(data, { dataset: { snapshotId: data.snapshotId, snapshotHash: data.snapshotHash, train: file, format: 'trl', records: 2 }, hyper: { learningRate: 1e-2, maxSteps: 1 } }))
    const run = await runTrainer(dir)
    expect(run.code).toBe(1)
    expect(run.events.at(-1)).toEqual({ event: 'error', kind: 'data', message: `${file}:2: 3 image blocks but 2 \`images\`` })

    // a snapshot with no accepted traces exports an empty file
    writeFileSync(file, '')
    const empty = await runTrainer(dir)
    expect(empty.code).toBe(1)
    expect(empty.events.at(-1)).toEqual({ event: 'error', kind: 'data', message: `${file}: the dataset has no rows (does the snapshot hold any accepted traces?)` })
  }, 120_000)
})
