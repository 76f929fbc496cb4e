import { describe, expect, it } from 'vitest'
import { HEADERS } from '../src/limits.js'
import { parseRateLimitHeaders, retryAfterFromBody, secondsToMs } from '../src/http/headers.js'

const NOW = 1_760_000_000_000

describe('parseRateLimitHeaders', () => {
  it('reads a normal 200 answer\'s bucket headers', () => {
    const parsed = parseRateLimitHeaders({
      [HEADERS.limit]: '5',
      [HEADERS.remaining]: '4',
      [HEADERS.reset]: '1760000002.123',
      [HEADERS.resetAfter]: '2.000',
      [HEADERS.bucket]: 'abcd1234'
    }, NOW)
    expect(parsed).toEqual({
      limit: 5,
      remaining: 4,
      resetAfterMs: 2000,
      resetAtMs: NOW + 2000,
      bucket: 'abcd1234',
      global: false,
      hasRateLimitHeaders: true
    })
  })

  it('prefers the relative Reset-After over the absolute Reset, which may be skewed', () => {
    const parsed = parseRateLimitHeaders({ [HEADERS.reset]: '1' /* 1970: a badly skewed clock */, [HEADERS.resetAfter]: '0.5' }, NOW)
    expect(parsed.resetAtMs).toBe(NOW + 500)
  })

  it('falls back to the absolute Reset (epoch seconds) when Reset-After is missing', () => {
    const parsed = parseRateLimitHeaders({ [HEADERS.reset]: '1760000001.5' }, NOW)
    expect(parsed.resetAtMs).toBe(1_760_000_001_500)
    expect(parsed.resetAfterMs).toBeUndefined()
  })

  it('rounds fractional seconds up to whole milliseconds without float noise', () => {
    expect(parseRateLimitHeaders({ [HEADERS.resetAfter]: '0.3' }, NOW).resetAfterMs).toBe(300)
    expect(parseRateLimitHeaders({ [HEADERS.resetAfter]: '0.0005' }, NOW).resetAfterMs).toBe(1)
    expect(parseRateLimitHeaders({ [HEADERS.resetAfter]: '64.57' }, NOW).resetAfterMs).toBe(64_570)
  })

  it('reports no rate-limit headers for an answer without any (Cloudflare)', () => {
    expect(parseRateLimitHeaders({ 'content-type': 'text/html', server: 'cloudflare', [HEADERS.retryAfter]: '60' }, NOW))
      .toEqual({ global: false, hasRateLimitHeaders: false, retryAfterMs: 60_000 })
  })

  it('returns an empty result for an empty header object', () => {
    expect(parseRateLimitHeaders({}, NOW)).toEqual({ global: false, hasRateLimitHeaders: false })
  })

  it.each(['', ' ', 'abc', 'NaN', 'Infinity', '-1', '0x10', '1e3', '5 requests', '1.2.3'])('ignores the garbage value %j without leaking NaN', (value) => {
    const parsed = parseRateLimitHeaders({
      [HEADERS.limit]: value,
      [HEADERS.remaining]: value,
      [HEADERS.reset]: value,
      [HEADERS.resetAfter]: value,
      [HEADERS.retryAfter]: value
    }, NOW)
    expect(parsed).toEqual({ global: false, hasRateLimitHeaders: true })
    expect(JSON.stringify(parsed)).not.toMatch(/NaN|null/)
  })

  it('ignores an empty bucket', () => {
    expect(parseRateLimitHeaders({ [HEADERS.bucket]: '  ' }, NOW).bucket).toBeUndefined()
  })

  it('reads a global 429: X-RateLimit-Global and Scope global', () => {
    const parsed = parseRateLimitHeaders({ [HEADERS.global]: 'true', [HEADERS.scope]: 'global', [HEADERS.retryAfter]: '2' }, NOW)
    expect(parsed).toEqual({ global: true, scope: 'global', retryAfterMs: 2000, hasRateLimitHeaders: true })
  })

  it('treats X-RateLimit-Global with any value but false as global', () => {
    expect(parseRateLimitHeaders({ [HEADERS.global]: 'True' }, NOW).global).toBe(true)
    expect(parseRateLimitHeaders({ [HEADERS.global]: '' }, NOW).global).toBe(true)
    expect(parseRateLimitHeaders({ [HEADERS.global]: 'false' }, NOW).global).toBe(false)
    expect(parseRateLimitHeaders({ [HEADERS.global]: '0' }, NOW).global).toBe(false)
  })

  it('treats Scope: global as global even without X-RateLimit-Global', () => {
    expect(parseRateLimitHeaders({ [HEADERS.scope]: 'global' }, NOW).global).toBe(true)
  })

  it.each([['user', 'user'], ['shared', 'shared'], ['SHARED', 'shared'], [' shared ', 'shared'], ['bogus', undefined]])('reads scope %j as %j', (value, expected) => {
    expect(parseRateLimitHeaders({ [HEADERS.scope]: value }, NOW).scope).toBe(expected)
  })

  it('reads Retry-After given as an HTTP-date relative to now', () => {
    const at = new Date(NOW + 30_000).toUTCString()
    expect(parseRateLimitHeaders({ [HEADERS.retryAfter]: at }, NOW).retryAfterMs).toBe(30_000)
  })

  it('clamps a Retry-After date in the past to zero', () => {
    expect(parseRateLimitHeaders({ [HEADERS.retryAfter]: new Date(NOW - 5000).toUTCString() }, NOW).retryAfterMs).toBe(0)
  })

  it('reads a very long Cloudflare Retry-After (about 18 h, discord.js #8574)', () => {
    expect(parseRateLimitHeaders({ [HEADERS.retryAfter]: '66271' }, NOW).retryAfterMs).toBe(66_271_000)
  })
})

describe('retryAfterFromBody', () => {
  it('converts v10 float seconds to milliseconds', () => {
    expect(retryAfterFromBody({ message: 'You are being rate limited.', retry_after: 64.57, global: false })).toBe(64_570)
    expect(retryAfterFromBody({ retry_after: 0.3, global: false, code: 20028 })).toBe(300)
  })

  it('accepts zero', () => {
    expect(retryAfterFromBody({ retry_after: 0 })).toBe(0)
  })

  it.each([
    ['undefined', undefined],
    ['null', null],
    ['a string body', 'error code: 1015'],
    ['a body without retry_after', { code: 0, message: 'blocked' }],
    ['a negative value', { retry_after: -1 }],
    ['NaN', { retry_after: Number.NaN }],
    ['Infinity', { retry_after: Number.POSITIVE_INFINITY }],
    ['a non-numeric string', { retry_after: 'soon' }],
    ['an object', { retry_after: {} }]
  ])('returns undefined for %s', (_name, body) => {
    expect(retryAfterFromBody(body)).toBeUndefined()
  })

  it('accepts a numeric string', () => {
    expect(retryAfterFromBody({ retry_after: '1.5' })).toBe(1500)
  })
})

describe('secondsToMs', () => {
  it('never returns a negative number', () => {
    expect(secondsToMs(0)).toBe(0)
    expect(secondsToMs(-3)).toBe(0)
  })
})
