import { readFileSync } from 'node:fs'
import { resolve } from 'node:path'
import { describe, expect, it } from 'vitest'
import { parseAssistantTurn, parseCallJson, parseTranscript } from '../../src/shared/toolcall/parse'
import { renderChatText, renderMessages, renderCall } from '../../src/shared/toolcall/render'
import { Step, Trace, type Step as StepT } from '../../src/shared/toolcall/steps'
import { systemText, toolsBlock, userText } from '../../src/shared/toolcall/tools'
import { resolveCropTarget, type MediaContext } from '../../src/shared/pixel-ops/targets'

interface Vectors {
  parse_turn: Array<{ name: string; text: string; expected: { isCall: boolean; steps: Array<Record<string, unknown>> } }>
  render: Array<{ name: string; trace: unknown; options?: Record<string, unknown>; expected: string }>
  agent_calls: Array<{ name: string; text: string; context: MediaContext; expected: { error: string } | { ok: unknown } }>
}
const vectors = JSON.parse(readFileSync(resolve('resources/test-vectors/toolcall.json'), 'utf8')) as Vectors

/** Concatenated raw text of parsed steps. */
function rawOf(steps: readonly StepT[]): string {
  return steps.map((s) => (s.kind === 'error' ? s.rawText : (s.raw ?? ''))).join('')
}

describe('parse one assistant turn (vectors)', () => {
  it.each(vectors.parse_turn.map((v) => [v.name, v] as const))('%s', (_, v) => {
    const parsed = parseAssistantTurn(v.text)
    expect(parsed.isCall).toBe(v.expected.isCall)
    expect(parsed.steps.map((s) => s.kind)).toEqual(v.expected.steps.map((s) => s.kind))
    parsed.steps.forEach((s, i) => expect(s).toMatchObject(v.expected.steps[i] as Record<string, unknown>))
    // total: nothing is lost, and every step is schema-valid
    expect(rawOf(parsed.steps)).toBe(v.text)
    for (const s of parsed.steps) expect(Step.safeParse(s).success).toBe(true)
  })
})

describe('calls as the agent loop reads them (reference: true), against the reference (vectors)', () => {
  it.each(vectors.agent_calls.map((v) => [v.name, v] as const))('%s', (_, v) => {
    const last = parseAssistantTurn(v.text, { reference: true }).steps.at(-1)
    if (last?.kind === 'error') {
      expect({ error: last.message }).toEqual(v.expected)
      return
    }
    expect(last?.kind).toBe('crop')
    const r = resolveCropTarget(last?.kind === 'crop' ? last.targetImage : -1, v.context, 'reference')
    expect(r.ok ? { ok: r.value } : { error: r.error.message }).toEqual(v.expected)
  })

  it('import still reads the aliases', () => {
    const alias = vectors.agent_calls[0]!
    expect(parseAssistantTurn(alias.text).steps.at(-1)).toMatchObject({ kind: 'crop', toolName: 'crop_image' })
  })
})

describe('parse: error kinds and policies', () => {
  const call = (args: string, name = 'crop_image_normalized'): string => `<tool_call>\n{"name": "${name}", "arguments": ${args}}\n</tool_call>`

  it('every error kind is a typed error step carrying the text', () => {
    const cases: Array<[string, string]> = [
      ['<tool_call>\n{"name": \n</tool_call>', 'malformed_json'],
      ['oops </tool_call>', 'malformed_call'],
      ['<tool_call>\n"crop"\n</tool_call>', 'malformed_call'],
      [call('{}', 'draw_box'), 'unknown_tool'],
      [call('{"bbox_2d": [0.1, 0.1, 0.2, 0.2]}'), 'bad_arguments'],
      [call('{"bbox_2d": [0.1, 0.1, 0.2, 0.2], "target_image": 1, "x": 0}'), 'bad_arguments'],
      [call('{"bbox_2d": [0.9, 0.1, 0.2, 0.2], "target_image": 1}'), 'bbox_out_of_range']
    ]
    for (const [text, code] of cases) {
      const { steps } = parseAssistantTurn(text)
      const last = steps.at(-1)
      expect(last).toMatchObject({ kind: 'error', code })
      expect(last?.kind === 'error' && last.message.length > 10).toBe(true)
      expect(rawOf(steps)).toBe(text)
    }
  })

  it('strict policy rejects zero-area and out-of-[0,1] boxes the reference would still crop', () => {
    const zero = call('{"bbox_2d": [0.5, 0.5, 0.5, 0.5], "target_image": 1}')
    expect(parseAssistantTurn(zero).steps[0]?.kind).toBe('crop')
    expect(parseAssistantTurn(zero, { bboxPolicy: 'strict' }).steps[0]).toMatchObject({ kind: 'error', code: 'bbox_out_of_range' })
    const pixels = call('{"bbox_2d": [10, 10, 200, 200], "target_image": 1}')
    expect(parseAssistantTurn(pixels).steps[0]).toMatchObject({ kind: 'crop', bboxUnits: 'pixels' })
    expect(parseAssistantTurn(pixels, { bboxPolicy: 'strict' }).steps[0]).toMatchObject({ kind: 'error', code: 'bbox_out_of_range' })
  })

  it('never throws on arbitrary input', () => {
    const samples = ['', '</tool_call>', '<tool_call></tool_call>', '<tool_call>null</tool_call>', '<tool_call>{"name": 1}</tool_call>', '<tool_call>{"name": "select_frames", "arguments": {"target_frames": "1,2"}}</tool_call>', '\\boxed{', '<|im_end|><|im_end|>']
    for (let i = 0; i < 200; i++) samples.push(Array.from({ length: 40 }, () => '<>{}[]",:0.1 tool_call/|im_end|select_frames'.charAt(Math.floor(Math.random() * 44))).join('') + '</tool_call>')
    for (const s of samples) {
      const parsed = parseAssistantTurn(s)
      expect(rawOf(parsed.steps)).toBe(s)
    }
  })

  it('keeps the model’s arguments and name', () => {
    const s = parseCallJson('{"name": "zoom_in", "arguments": {"bbox_2d": [1, 2, 300, 400], "target_image": 2}}', 'raw')
    expect(s).toMatchObject({ kind: 'crop', toolName: 'zoom_in', targetImage: 2, bboxUnits: 'pixels', rawArgs: { bbox_2d: [1, 2, 300, 400], target_image: 2 } })
  })
})

describe('render (vectors, cross-checked by the Python renderer)', () => {
  it.each(vectors.render.map((v) => [v.name, v] as const))('%s', (_, v) => {
    const trace = Trace.parse(v.trace)
    expect(renderChatText(trace, v.options ?? {})).toBe(v.expected)
  })

  it('the system prompt is the reference tool block; the question is followed by four newlines (vcot)', () => {
    expect(systemText()).toBe(`You are a helpful assistant.\n\n${toolsBlock()}`)
    expect(toolsBlock('crop_image')).toContain('"name": "crop_image", "description"')
    expect(userText('Q?')).toMatch(/^Q\?\n\n\n\nGuidelines: /)
  })

  it('renders a structured message list for exporters', () => {
    const trace = Trace.parse(vectors.render[2]?.trace)
    const messages = renderMessages(trace)
    expect(messages.map((m) => m.role)).toEqual(['system', 'user', 'assistant', 'user', 'assistant', 'user', 'assistant'])
    expect(messages[1]?.content[0]).toEqual({ type: 'video', frames: trace.media.kind === 'video' ? trace.media.frames : [] })
    expect(messages[3]?.content.filter((c) => c.type === 'image')).toHaveLength(3)
  })

  it('emits the configured crop tool name', () => {
    const step = { kind: 'crop' as const, toolName: 'zoom_in' as const, targetImage: 1, bbox: [0.1, 0.2, 0.3, 0.4] as [number, number, number, number], bboxUnits: 'normalized' as const }
    expect(renderCall(step)).toBe('<tool_call>\n{"name": "crop_image_normalized", "arguments": {"bbox_2d": [0.1, 0.2, 0.3, 0.4], "target_image": 1}}\n</tool_call>')
    expect(renderCall(step, { cropToolName: 'crop_image' })).toContain('"name": "crop_image"')
  })
})

describe('transcripts', () => {
  it('round-trips a rendered trace: parse(render(trace)) gives back its steps', () => {
    for (const v of vectors.render) {
      const trace = Trace.parse(v.trace)
      const text = renderChatText(trace, v.options ?? {})
      const parsed = parseTranscript(text)
      expect(parsed.segments.map((s) => s.raw).join('')).toBe(text)
      expect(parsed.steps.map((s) => s.kind)).toEqual(trace.steps.map((s) => s.kind))
      parsed.steps.forEach((s, i) => {
        const want = trace.steps[i] as StepT
        if (s.kind === 'crop' && want.kind === 'crop') expect(s.targetImage).toBe(want.targetImage)
        if (s.kind === 'observation' && want.kind === 'observation') {
          expect(s.result.type).toBe(want.result.type)
          if (s.result.type !== 'error' && want.result.type !== 'error') expect([s.result.width, s.result.height]).toEqual([want.result.width, want.result.height])
          if (s.result.type === 'error' && want.result.type === 'error') expect(s.result.message).toBe(want.result.message)
        }
        if (s.kind === 'answer' && want.kind === 'answer') expect(s.boxed).toBe(want.boxed)
      })
      expect(parsed.question).toBe(userText(trace.question, (v.options?.guideline as 'vcot' | 'notool' | undefined) ?? 'vcot'))
    }
  })

  it('a 5th call ends the trajectory: too_many_calls, not executed', () => {
    const call = '<tool_call>\n{"name": "crop_image_normalized", "arguments": {"bbox_2d": [0.1, 0.2, 0.3, 0.4], "target_image": 1}}\n</tool_call>'
    const obs = '<|im_start|>user\n\nHere is the cropped image (Image Size: 56x56):<|vision_start|><|vision_end|><|im_end|>\n'
    let text = '<|im_start|>system\nYou are a helpful assistant.<|im_end|>\n<|im_start|>user\n<|vision_start|><|image_pad|><|vision_end|>Q<|im_end|>\n'
    for (let i = 0; i < 5; i++) text += `<|im_start|>assistant\n${call}<|im_end|>\n${i < 4 ? obs : ''}`
    const parsed = parseTranscript(text)
    expect(parsed.calls).toBe(5)
    expect(parsed.steps.filter((s) => s.kind === 'crop')).toHaveLength(4)
    expect(parsed.steps.at(-1)).toMatchObject({ kind: 'error', code: 'too_many_calls', rawText: call })
    expect(parsed.steps.filter((s) => s.kind === 'observation').map((s) => (s.kind === 'observation' && s.result.type === 'crop' ? s.result.image : ''))).toEqual(['transcript:image:2', 'transcript:image:3', 'transcript:image:4', 'transcript:image:5'])
    expect(parsed.segments.map((s) => s.raw).join('')).toBe(text)
  })

  it('a bare model response (no chat markers) is one assistant turn', () => {
    const parsed = parseTranscript('Looks like \\boxed{7}')
    expect(parsed.steps).toEqual([{ kind: 'answer', text: 'Looks like \\boxed{7}', boxed: '7', raw: 'Looks like \\boxed{7}' }])
  })
})
