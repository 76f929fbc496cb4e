import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { Agent, MockAgent, type Dispatcher } from 'undici'
import { parseRateLimitHeaders } from '../src/http/headers.js'
import { classifyFailure, classifyResponse } from '../src/http/retry-policy.js'
import { userAgent, WebhookSender, type SendOutcome } from '../src/http/sender.js'
import { parseWebhookUrl } from '../src/http/webhook-url.js'
import { HEADERS } from '../src/limits.js'
import type { WebhookPayload } from '../src/types.js'

const ID = '112233445566778899'
const TOKEN = 'aB3_dE6-gH9iJ2kL5mN8oP1qR4sT7uV0wX3yZ6aB9cD2eF5gH8iJ1kL4mN7oP0qR3sT6'
const target = parseWebhookUrl(`https://discord.com/api/webhooks/${ID}/${TOKEN}`)
const PATH = `/api/v10/webhooks/${ID}/${TOKEN}?wait=true`
const UA = userAgent('1.2.3')
const JSON_REPLY = { headers: { 'content-type': 'application/json' } }
const payload: WebhookPayload = {
  embeds: [{ title: '🔴 Payment failed', description: 'card declined', color: 0xed4245 }],
  allowed_mentions: { parse: [] }
}
const message = { id: '1200000000000000001', type: 0, content: '', channel_id: '1100000000000000001', webhook_id: ID, embeds: payload.embeds }

let mockAgent: MockAgent
let sender: WebhookSender

beforeEach(() => {
  mockAgent = new MockAgent()
  mockAgent.disableNetConnect()
  sender = new WebhookSender({ dispatcher: mockAgent, timeoutMs: 1000, userAgent: UA })
})

afterEach(async () => {
  mockAgent.assertNoPendingInterceptors()
  await sender.close()
  await mockAgent.close()
})

const discord = (): ReturnType<MockAgent['get']> => mockAgent.get('https://discord.com')

/** Every outcome is checked the same way: nothing anywhere in it may contain the token. */
function expectNoToken (outcome: SendOutcome): void {
  expect(JSON.stringify(outcome)).not.toContain(TOKEN)
}

function failureOf (outcome: SendOutcome): Extract<SendOutcome, { ok: false }>['failure'] {
  expectNoToken(outcome)
  if (outcome.ok) throw new Error(`expected a failure, got HTTP ${outcome.status}`)
  return outcome.failure
}

function answerOf (outcome: SendOutcome): Extract<SendOutcome, { ok: true }> {
  expectNoToken(outcome)
  if (!outcome.ok) throw new Error(`expected an answer, got ${outcome.failure.kind}: ${outcome.failure.message}`)
  return outcome
}

describe('userAgent', () => {
  it('follows Discord\'s DiscordBot (url, version) form', () => {
    expect(userAgent('1.2.3')).toBe('DiscordBot (https://github.com/logcord/logcord, 1.2.3)')
  })

  it('appends a suffix after a space', () => {
    expect(userAgent('1.2.3', 'my-service/4.0')).toBe('DiscordBot (https://github.com/logcord/logcord, 1.2.3) my-service/4.0')
    expect(userAgent('1.2.3', '')).toBe('DiscordBot (https://github.com/logcord/logcord, 1.2.3)')
  })

  it('removes line breaks, which are invalid in a header', () => {
    expect(userAgent('1.2.3\r\n', 'a\r\nX-Injected: 1')).toBe('DiscordBot (https://github.com/logcord/logcord, 1.2.3) a X-Injected: 1')
  })
})

describe('WebhookSender', () => {
  it('POSTs the JSON payload to the v10 URL with wait=true, Content-Type and the DiscordBot User-Agent', async () => {
    let seen: { method: string, path: string, headers: Record<string, string>, body: string, headersTimeout?: unknown, bodyTimeout?: unknown } | undefined
    discord().intercept({ path: PATH, method: 'POST' }).reply((opts) => {
      const raw = opts as unknown as Dispatcher.DispatchOptions
      seen = {
        method: opts.method,
        path: opts.path,
        headers: Object.fromEntries(Object.entries(opts.headers as Record<string, string>).map(([k, v]) => [k.toLowerCase(), v])),
        body: String(opts.body),
        headersTimeout: raw.headersTimeout,
        bodyTimeout: raw.bodyTimeout
      }
      return { statusCode: 200, data: message, responseOptions: JSON_REPLY }
    })

    const answer = answerOf(await sender.post(target, payload))

    expect(seen).toMatchObject({ method: 'POST', path: PATH, headersTimeout: 1000, bodyTimeout: 1000 })
    expect(seen?.headers['content-type']).toBe('application/json')
    expect(seen?.headers['user-agent']).toBe('DiscordBot (https://github.com/logcord/logcord, 1.2.3)')
    expect(JSON.parse(seen?.body ?? '')).toEqual(payload)
    expect(answer.status).toBe(200)
    expect(answer.body).toEqual(message)
    expect(answer.durationMs).toBeGreaterThanOrEqual(0)
  })

  it('posts into the thread from the URL', async () => {
    const threaded = parseWebhookUrl(`https://discord.com/api/webhooks/${ID}/${TOKEN}?thread_id=998877665544332211`)
    discord().intercept({ path: `${PATH}&thread_id=998877665544332211`, method: 'POST' }).reply(200, message, JSON_REPLY)
    expect(answerOf(await sender.post(threaded, payload)).status).toBe(200)
  })

  it('gives a 200\'s channel_id and message id to the classifier', async () => {
    discord().intercept({ path: PATH, method: 'POST' }).reply(200, message, JSON_REPLY)
    const answer = answerOf(await sender.post(target, payload))
    expect(classifyResponse(answer, Date.now())).toEqual({ kind: 'ok', channelId: '1100000000000000001', messageId: '1200000000000000001' })
  })

  it('edits a message with PATCH …/messages/{id}, in its thread when it has one (contract §7)', async () => {
    const edited = { embeds: [{ title: 'x' }], allowed_mentions: { parse: [] } }
    discord().intercept({ path: `/api/v10/webhooks/${ID}/${TOKEN}/messages/1200000000000000001?thread_id=998877665544332211`, method: 'PATCH', body: JSON.stringify(edited) }).reply(200, message, JSON_REPLY)
    expect(answerOf(await sender.edit(target, { id: '1200000000000000001', threadId: '998877665544332211' }, edited)).status).toBe(200)
  })

  it('returns an undefined body for a 204', async () => {
    discord().intercept({ path: PATH, method: 'POST' }).reply(204, '')
    const answer = answerOf(await sender.post(target, payload))
    expect(answer).toMatchObject({ ok: true, status: 204 })
    expect(answer.body).toBeUndefined()
  })

  it('lower-cases header names and joins repeated headers', async () => {
    discord().intercept({ path: PATH, method: 'POST' }).reply(200, message, {
      headers: { 'Content-Type': 'application/json', 'X-RateLimit-Remaining': '4', 'X-Multi': ['a', 'b'] }
    })
    const answer = answerOf(await sender.post(target, payload))
    expect(answer.headers).toMatchObject({ 'content-type': 'application/json', [HEADERS.remaining]: '4', 'x-multi': 'a, b' })
  })

  it('hands the rate-limit parser header names it matches, whatever their case on the wire', async () => {
    discord().intercept({ path: PATH, method: 'POST' }).reply(429, 'slow down', { headers: { 'X-RateLimit-Remaining': '0', 'X-RateLimit-Bucket': 'b', 'Retry-After': '3' } })
    const answer = answerOf(await sender.post(target, payload))
    expect(parseRateLimitHeaders(answer.headers, 0)).toMatchObject({ remaining: 0, bucket: 'b', retryAfterMs: 3000, hasRateLimitHeaders: true })
  })

  it('returns a 429 as an answer that the classifier reads as a rate limit', async () => {
    discord().intercept({ path: PATH, method: 'POST' }).reply(429, { message: 'You are being rate limited.', retry_after: 1.5, global: false }, {
      headers: {
        'content-type': 'application/json',
        [HEADERS.limit]: '5',
        [HEADERS.remaining]: '0',
        [HEADERS.resetAfter]: '1.5',
        [HEADERS.bucket]: 'b1',
        [HEADERS.scope]: 'user',
        [HEADERS.retryAfter]: '2'
      }
    })
    const answer = answerOf(await sender.post(target, payload))
    expect(answer.status).toBe(429)
    expect(classifyResponse(answer, Date.now())).toEqual({ kind: 'rate_limited', scope: 'bucket', retryAfterMs: 1500, bucket: 'b1' })
  })

  it('keeps a non-JSON body as text capped at 2 KB', async () => {
    discord().intercept({ path: PATH, method: 'POST' }).reply(502, `<html>${'x'.repeat(10_000)}</html>`, { headers: { 'content-type': 'text/html' } })
    const answer = answerOf(await sender.post(target, payload))
    expect(answer.status).toBe(502)
    expect(typeof answer.body).toBe('string')
    expect((answer.body as string).length).toBe(2048)
    expect(classifyResponse(answer, Date.now())).toMatchObject({ kind: 'retry', status: 502 })
  })

  it('keeps Cloudflare\'s plain-text ban body as text', async () => {
    discord().intercept({ path: PATH, method: 'POST' }).reply(429, 'error code: 1015', { headers: { 'content-type': 'text/plain; charset=UTF-8', [HEADERS.retryAfter]: '60' } })
    const answer = answerOf(await sender.post(target, payload))
    expect(answer.body).toBe('error code: 1015')
    expect(classifyResponse(answer, Date.now())).toEqual({ kind: 'rate_limited', scope: 'cloudflare', retryAfterMs: 60_000 })
  })

  it('returns a JSON-typed body that does not parse as text', async () => {
    discord().intercept({ path: PATH, method: 'POST' }).reply(500, '{"broken', JSON_REPLY)
    expect(answerOf(await sender.post(target, payload)).body).toBe('{"broken')
  })

  it('scrubs the token from a body that quotes the request path', async () => {
    discord().intercept({ path: PATH, method: 'POST' }).reply(404, `<pre>Cannot POST /api/v10/webhooks/${ID}/${TOKEN}</pre>`, { headers: { 'content-type': 'text/html' } })
    const answer = answerOf(await sender.post(target, payload))
    expect(answer.body).toBe(`<pre>Cannot POST /api/v10/webhooks/${ID}/[redacted]</pre>`)
  })

  it('scrubs the token from JSON bodies and headers', async () => {
    discord().intercept({ path: PATH, method: 'POST' }).reply(404, { message: `no route ${TOKEN}`, code: 0 }, {
      headers: { 'content-type': 'application/json', location: `https://discord.com${PATH}` }
    })
    const answer = answerOf(await sender.post(target, payload))
    expect(answer.body).toEqual({ message: 'no route [redacted]', code: 0 })
    expect(answer.headers.location).toBe(`https://discord.com/api/v10/webhooks/${ID}/[redacted]?wait=true`)
  })

  it('gives up on a slow answer after timeoutMs with kind timeout', async () => {
    const quick = new WebhookSender({ dispatcher: mockAgent, timeoutMs: 50, userAgent: UA })
    discord().intercept({ path: PATH, method: 'POST' }).reply(200, message, JSON_REPLY).delay(2000)
    const failure = failureOf(await quick.post(target, payload))
    expect(failure).toMatchObject({ kind: 'timeout', code: 'ERR_TIMEOUT', message: 'no answer from Discord within 50 ms' })
    expect(failure.durationMs).toBeGreaterThanOrEqual(40)
    expect(failure.durationMs).toBeLessThan(1000)
    expect(classifyFailure(failure)).toMatchObject({ kind: 'retry' })
    await quick.close()
  })

  it('reports a connection error as kind network with its code', async () => {
    discord().intercept({ path: PATH, method: 'POST' }).replyWithError(Object.assign(new Error('read ECONNRESET'), { code: 'ECONNRESET' }))
    const failure = failureOf(await sender.post(target, payload))
    expect(failure).toMatchObject({ kind: 'network', code: 'ECONNRESET', message: 'read ECONNRESET' })
    expect(classifyFailure(failure)).toMatchObject({ kind: 'retry' })
  })

  it('reports an undici timeout error as kind timeout', async () => {
    discord().intercept({ path: PATH, method: 'POST' }).replyWithError(Object.assign(new Error('Headers Timeout Error'), { code: 'UND_ERR_HEADERS_TIMEOUT' }))
    expect(failureOf(await sender.post(target, payload))).toMatchObject({ kind: 'timeout', code: 'UND_ERR_HEADERS_TIMEOUT' })
  })

  it('reports a certificate error as kind tls, which is not retried', async () => {
    discord().intercept({ path: PATH, method: 'POST' }).replyWithError(Object.assign(new Error('certificate has expired'), { code: 'CERT_HAS_EXPIRED' }))
    const failure = failureOf(await sender.post(target, payload))
    expect(failure).toMatchObject({ kind: 'tls', code: 'CERT_HAS_EXPIRED' })
    expect(classifyFailure(failure)).toMatchObject({ kind: 'tls', code: 'CERT_HAS_EXPIRED' })
  })

  it('finds a TLS code on a wrapped cause', async () => {
    const cause = Object.assign(new Error('Hostname/IP does not match certificate\'s altnames'), { code: 'ERR_TLS_CERT_ALTNAME_INVALID' })
    discord().intercept({ path: PATH, method: 'POST' }).replyWithError(Object.assign(new Error('other side closed', { cause }), { code: 'UND_ERR_SOCKET' }))
    const failure = failureOf(await sender.post(target, payload))
    expect(failure).toMatchObject({ kind: 'tls', code: 'ERR_TLS_CERT_ALTNAME_INVALID' })
    expect(failure.message).toMatch(/other side closed: Hostname/)
  })

  it('scrubs the token from an error that quotes the URL', async () => {
    discord().intercept({ path: PATH, method: 'POST' }).replyWithError(new Error(`request to ${target.url} failed, token ${TOKEN}`, { cause: new Error(`at ${PATH}`) }))
    const failure = failureOf(await sender.post(target, payload))
    expect(failure.kind).toBe('network')
    expect(failure.message).toContain(`/webhooks/${ID}/[redacted]`)
  })

  it('scrubs the token from undici\'s own "not matched" error, which quotes the path', async () => {
    // No interceptor: MockAgent rejects with an error naming the full path, token included.
    const failure = failureOf(await sender.post(target, payload))
    expect(failure.kind).toBe('network')
    expect(failure.message).toMatch(/\[redacted\]/)
  })

  it('does not send when the caller\'s signal is already aborted', async () => {
    const failure = failureOf(await sender.post(target, payload, AbortSignal.abort()))
    expect(failure.kind).toBe('aborted')
  })

  it('stops waiting when the caller aborts mid-request', async () => {
    discord().intercept({ path: PATH, method: 'POST' }).reply(200, message, JSON_REPLY).delay(2000)
    const controller = new AbortController()
    const pending = sender.post(target, payload, controller.signal)
    setTimeout(() => controller.abort(), 10).unref()
    const failure = failureOf(await pending)
    expect(failure.kind).toBe('aborted')
    expect(failure.durationMs).toBeLessThan(1000)
  })

  it('leaves a dispatcher it was given open on close()', async () => {
    const closeSpy = vi.spyOn(mockAgent, 'close')
    await sender.close()
    expect(closeSpy).not.toHaveBeenCalled()
    closeSpy.mockRestore()
    const other = new WebhookSender({ dispatcher: mockAgent, timeoutMs: 1000, userAgent: UA })
    discord().intercept({ path: PATH, method: 'POST' }).reply(204, '')
    expect(answerOf(await other.post(target, payload)).status).toBe(204)
    await other.close()
  })

  it('refuses to send after close(), without throwing', async () => {
    await sender.close()
    expect(failureOf(await sender.post(target, payload))).toMatchObject({ kind: 'aborted', code: 'ERR_CLOSED' })
  })

  it('closes the Agent it created itself, once, even when close() is called twice', async () => {
    const closeSpy = vi.spyOn(Agent.prototype, 'close')
    const own = new WebhookSender({ timeoutMs: 1000, userAgent: UA })
    await own.close()
    await own.close()
    // undici's promise form of close() calls close(callback) internally: count the outer calls only.
    expect(closeSpy.mock.calls.filter((args) => args.length === 0)).toHaveLength(1)
    closeSpy.mockRestore()
    expect(failureOf(await own.post(target, payload))).toMatchObject({ kind: 'aborted', code: 'ERR_CLOSED' })
  })
})
