// Front door 1: the Electron shell. Thin on purpose: everything it serves is the same Studio the
// `serve` mode and the CLI use, so it is the only part that cannot be tested without Electron.
import { join } from 'node:path'
import { pathToFileURL } from 'node:url'
import { BrowserWindow, app, ipcMain, net, protocol, type WebContents } from 'electron'
import { Studio } from './app/studio'
import { studioHome } from './settings/settings'
import { MEDIA_SCHEME, mediaHashFromUrl } from './electron/media-protocol'

protocol.registerSchemesAsPrivileged([{ scheme: MEDIA_SCHEME, privileges: { standard: true, secure: true, supportFetchAPI: true, stream: true } }])

const RPC_CHANNEL = 'pixel-studio:rpc'

async function main(): Promise<void> {
  await app.whenReady()
  const studio = new Studio({ home: process.env.PIXEL_STUDIO_HOME ?? studioHome() })
  await studio.openDefault()
  studio.runTrainingQueue()

  // Serves only files of the open project's media store, by content hash.
  protocol.handle(MEDIA_SCHEME, (request) => {
    const hash = mediaHashFromUrl(request.url)
    const file = hash && studio.hasProject ? studio.project.media.resolve(hash) : undefined
    if (!file) return new Response('not found', { status: 404 })
    return net.fetch(pathToFileURL(file.path).toString())
  })

  const links = new Map<WebContents, ReturnType<Studio['dispatcher']['attach']>>()
  const rendererIndex = join(__dirname, '../renderer/index.html')
  ipcMain.on(RPC_CHANNEL, (event, message: unknown) => {
    // Only our own renderer page may call the services.
    if (!event.senderFrame || !event.senderFrame.url.startsWith(pathToFileURL(rendererIndex).toString())) return
    let link = links.get(event.sender)
    if (!link) {
      const sender = event.sender
      link = studio.dispatcher.attach({ send: (m) => !sender.isDestroyed() && sender.send(RPC_CHANNEL, m) })
      links.set(sender, link)
      sender.once('destroyed', () => {
        links.get(sender)?.detach()
        links.delete(sender)
      })
    }
    link.receive(message)
  })

  const window = new BrowserWindow({
    width: 1440,
    height: 900,
    title: 'Pixel Studio',
    webPreferences: {
      preload: join(__dirname, '../preload/index.js'),
      contextIsolation: true,
      nodeIntegration: false,
      sandbox: true
    }
  })
  window.webContents.setWindowOpenHandler(() => ({ action: 'deny' }))
  window.webContents.on('will-navigate', (event) => event.preventDefault())
  await window.loadFile(rendererIndex)

  app.on('window-all-closed', () => {
    studio.close()
    app.quit()
  })
}

main().catch((error: unknown) => {
  console.error(error)
  app.exit(1)
})
