// The Experiments screen in real Chromium through `serve`, with the scripted fake trainer as the
// studio's Python (it replays a recorded GRPO stream for every arm): the form refuses a snapshot
// without a validation split; an experiment created over the API runs from its page — the warm
// start, then the three GRPO arms —, draws a curve per arm, fills a Table 1 row per arm, and an
// arm's rollouts open in Review.
import { join } from 'node:path'
import { beforeAll, describe, expect, it } from 'vitest'
import { screenshot } from '../helpers/browser'
import { tempDir } from '../helpers/temp'
import { definition, holdOutForValidation, modelFolder, TOOL_TEMPLATE } from '../experiment/helpers'
import { installFakeTrainer, RECORDED_GRPO, trainingProject } from '../training/helpers'
import { callServed } from './served-api'
import { serveStudioForSpec } from './served-studio'

const root = tempDir()
let split = ''
let model = ''

beforeAll(async () => {
  const fake = installFakeTrainer(join(root, 'fake'))
  fake.setScenario({ default: [{ replay: RECORDED_GRPO, delayMs: 40 }, { emit: { event: 'done', modelDir: 'output/model', onnxDir: null } }] })
  const dir = join(root, 'home', 'projects', 'sample-project')
  const { project } = await trainingProject(dir)
  split = project.snapshots.create('held out', { status: ['accepted'] }).id
  holdOutForValidation(project, split, 'sample-img-002')
  project.close()
  model = modelFolder(join(root, 'qwen-tools'), 'qwen2_5_vl', TOOL_TEMPLATE)
})
const served = serveStudioForSpec(root)

describe('Experiments screen', () => {
  it('refuses a snapshot without a split in the form; runs an experiment and shows its arms, curves and rollouts', async () => {
    const { page, studio, errors } = await served.open({ width: 1500, height: 950 })
    await studio.ready()
    await page.keyboard.press('6')
    const form = page.getByTestId('experiment-form')
    await form.getByLabel('snapshot (with a validation split)').selectOption({ label: 'v1 (2)' })
    await form.getByRole('button', { name: 'Check' }).click()
    await expect.poll(() => form.getByRole('alert').textContent()).toContain('has no validation split; create it with `pixel-studio snapshot create')

    const experiment = await callServed(served.serve, 'experiments.create', definition(split, model))
    await page.keyboard.press('5')
    await page.keyboard.press('6')
    await page.getByTestId('experiment-row').filter({ hasText: 'ablation' }).click()
    await page.getByRole('button', { name: 'Run' }).click()
    const arms = page.getByTestId('experiment-arm')
    await expect.poll(() => page.getByTestId('experiment-status').getAttribute('data-status'), { timeout: 120_000, interval: 500 }).toBe('finished')
    expect(await arms.evaluateAll((rows) => rows.map((r) => [r.getAttribute('data-arm'), r.getAttribute('data-status')]))).toEqual([
      ['warm-start', 'succeeded'],
      ['curiosity', 'succeeded'],
      ['no-curiosity', 'succeeded'],
      ['text-only', 'succeeded']
    ])
    // a RaPR curve per arm, 6 points each
    const rapr = page.getByTestId('experiment-curve-rapr').getByTestId('chart-series')
    expect(await rapr.evaluateAll((lines) => lines.map((l) => l.getAttribute('data-points')))).toEqual(['6', '6', '6', '6'])
    await screenshot(page, 'experiment-report')
    expect((await callServed(served.serve, 'experiments.report', { id: experiment.id })).table.map((r) => r.rollouts)).toEqual([2, 2, 2, 2])

    // an arm's rollouts open in Review
    await arms.filter({ hasText: 'no-curiosity' }).getByRole('button', { name: '2' }).click()
    await expect.poll(() => page.locator('nav[aria-label="Screens"] .tab.active').textContent()).toBe('Review')
    expect(errors).toEqual([])
    await page.close()
  }, 200_000)
})
