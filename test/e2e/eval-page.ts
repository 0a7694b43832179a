// Locators for the Evaluate screen (key 4), so the spec reads as what a person does.
import type { Locator, Page } from 'playwright-core'

export class EvalPage {
  constructor(readonly page: Page) {}

  get model(): Locator {
    return this.page.getByLabel('Eval model')
  }
  get suite(): Locator {
    return this.page.getByLabel('Eval suite')
  }
  get limit(): Locator {
    return this.page.getByLabel('Eval limit')
  }
  get label(): Locator {
    return this.page.getByLabel('Eval label')
  }
  get runButton(): Locator {
    return this.page.getByRole('button', { name: 'Run evaluation' })
  }

  /** Launches a run and waits until the launcher is free again. */
  async run(options: { suite: string; limit: number; label: string; timeoutMs?: number }): Promise<void> {
    await this.suite.selectOption(options.suite)
    await this.limit.fill(String(options.limit))
    await this.label.fill(options.label)
    await this.runButton.click()
    await this.page.waitForFunction(() => {
      const b = [...document.querySelectorAll('button')].find((x) => x.textContent === 'Run evaluation')
      return b !== undefined && !b.disabled
    }, undefined, { timeout: options.timeoutMs ?? 30_000 })
  }

  /** The table cell of a run label on a suite. */
  cell(label: string, source: string): Locator {
    return this.page.locator(`[data-testid="run-row"][data-label="${label}"] [data-testid="run-cell"][data-source="${source}"]`)
  }

  paperRows(): Locator {
    return this.page.getByTestId('paper-row')
  }

  results(): Locator {
    return this.page.getByTestId('sample-result')
  }

  resultCount(): Promise<string | null> {
    return this.page.getByTestId('result-count').textContent()
  }

  trace(): Locator {
    return this.page.getByTestId('trace-inline')
  }

  /** The first crop box drawn on the trace's image, in normalized coordinates. */
  async firstTraceBox(): Promise<{ x: number; y: number; width: number; height: number }> {
    const rect = this.page.locator('[data-testid="trace-box"][data-label="1"] rect')
    await rect.waitFor({ state: 'attached' })
    const attr = async (name: string): Promise<number> => Number(await rect.getAttribute(name))
    return { x: await attr('x'), y: await attr('y'), width: await attr('width'), height: await attr('height') }
  }

  async observationImageLoaded(): Promise<void> {
    await this.page.waitForFunction(() => {
      const img = document.querySelector<HTMLImageElement>('[data-testid="trace-observation-image"]')
      return Boolean(img && img.complete && img.naturalWidth > 0)
    })
  }
}
