import { describe, expect, it } from 'vitest'
import { answered, decide, type DecideContext } from '../src/delivery/actions.js'

const ctx: DecideContext = { attempt: 0, outage: false, retryDelays: [1000, 5000] }
const batch = (records: number, strict = false): { records: unknown[], strict: boolean } => ({ records: Array.from({ length: records }), strict })

describe('decide: what a verdict calls for', () => {
  it('ok: delivered, with the channel Discord named', () => {
    expect(decide({ kind: 'ok', channelId: '42' }, batch(3), ctx)).toEqual({ kind: 'delivered', channelId: '42' })
  })

  it('429: resend as is after the limiter\'s wait, whatever the attempt', () => {
    const action = decide({ kind: 'rate_limited', scope: 'bucket', retryAfterMs: 1200, invalid: true, bucket: 'b1' }, batch(3), { ...ctx, attempt: 9 })
    expect(action).toEqual({ kind: 'resend', scope: 'bucket', retryAfterMs: 1200, bucket: 'b1' })
  })

  it('transient failure: the next retry delay, then hold through an outage once retries are spent', () => {
    const verdict = { kind: 'retry', reason: 'HTTP 502' } as const
    expect(decide(verdict, batch(1), ctx)).toEqual({ kind: 'retry', attempt: 1, delayMs: 1000, reason: 'HTTP 502' })
    expect(decide(verdict, batch(1), { ...ctx, attempt: 1 })).toEqual({ kind: 'retry', attempt: 2, delayMs: 5000, reason: 'HTTP 502' })
    expect(decide(verdict, batch(1), { ...ctx, attempt: 2 })).toEqual({ kind: 'hold', reason: 'HTTP 502' })
    // In an outage a failed probe holds at once: it has no retries of its own.
    expect(decide(verdict, batch(1), { ...ctx, outage: true })).toEqual({ kind: 'hold', reason: 'HTTP 502' })
  })

  it('401/403/404: disable the webhook', () => {
    expect(decide({ kind: 'disable', reason: 'HTTP 404 Unknown Webhook', status: 404, discordCode: 10015 }, batch(2), ctx))
      .toEqual({ kind: 'disable', reason: 'HTTP 404 Unknown Webhook', status: 404, discordCode: 10015 })
  })

  it('413: split (first half kept), then stricter, then drop as rejected', () => {
    const verdict = { kind: 'too_large', status: 413 } as const
    expect(decide(verdict, batch(5), ctx)).toEqual({ kind: 'split', keep: 3 })
    expect(decide(verdict, batch(1), ctx)).toEqual({ kind: 'stricter', note: undefined })
    expect(decide(verdict, batch(1, true), ctx)).toEqual({
      kind: 'drop',
      reason: 'rejected',
      detail: 'HTTP 413',
      problem: { kind: 'http_413', message: 'Discord answered 413 (request too large) even for one record rendered small: dropped', status: 413 },
      failing: false
    })
  })

  it('400 50035: one resend rendered stricter, then drop with Discord\'s errors in the message', () => {
    const verdict = { kind: 'reject', reason: 'HTTP 400 Invalid Form Body', status: 400, discordCode: 50035, stricter: true, errors: { embeds: ['too long'] } } as const
    expect(decide(verdict, batch(2), ctx)).toEqual({ kind: 'stricter', note: 'Discord rejected the payload (HTTP 400 Invalid Form Body); resending once, rendered stricter' })
    expect(decide(verdict, batch(2, true), ctx)).toEqual({
      kind: 'drop',
      reason: 'rejected',
      detail: 'HTTP 400 Invalid Form Body',
      problem: { kind: 'http_400', message: 'Discord rejected a message: HTTP 400 Invalid Form Body {"embeds":["too long"]}', status: 400, discordCode: 50035 },
      failing: false
    })
  })

  it('TLS: drop, marking the webhook failing', () => {
    const action = decide({ kind: 'tls', reason: 'self-signed certificate', code: 'DEPTH_ZERO_SELF_SIGNED_CERT' }, batch(1), ctx)
    expect(action).toMatchObject({ kind: 'drop', reason: 'tls', detail: 'self-signed certificate', failing: true, problem: { kind: 'tls' } })
  })
})

describe('answered: whether Discord itself answered', () => {
  it('not for transient failures, TLS failures or a Cloudflare ban; yes otherwise', () => {
    expect(answered({ kind: 'retry', reason: 'timeout' })).toBe(false)
    expect(answered({ kind: 'tls', reason: 'x', code: 'CERT_HAS_EXPIRED' })).toBe(false)
    expect(answered({ kind: 'rate_limited', scope: 'cloudflare', retryAfterMs: undefined, invalid: true })).toBe(false)
    expect(answered({ kind: 'rate_limited', scope: 'bucket', retryAfterMs: 100, invalid: true })).toBe(true)
    expect(answered({ kind: 'ok' })).toBe(true)
  })
})
