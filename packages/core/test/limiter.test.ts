import { describe, expect, it } from 'vitest'
import { DEFAULTS } from '../src/options/table.js'
import { RateLimiter } from '../src/rate-limit/limiter.js'
import { LimitTable } from '../src/rate-limit/limit-table.js'
import { SharedLimits } from '../src/rate-limit/shared-limits.js'

const cfg = { ...DEFAULTS.rateLimits, offsetMs: 0 }

describe('RateLimiter', () => {
  it('falls back to 5 requests per 2 s while Discord sent no headers', () => {
    const l = new RateLimiter('1', cfg, new SharedLimits())
    for (let i = 0; i < 5; i++) {
      expect(l.waitTime(i).ms).toBe(0)
      l.acquire(i)
    }
    expect(l.waitTime(10)).toEqual({ ms: 1990, scope: 'bucket' })
    expect(l.waitTime(2000).ms).toBe(0)
  })

  it('follows the bucket headers once seen, with the offset added to the reset', () => {
    const l = new RateLimiter('1', { ...cfg, offsetMs: 50 }, new SharedLimits())
    l.acquire(0)
    l.update(10, { limit: 5, remaining: 0, resetAtMs: 1000, bucket: 'abc' })
    expect(l.waitTime(10)).toEqual({ ms: 1040, scope: 'bucket' })
    expect(l.waitTime(1050).ms).toBe(0)
    // After the reset the bucket is full again.
    for (let i = 0; i < 5; i++) l.acquire(1100)
    // The new window is assumed to last as long as the one Discord reported (990 ms + offset).
    expect(l.waitTime(1100)).toEqual({ ms: 1040, scope: 'bucket' })
    const info = l.info(1100)
    expect(info.buckets.abc).toMatchObject({ limit: 5, remaining: 0, exhausted: true })
  })

  it('holds every webhook of a channel to the shared ~30 per 60 s limit', () => {
    const shared = new SharedLimits()
    const a = new RateLimiter('1', cfg, shared)
    const b = new RateLimiter('2', cfg, shared)
    a.learnChannel(0, '99')
    b.learnChannel(0, '99')
    // keep the per-webhook buckets out of the way
    for (const l of [a, b]) l.update(0, { limit: 1000, remaining: 1000, resetAtMs: 1_000_000 })
    for (let i = 0; i < 30; i++) {
      const l = i % 2 === 0 ? a : b
      expect(l.waitTime(i * 100).ms).toBe(0)
      l.acquire(i * 100)
    }
    expect(a.waitTime(3000)).toEqual({ ms: 57_000, scope: 'channel' })
    expect(b.waitTime(3000).scope).toBe('channel')
  })

  it('counts a request against the channel from its answer: a slow answer never lets the next window open early', () => {
    // Discord's hidden channel limit counts accepted messages (contract §3); acceptance falls between leaving and answering.
    const l = new RateLimiter('1', { ...cfg, channelLimit: 2, channelWindowMs: 1000 }, new SharedLimits())
    l.acquire(0)
    l.update(300, {}) // answered 300 ms later: Discord may have counted it at 299
    l.acquire(310)
    l.update(320, {})
    expect(l.waitTime(1001)).toEqual({ ms: 299, scope: 'channel' })
    expect(l.waitTime(1300).ms).toBe(0)
  })

  it('counts requests made before the channel was known against that channel', () => {
    const shared = new SharedLimits()
    const l = new RateLimiter('1', { ...cfg, channelLimit: 3 }, shared)
    l.update(0, { limit: 100, remaining: 100, resetAtMs: 1_000_000 })
    l.acquire(0); l.acquire(1); l.acquire(2)
    l.learnChannel(3, '42')
    expect(l.waitTime(3)).toEqual({ ms: 59_997, scope: 'channel' })
  })

  it('pauses every webhook in the process after a global 429 or a Cloudflare block', () => {
    const shared = new SharedLimits()
    const a = new RateLimiter('1', cfg, shared)
    const b = new RateLimiter('2', cfg, shared)
    expect(a.rateLimited(0, 'global', 1500)).toBe(1500)
    expect(b.waitTime(0)).toEqual({ ms: 1500, scope: 'global' })
    const first = a.rateLimited(2000, 'cloudflare', undefined)
    expect(first).toBe(60_000)
    expect(b.waitTime(2000)).toEqual({ ms: 60_000, scope: 'cloudflare' })
    // repeated blocks double the cool-down; a Retry-After is honoured, longer or shorter
    expect(a.rateLimited(62_000, 'cloudflare', undefined)).toBe(120_000)
    expect(a.rateLimited(200_000, 'cloudflare', 1_000_000)).toBe(1_000_000)
    expect(a.rateLimited(1_300_000, 'cloudflare', 3000)).toBe(3000)
    expect(b.waitTime(1_300_000)).toEqual({ ms: 3000, scope: 'cloudflare' })
    a.succeeded()
    expect(a.rateLimited(2_000_000, 'cloudflare', undefined)).toBe(60_000)
  })

  it('stops sending when invalid requests approach the ban threshold', () => {
    const shared = new SharedLimits()
    const l = new RateLimiter('1', { ...cfg, invalidRequestLimit: 3 }, shared)
    l.update(0, { limit: 100, remaining: 100, resetAtMs: 1_000_000 })
    l.recordInvalid(0); l.recordInvalid(1); l.recordInvalid(2)
    expect(l.waitTime(3)).toEqual({ ms: 599_997, scope: 'invalid_requests' })
    expect(l.invalidCount(3)).toBe(3)
  })

  it('reports the seed-shaped rate-limit info and forgets it on reset', () => {
    const l = new RateLimiter('1', cfg, new SharedLimits())
    l.update(1000, { limit: 5, remaining: 3, resetAtMs: 3000, bucket: 'b1' })
    expect(l.info(2000)).toEqual({
      globalRateLimit: { active: false, resetTime: 0, waitTime: 0 },
      buckets: { b1: { limit: 5, remaining: 3, resetTime: 3, resetAfter: 1, exhausted: false, waitTime: 0, lastUpdated: 1 } }
    })
    l.reset()
    expect(l.info(2000).buckets).toEqual({})
  })
})

describe('SharedLimits across threads', () => {
  it('two stores on one table spend one budget (what two threads holding one buffer see)', () => {
    const a = new SharedLimits()
    const b = new SharedLimits(new LimitTable(a.table.buffer))
    for (let i = 0; i < 5; i++) {
      const s = i % 2 === 0 ? a : b
      expect(s.reserve('1', 'webhook:1', cfg, i).ms).toBe(0)
    }
    expect(a.reserve('1', 'webhook:1', cfg, 10)).toEqual({ ms: 1990, scope: 'bucket' })
    expect(b.reserve('1', 'webhook:1', cfg, 10)).toEqual({ ms: 1990, scope: 'bucket' })
  })

  it('a response does not hand back permits other senders spent after its request left', () => {
    const a = new SharedLimits()
    const b = new SharedLimits(new LimitTable(a.table.buffer))
    a.acquire('1', 'webhook:1', cfg, 0) // a's request
    for (let t = 1; t <= 4; t++) b.acquire('1', 'webhook:1', cfg, t) // four more from b, still on their way
    // Discord answers a's request before b's arrive: 4 left in the window.
    a.update('1', 0, { limit: 5, remaining: 4, resetAtMs: 2000 }, cfg, 5)
    expect(a.waitTime('1', 'webhook:1', cfg, 6)).toEqual({ ms: 1994, scope: 'bucket' })
  })

  it('a channel learned by one sender holds the senders that have not learned it yet', () => {
    const a = new SharedLimits()
    const b = new SharedLimits(new LimitTable(a.table.buffer))
    const c3 = { ...cfg, channelLimit: 3 }
    a.update('1', 0, { limit: 100, remaining: 100, resetAtMs: 1_000_000 }, c3, 0)
    a.acquire('1', 'webhook:1', c3, 0)
    a.mergeChannel('webhook:1', 'channel:9', c3, 1)
    b.acquire('1', 'webhook:1', c3, 2)
    a.acquire('1', 'channel:9', c3, 3)
    expect(b.waitTime('1', 'webhook:1', c3, 4)).toEqual({ ms: 59_996, scope: 'channel' })
  })

  it('adopting another table carries over what was spent', () => {
    const a = new SharedLimits()
    const b = new SharedLimits()
    for (let i = 0; i < 3; i++) b.acquire('1', 'webhook:1', cfg, i)
    b.adopt(a.table, 3)
    a.acquire('1', 'webhook:1', cfg, 4)
    a.acquire('1', 'webhook:1', cfg, 5)
    expect(b.waitTime('1', 'webhook:1', cfg, 6)).toEqual({ ms: 1994, scope: 'bucket' })
  })
})
