// A small OpenAI-protocol chat server on 127.0.0.1, started inside a test (no external traffic):
// each test decides what it answers, including nothing at all, slowly, or junk.
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'

export interface ChatRequest {
  headers: IncomingMessage['headers']
  body: {
    model: string
    messages: Array<{ role: string; content: Array<{ type: string; text?: string; image_url?: { url: string } }> }>
    max_tokens?: number
  }
}

export type Reply = { status?: number; json?: unknown; text?: string; delayMs?: number }

export interface FakeOpenAi {
  baseUrl: string
  requests: ChatRequest[]
  /** model ids GET /v1/models lists */
  models: string[]
  /** what to answer; the default answers every request with `completion('ok')` */
  answer: (request: ChatRequest) => Reply | Promise<Reply>
  close(): Promise<void>
}

export function completion(content: unknown): unknown {
  return { id: 'chatcmpl-test', object: 'chat.completion', choices: [{ index: 0, message: { role: 'assistant', content }, finish_reason: 'stop' }] }
}

/** The text of the last user turn of a request. */
export function lastUserText(request: ChatRequest): string {
  const user = [...request.body.messages].reverse().find((m) => m.role === 'user')
  return (user?.content ?? []).map((c) => c.text ?? '').join('')
}

export async function startFakeOpenAi(): Promise<FakeOpenAi> {
  const fake: FakeOpenAi = { baseUrl: '', requests: [], models: [], answer: () => ({ json: completion('ok') }), close: async () => {} }
  const server = createServer((req, res: ServerResponse) => {
    let raw = ''
    req.on('data', (d: Buffer) => (raw += d.toString()))
    req.on('end', () => {
      void (async () => {
        if (req.method === 'GET' && req.url === '/v1/models') {
          res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ object: 'list', data: fake.models.map((id) => ({ id, object: 'model' })) }))
          return
        }
        if (req.method !== 'POST' || req.url !== '/v1/chat/completions') {
          res.writeHead(404, { 'content-type': 'application/json' }).end(JSON.stringify({ error: { message: `no route ${req.method} ${req.url}` } }))
          return
        }
        const request: ChatRequest = { headers: req.headers, body: JSON.parse(raw) as ChatRequest['body'] }
        fake.requests.push(request)
        const reply = await fake.answer(request)
        if (reply.delayMs) await new Promise((r) => setTimeout(r, reply.delayMs))
        if (res.destroyed) return
        const body = reply.text ?? JSON.stringify(reply.json ?? completion('ok'))
        res.writeHead(reply.status ?? 200, { 'content-type': reply.text !== undefined ? 'text/html' : 'application/json' }).end(body)
      })()
    })
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo
  fake.baseUrl = `http://127.0.0.1:${port}/v1`
  fake.close = () =>
    new Promise<void>((resolve) => {
      server.closeAllConnections()
      server.close(() => resolve())
    })
  return fake
}
