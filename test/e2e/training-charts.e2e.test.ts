// Training charts with a million points, in real Chromium through `serve`: a run made by the
// fake trainer before the studio starts gets 1M loss and 200k reward points (the job store's own
// API), the studio downsamples them for the page, and the canvas chart draws, hovers with the
// value at the cursor (synced to the other panel), zooms by drag, smooths and takes a log scale.
import { join } from 'node:path'
import { beforeAll, describe, expect, it } from 'vitest'
import { Studio } from '../../src/main/app/studio'
import { inMemoryTransport } from '../../src/main/rpc/in-memory'
import { StudioClient } from '../../src/shared/contract/client'
import { screenshot } from '../helpers/browser'
import { tempDir } from '../helpers/temp'
import { installFakeTrainer, RECORDED_GRPO, tinyRun, trainingProject } from '../training/helpers'
import { serveStudioForSpec } from './served-studio'
import { TrainPage } from './train-page'

const root = tempDir()
const LOSS_POINTS = 1_000_000
let runId = ''

beforeAll(async () => {
  const fake = installFakeTrainer(join(root, 'fake'))
  const projectDir = join(root, 'home', 'projects', 'sample-project')
  const { project, snapshotId } = await trainingProject(projectDir)
  project.close()
  // a finished run, made the way the studio makes one, then a very long history for it
  const studio = new Studio({ home: join(root, 'home'), log: () => {} })
  try {
    studio.openProject(projectDir)
    studio.runTrainingQueue()
    const client = new StudioClient(inMemoryTransport(studio.dispatcher))
    fake.setScenario({ default: [{ replay: RECORDED_GRPO, delayMs: 1 }, { emit: { event: 'done', modelDir: 'output/model', onnxDir: null } }] })
    const finished = new Promise<string>((done) => client.on('training.changed', (r) => ['succeeded', 'failed'].includes(r.status) && done(r.status)))
    const run = await client.call('training.start', { ...tinyRun(snapshotId), title: 'long run' })
    runId = run.id
    expect(await finished).toBe('succeeded')
    const loss = Array.from({ length: LOSS_POINTS }, (_, i) => ({ name: 'loss', step: i + 1, value: 0.05 + 2 * Math.exp(-i / 200_000) + 0.02 * Math.sin(i / 37) + (i === 654_321 ? 3 : 0) }))
    studio.project.jobs.addMetrics(run.id, loss)
    const reward = Array.from({ length: 200_000 }, (_, i) => ({ name: 'reward', step: i * 5 + 1, value: 1 - Math.exp(-i / 40_000) + 0.05 * Math.cos(i / 11) }))
    studio.project.jobs.addMetrics(run.id, reward)
  } finally {
    await studio.inference.close()
    studio.close()
  }
}, 240_000)
const served = serveStudioForSpec(root)

describe('training charts', () => {
  it('draws a million-point curve, hovers it with synced cursors, zooms, smooths and takes a log scale', async () => {
    const { page, studio, errors } = await served.open({ width: 1500, height: 950 })
    await studio.ready()
    const train = new TrainPage(page)
    await train.open()
    await page.locator(`[data-testid="run-detail"][data-run-id="${runId}"]`).waitFor()

    const loss = page.getByTestId('curve-loss')
    const series = loss.getByTestId('chart-series')
    // the studio reads 1.2M rows for this: give it room on a loaded 2-core box (a readiness wait)
    await expect.poll(() => series.getAttribute('data-stored'), { timeout: 90_000 }).toBe(String(LOSS_POINTS))
    const sent = Number(await series.getAttribute('data-points'))
    expect(sent).toBeGreaterThan(1000)
    expect(sent).toBeLessThanOrEqual(4000)
    expect(await loss.textContent()).toContain('1,000,000 points')
    expect(await loss.locator('canvas').count()).toBe(1)

    // hover: the value at the cursor, and the reward panel's cursor follows
    const over = loss.locator('.u-over')
    const box = await over.boundingBox()
    if (!box) throw new Error('the loss chart has no plot area')
    await page.mouse.move(box.x + box.width * 0.3, box.y + box.height / 2)
    await expect.poll(() => loss.getAttribute('data-hover-step')).not.toBe('')
    const step = Number(await loss.getAttribute('data-hover-step'))
    expect(step).toBeGreaterThan(LOSS_POINTS * 0.25)
    expect(step).toBeLessThan(LOSS_POINTS * 0.35)
    const raw = await loss.getByTestId('chart-hover').textContent()
    expect(raw).toMatch(new RegExp(`step ${step}: \\d`))
    const reward = page.getByTestId('curve-reward')
    await expect.poll(async () => Math.abs(Number(await reward.getAttribute('data-hover-step')) - step)).toBeLessThan(LOSS_POINTS / 500)
    await screenshot(page, 'train-chart-hover')

    // smoothing changes the value under the same cursor
    await page.getByLabel('Smoothing').fill('0.95')
    await page.mouse.move(box.x + box.width * 0.3 + 1, box.y + box.height / 2)
    await page.mouse.move(box.x + box.width * 0.3, box.y + box.height / 2)
    await expect.poll(() => loss.getByTestId('chart-hover').textContent()).not.toBe(raw)
    await page.getByLabel('Smoothing').fill('0')

    // drag zooms into a range of steps; a double click shows them all again
    await page.mouse.move(box.x + box.width * 0.5, box.y + box.height / 2)
    await page.mouse.down()
    await page.mouse.move(box.x + box.width * 0.6, box.y + box.height / 2, { steps: 4 })
    await page.mouse.move(box.x + box.width * 0.7, box.y + box.height / 2, { steps: 4 })
    await page.mouse.up()
    await expect.poll(() => loss.getAttribute('data-range')).not.toBe('')
    const [from, to] = ((await loss.getAttribute('data-range')) ?? '').split(',').map(Number)
    expect(from).toBeGreaterThan(LOSS_POINTS * 0.45)
    expect(to).toBeLessThan(LOSS_POINTS * 0.75)
    await over.dblclick()
    await expect.poll(() => loss.getAttribute('data-range')).toBe('')

    // log scale (every loss value is positive)
    await page.getByLabel('log scale').check()
    await expect.poll(() => loss.getAttribute('data-scale')).toBe('log')
    expect(await loss.locator('canvas').count()).toBe(1)
    expect(errors).toEqual([])
    await page.close()
  })
})
