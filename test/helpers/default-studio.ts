// A Studio on its embedded sample project, with a contract client over the in-memory transport
// (the dispatcher every front door uses); closed, model worker included, after the file's tests.
import { join } from 'node:path'
import { afterAll, beforeAll } from 'vitest'
import { StudioClient } from '../../src/shared/contract/client'
import { Studio } from '../../src/main/app/studio'
import { inMemoryTransport } from '../../src/main/rpc/in-memory'
import { checkpointsSettled } from '../../src/main/store/deferred-checkpoint'

export function defaultStudio(root: string): { readonly studio: Studio; readonly client: StudioClient } {
  let studio: Studio | undefined
  let client: StudioClient | undefined
  beforeAll(async () => {
    studio = new Studio({ home: join(root, 'home'), log: () => {} })
    await studio.openDefault()
    client = new StudioClient(inMemoryTransport(studio.dispatcher))
  })
  afterAll(async () => {
    await checkpointsSettled() // a bulk change's checkpoint worker may still hold the database
    await studio?.inference.close()
    studio?.close()
  })
  return {
    get studio(): Studio {
      if (!studio) throw new Error('the studio starts in beforeAll')
      return studio
    },
    get client(): StudioClient {
      if (!client) throw new Error('the studio starts in beforeAll')
      return client
    }
  }
}
