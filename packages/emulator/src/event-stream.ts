import type { ServerResponse } from 'node:http'

/**
 * Server-Sent Events fan-out for GET /_emulator/events. Each client gets every event
 * from the moment it connects; nothing is buffered for clients that are not there.
 */
export class EventStream {
  readonly #clients = new Set<ServerResponse>()

  get size (): number {
    return this.#clients.size
  }

  add (res: ServerResponse): void {
    res.writeHead(OK, {
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-cache',
      connection: 'keep-alive'
    })
    // A comment line flushes the headers at once, so a client knows it is subscribed.
    res.write(': connected\n\n')
    this.#clients.add(res)
    res.on('close', () => this.#clients.delete(res))
  }

  send (event: string, data: unknown): void {
    if (this.#clients.size === 0) return
    const frame = `event: ${event}\ndata: ${JSON.stringify(data)}\n\n`
    for (const client of this.#clients) client.write(frame)
  }

  close (): void {
    for (const client of this.#clients) client.end()
    this.#clients.clear()
  }
}

const OK = 200
