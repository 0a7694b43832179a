// TRL and LLaMA-Factory exports of a real trace (a real crop computed by pixel-ops, files in a
// real project), checked against each format's documented shape and against the codec's own
// rendering, so the exported text is exactly the Qwen2.5-VL tool-call text.
import { existsSync, readFileSync } from 'node:fs'
import { isAbsolute, join } from 'node:path'
import sharp from 'sharp'
import { beforeAll, describe, expect, it } from 'vitest'
import { EVAL_PROFILE } from '../../src/shared/pixel-ops'
import { applyChatTemplate, renderChatText, type Trace } from '../../src/shared/toolcall'
import { exportRecords } from '../../src/main/export/export-writer'
import type { ExportRecord } from '../../src/main/export/export-record'
import { cropImage } from '../../src/main/pixel-ops/crop'
import { Project } from '../../src/main/project/project'
import { tempDir } from '../helpers/temp'

const root = tempDir()
let project: Project
let record: ExportRecord

beforeAll(async () => {
  project = Project.create(join(root, 'p'))
  const bytes = await sharp({ create: { width: 640, height: 480, channels: 3, background: '#335577' } }).png().toBuffer()
  const original = await project.media.put(bytes)
  const crop = await cropImage(bytes, [0.4, 0.4, 0.6, 0.6], { profile: EVAL_PROFILE, cache: project.pixelCache })
  const trace: Trace = {
    question: 'What number is on the sign?',
    media: { kind: 'images', images: [original.hash] },
    steps: [
      { kind: 'thought', text: 'The sign is small. Now I will zoom in to look clearer at the sign.' },
      { kind: 'crop', toolName: 'crop_image_normalized', targetImage: 1, bbox: [0.4, 0.4, 0.6, 0.6], bboxUnits: 'normalized' },
      { kind: 'observation', result: { type: 'crop', image: crop.hash, width: crop.width, height: crop.height } },
      { kind: 'answer', text: 'The sign reads 42. \\boxed{42}', boxed: '42' }
    ]
  }
  record = { id: 't1', sampleId: 's1', trace, gold: '42', answerType: 'number', source: 'test', wrongLookTurns: [] }
})

const pathOf = (hash: string): string => {
  const ref = project.media.get(hash)
  if (!ref) throw new Error(`no media ${hash}`)
  return project.media.pathOf(ref)
}

const CALL = '<tool_call>\n{"name": "crop_image_normalized", "arguments": {"bbox_2d": [0.4, 0.4, 0.6, 0.6], "target_image": 1}}\n</tool_call>'

describe('TRL conversational export', () => {
  it('writes messages with typed blocks, an images column in block order, and the files', async () => {
    const out = join(root, 'trl')
    const summary = await exportRecords([record, { ...record, id: 't2' }], { format: 'trl', outDir: out, name: 'pixel', pathOf })
    expect(summary).toMatchObject({ records: 2, files: ['pixel.jsonl'] })
    const rows = readFileSync(summary.file, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { messages: Array<{ role: string; content: Array<{ type: string; text?: string }> }>; images: string[]; answer: string })
    const row = rows[0]!
    expect(row.messages.map((m) => m.role)).toEqual(['system', 'user', 'assistant', 'user', 'assistant'])
    expect(row.messages.flatMap((m) => m.content).filter((c) => c.type === 'image')).toHaveLength(row.images.length)
    expect(row.images).toHaveLength(2)
    for (const path of row.images) expect(isAbsolute(path) && existsSync(path)).toBe(true) // trainers open paths as given
    expect(row.messages[2]?.content[0]?.text).toContain(CALL)
    expect(row.answer).toBe('42')
    // the exported messages render to exactly the codec's chat text
    const rendered = applyChatTemplate(
      row.messages.map((m) => ({ role: m.role as 'system' | 'user' | 'assistant', content: m.content.map((c) => (c.type === 'image' ? { type: 'image' as const, image: 'x' } : { type: 'text' as const, text: c.text ?? '' })) })),
      false
    )
    expect(rendered).toBe(renderChatText(record.trace))
  })
})

describe('LLaMA-Factory ShareGPT export', () => {
  it("text mode keeps the reference's chat: <tool_call> inside gpt turns, observations as human turns", async () => {
    const out = join(root, 'lf-text')
    const summary = await exportRecords([record], { format: 'llamafactory', outDir: out, name: 'pixel_sft', pathOf })
    const rows = JSON.parse(readFileSync(summary.file, 'utf8')) as Array<{ conversations: Array<{ from: string; value: string }>; system: string; images: string[] }>
    const row = rows[0]!
    expect(row.conversations.map((c) => c.from)).toEqual(['human', 'gpt', 'human', 'gpt'])
    const placeholders = row.conversations.map((c) => c.value.split('<image>').length - 1).reduce((a, b) => a + b, 0)
    expect(placeholders).toBe(row.images.length)
    expect(row.conversations[1]?.value).toContain(CALL)
    expect(row.conversations[2]?.value).toMatch(/^\nHere is the cropped image \(Image Size: \d+x\d+\):<image>$/)
    expect(row.system).toContain('# Tools')
    const info = JSON.parse(readFileSync(join(out, 'dataset_info.json'), 'utf8')) as Record<string, { file_name: string; formatting: string; columns: Record<string, string> }>
    expect(info.pixel_sft).toMatchObject({ file_name: 'pixel_sft.json', formatting: 'sharegpt', columns: { messages: 'conversations', images: 'images', system: 'system' } })
  })

  it('tools mode uses function_call / observation roles with a tools column', async () => {
    const out = join(root, 'lf-tools')
    const summary = await exportRecords([record], { format: 'llamafactory', outDir: out, name: 'pixel_tools', pathOf, mode: 'tools' })
    const row = (JSON.parse(readFileSync(summary.file, 'utf8')) as Array<{ conversations: Array<{ from: string; value: string }>; tools: string; images: string[] }>)[0]!
    expect(row.conversations.map((c) => c.from)).toEqual(['human', 'function_call', 'observation', 'gpt'])
    expect(JSON.parse(row.conversations[1]!.value)).toEqual({ name: 'crop_image_normalized', arguments: { bbox_2d: [0.4, 0.4, 0.6, 0.6], target_image: 1 } })
    expect((JSON.parse(row.tools) as Array<{ name: string }>).map((t) => t.name)).toEqual(['crop_image_normalized', 'select_frames'])
    expect(row.images).toHaveLength(2)
    const info = JSON.parse(readFileSync(join(out, 'dataset_info.json'), 'utf8')) as Record<string, { columns: Record<string, string> }>
    expect(info.pixel_tools?.columns.tools).toBe('tools')
  })

  it('stops between records when cancelled', async () => {
    const controller = new AbortController()
    controller.abort()
    await expect(exportRecords([record], { format: 'trl', outDir: join(root, 'cancel'), name: 'x', pathOf, signal: controller.signal })).rejects.toThrow()
  })
})
