// The Review canvas on a 6000x4000 photo whose cue is 48x36 pixels, in real Chromium through
// `serve`: wheel zoom about the pointer, pan with Space + drag and with the middle button, draw a
// box around the cue by dragging, nudge it with the arrow keys, type its coordinates, undo; the
// live crop preview matches the box at that zoom. Then a panel forced to throw (its error and a
// retry, the rest of the page working), and a remapped review key that survives a reload.
import { randomUUID } from 'node:crypto'
import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { beforeAll, describe, expect, it } from 'vitest'
import { smartResize, TRAIN_PROFILE, type Bbox } from '../../src/shared/pixel-ops'
import { cropPreview } from '../../src/renderer/src/features/traces/crop-preview'
import { screenshot } from '../helpers/browser'
import { writePhoto } from '../helpers/photo'
import { tempDir } from '../helpers/temp'
import { CanvasPage } from './canvas-page'
import { ReviewPage } from './review-page'
import { callServed } from './served-api'
import { serveStudioForSpec } from './served-studio'

const root = tempDir()
const served = serveStudioForSpec(root)
const PHOTO = { width: 6000, height: 4000 }
const CUE = { left: 4200, top: 2700, width: 48, height: 36 }
let sampleId = ''

beforeAll(async () => {
  const file = join(root, 'big-photo.jpg')
  await writePhoto(file, PHOTO, CUE)
  const jsonl = join(root, 'big.jsonl')
  writeFileSync(jsonl, `${JSON.stringify({ id: 'big-photo', question: 'What number is on the small yellow sign?', answer: '7', source: 'e2e-big', images: [file] })}\n`)
  const result = await callServed(served.serve, 'samples.import', { format: 'jsonl', path: jsonl })
  expect(result.imported).toBe(1)
  sampleId = 'e2e-big:big-photo'
})

async function seedTrace(flag: string): Promise<string> {
  const trace = await callServed(served.serve, 'traces.create', {
    sampleId,
    origin: 'synthesized',
    flags: [flag],
    steps: [
      { kind: 'thought', text: 'The sign is far too small; zoom in on it.' },
      { kind: 'answer', text: 'It reads \\boxed{7}.', boxed: '7' }
    ]
  })
  return trace.id
}

/** A new trace of the photo, opened in Review at `url` (default: the studio's own). */
async function openSeededTrace(url?: string) {
  const flag = `e2e:${randomUUID().slice(0, 8)}`
  const traceId = await seedTrace(flag)
  const opened = await served.open({ url, width: 1500, height: 950 })
  const review = new ReviewPage(opened.page)
  await opened.studio.ready()
  await review.open()
  await review.filterByFlag(flag, 1)
  await review.row(traceId).click()
  return { ...opened, review, traceId }
}

async function storedBoxPx(traceId: string): Promise<number[]> {
  const trace = await callServed(served.serve, 'traces.get', { id: traceId })
  const crop = trace.steps.find((s) => s.kind === 'crop')
  if (crop?.kind !== 'crop') return []
  return crop.bbox.map((v, i) => Math.round(v * (i % 2 === 0 ? PHOTO.width : PHOTO.height)))
}

describe('review canvas', () => {
  it('zooms a 6000x4000 photo about the pointer, pans, draws a box around a 48x36 cue, nudges it, types it, undoes', async () => {
    const { page, errors, review, traceId } = await openSeededTrace()
    await review.shows(traceId)
    const canvas = new CanvasPage(page, PHOTO)

    const fitted = await canvas.view()
    expect(fitted.zoom).toBeLessThan(0.2)
    expect(await page.getByTestId('minimap').count()).toBe(0)

    // the wheel zooms about the pointer: the cue's centre stays under it
    const cue = { x: CUE.left + CUE.width / 2, y: CUE.top + CUE.height / 2 }
    // the pointer sits on whole pixels: the image point under it is what must stay put
    const near = await canvas.screenOf(cue.x, cue.y)
    const at = { x: Math.round(near.x), y: Math.round(near.y) }
    const pointed = await canvas.imageOf(at.x, at.y)
    await canvas.wheelIn(at.x, at.y, 10)
    const zoomed = await canvas.view()
    expect(zoomed.zoom).toBeGreaterThan(fitted.zoom * 8)
    const under = await canvas.imageOf(at.x, at.y)
    expect(Math.abs(under.x - pointed.x)).toBeLessThan(0.5)
    expect(Math.abs(under.y - pointed.y)).toBeLessThan(0.5)
    expect(await page.getByTestId('zoom-indicator').textContent()).toBe(`${Math.round(zoomed.zoom * 100)}%`)
    await page.getByTestId('minimap').waitFor()

    // pan: Space + drag moves the image with the pointer, the middle button too
    await canvas.pan(at.x, at.y, -150, -90, 'space')
    const panned = await canvas.view()
    expect(panned.x - zoomed.x).toBeCloseTo(-150, 0)
    expect(panned.y - zoomed.y).toBeCloseTo(-90, 0)
    expect(panned.zoom).toBe(zoomed.zoom)
    await canvas.pan(at.x - 150, at.y - 90, 150, 90, 'middle')
    const back = await canvas.view()
    expect(back.x).toBeCloseTo(zoomed.x, 0)
    expect(back.y).toBeCloseTo(zoomed.y, 0)
    expect(await page.getByTestId('crop-box').count()).toBe(0) // no box was drawn by panning

    // deeper, then draw a box around the sign
    await canvas.wheelIn(at.x, at.y, 5)
    const deep = await canvas.view()
    expect(deep.zoom).toBeGreaterThan(2)
    await canvas.draw(await canvas.screenOf(CUE.left, CUE.top), await canvas.screenOf(CUE.left + CUE.width, CUE.top + CUE.height))
    await page.locator('[data-testid="crop-box"][data-op="1"]').waitFor()
    await review.revisionAtLeast(2)
    const drawn = (await canvas.fields()).px
    expect(drawn.map((v, i) => Math.abs(v - [CUE.left, CUE.top, CUE.left + CUE.width, CUE.top + CUE.height][i]!)).every((d) => d <= 1)).toBe(true)
    await expect.poll(() => storedBoxPx(traceId)).toEqual(drawn)
    await page.locator('[data-testid="step-card"][data-step-index="1"] [data-testid="saved-crop"]').waitFor()

    // the box and its handles sit on the sign at this zoom
    const rect = await review.box(1).boundingBox()
    const corner = await canvas.screenOf(drawn[0]!, drawn[1]!)
    expect(Math.abs((rect?.x ?? 0) + 1.75 - corner.x)).toBeLessThan(2.5) // the stroke straddles the edge
    expect(Math.abs((rect?.width ?? 0) - (drawn[2]! - drawn[0]!) * deep.zoom)).toBeLessThan(6)
    await screenshot(page, 'review-zoomed-cue')
    // the theme follows the OS setting, live: light, and dark kept
    const background = (): Promise<string> => page.evaluate(() => getComputedStyle(document.body).backgroundColor)
    await page.emulateMedia({ colorScheme: 'light' })
    expect(await background()).toBe('rgb(246, 247, 249)')
    await page.emulateMedia({ colorScheme: 'dark' })
    expect(await background()).toBe('rgb(21, 23, 28)')
    await screenshot(page, 'review-zoomed-cue-dark')
    await page.emulateMedia({ colorScheme: 'light' })

    // the arrow keys nudge the selected box by one image pixel, Shift by ten; the trace stays open
    for (let i = 0; i < 3; i++) await page.keyboard.press('ArrowRight')
    await page.keyboard.press('Shift+ArrowDown')
    const nudged = [drawn[0]! + 3, drawn[1]! + 10, drawn[2]! + 3, drawn[3]! + 10]
    await expect.poll(async () => (await canvas.fields()).px).toEqual(nudged)
    await expect.poll(() => storedBoxPx(traceId)).toEqual(nudged)
    expect(await review.editor().getAttribute('data-trace-id')).toBe(traceId)

    // the live preview cuts exactly what the box will crop
    const norm = (await canvas.fields()).norm as unknown as Bbox
    const view = smartResize(PHOTO, TRAIN_PROFILE.view)
    if (!view.ok) throw new Error(view.error.message)
    const expected = cropPreview(view.value, PHOTO, norm)
    if (!expected.ok) throw new Error(expected.error.message)
    const s = expected.value.source
    await expect.poll(() => review.previewSource(1)).toBe([s.x, s.y, s.width, s.height].map((v) => Math.round(v)).join(','))

    // typed coordinates, in pixels
    const x1 = page.getByLabel('box x1 pixels')
    await x1.fill('4150')
    await x1.press('Enter')
    await expect.poll(async () => (await storedBoxPx(traceId))[0]).toBe(4150)
    await x1.press('Escape') // leave the field
    // undo puts the nudged box back
    await page.keyboard.press('z')
    await expect.poll(() => storedBoxPx(traceId)).toEqual(nudged)
    await expect.poll(async () => (await canvas.fields()).px).toEqual(nudged)

    // f fits the image again
    await page.keyboard.press('f')
    await expect.poll(async () => (await canvas.view()).zoom).toBeCloseTo(fitted.zoom, 6)
    expect(errors).toEqual([])
    await page.close()
  })

  it('shows a failing panel with its error and a retry while the rest of the page keeps working', async () => {
    const { page, errors, review, traceId } = await openSeededTrace(served.serve.url.replace('/#', '/?fail-panel=canvas#'))
    const failed = page.locator('[data-testid="panel-error"][data-name="canvas"]')
    await failed.waitFor()
    expect(await failed.textContent()).toContain('forced failure of "canvas"')
    // the rest works: steps are there, a key accepts the trace
    await review.step(0).waitFor()
    await page.keyboard.press('a')
    await expect.poll(async () => (await callServed(served.serve, 'traces.get', { id: traceId })).status).toBe('accepted')
    await screenshot(page, 'review-panel-error')
    // retry mounts the panel afresh
    await failed.getByRole('button', { name: 'Retry' }).click()
    await review.shows(traceId)
    expect(await failed.count()).toBe(0)
    expect(errors).toEqual([])
    await page.close()
  })

  it('runs a remapped review key, shows it in the help, and keeps it after a reload', async () => {
    const { page, studio, errors, review, traceId } = await openSeededTrace()
    await review.shows(traceId)

    await page.keyboard.press('?')
    const help = page.getByRole('dialog', { name: 'Keyboard shortcuts' })
    await help.getByRole('button', { name: 'change the key of accept' }).click()
    await page.keyboard.press('q')
    await expect.poll(() => help.locator('tr[data-command="accept"]').getAttribute('data-keys')).toBe('q')
    await page.keyboard.press('Escape')
    await help.waitFor({ state: 'detached' })

    await page.keyboard.press('r')
    await expect.poll(async () => (await callServed(served.serve, 'traces.get', { id: traceId })).status).toBe('rejected')
    await page.keyboard.press('a') // no longer accept
    await page.keyboard.press('q')
    await expect.poll(async () => (await callServed(served.serve, 'traces.get', { id: traceId })).status).toBe('accepted')
    const revisions = await callServed(served.serve, 'traces.revisions', { id: traceId })
    expect(revisions.map((r) => r.state.status)).toEqual(['unreviewed', 'rejected', 'accepted'])

    await page.reload()
    await studio.ready()
    await page.keyboard.press('?')
    await expect.poll(() => page.getByRole('dialog', { name: 'Keyboard shortcuts' }).locator('tr[data-command="accept"]').getAttribute('data-keys')).toBe('q')
    expect(await callServed(served.serve, 'settings.keymap', {})).toEqual({ review: { accept: ['q'] } })
    await callServed(served.serve, 'settings.setKeymap', { review: {} })
    expect(errors).toEqual([])
    await page.close()
  })
})
