// Synthesizing from the UI through `serve`: a synthesized trace (boxes only) opened in Review with
// its crop rendered on demand; the dialog from its key, a run whose samples without a cue are
// listed as skipped, and an OpenAI-endpoint run cancelled and resumed.
import { mkdirSync } from 'node:fs'
import { join } from 'node:path'
import sharp from 'sharp'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { screenshot } from '../helpers/browser'
import { completion, lastUserText, startFakeOpenAi, type FakeOpenAi } from '../helpers/openai-server'
import { tempDir } from '../helpers/temp'
import { ReviewPage } from './review-page'
import { callServed } from './served-api'
import { serveStudioForSpec } from './served-studio'
import { SynthesizeDialogPage } from './synthesize-page'

const root = tempDir()
const served = serveStudioForSpec(root)
let fake: FakeOpenAi
let delayMs = 400

beforeAll(async () => {
  fake = await startFakeOpenAi()
  fake.answer = (request) => {
    const told = /The correct answer is (.+?)\./.exec(lastUserText(request))?.[1]
    return { json: completion(told ? `It reads clearly. \\boxed{${told}}` : 'A busy picture.'), delayMs }
  }
})
afterAll(() => fake.close())

describe('synthesize from the UI', () => {
  it('opens a synthesized trace, stored as boxes, with its crop rendered on demand', async () => {
    // the sample project's traces were synthesized: their crops are derived, not stored
    const list = await callServed(served.serve, 'traces.list', { origin: ['synthesized'], operation: 'crop', limit: 50 })
    const id = list.items[0]?.id ?? 'none'
    const stored = await callServed(served.serve, 'traces.get', { id })
    const crop = stored.steps.findIndex((s) => s.kind === 'crop')
    const planned = stored.steps[crop + 1]
    if (planned?.kind !== 'observation' || planned.result.type !== 'crop') throw new Error('no crop observation after the crop')
    expect(planned.result.image).toBeUndefined()

    const { page, studio, errors } = await served.open({ width: 1400, height: 900 })
    await studio.ready()
    const review = new ReviewPage(page)
    await review.open()
    await review.row(id).click()
    await review.shows(id)
    await expect.poll(() => review.savedCropHash(crop)).toMatch(/^[0-9a-f]{64}$/)
    const rendered = (await callServed(served.serve, 'traces.renderMedia', { id })).steps[crop + 1]
    expect(await review.savedCropHash(crop)).toBe(rendered?.kind === 'observation' && rendered.result.type === 'crop' ? rendered.result.image : 'missing')
    // the image is really served and drawn, at the observation's size
    const natural = (): Promise<string> => review.step(crop).getByTestId('saved-crop').evaluate((img: HTMLImageElement) => (img.complete ? `${img.naturalWidth}x${img.naturalHeight}` : ''))
    await expect.poll(natural).toBe(`${planned.result.width}x${planned.result.height}`)
    await screenshot(page, 'synthesized-trace-crop')
    // looking writes nothing: the trace still stores only its boxes
    expect(await review.revision()).toBe(stored.revision)
    expect(await callServed(served.serve, 'traces.get', { id })).toMatchObject({ revision: stored.revision, steps: stored.steps })
    expect(errors).toEqual([])
  })

  it('runs from the s key, lists skipped samples, and cancels then resumes an endpoint run', async () => {
    const folder = join(root, 'uncued')
    mkdirSync(folder, { recursive: true })
    for (const [i, color] of ['#a33', '#3a3'].entries()) await sharp({ create: { width: 160, height: 120, channels: 3, background: color } }).png().toFile(join(folder, `u${i}.png`))

    const { page, studio, errors } = await served.open({ width: 1400, height: 900 })
    await studio.ready()
    await expect.poll(() => studio.sampleRows().count()).toBe(12)
    await page.keyboard.press('?')
    await expect.poll(() => page.getByRole('dialog', { name: 'Keyboard shortcuts' }).textContent()).toMatch(/ssynthesize traces from annotated samples/)
    await page.keyboard.press('Escape')

    // samples with no cue, imported from a folder
    await page.keyboard.press('i')
    const importer = page.getByRole('dialog', { name: 'Import' })
    await importer.getByLabel('Format').selectOption('images')
    await importer.getByLabel('Import path').fill(folder)
    await importer.getByRole('button', { name: 'Import', exact: true }).click()
    await expect.poll(() => importer.getByTestId('import-outcome').textContent()).toMatch(/2 imported/)
    await importer.getByRole('button', { name: 'Close' }).click()

    const synth = new SynthesizeDialogPage(page)
    await synth.open()
    // the sample project's own job is listed
    await expect.poll(() => synth.job('succeeded').count()).toBe(1)
    await expect.poll(() => synth.start().textContent()).toBe('Synthesize 14 samples')
    await synth.field('Seed').fill('7')
    await synth.start().click()
    await expect.poll(() => synth.outcome().textContent()).toMatch(/succeeded: 12 traces made · 0 already there · 0 flagged · 2 skipped/)
    expect(await synth.skipped().allTextContents()).toEqual([expect.stringMatching(/^folder:uncued\/u0\.png \[no_cue\] no visual cue to look at/), expect.stringMatching(/^folder:uncued\/u1\.png \[no_cue\]/)])
    await screenshot(page, 'synthesis-outcome')
    // later, from the job list: the skipped samples of that job
    await synth.job('succeeded').first().getByRole('button', { name: '2 skipped' }).click()
    await expect.poll(() => synth.dialog.getByTestId('job-skipped').locator('li').count()).toBe(2)
    expect(await synth.dialog.getByTestId('job-skipped').textContent()).toMatch(/folder:uncued\/u0\.png \[no_cue\]/)

    // an endpoint run, cancelled mid-way and resumed
    await synth.field('Narrator').selectOption('openai')
    await synth.field('Endpoint base URL').fill(fake.baseUrl)
    await synth.field('Endpoint model').fill('ui-test-model')
    await synth.field('API key').fill('sk-ui-test')
    await synth.button('Save endpoint').click()
    await expect.poll(() => synth.field('API key').getAttribute('placeholder')).toMatch(/a key is stored/)
    await synth.field('Source').selectOption('generated:sample-project')
    await synth.start().click()
    await expect.poll(async () => Number(/^(\d+)\/12/.exec((await synth.progressText()) ?? '')?.[1] ?? 0)).toBeGreaterThanOrEqual(2)
    await screenshot(page, 'synthesis-progress')
    await synth.button('Cancel').click()
    await expect.poll(() => synth.error().textContent()).toMatch(/cancelled/)
    const cancelled = synth.job('cancelled')
    await expect.poll(() => cancelled.count()).toBe(1)
    delayMs = 0
    await cancelled.getByRole('button', { name: 'Resume' }).click()
    await expect.poll(() => synth.outcome().textContent()).toMatch(/succeeded: \d+ traces made · [1-9]\d* already there · 0 flagged · 0 skipped/)
    const text = (await synth.outcome().textContent()) ?? ''
    const [, made, there] = /(\d+) traces made · (\d+) already there/.exec(text) ?? []
    expect(Number(made) + Number(there)).toBe(12)
    expect(fake.requests.every((r) => r.headers.authorization === 'Bearer sk-ui-test' && r.body.model === 'ui-test-model')).toBe(true)
    await screenshot(page, 'synthesis-resumed')
    await synth.button('Close').click()
    expect(errors).toEqual([])
    await page.close()
  })
})
