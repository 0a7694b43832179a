// An experiment definition refused before any run starts, with every problem named: no
// validation split, arms that differ in more than what they compare, unfixed seeds, a base model
// that is not Qwen-VL or whose chat template has no tool support (TRL's test, on TRL's own
// templates).
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Project } from '../../src/main/project/project'
import { armStartInput } from '../../src/main/experiment/definition'
import { ExperimentOrchestrator } from '../../src/main/experiment/orchestrator'
import { supportsToolCalling } from '../../src/main/experiment/tool-support'
import { TrainingSupervisor } from '../../src/main/training/supervisor'
import { ExperimentDefinition } from '../../src/shared/contract'
import { CPU_MINI, GPU_24GB } from '../../src/shared/experiment/presets'
import { tempDir } from '../helpers/temp'
import { trainingProject } from '../training/helpers'
import { definition, holdOutForValidation, modelFolder, STOCK_TEMPLATE, TOOL_TEMPLATE } from './helpers'

const root = tempDir('pixel-studio-experiment-def-')
let project: Project
let orchestrator: ExperimentOrchestrator
let split: string
let unsplit: string
let model: string

beforeAll(async () => {
  const made = await trainingProject(join(root, 'project'))
  project = made.project
  unsplit = made.snapshotId
  split = project.snapshots.create('with validation', { status: ['accepted'] }).id
  holdOutForValidation(project, split, 'sample-img-002')
  model = modelFolder(join(root, 'qwen-tools'), 'qwen2_5_vl', TOOL_TEMPLATE)
  orchestrator = new ExperimentOrchestrator(project, new TrainingSupervisor(project, { runQueue: false, events: { run: () => {}, metrics: () => {}, log: () => {}, traces: () => {} } }))
})
afterAll(() => project?.close())

describe('experiment definition', () => {
  it('checks chat templates as TRL does: its qwen3_vl template supports tools, its stock qwen2_5_vl does not', () => {
    expect(supportsToolCalling(readFileSync(TOOL_TEMPLATE, 'utf8'))).toBe(true)
    expect(supportsToolCalling(readFileSync(STOCK_TEMPLATE, 'utf8'))).toBe(false)
    expect(supportsToolCalling(null)).toBe(false)
    expect(supportsToolCalling('{% for m in messages %}{{ m.content')).toBe(false)
  })

  it('accepts the four paper arms on a split snapshot and a tool-capable model, and records it without running', () => {
    expect(orchestrator.validate(definition(split, model))).toEqual({ ok: true, problems: [] })
    const created = orchestrator.create(definition(split, model))
    expect(created.status).toBe('defined')
    expect(created.arms.map((a) => [a.name, a.runId, a.status])).toEqual([
      ['warm-start', null, 'waiting'],
      ['curiosity', null, 'waiting'],
      ['no-curiosity', null, 'waiting'],
      ['text-only', null, 'waiting']
    ])
    expect(created.definition.arms[1]!.grpo?.reward?.curiosity).toBe(true)
    expect(orchestrator.store.list().map((e) => e.id)).toContain(created.id)
  })

  it('refuses a snapshot without a validation split, naming the command that makes one', () => {
    const { problems } = orchestrator.validate(definition(unsplit, model))
    expect(problems).toEqual([expect.stringMatching(new RegExp(`^snapshot ${unsplit} \\(v1\\) has no validation split; create it with \`pixel-studio snapshot create <name> --val-fraction 0\\.2 --seed 1\``))])
    expect(() => orchestrator.create(definition(unsplit, model))).toThrow(/has no validation split/)
  })

  it('refuses arms that differ in more than what they compare, and unfixed seeds', () => {
    const arms = definition(split, model).arms!.map((a) =>
      a.name === 'no-curiosity' ? { ...a, hyper: { learningRate: 2e-5 }, grpo: { ...a.grpo, temperature: 0.7 } } : a.name === 'text-only' ? { ...a, hyper: { seed: 99 } } : a
    )
    const { ok, problems } = orchestrator.validate(definition(split, model, { arms }))
    expect(ok).toBe(false)
    expect(problems).toContain('arms curiosity and no-curiosity differ in more than what they compare (grpo.reward.curiosity): grpo.temperature (default) vs 0.7; hyper.learningRate 0.00001 vs 0.00002 — move shared settings to grpo.hyper / grpo.settings')
    expect(problems).toContain('arm text-only has seed 99; every arm uses the experiment\'s seed 7')
    expect(problems.some((p) => p.startsWith('arms curiosity and text-only differ') && p.includes('hyper.seed 7 vs 99'))).toBe(true)
  })

  it('a shared grpo.maxCompletionTokens reaches every GRPO arm\'s run; an arm with its own is refused', () => {
    const shared = ExperimentDefinition.parse(definition(split, model, { grpo: { hyper: { learningRate: 1e-5, maxSteps: 3 }, settings: { groupSize: 4, maxCompletionTokens: 96 } } }))
    expect(orchestrator.validate(shared)).toMatchObject({ ok: true })
    expect(shared.arms.filter((a) => a.kind !== 'warm-start').map((a) => armStartInput(shared, a, '/warm').grpo?.maxCompletionTokens)).toEqual([96, 96, 96])
    const arms = shared.arms.map((a) => (a.name === 'curiosity' ? { ...a, grpo: { ...a.grpo, maxCompletionTokens: 512 } } : a))
    const { problems } = orchestrator.validate({ ...shared, arms })
    expect(problems.some((p) => p.startsWith('arms curiosity and no-curiosity differ') && p.includes('grpo.maxCompletionTokens 512 vs 96'))).toBe(true)
  })

  it('refuses arms whose kind does not match their settings, and a missing warm start', () => {
    const wrong = definition(split, model, {
      arms: [
        { name: 'curiosity', kind: 'curiosity', grpo: { reward: { curiosity: false } } },
        { name: 'plain', kind: 'no-curiosity' },
        { name: 'floor', kind: 'text-only' }
      ]
    })
    const { problems } = orchestrator.validate(wrong)
    expect(problems).toEqual(
      expect.arrayContaining([
        'an experiment has exactly one warm-start arm (the SFT every GRPO arm starts from); this one has 0',
        'arm curiosity compares the curiosity bonus but has it off (grpo.reward.curiosity: false)',
        'arm plain is the no-curiosity arm but has the bonus on: set grpo.reward.curiosity to false',
        'arm floor is text-only (no visual operations offered): set grpo.maxOperations to 0'
      ])
    )
  })

  it('refuses a base model without tool support, and one that is not Qwen-VL, naming the fix', () => {
    const stock = modelFolder(join(root, 'qwen-stock'), 'qwen2_5_vl', STOCK_TEMPLATE)
    const [problem] = orchestrator.validate(definition(split, stock)).problems
    expect(problem).toMatch(/has a chat template without tool support \(TRL's supports_tool_calling fails/)
    expect(problem).toContain('Fix: set "chatTemplate": "studio"')
    // the studio's template then: accepted
    expect(orchestrator.validate(definition(split, stock, { chatTemplate: 'studio' })).ok).toBe(true)
    const llama = modelFolder(join(root, 'llama'), 'llama', TOOL_TEMPLATE)
    expect(orchestrator.validate(definition(split, llama)).problems).toEqual([expect.stringContaining('is a llama model; the experiment trains Qwen2-VL / Qwen2.5-VL')])
    expect(orchestrator.validate(definition(split, 'Qwen/Qwen2.5-VL-3B-Instruct')).problems).toEqual([expect.stringContaining('is not a local folder: download it first')])
  })

  it('the presets are valid definitions with the paper\'s reward defaults', () => {
    for (const preset of [CPU_MINI, GPU_24GB]) {
      const def = ExperimentDefinition.parse(preset.definition('snap-1', '/models/qwen'))
      expect(def.arms.map((a) => a.kind)).toEqual(['warm-start', 'curiosity', 'no-curiosity', 'text-only'])
      expect(def.grpo.settings.reward).toEqual({ formula: 'paper', alpha: 0.5, beta: 0.05, targetRapr: 0.3, freeOperations: 1, curiosity: true })
    }
  })
})
