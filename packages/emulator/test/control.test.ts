import { afterEach, describe, expect, it } from 'vitest'
import type { Emulator } from '../src/index.js'
import { get, post, start, TOKEN, v10, WEBHOOK_ID } from './helpers.js'

let emulator: Emulator | undefined
afterEach(async () => {
  await emulator?.close()
  emulator = undefined
})

/** Reads an SSE stream until `count` events arrived. */
async function readEvents (response: Response, count: number): Promise<Array<{ event: string; data: any }>> {
  const reader = response.body!.pipeThrough(new TextDecoderStream()).getReader()
  const events: Array<{ event: string; data: any }> = []
  let buffer = ''
  while (events.length < count) {
    const { value, done } = await reader.read()
    if (done) break
    buffer += value
    let end: number
    while ((end = buffer.indexOf('\n\n')) !== -1) {
      const frame = buffer.slice(0, end)
      buffer = buffer.slice(end + 2)
      const event = /^event: (.*)$/m.exec(frame)?.[1]
      const data = /^data: (.*)$/m.exec(frame)?.[1]
      if (event && data) events.push({ event, data: JSON.parse(data) })
    }
  }
  await reader.cancel()
  return events
}

describe('control routes', () => {
  it('serves messages and stats as JSON for other processes', async () => {
    emulator = await start()
    await post(v10(emulator.webhookUrl(WEBHOOK_ID, TOKEN)), { content: 'hello' })
    const messages = await get(`${emulator.origin}/_emulator/messages`)
    expect(messages.body).toHaveLength(1)
    expect(messages.body[0]).toMatchObject({ webhookId: WEBHOOK_ID, payload: { content: 'hello' } })
    const stats = await get(`${emulator.origin}/_emulator/stats`)
    expect(stats.body).toMatchObject({ requests: 1, accepted: 1, byStatus: { 204: 1 } })
  })

  it('resets, merges faults and revokes webhooks over HTTP', async () => {
    emulator = await start()
    const url = v10(emulator.webhookUrl(WEBHOOK_ID, TOKEN))
    await post(url, { content: 'x' })
    expect((await post(`${emulator.origin}/_emulator/reset`)).status).toBe(204)
    expect(emulator.messages).toHaveLength(0)

    const faults = await post(`${emulator.origin}/_emulator/faults`, { errorRate: 1 })
    expect(faults.body).toMatchObject({ errorRate: 1, hangRate: 0 })
    expect((await post(url, { content: 'x' })).status).toBeGreaterThanOrEqual(500)
    await post(`${emulator.origin}/_emulator/faults`, { errorRate: 0 })

    expect((await post(`${emulator.origin}/_emulator/webhooks/${WEBHOOK_ID}/revoke?status=401`)).status).toBe(204)
    expect((await post(url, { content: 'x' })).body.code).toBe(50027)
    await post(`${emulator.origin}/_emulator/webhooks/${WEBHOOK_ID}/revoke?status=404`)
    expect((await post(url, { content: 'x' })).body.code).toBe(10015)
  })

  it('rejects malformed fault settings with a message naming the key', async () => {
    emulator = await start()
    const answer = await post(`${emulator.origin}/_emulator/faults`, { errorRate: 2 })
    expect(answer.status).toBe(400)
    expect(answer.body.message).toContain('errorRate')
  })

  it('creates a webhook on request and returns its URL', async () => {
    emulator = await start({ autoCreate: false })
    const created = await post(`${emulator.origin}/_emulator/webhooks`)
    expect(created.body.url).toContain(`/api/webhooks/${created.body.id}/${created.body.token}`)
    expect((await post(created.body.url, { content: 'x' })).status).toBe(204)
  })

  it('streams accepted messages and response summaries as Server-Sent Events', async () => {
    emulator = await start()
    const stream = await fetch(`${emulator.origin}/_emulator/events`)
    expect(stream.headers.get('content-type')).toContain('text/event-stream')
    const reading = readEvents(stream, 3)
    const url = v10(emulator.webhookUrl(WEBHOOK_ID, TOKEN))
    await post(url, { content: 'streamed' })
    await post(url, { content: '' })
    const events = await reading
    expect(events.map((e) => e.event)).toEqual(['message', 'response', 'response'])
    expect(events[0]!.data).toMatchObject({ webhookId: WEBHOOK_ID, payload: { content: 'streamed' } })
    expect(events[1]!.data).toMatchObject({ status: 204, webhookId: WEBHOOK_ID })
    expect(events[2]!.data).toMatchObject({ status: 400, webhookId: WEBHOOK_ID })
    expect(typeof events[1]!.data.time).toBe('number')
  })
})

describe('waitFor', () => {
  it('resolves once the message count is reached', async () => {
    emulator = await start()
    const url = v10(emulator.webhookUrl(WEBHOOK_ID, TOKEN))
    const waiting = emulator.waitFor(3, 2000)
    for (const content of ['a', 'b', 'c']) void post(url, { content })
    const messages = await waiting
    expect(messages.map((m) => m.payload.content).sort()).toEqual(['a', 'b', 'c'])
  })

  it('resolves when a predicate accepts the messages, at once if it already does', async () => {
    emulator = await start()
    const url = v10(emulator.webhookUrl(WEBHOOK_ID, TOKEN))
    await post(url, { content: 'first' })
    await expect(emulator.waitFor(1)).resolves.toHaveLength(1)
    const waiting = emulator.waitFor((list) => list.some((m) => m.payload.content === 'needle'), 2000)
    await post(url, { content: 'hay' })
    await post(url, { content: 'needle' })
    expect((await waiting).at(-1)?.payload.content).toBe('needle')
  })

  it('rejects after the timeout, saying how many arrived', async () => {
    emulator = await start()
    await expect(emulator.waitFor(2, 50)).rejects.toThrow(/0 received/)
  })

  it('notifies subscribers of each saved message', async () => {
    emulator = await start()
    const seen: string[] = []
    const off = emulator.on('message', (m) => seen.push(m.id))
    const url = v10(emulator.webhookUrl(WEBHOOK_ID, TOKEN))
    await post(url, { content: 'a' })
    off()
    await post(url, { content: 'b' })
    expect(seen).toEqual([emulator.messages[0]!.id])
  })
})
