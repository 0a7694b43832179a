// The Train screen in real Chromium through `serve`, driving the scripted fake trainer as the
// studio's Python: launch a GRPO run, watch its curves and log grow, open a rollout in Review,
// cancel it (the trainer checkpoints on SIGTERM), launch another that finishes with an ONNX
// model and register it for the Playground, then compare both runs on one chart.
import { join } from 'node:path'
import { beforeAll, describe, expect, it } from 'vitest'
import { makeTinyModel } from '../../src/main/inference/tiny-model/generate'
import { TINY_SCRIPTS } from '../../src/main/inference/tiny-model/scripts'
import { screenshot } from '../helpers/browser'
import { tempDir } from '../helpers/temp'
import { installFakeTrainer, RECORDED_GRPO, trainingProject, type FakeEnv } from '../training/helpers'
import { serveStudioForSpec } from './served-studio'
import { TrainPage } from './train-page'

const root = tempDir()
let fake: FakeEnv
const onnxDir = join(root, 'trained-onnx')

beforeAll(async () => {
  // the studio's default project, made before `serve` starts: accepted traces and a snapshot
  fake = installFakeTrainer(join(root, 'fake'))
  const { project } = await trainingProject(join(root, 'home', 'projects', 'sample-project'))
  project.close()
  makeTinyModel(onnxDir, { script: TINY_SCRIPTS.cropThenAnswer })
})
const served = serveStudioForSpec(root)

describe('Train screen', () => {
  it('launches a run, shows curves and logs live, cancels it, registers a finished model, compares runs', async () => {
    const { page, studio, errors } = await served.open({ width: 1500, height: 950 })
    await studio.ready()
    const train = new TrainPage(page)
    await train.open()
    await expect.poll(() => page.getByTestId('training-machine').count()).toBe(0) // the form is closed

    // refused before anything is queued, with what to do
    fake.setScenario({ missing: ['torch'], default: [] })
    await page.getByRole('button', { name: 'New run' }).click()
    const form = page.getByRole('region', { name: 'Launch a run' })
    await expect.poll(() => form.getByTestId('training-machine').textContent()).toContain('torch missing')
    await form.getByRole('button', { name: 'Queue run' }).click()
    await expect.poll(() => form.getByRole('alert').textContent()).toContain('pip install trl transformers')
    expect(await page.getByTestId('run-row').count()).toBe(0)
    await page.getByRole('button', { name: 'Close form' }).click()

    fake.setScenario({ default: [{ replay: RECORDED_GRPO, delayMs: 120 }, { hang: true, everyMs: 150 }] })
    await train.launch({ algorithm: 'grpo', title: 'curious run' })
    await expect.poll(() => train.row('curious run').getAttribute('data-status')).toBe('running')
    await expect.poll(() => train.curvePoints('loss')).toBeGreaterThanOrEqual(2)
    const early = await train.curvePoints('loss')
    await expect.poll(() => train.curvePoints('loss')).toBeGreaterThan(early + 2) // the curve grows while we watch
    for (const metric of ['reward', 'rewards/curiosity/mean', 'rapr', 'ops_per_response', 'accuracy']) expect(await train.curvePoints(metric)).toBeGreaterThan(0)
    await expect.poll(() => train.log()).toContain('"event":"started"')
    await expect.poll(() => page.getByTestId('rollouts').locator('li').count()).toBe(2)
    await screenshot(page, 'train-running')

    // the replay's two checkpoints (steps 3 and 6) are in before we cancel, so the one the
    // trainer writes on SIGTERM is a third (cancelling mid-replay at step 6 would overwrite step-6)
    const checkpoints = page.getByTestId('checkpoints').locator('li')
    await expect.poll(() => checkpoints.count()).toBe(2)
    await train.detail().getByRole('button', { name: 'Cancel' }).click()
    await expect.poll(() => train.status()).toBe('cancelled')
    await expect.poll(() => train.log()).toMatch(/stopped at step \d+ on SIGTERM/)
    await expect.poll(() => checkpoints.count()).toBe(3)
    expect(await train.detail().getByRole('button', { name: 'Resume' }).isVisible()).toBe(true)

    fake.setScenario({ default: [{ replay: RECORDED_GRPO, delayMs: 10 }, { emit: { event: 'done', modelDir: 'output/model', onnxDir } }] })
    await train.launch({ algorithm: 'grpo', title: 'finished run' })
    await expect.poll(() => train.row('finished run').getAttribute('data-status')).toBe('succeeded')
    await train.row('finished run').getByRole('button').click()
    await train.detail().getByRole('button', { name: 'Register model' }).click()
    await expect.poll(() => page.getByTestId('registered-model').textContent()).toContain('Registered as finished run')
    await screenshot(page, 'train-finished')

    await train.row('curious run').getByRole('checkbox').check()
    await train.row('finished run').getByRole('checkbox').check()
    const compare = page.getByTestId('compare-chart').getByTestId('chart-series')
    await expect.poll(() => compare.count()).toBe(2)
    expect((await compare.evaluateAll((lines) => lines.map((l) => l.getAttribute('data-label')))).sort()).toEqual(['curious run', 'finished run'])
    await page.getByLabel('Metric').selectOption('rapr')
    expect(await page.getByTestId('compare-chart').getAttribute('data-metric')).toBe('rapr')
    await screenshot(page, 'train-compare')

    // a rollout opens in Review
    await train.row('finished run').getByRole('button').click()
    await page.getByTestId('rollouts').getByRole('button').first().click()
    await expect.poll(() => page.locator('nav[aria-label="Screens"] .tab.active').textContent()).toBe('Review')

    // the registered model is there for the Playground
    await page.keyboard.press('3')
    await expect.poll(() => page.getByLabel('Model', { exact: true }).locator('option').allTextContents()).toEqual(expect.arrayContaining([expect.stringContaining('finished run')]))
    expect(errors).toEqual([])
    await page.close()
  })
})
