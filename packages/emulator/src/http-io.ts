import type { IncomingMessage, ServerResponse } from 'node:http'
import type { Reply } from './replies.js'

/**
 * Reads a whole request body. Past `maxBytes` the rest is drained and discarded, so the
 * caller can still answer 413 on a keep-alive connection. `undefined` means too large.
 */
export function readBody (req: IncomingMessage, maxBytes: number, done: (body: Buffer | undefined) => void): void {
  const chunks: Buffer[] = []
  let size = 0
  req.on('data', (chunk: Buffer) => {
    size += chunk.length
    if (size <= maxBytes) chunks.push(chunk)
  })
  req.on('end', () => {
    if (size > maxBytes) done(undefined)
    else done(chunks.length === 1 && chunks[0] ? chunks[0] : Buffer.concat(chunks))
  })
}

/** Writes a reply unless the client is already gone (it may give up while latency is injected). */
export function send (res: ServerResponse, reply: Reply): void {
  if (res.destroyed || res.writableEnded) return
  const headers: Record<string, string | number> = reply.headers
  if (reply.body.length > 0) headers['content-length'] = Buffer.byteLength(reply.body)
  res.writeHead(reply.status, headers)
  res.end(reply.body)
}
