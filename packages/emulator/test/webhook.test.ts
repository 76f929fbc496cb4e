import { afterEach, describe, expect, it } from 'vitest'
import type { Emulator } from '../src/index.js'
import { CHANNEL_ID, OTHER_WEBHOOK_ID, post, start, TOKEN, v10, WEBHOOK_ID, withQuery } from './helpers.js'

let emulator: Emulator | undefined
afterEach(async () => {
  await emulator?.close()
  emulator = undefined
})

describe('Execute Webhook', () => {
  it('listens on 127.0.0.1 and hands out versionless webhook URLs with an 18-digit id and a 68-character token', async () => {
    emulator = await start()
    expect(emulator.origin).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/)
    const url = emulator.webhookUrl()
    const match = /\/api\/webhooks\/(\d+)\/([A-Za-z0-9_-]+)$/.exec(url)
    expect(match?.[1]).toMatch(/^\d{18,19}$/)
    expect(match?.[2]).toHaveLength(68)
    expect(url.startsWith(emulator.origin)).toBe(true)
  })

  it('answers 204 with no body without wait, and records the message', async () => {
    emulator = await start()
    const answer = await post(v10(emulator.webhookUrl(WEBHOOK_ID, TOKEN)), { content: 'hello' })
    expect(answer.status).toBe(204)
    expect(answer.text).toBe('')
    expect(emulator.messages).toHaveLength(1)
    expect(emulator.messages[0]).toMatchObject({ webhookId: WEBHOOK_ID, payload: { content: 'hello' } })
  })

  it('answers 200 with the created message object when wait=true', async () => {
    emulator = await start()
    const url = emulator.webhookUrl(WEBHOOK_ID, TOKEN)
    const answer = await post(withQuery(v10(url), 'wait=true'), { content: 'hi', embeds: [{ title: 'T' }] })
    expect(answer.status).toBe(200)
    expect(answer.body).toMatchObject({ content: 'hi', webhook_id: WEBHOOK_ID, embeds: [{ title: 'T', type: 'rich' }] })
    expect(answer.body.id).toMatch(/^\d{17,20}$/)
    expect(answer.body.channel_id).toBe(emulator.messages[0]?.channelId)
    expect(answer.body.id).toBe(emulator.messages[0]?.id)
  })

  it('accepts wait written as True or 1', async () => {
    emulator = await start()
    const url = v10(emulator.webhookUrl(WEBHOOK_ID, TOKEN))
    expect((await post(withQuery(url, 'wait=True'), { content: 'a' })).status).toBe(200)
    expect((await post(withQuery(url, 'wait=1'), { content: 'b' })).status).toBe(200)
  })

  it('records thread_id and reports the thread as the channel', async () => {
    emulator = await start()
    const thread = '777777777777777777'
    const answer = await post(withQuery(v10(emulator.webhookUrl(WEBHOOK_ID, TOKEN)), `wait=true&thread_id=${thread}`), { content: 'x' })
    expect(answer.body.channel_id).toBe(thread)
    expect(emulator.messages[0]?.threadId).toBe(thread)
  })

  it('derives a stable default channel from the webhook id, and maps configured webhooks to one channel', async () => {
    emulator = await start({ webhooks: [{ id: WEBHOOK_ID, token: TOKEN, channelId: CHANNEL_ID }, { id: OTHER_WEBHOOK_ID, token: TOKEN, channelId: CHANNEL_ID }] })
    await post(emulator.webhookUrl(WEBHOOK_ID), { content: 'a' })
    await post(emulator.webhookUrl(OTHER_WEBHOOK_ID), { content: 'b' })
    const third = emulator.webhookUrl('123123123123123123', TOKEN)
    await post(third, { content: 'c' })
    await post(third, { content: 'd' })
    const channels = emulator.messages.map((m) => m.channelId)
    expect(channels.slice(0, 2)).toEqual([CHANNEL_ID, CHANNEL_ID])
    expect(channels[2]).toMatch(/^\d{17,20}$/)
    expect(channels[2]).not.toBe(CHANNEL_ID)
    expect(channels[3]).toBe(channels[2])
  })

  it('accepts every API version from v6 to v10 and the versionless form, and refuses v5', async () => {
    emulator = await start()
    const base = `${emulator.origin}/api`
    for (const version of ['', '/v6', '/v7', '/v8', '/v9', '/v10']) {
      expect((await post(`${base}${version}/webhooks/${WEBHOOK_ID}/${TOKEN}`, { content: 'x' })).status).toBe(204)
    }
    expect((await post(`${base}/v5/webhooks/${WEBHOOK_ID}/${TOKEN}`, { content: 'x' })).status).toBe(400)
  })

  it('answers 405 to other methods on a webhook route', async () => {
    emulator = await start()
    const response = await fetch(emulator.webhookUrl(WEBHOOK_ID, TOKEN))
    expect(response.status).toBe(405)
  })

  it('returns a placeholder page at /', async () => {
    emulator = await start()
    const response = await fetch(`${emulator.origin}/`)
    expect(response.status).toBe(200)
    expect(response.headers.get('content-type')).toContain('text/html')
  })

  it('records which content mentions would ping', async () => {
    emulator = await start()
    const url = emulator.webhookUrl(WEBHOOK_ID, TOKEN)
    const user = '123456789012345678'
    const role = '876543210987654321'
    const content = `@everyone <@${user}> <@&${role}>`
    await post(url, { content })
    await post(url, { content, allowed_mentions: { parse: [] } })
    await post(url, { content, allowed_mentions: { parse: ['users'], roles: [role] } })
    await post(url, { content: 'quiet', embeds: [{ description: `@everyone <@${user}>` }] })
    expect(emulator.messages.map((m) => m.pings)).toEqual([
      { everyone: true, roles: [role], users: [user] },
      { everyone: false, roles: [], users: [] },
      { everyone: false, roles: [role], users: [user] },
      { everyone: false, roles: [], users: [] }
    ])
  })
})

describe('authentication', () => {
  it('creates unknown webhooks on first use by default, then rejects a different token with 401 50027', async () => {
    emulator = await start()
    const url = `${emulator.origin}/api/v10/webhooks/${WEBHOOK_ID}`
    expect((await post(`${url}/${TOKEN}`, { content: 'x' })).status).toBe(204)
    const wrong = await post(`${url}/${'b'.repeat(68)}`, { content: 'x' })
    expect(wrong.status).toBe(401)
    expect(wrong.body).toEqual({ message: 'Invalid Webhook Token', code: 50027 })
    expect(emulator.messages).toHaveLength(1)
  })

  it('answers 404 10015 for unknown webhooks when autoCreate is off', async () => {
    emulator = await start({ autoCreate: false, webhooks: [{ id: WEBHOOK_ID, token: TOKEN }] })
    expect((await post(v10(emulator.webhookUrl(WEBHOOK_ID)), { content: 'x' })).status).toBe(204)
    const unknown = await post(`${emulator.origin}/api/v10/webhooks/${OTHER_WEBHOOK_ID}/${TOKEN}`, { content: 'x' })
    expect(unknown.status).toBe(404)
    expect(unknown.body).toEqual({ message: 'Unknown Webhook', code: 10015 })
  })

  it('answers 401 50027 or 404 10015 after a revoke, and works again after reset', async () => {
    emulator = await start()
    const first = v10(emulator.webhookUrl(WEBHOOK_ID, TOKEN))
    const second = v10(emulator.webhookUrl(OTHER_WEBHOOK_ID, TOKEN))
    emulator.revoke(WEBHOOK_ID, 401)
    emulator.revoke(OTHER_WEBHOOK_ID, 404)
    expect((await post(first, { content: 'x' })).body).toEqual({ message: 'Invalid Webhook Token', code: 50027 })
    expect((await post(second, { content: 'x' })).body).toEqual({ message: 'Unknown Webhook', code: 10015 })
    expect(emulator.messages).toHaveLength(0)
    emulator.reset()
    expect((await post(first, { content: 'x' })).status).toBe(204)
  })
})

describe('request validation over HTTP', () => {
  it('rejects a non-JSON Content-Type with 50035 and a content-type error', async () => {
    emulator = await start()
    const url = v10(emulator.webhookUrl(WEBHOOK_ID, TOKEN))
    for (const contentType of ['text/plain', null]) {
      const answer = await post(url, { content: 'x' }, { contentType })
      expect(answer.status).toBe(400)
      expect(answer.body.code).toBe(50035)
      expect(answer.body.errors._errors[0].code).toBe('CONTENT_TYPE_INVALID')
    }
    expect((await post(url, { content: 'x' }, { contentType: 'application/json; charset=utf-8' })).status).toBe(204)
  })

  it('rejects invalid JSON with 50109', async () => {
    emulator = await start()
    const answer = await post(v10(emulator.webhookUrl(WEBHOOK_ID, TOKEN)), undefined, { raw: '{"content": ' })
    expect(answer.status).toBe(400)
    expect(answer.body.code).toBe(50109)
  })

  it('rejects an empty message with 50006', async () => {
    emulator = await start()
    const answer = await post(v10(emulator.webhookUrl(WEBHOOK_ID, TOKEN)), { embeds: [] })
    expect(answer.status).toBe(400)
    expect(answer.body).toEqual({ message: 'Cannot send an empty message', code: 50006 })
  })

  it('answers v8+ with the structured error tree', async () => {
    emulator = await start()
    const answer = await post(v10(emulator.webhookUrl(WEBHOOK_ID, TOKEN)), { embeds: [{ fields: [{ name: 'n', value: ' ' }] }] })
    expect(answer.status).toBe(400)
    expect(answer.body).toMatchObject({ code: 50035, message: 'Invalid Form Body' })
    expect(answer.body.errors.embeds['0'].fields['0'].value._errors[0].code).toBe('BASE_TYPE_REQUIRED')
  })

  it('answers versionless and v6 URLs with the flat error body', async () => {
    emulator = await start()
    const url = emulator.webhookUrl(WEBHOOK_ID, TOKEN)
    const embed = { description: 'd'.repeat(4000) }
    const answer = await post(url, { embeds: [embed, embed] })
    expect(answer.status).toBe(400)
    expect(answer.body).toEqual({ embeds: ['Embed size exceeds maximum size of 6000'] })
    const v6 = await post(url.replace('/api/', '/api/v6/'), { content: 'c'.repeat(2001) })
    expect(Object.keys(v6.body)).toEqual(['content'])
    expect(v6.body.content[0]).toContain('2000')
  })

  it('accepts an emoji string exactly at the limit and rejects one code point more', async () => {
    emulator = await start()
    const url = v10(emulator.webhookUrl(WEBHOOK_ID, TOKEN))
    expect((await post(url, { content: '🎉'.repeat(2000) })).status).toBe(204)
    expect((await post(url, { content: '🎉'.repeat(2001) })).status).toBe(400)
  })

  it('does not record rejected messages', async () => {
    emulator = await start()
    await post(v10(emulator.webhookUrl(WEBHOOK_ID, TOKEN)), { content: 'x'.repeat(3000) })
    expect(emulator.messages).toHaveLength(0)
    expect(emulator.stats()).toMatchObject({ requests: 1, accepted: 0, byStatus: { 400: 1 } })
  })
})
