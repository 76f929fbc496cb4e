import { describe, expect, it } from 'vitest'
import { DISCORD_CODES, HEADERS } from '../src/limits.js'
import { classifyFailure, classifyResponse, isInvalidStatus, isTlsErrorCode, retryDelay, type SendFailure } from '../src/http/retry-policy.js'

const NOW = 1_760_000_000_000
const JSON_TYPE = { 'content-type': 'application/json' }
const BUCKET_HEADERS = {
  ...JSON_TYPE,
  [HEADERS.limit]: '5',
  [HEADERS.remaining]: '0',
  [HEADERS.reset]: '1760000001.250',
  [HEADERS.resetAfter]: '1.250',
  [HEADERS.bucket]: 'f3e2b1a0c9d8'
}

describe('classifyResponse: delivered', () => {
  it('reads channel_id and the message id from a wait=true 200', () => {
    const body = { id: '1200000000000000001', type: 0, content: '', channel_id: '1100000000000000001', webhook_id: '1000000000000000001', embeds: [] }
    expect(classifyResponse({ status: 200, headers: { ...BUCKET_HEADERS, [HEADERS.remaining]: '4' }, body }, NOW))
      .toEqual({ kind: 'ok', channelId: '1100000000000000001', messageId: '1200000000000000001' })
  })

  it('accepts a 204 without a body', () => {
    expect(classifyResponse({ status: 204, headers: {}, body: undefined }, NOW)).toEqual({ kind: 'ok' })
  })

  it('does not parse a JSON-looking body served as text', () => {
    expect(classifyResponse({ status: 200, headers: { 'content-type': 'text/plain' }, body: '{"id":"1","channel_id":"2"}' }, NOW))
      .toEqual({ kind: 'ok' })
  })
})

describe('classifyResponse: 429', () => {
  it('is a bucket limit when Remaining is 0, waiting the body\'s precise retry_after', () => {
    const body = { message: 'You are being rate limited.', retry_after: 1.234, global: false }
    expect(classifyResponse({ status: 429, headers: { ...BUCKET_HEADERS, [HEADERS.retryAfter]: '2', [HEADERS.scope]: 'user' }, body }, NOW))
      .toEqual({ kind: 'rate_limited', scope: 'bucket', retryAfterMs: 1234, bucket: 'f3e2b1a0c9d8' })
  })

  it('falls back to Retry-After when the body is not JSON', () => {
    const verdict = classifyResponse({ status: 429, headers: { ...BUCKET_HEADERS, 'content-type': 'text/plain', [HEADERS.retryAfter]: '2' }, body: 'slow down' }, NOW)
    expect(verdict).toMatchObject({ kind: 'rate_limited', scope: 'bucket', retryAfterMs: 2000 })
  })

  it('falls back to Reset-After when neither retry_after nor Retry-After is given', () => {
    const verdict = classifyResponse({ status: 429, headers: BUCKET_HEADERS, body: { message: 'You are being rate limited.', global: false } }, NOW)
    expect(verdict).toMatchObject({ kind: 'rate_limited', scope: 'bucket', retryAfterMs: 1250 })
  })

  it('is the shared channel limit when Scope says shared, and does not count as invalid', () => {
    const headers = { ...BUCKET_HEADERS, [HEADERS.remaining]: '0', [HEADERS.scope]: 'shared', [HEADERS.retryAfter]: '42' }
    const body = { message: 'The resource is being rate limited.', retry_after: 41.5, global: false }
    expect(classifyResponse({ status: 429, headers, body }, NOW))
      .toEqual({ kind: 'rate_limited', scope: 'channel', retryAfterMs: 41_500, bucket: 'f3e2b1a0c9d8' })
    expect(isInvalidStatus(429, headers)).toBe(false)
  })

  it('is the hidden channel limit when Remaining > 0 (a sub-limit), yet still counts as invalid without Scope: shared', () => {
    const headers = { ...BUCKET_HEADERS, [HEADERS.remaining]: '3', [HEADERS.retryAfter]: '44' }
    const body = { message: 'You are being rate limited.', retry_after: 43.7, global: false }
    expect(classifyResponse({ status: 429, headers, body }, NOW))
      .toEqual({ kind: 'rate_limited', scope: 'channel', retryAfterMs: 43_700, bucket: 'f3e2b1a0c9d8' })
    expect(isInvalidStatus(429, headers)).toBe(true)
  })

  it('is the channel limit for code 20028 (channel write limit)', () => {
    const body = { message: 'The write action you are performing on the channel has hit the write rate limit.', retry_after: 0.3, global: false, code: DISCORD_CODES.channelWriteLimit }
    expect(classifyResponse({ status: 429, headers: BUCKET_HEADERS, body }, NOW))
      .toMatchObject({ kind: 'rate_limited', scope: 'channel', retryAfterMs: 300 })
    expect(isInvalidStatus(429, BUCKET_HEADERS)).toBe(true)
  })

  it('is global when X-RateLimit-Global is sent (bucket headers absent on global 429s)', () => {
    const headers = { ...JSON_TYPE, [HEADERS.global]: 'true', [HEADERS.scope]: 'global', [HEADERS.retryAfter]: '1' }
    const body = { message: 'You are being rate limited.', retry_after: 0.65, global: true }
    expect(classifyResponse({ status: 429, headers, body }, NOW))
      .toEqual({ kind: 'rate_limited', scope: 'global', retryAfterMs: 650 })
  })

  it('is global when only the body says global', () => {
    const body = { message: 'You are being rate limited.', retry_after: 1.5, global: true }
    expect(classifyResponse({ status: 429, headers: BUCKET_HEADERS, body }, NOW)).toMatchObject({ scope: 'global', retryAfterMs: 1500 })
  })

  it('takes global over a Remaining > 0 sub-limit', () => {
    const headers = { ...BUCKET_HEADERS, [HEADERS.remaining]: '2', [HEADERS.global]: 'true' }
    expect(classifyResponse({ status: 429, headers, body: { retry_after: 1, global: true } }, NOW)).toMatchObject({ scope: 'global' })
  })

  it('is a Cloudflare ban for an HTML "error code: 1015" without rate-limit headers, using Retry-After', () => {
    const headers = { 'content-type': 'text/plain; charset=UTF-8', server: 'cloudflare', [HEADERS.retryAfter]: '66271' }
    expect(classifyResponse({ status: 429, headers, body: 'error code: 1015' }, NOW))
      .toEqual({ kind: 'rate_limited', scope: 'cloudflare', retryAfterMs: 66_271_000 })
  })

  it('is a Cloudflare ban for the static JSON code 0 body, with no wait known', () => {
    const body = { code: 0, message: 'You are being blocked from accessing our API temporarily due to exceeding our rate limits frequently. Please read our docs at https://discord.com/developers/docs/topics/rate-limits to prevent this moving forward.' }
    expect(classifyResponse({ status: 429, headers: { ...JSON_TYPE, server: 'cloudflare' }, body }, NOW))
      .toEqual({ kind: 'rate_limited', scope: 'cloudflare', retryAfterMs: undefined })
  })

  it('treats a headerless 429 that carries Discord\'s retry_after as Discord\'s, not a ban', () => {
    expect(classifyResponse({ status: 429, headers: JSON_TYPE, body: { message: 'You are being rate limited.', retry_after: 2, global: false } }, NOW))
      .toMatchObject({ scope: 'bucket', retryAfterMs: 2000 })
  })
})

describe('classifyResponse: disabling the webhook', () => {
  it('disables on 401 Invalid Webhook Token and says why', () => {
    const verdict = classifyResponse({ status: 401, headers: JSON_TYPE, body: { message: 'Invalid Webhook Token', code: 50027 } }, NOW)
    expect(verdict).toEqual({
      kind: 'disable',
      status: 401,
      discordCode: 50027,
      reason: 'Discord answered 401 Invalid Webhook Token (code 50027): the token is wrong or was rotated; copy the webhook URL again'
    })
  })

  it('disables on 403 40333 and names the likely cause', () => {
    const verdict = classifyResponse({ status: 403, headers: JSON_TYPE, body: { message: 'internal network error', code: 40333 } }, NOW)
    expect(verdict).toMatchObject({ kind: 'disable', status: 403, discordCode: 40333 })
    expect(verdict.kind === 'disable' && verdict.reason).toMatch(/^Discord answered 403 internal network error \(code 40333\): .*User-Agent/)
  })

  it('disables on a 403 without a body', () => {
    expect(classifyResponse({ status: 403, headers: {}, body: undefined }, NOW)).toEqual({
      kind: 'disable', status: 403, reason: 'Discord answered 403: the webhook is not allowed to post here'
    })
  })

  it('disables on 404 Unknown Webhook at once', () => {
    const verdict = classifyResponse({ status: 404, headers: JSON_TYPE, body: { message: 'Unknown Webhook', code: 10015 } }, NOW)
    expect(verdict).toMatchObject({ kind: 'disable', status: 404, discordCode: 10015 })
    expect(verdict.kind === 'disable' && verdict.reason).toMatch(/deleted/)
  })

  it.each([
    [DISCORD_CODES.forumNeedsThread, 'Webhooks posted to forum channels must have a thread_name or thread_id', /set threadId or threadName/],
    [DISCORD_CODES.threadIdAndName, 'Webhooks can only create threads in forum channels', /not both/],
    [DISCORD_CODES.threadNameNotForum, 'Webhooks can only create threads in forum channels', /only in forum and media channels/]
  ])('disables on 400 code %i: a thread configuration error', (code, message, advice) => {
    const verdict = classifyResponse({ status: 400, headers: JSON_TYPE, body: { message, code } }, NOW)
    expect(verdict).toMatchObject({ kind: 'disable', status: 400, discordCode: code })
    expect(verdict.kind === 'disable' && verdict.reason).toMatch(advice)
  })
})

describe('classifyResponse: rejecting the payload', () => {
  it('rejects 400 50035 with its errors tree and allows one stricter resend', () => {
    const errors = {
      embeds: {
        _errors: [{ code: 'BASE_TYPE_MAX_LENGTH', message: 'Must be 10 or fewer in length.' }],
        0: { fields: { 0: { value: { _errors: [{ code: 'BASE_TYPE_REQUIRED', message: 'This field is required' }] } } } }
      }
    }
    const verdict = classifyResponse({ status: 400, headers: JSON_TYPE, body: { code: DISCORD_CODES.invalidFormBody, message: 'Invalid Form Body', errors } }, NOW)
    expect(verdict).toEqual({
      kind: 'reject',
      status: 400,
      discordCode: 50035,
      stricter: true,
      errors,
      reason: 'Discord answered 400 Invalid Form Body (code 50035): the message broke a Discord length or schema rule; see errors'
    })
  })

  it('rejects 400 50006 without a stricter resend', () => {
    expect(classifyResponse({ status: 400, headers: JSON_TYPE, body: { message: 'Cannot send an empty message', code: DISCORD_CODES.emptyMessage } }, NOW))
      .toMatchObject({ kind: 'reject', status: 400, discordCode: 50006, stricter: false })
  })

  it('rejects 400 50109 invalid JSON', () => {
    expect(classifyResponse({ status: 400, headers: JSON_TYPE, body: { message: 'The request body contains invalid JSON.', code: DISCORD_CODES.invalidJson } }, NOW))
      .toMatchObject({ kind: 'reject', discordCode: 50109, stricter: false })
  })

  it('rejects content-level codes such as AutoMod 200000', () => {
    expect(classifyResponse({ status: 400, headers: JSON_TYPE, body: { message: 'Message was blocked by automatic moderation', code: 200000 } }, NOW))
      .toMatchObject({ kind: 'reject', discordCode: 200000, stricter: false })
  })

  it('rejects 405 as a bug', () => {
    const verdict = classifyResponse({ status: 405, headers: JSON_TYPE, body: { message: '405: Method Not Allowed', code: 0 } }, NOW)
    expect(verdict).toMatchObject({ kind: 'reject', status: 405, stricter: false })
  })

  it('rejects other 4xx answers', () => {
    expect(classifyResponse({ status: 409, headers: {}, body: undefined }, NOW)).toMatchObject({ kind: 'reject', status: 409, stricter: false })
  })

  it('does not read a JSON-looking error body served as HTML', () => {
    const verdict = classifyResponse({ status: 400, headers: { 'content-type': 'text/html' }, body: '{"code":50035}' }, NOW)
    expect(verdict).toMatchObject({ kind: 'reject', stricter: false })
    expect(verdict).not.toHaveProperty('discordCode')
  })

  it('answers too_large for 413 40005', () => {
    expect(classifyResponse({ status: 413, headers: JSON_TYPE, body: { message: 'Request entity too large', code: 40005 } }, NOW))
      .toEqual({ kind: 'too_large', status: 413 })
  })
})

describe('classifyResponse: retrying', () => {
  it.each([500, 502, 503, 504, 520, 522, 524])('retries a %i', (status) => {
    const verdict = classifyResponse({ status, headers: { 'content-type': 'text/html' }, body: '<html>…</html>' }, NOW)
    expect(verdict).toMatchObject({ kind: 'retry', status })
    expect(verdict.kind === 'retry' && verdict.reason).toMatch(new RegExp(`^Discord answered ${status}: `))
  })

  it('says a 502 means no gateway was available', () => {
    expect(classifyResponse({ status: 502, headers: {}, body: undefined }, NOW)).toMatchObject({ reason: expect.stringMatching(/no gateway/) })
  })

  it('says a 52x came from Cloudflare', () => {
    expect(classifyResponse({ status: 520, headers: {}, body: 'error code: 520' }, NOW)).toMatchObject({ reason: expect.stringMatching(/Cloudflare/) })
  })

  it('includes a JSON 500 message', () => {
    expect(classifyResponse({ status: 500, headers: JSON_TYPE, body: { message: '500: Internal Server Error', code: 0 } }, NOW))
      .toMatchObject({ kind: 'retry', status: 500, reason: expect.stringMatching(/^Discord answered 500 Internal Server Error \(code 0\)/) })
  })
})

describe('classifyResponse: reasons', () => {
  it('redacts anything token-shaped that an error body quotes and keeps the reason short', () => {
    const token = 'T'.repeat(68)
    const verdict = classifyResponse({ status: 404, headers: JSON_TYPE, body: { message: `Cannot POST /api/v10/webhooks/123/${token} ${'x'.repeat(500)}` } }, NOW)
    expect(JSON.stringify(verdict)).not.toContain(token)
    expect(verdict.kind === 'disable' && verdict.reason.length).toBeLessThan(250)
  })
})

describe('isInvalidStatus', () => {
  it.each([401, 403])('counts %i', (status) => {
    expect(isInvalidStatus(status, {})).toBe(true)
  })

  it('counts a 429 unless its scope is shared', () => {
    expect(isInvalidStatus(429, {})).toBe(true)
    expect(isInvalidStatus(429, { [HEADERS.scope]: 'user' })).toBe(true)
    expect(isInvalidStatus(429, { [HEADERS.remaining]: '3' })).toBe(true)
    expect(isInvalidStatus(429, { [HEADERS.scope]: 'shared' })).toBe(false)
    expect(isInvalidStatus(429, { [HEADERS.scope]: ' Shared ' })).toBe(false)
  })

  it.each([200, 204, 400, 404, 413, 500])('does not count %i', (status) => {
    expect(isInvalidStatus(status, {})).toBe(false)
  })
})

describe('classifyFailure', () => {
  const failure = (kind: SendFailure['kind'], code?: string): SendFailure => ({ kind, message: 'connect ECONNREFUSED 127.0.0.1:443', durationMs: 3, ...(code === undefined ? {} : { code }) })

  it('retries network errors', () => {
    expect(classifyFailure(failure('network', 'ECONNRESET'))).toEqual({ kind: 'retry', reason: 'network error (ECONNRESET): connect ECONNREFUSED 127.0.0.1:443' })
  })

  it('retries timeouts', () => {
    expect(classifyFailure(failure('timeout', 'ERR_TIMEOUT'))).toMatchObject({ kind: 'retry', reason: expect.stringMatching(/^no answer from Discord in time/) })
  })

  it('reports an aborted attempt as retryable and leaves the decision to the caller', () => {
    expect(classifyFailure(failure('aborted'))).toMatchObject({ kind: 'retry', reason: expect.stringMatching(/aborted/) })
  })

  it('does not retry TLS failures', () => {
    expect(classifyFailure(failure('tls', 'CERT_HAS_EXPIRED'))).toMatchObject({ kind: 'tls', code: 'CERT_HAS_EXPIRED' })
  })
})

describe('isTlsErrorCode', () => {
  it.each([
    'CERT_HAS_EXPIRED', 'CERT_NOT_YET_VALID', 'CERT_UNTRUSTED', 'UNABLE_TO_VERIFY_LEAF_SIGNATURE', 'UNABLE_TO_GET_ISSUER_CERT',
    'UNABLE_TO_GET_ISSUER_CERT_LOCALLY', 'DEPTH_ZERO_SELF_SIGNED_CERT', 'SELF_SIGNED_CERT_IN_CHAIN', 'ERR_TLS_CERT_ALTNAME_INVALID',
    'ERR_SSL_WRONG_VERSION_NUMBER', 'ERR_SSL_SSLV3_ALERT_HANDSHAKE_FAILURE'
  ])('recognises %s', (code) => {
    expect(isTlsErrorCode(code)).toBe(true)
  })

  it.each(['ECONNRESET', 'ENOTFOUND', 'UND_ERR_SOCKET', 'ETIMEDOUT', undefined])('does not treat %s as TLS', (code) => {
    expect(isTlsErrorCode(code)).toBe(false)
  })
})

describe('retryDelay', () => {
  const delays = [2000, 3000, 5000]

  it('gives the configured wait before each retry, counting retries already made from 0', () => {
    expect([0, 1, 2].map((retriesMade) => retryDelay(retriesMade, delays))).toEqual([2000, 3000, 5000])
  })

  it('says the retries are spent (the pipeline then holds the batch in outage mode) once the delays are used', () => {
    expect(retryDelay(3, delays)).toBeUndefined()
    expect(retryDelay(0, [])).toBeUndefined()
  })

  it.each([-1, 1.5, Number.NaN])('says the retries are spent for the meaningless retry count %s', (attempt) => {
    expect(retryDelay(attempt, delays)).toBeUndefined()
  })
})
