// A trained checkpoint back in the studio, route (a), in real Chromium through `serve`: the tiny
// Qwen2.5-VL (resources/trainer/tiny_qwen, random weights) is added as a checkpoint in the
// Playground; loading it starts serve_checkpoint.py with the trainer environment's Python; it
// answers a sample (junk words: the weights are random) and the trajectory is stored as a trace;
// Evaluate scores it on the generated suite. Assertions are on what the studio stores and shows.
import { spawnSync } from 'node:child_process'
import { join } from 'node:path'
import { beforeAll, describe, expect, it } from 'vitest'
import { screenshot } from '../helpers/browser'
import { assertTrainerPython } from '../helpers/python'
import { tempDir } from '../helpers/temp'
import { EvalPage } from './eval-page'
import { callServed } from './served-api'
import { serveStudioForSpec } from './served-studio'

const root = tempDir()
const python = assertTrainerPython() // fails, never skips, without the trainer environment
const checkpoint = join(root, 'run', 'output')
const SOURCE = 'generated:sample-project'

beforeAll(() => {
  const made = spawnSync(python, ['resources/trainer/tiny_qwen/make_tiny_qwen.py', checkpoint, '--seed', '3'], { encoding: 'utf8', timeout: 300_000 })
  if (made.status !== 0) throw new Error(`make_tiny_qwen.py failed: ${made.stderr.split('\n').slice(-5).join('\n')}`)
})
const served = serveStudioForSpec(root, { PIXEL_STUDIO_PYTHON: python })

describe('checkpoint model (route a)', () => {
  it('adds a run folder as a checkpoint, serves it, runs a sample, stores the trace, and evaluates it', async () => {
    const { page, studio, errors } = await served.open({ width: 1500, height: 950 })
    await studio.ready()
    await page.keyboard.press('3')

    // a folder that is no checkpoint is refused with the reason
    await page.getByLabel('Model folder').fill(join(root, 'run', 'nothing-here'))
    await page.getByRole('button', { name: 'Add checkpoint' }).click()
    await expect.poll(() => page.getByRole('alert').first().textContent()).toContain('is not a folder')

    // the run's folder: its final model (output/) is found
    await page.getByLabel('Model folder').fill(join(root, 'run'))
    await page.getByRole('button', { name: 'Add checkpoint' }).click()
    const option = page.getByLabel('Model', { exact: true }).locator('option').first()
    await expect.poll(() => option.textContent()).toMatch(/^run \(output\) · checkpoint · float32 · \d+\.\d MB$/)

    await page.getByRole('button', { name: 'Load', exact: true }).click()
    await expect.poll(() => page.getByTestId('loaded-model').textContent(), { timeout: 240_000 }).toContain('loaded: run (output) on CPU')
    expect(await page.getByTestId('loaded-model').textContent()).toContain("the studio's checkpoint server (serve_checkpoint.py, cpu)")

    await page.getByLabel('Sample').selectOption('sample-img-001')
    await page.getByRole('button', { name: 'Run', exact: true }).click()
    await expect.poll(() => page.getByTestId('run-result').textContent(), { timeout: 240_000 }).toMatch(/stop: (answer|max_tokens|max_operations|max_images) · \d+ operations · \d+ tokens/)
    expect(await page.getByTestId('turn-text').count()).toBeGreaterThanOrEqual(1)
    await screenshot(page, 'checkpoint-model-run')

    // the trajectory is a trace of the model: a final answer, a thought cut at the token cap, or an operation
    const traces = await callServed(served.serve, 'traces.list', { origin: ['inference'] })
    expect(traces.total).toBe(1)
    const trace = await callServed(served.serve, 'traces.get', { id: traces.items[0]!.id })
    expect(trace.sampleId).toBe('sample-img-001')
    expect(trace.steps.length).toBeGreaterThanOrEqual(1)
    expect(['answer', 'thought', 'crop', 'select_frames', 'error']).toContain(trace.steps[0]?.kind)
    expect(trace.originDetail).toMatchObject({ model: 'run (output)' })

    // Evaluate scores the same served model on the generated suite
    await page.keyboard.press('4')
    const ev = new EvalPage(page)
    await expect.poll(() => ev.model.locator('option').first().textContent()).toContain('run (output)')
    await ev.run({ suite: SOURCE, limit: 2, label: 'tiny-served', timeoutMs: 400_000 })
    await expect.poll(() => ev.cell('tiny-served', SOURCE).getByTestId('run-score').textContent(), { timeout: 300_000 }).toMatch(/^\d+\.\d$/)
    const run = (await callServed(served.serve, 'eval.runs', {})).find((r) => r.label === 'tiny-served')
    expect(run).toMatchObject({ status: 'complete' })
    expect((await callServed(served.serve, 'eval.results', { runId: run!.id })).total).toBe(2)
    expect(errors).toEqual([])
    await page.close()
  }, 900_000) // a Python server loads torch, then generates on a shared 2-core CPU
})
