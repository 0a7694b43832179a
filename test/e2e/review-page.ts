// Locators and actions of the Review screen (2), so review specs read as what a person does.
import type { Locator, Page } from 'playwright-core'

export class ReviewPage {
  constructor(readonly page: Page) {}

  async open(): Promise<void> {
    await this.page.keyboard.press('2')
    await this.page.getByTestId('review-screen').waitFor()
  }

  /** Narrows the list to a flag (the spec's own traces) and waits until it shows `count` rows. */
  async filterByFlag(flag: string, count: number): Promise<void> {
    await this.page.getByLabel('Flag', { exact: true }).fill(flag)
    await this.page.locator(`[aria-label="Traces"][data-total="${count}"]`).waitFor()
    await this.rows().nth(count - 1).waitFor()
  }

  total(): Promise<string | null> {
    return this.page.getByTestId('trace-total').textContent()
  }

  rows(): Locator {
    return this.page.locator('[aria-label="Traces"] [role="option"]')
  }

  row(traceId: string): Locator {
    return this.page.locator(`[aria-label="Traces"] [data-trace-id="${traceId}"]`)
  }

  editor(): Locator {
    return this.page.getByTestId('trace-editor')
  }

  /** Waits until `traceId` is open and its image is drawn. */
  async shows(traceId: string): Promise<void> {
    await this.page.locator(`[data-testid="trace-editor"][data-trace-id="${traceId}"]`).waitFor()
    await this.page.locator(`[data-testid="editor-image"][data-drawn="${traceId}"]`).waitFor()
  }

  async revision(): Promise<number> {
    return Number(await this.editor().getAttribute('data-revision'))
  }

  /** Waits until the open trace's revision is at least `n` (a write landed). */
  async revisionAtLeast(n: number): Promise<void> {
    await this.page.waitForFunction((min) => Number(document.querySelector('[data-testid="trace-editor"]')?.getAttribute('data-revision')) >= min, n)
  }

  status(): Promise<string | null> {
    return this.page.getByTestId('trace-status').textContent()
  }

  step(index: number): Locator {
    return this.page.locator(`[data-testid="step-card"][data-step-index="${index}"]`)
  }

  box(op: number): Locator {
    return this.page.locator(`[data-testid="crop-box"][data-op="${op}"] rect.box`)
  }

  async boxBbox(op: number): Promise<string | null> {
    return this.page.locator(`[data-testid="crop-box"][data-op="${op}"]`).getAttribute('data-bbox')
  }

  /** The live preview canvas of the crop step at `index`: its source rectangle in file pixels. */
  previewSource(index: number): Promise<string | null> {
    return this.step(index).getByTestId('crop-preview').getAttribute('data-source')
  }

  /** The canvas pixels, to see that the preview really redraws. */
  previewPixels(index: number): Promise<string> {
    return this.step(index)
      .getByTestId('crop-preview')
      .evaluate((c) => (c as HTMLCanvasElement).toDataURL())
  }

  savedCropHash(index: number): Promise<string | null> {
    return this.step(index).getByTestId('saved-crop').getAttribute('data-hash')
  }

  /** Drags box `op` by (dx, dy) screen pixels; `during` runs before the button is released. */
  async dragBox(op: number, dx: number, dy: number, during?: () => Promise<void>): Promise<void> {
    const rect = await this.box(op).boundingBox()
    if (!rect) throw new Error(`box ${op} is not on screen`)
    const x = rect.x + rect.width / 2
    const y = rect.y + rect.height / 2
    await this.page.mouse.move(x, y)
    await this.page.mouse.down()
    await this.page.mouse.move(x + dx / 2, y + dy / 2, { steps: 4 })
    await this.page.mouse.move(x + dx, y + dy, { steps: 4 })
    await during?.()
    await this.page.mouse.up()
  }

  message(): Locator {
    return this.page.getByTestId('review-message')
  }

  notice(): Locator {
    return this.page.getByTestId('editor-notice')
  }

  /** Shows the snapshots panel (n toggles it). */
  async showSnapshots(): Promise<void> {
    if ((await this.page.getByLabel('Snapshot name').count()) === 0) await this.page.keyboard.press('n')
    await this.page.getByLabel('Snapshot name').waitFor()
  }

  async createSnapshot(name: string): Promise<void> {
    await this.showSnapshots()
    await this.page.getByLabel('Snapshot name').fill(name)
    await this.page.getByLabel('Snapshot name').press('Enter')
  }

  /** Picks a bulk action, fills its flag or name, and opens the confirmation; returns its text. */
  async askBulk(action: string, text?: string): Promise<string | null> {
    await this.page.getByLabel('Bulk action', { exact: true }).selectOption({ label: action })
    if (text !== undefined) await this.page.getByLabel(/^Bulk (flag|snapshot name)$/).fill(text)
    await this.page.locator('.bulk-apply').click()
    return this.page.getByTestId('bulk-confirm-text').textContent()
  }

  /** Confirms the open bulk dialog and waits for it to close. */
  async confirmBulk(): Promise<void> {
    const dialog = this.page.getByRole('dialog', { name: 'Confirm bulk change' })
    await dialog.locator('button.primary').click()
    await dialog.waitFor({ state: 'detached' })
  }

  /** Opens the sample panel of the open trace. */
  async openSample(): Promise<Locator> {
    const panel = this.page.getByTestId('sample-panel')
    if ((await panel.getAttribute('open')) === null) await panel.locator('summary').click()
    return panel
  }

  /** The open trace's warnings with this code (answer_mismatch: the answer check). */
  warning(code: string): Locator {
    return this.editor().locator(`[data-testid="warning"][data-code="${code}"]`)
  }

  snapshot(name: string): Locator {
    return this.page.getByTestId('snapshot').filter({ has: this.page.getByRole('button', { name, exact: true }) })
  }
}
