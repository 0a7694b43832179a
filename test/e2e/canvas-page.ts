// The Review image canvas as a person uses it: the wheel, Space + drag, the middle button, a drag
// that draws a box, and where an image point is on screen (read from the stage's own viewport).
import type { Locator, Page } from 'playwright-core'

export interface StageView {
  zoom: number
  x: number
  y: number
  /** the stage's top left corner on the page */
  left: number
  top: number
}

export class CanvasPage {
  constructor(
    readonly page: Page,
    /** the shown file's size */
    readonly image: { width: number; height: number }
  ) {}

  stage(): Locator {
    return this.page.getByTestId('editor-image')
  }

  async view(): Promise<StageView> {
    const stage = this.stage()
    const box = await stage.boundingBox()
    if (!box) throw new Error('the canvas is not on screen')
    const [x, y] = ((await stage.getAttribute('data-pan')) ?? '0,0').split(',').map(Number)
    return { zoom: Number(await stage.getAttribute('data-zoom')), x: x ?? 0, y: y ?? 0, left: box.x, top: box.y }
  }

  /** Where image pixel (px, py) is on the page. */
  async screenOf(px: number, py: number): Promise<{ x: number; y: number }> {
    const v = await this.view()
    return { x: v.left + v.x + px * v.zoom, y: v.top + v.y + py * v.zoom }
  }

  /** The image pixel under page point (x, y). */
  async imageOf(x: number, y: number): Promise<{ x: number; y: number }> {
    const v = await this.view()
    return { x: (x - v.left - v.x) / v.zoom, y: (y - v.top - v.y) / v.zoom }
  }

  /** One wheel notch towards the screen (zoom in) at page point (x, y); waits for the redraw. */
  async wheelIn(x: number, y: number, notches = 1): Promise<void> {
    await this.page.mouse.move(x, y)
    for (let i = 0; i < notches; i++) {
      const before = await this.stage().getAttribute('data-zoom')
      await this.page.mouse.wheel(0, -100)
      await this.page.waitForFunction((z) => document.querySelector('[data-testid="editor-image"]')?.getAttribute('data-zoom') !== z, before)
    }
  }

  /** Drags with Space held (or with the middle button) from (x, y) by (dx, dy). */
  async pan(x: number, y: number, dx: number, dy: number, how: 'space' | 'middle'): Promise<void> {
    await this.page.mouse.move(x, y)
    if (how === 'space') await this.page.keyboard.down(' ')
    await this.page.mouse.down({ button: how === 'space' ? 'left' : 'middle' })
    await this.page.mouse.move(x + dx / 2, y + dy / 2, { steps: 3 })
    await this.page.mouse.move(x + dx, y + dy, { steps: 3 })
    await this.page.mouse.up({ button: how === 'space' ? 'left' : 'middle' })
    if (how === 'space') await this.page.keyboard.up(' ')
  }

  /** Draws a box by dragging from one page point to another. */
  async draw(from: { x: number; y: number }, to: { x: number; y: number }): Promise<void> {
    await this.page.mouse.move(from.x, from.y)
    await this.page.mouse.down()
    await this.page.mouse.move((from.x + to.x) / 2, (from.y + to.y) / 2, { steps: 4 })
    await this.page.mouse.move(to.x, to.y, { steps: 4 })
    await this.page.mouse.up()
  }

  /** The selected box's numbers: normalized and in file pixels. */
  async fields(): Promise<{ norm: number[]; px: number[] }> {
    const f = this.page.getByTestId('box-fields')
    const read = async (name: string): Promise<number[]> => ((await f.getAttribute(name)) ?? '').split(',').map(Number)
    return { norm: await read('data-norm'), px: await read('data-px') }
  }
}
