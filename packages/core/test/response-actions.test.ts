import { describe, expect, it } from 'vitest'
import type { NotifierOptions } from '@logcord/core'
import { answered } from '../src/delivery/batches.js'
import { JSON_HEADERS, mockDiscord, okBody } from './mock-discord.js'

const { bodies, lines, make, answer, post } = mockDiscord({ retryDelays: [5, 10], outage: { afterMs: 0, probeMinMs: 10, probeMaxMs: 10 }, dedup: { enabled: false } })
const WEBHOOK_ID = '123456789012345678'
type Event = Record<string, unknown>

/** A notifier on the mock, with what it emits; `send(n)` logs n distinct records and waits for them. */
function watched (extra: NotifierOptions = {}): { of: (name: string) => Event[], send: (count?: number) => Promise<void>, n: ReturnType<typeof make> } {
  const n = make(extra)
  const events: Array<[string, Event]> = []
  for (const name of ['sent', 'dropped', 'rateLimited', 'retry', 'error', 'disabled'] as const) n.on(name, (e: unknown) => events.push([name, e as Event]))
  return {
    n,
    of: (name) => events.filter(([k]) => k === name).map(([, e]) => e),
    send: async (count = 1) => {
      for (let i = 0; i < count; i++) n.sendDiagnostic({ level: 'error', service: 's', message: `r${i}` })
      await n.flush()
    }
  }
}

describe('what each answer calls for, in the pipeline', () => {
  it('ok: delivered, with the channel Discord named', async () => {
    answer(200)
    const { n, of, send } = watched()
    await send()
    expect(of('sent')).toMatchObject([{ records: 1, attempt: 1, status: 200, channelId: okBody.channel_id }])
    expect(n.stats()).toMatchObject({ sent: 1, requests: 1 })
  })

  it('429: resend as is after the limiter\'s wait, whatever the attempt', async () => {
    answer(503, { message: 'down' })
    answer(429, { message: 'You are being rate limited.', retry_after: 0.02, global: false }, { headers: { ...JSON_HEADERS, 'x-ratelimit-limit': '5', 'x-ratelimit-remaining': '0', 'x-ratelimit-reset-after': '0.02', 'x-ratelimit-bucket': 'b1' } })
    answer(200)
    const { n, of, send } = watched({ rateLimits: { offsetMs: 0 } })
    await send()
    expect(of('rateLimited').filter((e) => e.reactive === true)).toMatchObject([{ scope: 'bucket', status: 429, bucket: 'b1' }])
    expect(bodies).toHaveLength(3)
    expect(bodies[2]).toEqual(bodies[1])
    // The 429 came after one retry and spent none: the delivery is the second attempt.
    expect(of('sent')).toMatchObject([{ attempt: 2 }])
    expect(n.stats()).toMatchObject({ sent: 1, retried: 1, rateLimited: 1, requests: 3 })
  })

  it('transient failure: the next retry delay, then hold through an outage once retries are spent', async () => {
    answer(502, { message: 'bad gateway' }, { times: 4 }) // the attempt, its two retries, one failed probe
    answer(200)
    const { n, of, send } = watched()
    await send()
    const reason = of('retry')[0]?.reason
    expect(reason).toMatch(/502/)
    expect(of('retry')).toEqual([{ attempt: 1, delayMs: 5, reason }, { attempt: 2, delayMs: 10, reason }])
    // In an outage a failed probe holds at once: it has no retries of its own.
    expect(of('error')).toMatchObject([{ kind: 'outage' }])
    expect(n.stats()).toMatchObject({ sent: 1, retried: 2, requests: 5, dropped: 0 })
  })

  it('transient failure without retry delays: the first failure holds', async () => {
    answer(502, { message: 'bad gateway' })
    answer(200)
    const { n, of, send } = watched({ retryDelays: [] })
    await send()
    expect(of('retry')).toEqual([])
    expect(of('error')).toMatchObject([{ kind: 'outage' }])
    expect(n.stats()).toMatchObject({ sent: 1, retried: 0, requests: 2, dropped: 0 })
  })

  it('401/403/404: disable the webhook', async () => {
    answer(404, { code: 10015, message: 'Unknown Webhook' })
    const { n, of, send } = watched()
    await send(2)
    expect(of('dropped')).toMatchObject([{ reason: 'disabled', count: 2 }])
    const reason = of('dropped')[0]!.detail
    expect(reason).toMatch(/404/)
    expect(of('disabled')).toEqual([{ kind: 'webhook_disabled', message: `webhook ${WEBHOOK_ID} disabled: ${String(reason)}`, status: 404, discordCode: 10015 }])
    expect(of('error')).toEqual(of('disabled'))
    expect(n.health()).toMatchObject({ status: 'disabled', reason })
  })

  it('413: split (first half kept, the rest next), then stricter, then drop as rejected', async () => {
    answer(413, { code: 40005, message: 'Request entity too large' })
    answer(200, okBody, { times: 2 })
    const { n, send } = watched()
    await send(5)
    expect(bodies.map((b) => b.embeds?.length)).toEqual([5, 3, 2])
    expect(bodies[1]!.embeds!.map((e) => e.description)).toEqual(bodies[0]!.embeds!.slice(0, 3).map((e) => e.description))
    expect(n.stats()).toMatchObject({ sent: 5, dropped: 0 })

    bodies.length = 0
    answer(413, { code: 40005, message: 'Request entity too large' }, { times: 2 })
    const one = watched()
    await one.send()
    expect(bodies).toHaveLength(2)
    expect(one.of('dropped')).toMatchObject([{ reason: 'rejected', detail: 'HTTP 413', count: 1 }])
    expect(one.of('error')).toEqual([{ kind: 'http_413', message: 'Discord answered 413 (request too large) even for one record rendered small: dropped', status: 413 }])
    expect(one.n.health().status).toBe('healthy')
  })

  it('400 50035: one resend rendered stricter, then drop with Discord\'s errors in the message', async () => {
    answer(400, { code: 50035, message: 'Invalid Form Body', errors: { embeds: ['too long'] } }, { times: 2 })
    const { n, of, send } = watched({ logLevel: 'debug' })
    await send()
    expect(bodies).toHaveLength(2)
    expect(of('dropped')).toMatchObject([{ reason: 'rejected', count: 1 }])
    const reason = String(of('dropped')[0]!.detail)
    expect(reason).toMatch(/^Discord answered 400 Invalid Form Body/)
    expect(lines.some((l) => l.includes(`Discord rejected the payload (${reason}); resending once, rendered stricter`))).toBe(true)
    expect(of('error')).toEqual([{ kind: 'http_400', message: `Discord rejected a message: ${reason} {"embeds":["too long"]}`, status: 400, discordCode: 50035 }])
    expect(n.health().status).toBe('healthy')
  })

  it('TLS: drop, marking the webhook failing', async () => {
    post().replyWithError(Object.assign(new Error('self-signed certificate'), { code: 'DEPTH_ZERO_SELF_SIGNED_CERT' }))
    const { n, of, send } = watched()
    await send()
    expect(of('dropped')).toMatchObject([{ reason: 'tls', count: 1 }])
    const reason = String(of('dropped')[0]!.detail)
    expect(reason).toMatch(/self-signed certificate/)
    expect(of('error')).toEqual([{ kind: 'tls', message: `TLS failure talking to Discord (DEPTH_ZERO_SELF_SIGNED_CERT): ${reason}. Not retried; check proxies and the system's CA certificates.` }])
    expect(n.health()).toMatchObject({ status: 'unhealthy', problem: 'failing' })
    expect(n.stats().retried).toBe(0)
  })
})

describe('answered: whether Discord itself answered', () => {
  it('not for transient failures, TLS failures or a Cloudflare ban; yes otherwise', () => {
    expect(answered({ kind: 'retry', reason: 'timeout' })).toBe(false)
    expect(answered({ kind: 'tls', reason: 'x', code: 'CERT_HAS_EXPIRED' })).toBe(false)
    expect(answered({ kind: 'rate_limited', scope: 'cloudflare', retryAfterMs: undefined })).toBe(false)
    expect(answered({ kind: 'rate_limited', scope: 'bucket', retryAfterMs: 100 })).toBe(true)
    expect(answered({ kind: 'ok' })).toBe(true)
  })
})
