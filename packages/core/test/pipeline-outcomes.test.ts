import { mkdtempSync, readFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import type { WebhookPayload } from '@logcord/core'
import { JSON_HEADERS, mockDiscord, okBody, TOKEN, URL_ } from './mock-discord.js'

const { bodies, lines, make, answer, post } = mockDiscord({ retryDelays: [5, 5] })

const invalidForm = { code: 50035, message: 'Invalid Form Body', errors: { embeds: { 0: { description: { _errors: [{ code: 'BASE_TYPE_MAX_LENGTH', message: 'Must be 4096 or fewer in length.' }] } } } } }

describe('what the pipeline does with each answer', () => {
  it('resends once, rendered stricter, after a 400 Invalid Form Body', async () => {
    answer(400, invalidForm)
    answer(200)
    const n = make()
    n.sendErrorNotification({ service: 'svc', error: new Error('deep'), details: { a: 'x'.repeat(900) } })
    await n.flush()
    expect(bodies).toHaveLength(2)
    expect(JSON.stringify(bodies[1]).length).toBeLessThan(JSON.stringify(bodies[0]).length)
    expect(n.stats()).toMatchObject({ sent: 1, dropped: 0, requests: 2, retried: 0 })
  })

  it('dead-letters after a second 400 and keeps delivering the records behind it', async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'logcord-')), 'dead.jsonl')
    answer(400, invalidForm)
    answer(400, invalidForm)
    answer(200)
    const n = make({ deadLetterFile: file })
    n.sendDiagnostic({ level: 'error', service: 's', message: 'rejected one' })
    await n.flush()
    n.sendDiagnostic({ level: 'error', service: 's', message: 'next one' })
    await n.close()
    expect(n.stats().droppedByReason.rejected).toBe(1)
    expect(n.stats().sent).toBe(1)
    const dead = readFileSync(file, 'utf8')
    expect(dead).toContain('rejected one')
    expect(dead).not.toContain(TOKEN)
    expect(lines.join('\n')).toMatch(/rejected a message/)
  })

  it('splits a batch Discord calls too large (413) and delivers every record', async () => {
    answer(413, { code: 40005, message: 'Request entity too large' })
    answer(200)
    answer(200)
    // r0…r3 share one template; storm control is off so the four records reach the batcher.
    const n = make({ dedup: { enabled: false } })
    for (let i = 0; i < 4; i++) n.sendDiagnostic({ level: 'error', service: 's', message: `r${i}` })
    await n.flush()
    expect(bodies.map((b) => b.embeds?.length)).toEqual([4, 2, 2])
    expect(n.stats()).toMatchObject({ sent: 4, dropped: 0 })
  })

  it('disables the webhook on 403 and never calls it again', async () => {
    answer(403, { code: 40333, message: 'internal network error' })
    const n = make()
    n.sendDiagnostic({ level: 'error', service: 's', message: 'a' })
    await n.flush()
    n.sendDiagnostic({ level: 'error', service: 's', message: 'b' })
    await n.flush()
    expect(bodies).toHaveLength(1)
    expect(n.health()).toMatchObject({ status: 'disabled' })
    expect(n.stats()).toMatchObject({ invalidRequests: 1, dropped: 2 })
  })

  it('does not retry a TLS failure, reports it, and still tries the next record', async () => {
    post().replyWithError(Object.assign(new Error('unable to verify the first certificate'), { code: 'UNABLE_TO_VERIFY_LEAF_SIGNATURE' }))
    answer(200)
    const n = make()
    n.sendDiagnostic({ level: 'error', service: 's', message: 'a' })
    await n.flush()
    n.sendDiagnostic({ level: 'error', service: 's', message: 'b' })
    await n.flush()
    expect(n.stats()).toMatchObject({ retried: 0, sent: 1 })
    expect(n.stats().droppedByReason.tls).toBe(1)
    expect(lines.some((l) => /TLS failure/.test(l))).toBe(true)
  })

  it('waits the body\'s retry_after on a 429 and resends without spending a retry', async () => {
    answer(429, { message: 'You are being rate limited.', retry_after: 0.08, global: false }, { headers: { ...JSON_HEADERS, 'x-ratelimit-limit': '5', 'x-ratelimit-remaining': '0', 'x-ratelimit-reset-after': '0.08', 'x-ratelimit-scope': 'user', 'retry-after': '1' } })
    answer(200)
    // A clock that records every wait the pipeline asks for and fires it at once (flush()'s own
    // 10 s deadline timer is left to run normally).
    const waits: number[] = []
    const clock = {
      now: () => Date.now(),
      setTimeout: (fn: () => void, ms: number) => {
        if (ms >= 10_000) return setTimeout(fn, ms).unref()
        waits.push(ms)
        return setImmediate(fn)
      },
      clearTimeout: (h: unknown) => { clearTimeout(h as NodeJS.Timeout); clearImmediate(h as NodeJS.Immediate) }
    }
    const n = make({ rateLimits: { offsetMs: 0 }, clock })
    n.sendDiagnostic({ level: 'error', service: 's', message: 'a' })
    await n.flush()
    // 80 ms from the body's retry_after, not the header's rounded-up second.
    expect(waits.some((ms) => ms >= 75 && ms <= 80)).toBe(true)
    expect(waits.every((ms) => ms < 1000)).toBe(true)
    expect(n.stats()).toMatchObject({ sent: 1, retried: 0, rateLimited: 1 })
  })

  it('always sends allowed_mentions, the User-Agent and JSON to /api/v10 with wait=true', async () => {
    let headers: Record<string, string> = {}
    post().reply(200, (opts) => {
      headers = opts.headers as Record<string, string>
      bodies.push(JSON.parse(String(opts.body)) as WebhookPayload)
      return okBody
    }, { headers: JSON_HEADERS })
    const n = make({ username: 'Alerts', avatarUrl: 'https://example.com/a.png' })
    n.sendPlaintext('hello @everyone')
    await n.flush()
    expect(bodies[0]).toMatchObject({ allowed_mentions: { parse: [] }, username: 'Alerts', avatar_url: 'https://example.com/a.png' })
    expect(bodies[0]!.content).not.toContain('@everyone')
    expect(headers['content-type']).toBe('application/json')
    expect(headers['user-agent']).toMatch(/^DiscordBot \(https?:\/\/\S+, \d+\.\d+\.\d+\)/)
  })
})

describe('records with both content and an embed', () => {
  it('send the content and the embed in one message', async () => {
    answer(200)
    const n = make()
    n.send({ severity: 'error', message: '', content: 'on-call: have a look', embed: { title: 'Payment failed' }, time: 0 })
    await n.flush()
    expect(bodies).toHaveLength(1)
    expect(bodies[0]!.content).toBe('on-call: have a look')
    expect(bodies[0]!.embeds?.[0]?.title).toContain('Payment failed')
  })

  it('join into one content, a line each, in order, beside the embeds', async () => {
    answer(200)
    const n = make()
    n.sendPlaintext('first')
    n.send({ severity: 'info', message: '', content: 'second', embed: { title: 'T' }, time: 0 })
    await n.flush()
    expect(bodies.map((b) => [b.content, b.embeds?.length ?? 0])).toEqual([['first\nsecond', 1]])
  })

  it('go in the next message once the joined lines would pass 2000 characters', async () => {
    answer(200)
    answer(200)
    const n = make()
    n.sendPlaintext('a'.repeat(1500))
    n.sendPlaintext('b'.repeat(499))
    n.sendPlaintext('c')
    await n.flush()
    expect(bodies.map((b) => b.content?.length)).toEqual([2000, 1])
  })
})

describe('the dead-letter file', () => {
  it('never holds secret fields or error properties, nor the token', async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'logcord-')), 'dead.jsonl')
    answer(404, { code: 10015, message: 'Unknown Webhook' })
    const n = make({ deadLetterFile: file, render: { redactKeys: ['password', 'apiKey', 'user.credentials.pin'] } })
    const error = Object.assign(new Error('login failed'), { apiKey: 'ak_live_555' })
    n.sendErrorNotification({ service: 'auth', error, details: { password: 'hunter2', user: { name: 'ada', credentials: { pin: 'pin-qzx-secret' } }, url: URL_ } })
    await n.close()
    const dead = readFileSync(file, 'utf8')
    expect(dead).toContain('login failed')
    expect(dead).toContain('ada')
    for (const secret of ['hunter2', 'pin-qzx-secret', 'ak_live_555', TOKEN]) expect(dead).not.toContain(secret)
  })
})
