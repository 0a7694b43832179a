// Bulk review and sample edits in real Chromium through `serve`: accept a whole filter of
// traces behind a confirmation that states the count and undo it with one key; mark traces with
// ctrl/shift+click and flag only those; edit a sample's gold answer and watch the open trace's
// answer check follow, and undo that too. The spec seeds its own flagged traces.
import { randomUUID } from 'node:crypto'
import { describe, expect, it } from 'vitest'
import type { StoredTrace } from '../../src/shared/contract'
import { screenshot } from '../helpers/browser'
import { tempDir } from '../helpers/temp'
import { callServed } from './served-api'
import { serveStudioForSpec } from './served-studio'
import { ReviewPage } from './review-page'

const root = tempDir()
const served = serveStudioForSpec(root)

async function seed(flag: string, count: number, answer?: (gold: string) => string): Promise<StoredTrace[]> {
  const samples = (await callServed(served.serve, 'samples.list', { kind: 'image', limit: 10 })).items
  const out: StoredTrace[] = []
  for (let i = 0; i < count; i++) {
    const sample = samples[i % samples.length]
    if (!sample) throw new Error('no image samples')
    const boxed = answer ? answer(sample.answer) : sample.answer
    out.push(
      await callServed(served.serve, 'traces.create', {
        sampleId: sample.id,
        origin: 'synthesized',
        flags: [flag],
        steps: [
          { kind: 'thought', text: `Trace ${i}: the sign is small, reading it directly.` },
          { kind: 'answer', text: `It reads \\boxed{${boxed}}.`, boxed }
        ]
      })
    )
  }
  return out
}

async function statuses(flag: string): Promise<Record<string, number>> {
  return (await callServed(served.serve, 'traces.counts', { flag })).byStatus
}

describe('bulk review', () => {
  it('accepts every trace of a filter after a confirmation with the count, and one z undoes all of them', async () => {
    const flag = `e2e:${randomUUID().slice(0, 8)}`
    const traces = await seed(flag, 7)
    const { page, studio, errors } = await served.open({ width: 1500, height: 900 })
    const review = new ReviewPage(page)
    await studio.ready()
    await review.open()
    await review.filterByFlag(flag, 7)
    expect(await page.getByTestId('bulk-scope').textContent()).toBe('all 7 in this filter')

    const text = await review.askBulk('Accept')
    expect(text).toContain('7 matching traces')
    await screenshot(page, 'review-bulk-confirm')
    await review.confirmBulk()
    await expect.poll(() => review.message().textContent()).toBe('Done: accept 7 traces.')
    expect(await statuses(flag)).toMatchObject({ accepted: 7, unreviewed: 0 })
    // the list shows it too (it refreshes on the change event)
    await expect.poll(() => review.rows().locator('.trace-status').allTextContents()).toEqual(Array(7).fill('accepted'))

    // one key undoes the whole bulk change
    await page.locator('body').click({ position: { x: 5, y: 5 } }) // focus out of the filter fields
    await page.keyboard.press('z')
    await expect.poll(() => review.message().textContent()).toBe('Undid: accept 7 traces.')
    expect(await statuses(flag)).toMatchObject({ accepted: 0, unreviewed: 7 })
    await expect.poll(() => review.rows().locator('.trace-status').allTextContents()).toEqual(Array(7).fill('unreviewed'))
    // every trace kept its whole history: created, bulk accept, bulk undo
    const history = await callServed(served.serve, 'traces.revisions', { id: traces[3]?.id as string })
    expect(history.map((r) => r.state.status)).toEqual(['unreviewed', 'accepted', 'unreviewed'])

    // marking: ctrl+click two rows, shift+click extends a range from the last one
    const rows = review.rows()
    await rows.nth(1).click({ modifiers: ['ControlOrMeta'] })
    await rows.nth(4).click({ modifiers: ['ControlOrMeta'] })
    await rows.nth(5).click({ modifiers: ['Shift'] })
    await expect.poll(() => page.getByTestId('bulk-scope').textContent()).toBe('3 marked')
    expect(await page.locator('[aria-label="Traces"] [data-marked]').count()).toBe(3)
    const marked = await page.locator('[aria-label="Traces"] [data-marked]').evaluateAll((els) => els.map((e) => e.getAttribute('data-trace-id')))
    expect(await review.askBulk('Add flag', 'e2e-marked')).toContain('3 marked traces')
    await review.confirmBulk()
    await expect.poll(() => review.message().textContent()).toBe('Done: flag 3 traces e2e-marked.')
    const flagged = await callServed(served.serve, 'traces.list', { flag: 'e2e-marked' })
    expect(flagged.items.map((t) => t.id).sort()).toEqual([...marked].sort())
    expect(await page.getByTestId('bulk-scope').textContent()).toBe('all 7 in this filter') // the marks are cleared

    // freeze the marked traces as a snapshot, then add the rest of the filter to it as a new one
    await rows.nth(0).click({ modifiers: ['ControlOrMeta'] })
    await rows.nth(1).click({ modifiers: ['ControlOrMeta'] })
    const first = `${flag}-a`
    expect(await review.askBulk('Snapshot as…', first)).toContain(`Freeze 2 traces as the snapshot “${first}”`)
    await review.confirmBulk()
    await expect.poll(() => review.message().textContent()).toBe(`Done: snapshot 2 traces as "${first}".`)
    const made = (await callServed(served.serve, 'snapshots.list', {})).find((x) => x.name === first)
    expect(made?.traceCount).toBe(2)
    await page.getByLabel('Add to snapshot').selectOption({ label: `add to ${first}` })
    expect(await review.askBulk('Snapshot as…', `${flag}-b`)).toContain(`Add 7 traces to “${first}”, as the new snapshot “${flag}-b”`)
    await review.confirmBulk()
    await expect.poll(async () => (await callServed(served.serve, 'snapshots.list', {})).find((x) => x.name === `${flag}-b`)?.traceCount).toBe(7)
    expect(errors).toEqual([])
    await page.close()
  })

  it('edits the gold answer of the open trace\'s sample: the answer check follows, and z undoes it', async () => {
    const flag = `e2e:${randomUUID().slice(0, 8)}`
    const [trace] = await seed(flag, 1)
    if (!trace) throw new Error('seeding failed')
    const sample = await callServed(served.serve, 'samples.get', { id: trace.sampleId })
    const { page, studio, errors } = await served.open({ width: 1500, height: 900 })
    const review = new ReviewPage(page)
    await studio.ready()
    await review.open()
    await review.filterByFlag(flag, 1)
    await review.row(trace.id).click()
    await review.shows(trace.id)
    expect(await review.warning('answer_mismatch').count()).toBe(0) // the answer matches the gold

    const panel = await review.openSample()
    await panel.getByLabel('Gold answer').fill('zz9')
    await panel.getByLabel('Gold answer').press('Enter')
    await review.warning('answer_mismatch').waitFor()
    expect(await review.warning('answer_mismatch').textContent()).toContain('gold answer (zz9)')
    expect(await page.getByTestId('sample-gold').textContent()).toBe('zz9')
    await expect.poll(async () => (await callServed(served.serve, 'samples.get', { id: sample.id })).answer).toBe('zz9')
    // the list row's answer check follows too
    await expect.poll(() => review.row(trace.id).locator('.trace-row-answer').getAttribute('class')).toContain('bad')
    await screenshot(page, 'review-gold-edited')

    await page.keyboard.press('z')
    await review.warning('answer_mismatch').waitFor({ state: 'detached' })
    expect(await page.getByTestId('sample-gold').textContent()).toBe(sample.answer)
    const history = await callServed(served.serve, 'samples.revisions', { id: sample.id })
    expect(history.map((r) => r.state.answer)).toEqual([sample.answer, 'zz9', sample.answer])
    expect(errors).toEqual([])
    await page.close()
  })
})
