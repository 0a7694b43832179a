// One `serve` child process and one Chromium per spec file, each with its own studio home, plus
// a page opener that records console errors: the setup every UI spec shares.
import { join } from 'node:path'
import type { Browser, Page } from 'playwright-core'
import { afterAll, beforeAll } from 'vitest'
import { launchChromium, watchErrors } from '../helpers/browser'
import { startServe, type ServeProcess } from '../helpers/serve-process'
import { StudioPage } from './studio-page'

export interface ServedStudio {
  readonly serve: ServeProcess
  readonly browser: Browser
  /** a new page at the studio URL (or `url`); `errors` collects console and page errors */
  open(options?: { url?: string; width?: number; height?: number }): Promise<{ page: Page; studio: StudioPage; errors: string[] }>
}

/** `env` is added to the serve process's environment (e.g. PIXEL_STUDIO_PYTHON). */
export function serveStudioForSpec(root: string, env: Record<string, string> = {}): ServedStudio {
  let serve: ServeProcess | undefined
  let browser: Browser | undefined
  beforeAll(async () => {
    serve = await startServe(['--home', join(root, 'home')], env)
    browser = await launchChromium()
  })
  afterAll(async () => {
    await browser?.close()
    await serve?.stop()
  })
  const served: ServedStudio = {
    get serve(): ServeProcess {
      if (!serve) throw new Error('serve is not started yet (use it inside a test)')
      return serve
    },
    get browser(): Browser {
      if (!browser) throw new Error('the browser is not started yet (use it inside a test)')
      return browser
    },
    async open(options = {}) {
      const page = await served.browser.newPage({ viewport: { width: options.width ?? 1400, height: options.height ?? 860 } })
      const errors = watchErrors(page)
      await page.goto(options.url ?? served.serve.url)
      return { page, studio: new StudioPage(page), errors }
    }
  }
  return served
}
