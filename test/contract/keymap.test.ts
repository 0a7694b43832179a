// settings.keymap / settings.setKeymap: the review keys a person remaps are a studio setting,
// validated at the contract and still there when the studio starts again.
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { Studio } from '../../src/main/app/studio'
import { inMemoryTransport } from '../../src/main/rpc/in-memory'
import { Settings } from '../../src/main/settings/settings'
import { StudioClient } from '../../src/shared/contract/client'
import { rejection } from '../helpers/rejection'
import { tempDir } from '../helpers/temp'

const home = join(tempDir('pixel-studio-keymap-'), 'home')
const studios: Studio[] = []
afterAll(() => studios.forEach((s) => s.close()))

function start(): StudioClient {
  const studio = new Studio({ home, log: () => {} })
  studios.push(studio)
  return new StudioClient(inMemoryTransport(studio.dispatcher))
}

describe('review keymap setting', () => {
  it('starts empty, stores a remap, refuses a malformed one, and keeps it across a restart', async () => {
    const client = start()
    expect(await client.call('settings.keymap', {})).toEqual({ review: {} })
    const review = { accept: ['q'], nextStep: ['.', 'Shift+ArrowRight'] }
    expect(await client.call('settings.setKeymap', { review })).toEqual({ review })
    expect((await rejection(client.call('settings.setKeymap', { review: { accept: [''] } }))).code).toBe('invalid_input')
    expect((await rejection(client.call('settings.setKeymap', { review: { 'not a command': ['q'] } }))).code).toBe('invalid_input')
    expect((await rejection(client.call('settings.setKeymap', { review: { accept: ['a', 'b', 'c', 'd', 'e'] } }))).code).toBe('invalid_input')
    expect(new Settings(home).reviewKeys).toEqual(review)
    expect(await start().call('settings.keymap', {})).toEqual({ review })
    expect(await client.call('settings.setKeymap', { review: {} })).toEqual({ review: {} })
  })
})
