import { afterEach, describe, expect, it } from 'vitest'
import type { Emulator } from '../src/index.js'
import { ManualClock, post, start, TOKEN, v10, WEBHOOK_ID, withQuery } from './helpers.js'

let emulator: Emulator | undefined
afterEach(async () => {
  await emulator?.close()
  emulator = undefined
})

const request = async (method: string, url: string, payload?: unknown): Promise<{ status: number, body: any }> => {
  const response = await fetch(url, { method, ...(payload === undefined ? {} : { headers: { 'content-type': 'application/json' }, body: JSON.stringify(payload) }) })
  const text = await response.text()
  return { status: response.status, body: text === '' ? undefined : JSON.parse(text) }
}

/** Posts one message with wait=true; returns the base URL, the message URL and the id. */
async function posted (payload: unknown, query = 'wait=true'): Promise<{ base: string, url: string, id: string }> {
  const base = v10(emulator!.webhookUrl(WEBHOOK_ID, TOKEN))
  const answer = await post(withQuery(base, query), payload)
  const id = (answer.body as { id: string }).id
  return { base, url: `${base}/messages/${id}`, id }
}

describe('Get, Edit and Delete Webhook Message (contract §7)', () => {
  it('PATCH replaces the fields it gives (embeds whole), keeps the files and the pings of the post, and sets edited_timestamp', async () => {
    emulator = await start()
    const { url } = await posted({ content: '<@&123456789012345678> down', allowed_mentions: { roles: ['123456789012345678'] }, embeds: [{ title: 'a' }, { title: 'b' }] })
    const answer = await request('PATCH', url, { embeds: [{ title: 'a', footer: { text: '×3' } }], allowed_mentions: { parse: [] } })
    expect(answer.status).toBe(200)
    expect(answer.body.edited_timestamp).toEqual(expect.any(String))
    expect(answer.body.embeds).toEqual([{ title: 'a', footer: { text: '×3' }, type: 'rich' }])
    const [m] = emulator.messages
    expect(m).toMatchObject({ edits: 1, payload: { content: '<@&123456789012345678> down' } })
    expect(m!.pings.roles).toEqual(['123456789012345678'])
    expect((await request('GET', url)).body.embeds).toHaveLength(1)
  })

  it('answers 10008 for an unknown message, one another webhook sent, one in another thread, and one deleted (by DELETE or a moderator)', async () => {
    emulator = await start()
    const { base, url, id } = await posted({ content: 'x' })
    expect((await request('PATCH', `${base}/messages/1234567890123456789`, { content: 'y' })).body).toMatchObject({ code: 10008 })
    expect((await request('PATCH', `${url}?thread_id=1234567890123456789`, { content: 'y' })).body).toMatchObject({ code: 10008 })
    const other = v10(emulator.webhookUrl('998877665544332211', TOKEN))
    expect((await request('PATCH', `${other}/messages/${id}`, { content: 'y' })).body).toMatchObject({ code: 10008 })
    expect(emulator.deleteMessage(id)).toBe(true)
    expect(emulator.messages[0]!.deletedAt).toEqual(expect.any(Number))
    const gone = await request('PATCH', url, { content: 'y' })
    expect(gone).toMatchObject({ status: 404, body: { code: 10008, message: 'Unknown Message' } })
    const second = await posted({ content: 'z' })
    expect((await request('DELETE', second.url)).status).toBe(204)
    expect((await request('GET', second.url)).body).toMatchObject({ code: 10008 })
  })

  it('validates an edit as a post: a 4097-character content is 50035', async () => {
    emulator = await start()
    const { url } = await posted({ content: 'x' })
    expect((await request('PATCH', url, { content: 'y'.repeat(2001) })).body).toMatchObject({ code: 50035 })
    expect(emulator.messages[0]!.edits).toBeUndefined()
  })

  it('by default edits take from the webhook bucket and count against the channel limit; each can be switched off', async () => {
    const clock = new ManualClock()
    emulator = await start({ now: clock.now, limits: { webhook: { limit: 2, windowMs: 1000 }, channel: { limit: 3, windowMs: 60_000 } } })
    const { url } = await posted({ content: 'x' })
    expect((await request('PATCH', url, { content: 'y' })).status).toBe(200)
    expect((await request('PATCH', url, { content: 'z' })).status).toBe(429)
    clock.advance(1000)
    await request('PATCH', url, { content: 'z' })
    clock.advance(1000)
    // Post, two edits: the channel's 3 are spent.
    expect((await request('PATCH', url, { content: 'w' })).body).toMatchObject({ global: false })
    await emulator.close()

    emulator = await start({ now: clock.now, limits: { webhook: { limit: 2, windowMs: 1000 }, channel: { limit: 3, windowMs: 60_000 } }, editLimits: { bucket: false, channel: false } })
    const free = await posted({ content: 'x' })
    for (let i = 0; i < 5; i++) expect((await request('PATCH', free.url, { content: `e${i}` })).status).toBe(200)
    expect(emulator.messages[0]!.edits).toBe(5)
  })
})
