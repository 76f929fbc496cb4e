import { afterEach, describe, expect, it } from 'vitest'
import type { Emulator } from '../src/index.js'
import { CHANNEL_ID, ManualClock, OTHER_WEBHOOK_ID, post, start, TOKEN, v10, WEBHOOK_ID } from './helpers.js'

let emulator: Emulator | undefined
afterEach(async () => {
  await emulator?.close()
  emulator = undefined
})

const WEBHOOK_LIMIT = { limit: 5, windowMs: 2000 }

async function burst (url: string, count: number) {
  const answers = []
  for (let i = 0; i < count; i++) answers.push(await post(url, { content: `m${i}` }))
  return answers
}

describe('per-webhook bucket', () => {
  it('sends the bucket headers on every response and a 429 with scope user after 5 quick requests', async () => {
    const clock = new ManualClock()
    emulator = await start({ now: clock.now, limits: { webhook: WEBHOOK_LIMIT } })
    const url = v10(emulator.webhookUrl(WEBHOOK_ID, TOKEN))
    const answers = await burst(url, 6)

    expect(answers.slice(0, 5).map((a) => a.status)).toEqual([204, 204, 204, 204, 204])
    expect(answers.slice(0, 5).map((a) => a.headers.get('x-ratelimit-remaining'))).toEqual(['4', '3', '2', '1', '0'])
    const first = answers[0]!.headers
    expect(first.get('x-ratelimit-limit')).toBe('5')
    expect(Number(first.get('x-ratelimit-reset-after'))).toBe(2)
    expect(Number(first.get('x-ratelimit-reset'))).toBeCloseTo((clock.t + 2000) / 1000, 3)
    const bucket = first.get('x-ratelimit-bucket')
    expect(bucket).toMatch(/^[0-9a-f]+$/)
    expect(answers.every((a) => a.headers.get('x-ratelimit-bucket') === bucket)).toBe(true)

    const limited = answers[5]!
    expect(limited.status).toBe(429)
    expect(limited.headers.get('x-ratelimit-scope')).toBe('user')
    expect(limited.headers.get('x-ratelimit-remaining')).toBe('0')
    expect(limited.headers.get('retry-after')).toBe('2')
    expect(limited.body).toEqual({ message: 'You are being rate limited.', retry_after: 2, global: false })
    expect(emulator.messages).toHaveLength(5)
  })

  it('opens a fresh window at the first request after the previous one ended', async () => {
    const clock = new ManualClock()
    emulator = await start({ now: clock.now, limits: { webhook: WEBHOOK_LIMIT } })
    const url = v10(emulator.webhookUrl(WEBHOOK_ID, TOKEN))
    await burst(url, 5)
    clock.advance(1500)
    const limited = await post(url, { content: 'x' })
    expect(limited.body.retry_after).toBe(0.5)
    expect(limited.headers.get('retry-after')).toBe('1')
    clock.advance(500)
    const fresh = await post(url, { content: 'x' })
    expect(fresh.status).toBe(204)
    expect(fresh.headers.get('x-ratelimit-remaining')).toBe('4')
    clock.advance(10_000)
    const later = await post(url, { content: 'x' })
    expect(Number(later.headers.get('x-ratelimit-reset'))).toBeCloseTo((clock.t + 2000) / 1000, 3)
  })

  it('keeps a separate bucket per webhook', async () => {
    const clock = new ManualClock()
    emulator = await start({ now: clock.now, limits: { webhook: WEBHOOK_LIMIT } })
    await burst(v10(emulator.webhookUrl(WEBHOOK_ID, TOKEN)), 5)
    const other = await post(v10(emulator.webhookUrl(OTHER_WEBHOOK_ID, TOKEN)), { content: 'x' })
    expect(other.status).toBe(204)
    expect(other.headers.get('x-ratelimit-remaining')).toBe('4')
  })

  it('scales windows and reported waits by timeScale, rounding Retry-After to milliseconds', async () => {
    const clock = new ManualClock()
    emulator = await start({ now: clock.now, timeScale: 0.01, limits: { webhook: WEBHOOK_LIMIT } })
    const url = v10(emulator.webhookUrl(WEBHOOK_ID, TOKEN))
    const answers = await burst(url, 6)
    expect(Number(answers[0]!.headers.get('x-ratelimit-reset-after'))).toBe(0.02)
    clock.advance(7)
    const limited = await post(url, { content: 'x' })
    expect(limited.body.retry_after).toBe(0.013)
    expect(limited.headers.get('retry-after')).toBe('0.013')
  })

  it('lets a client that follows retry_after through, in real time', async () => {
    emulator = await start({ timeScale: 0.1, limits: { webhook: WEBHOOK_LIMIT } })
    const url = v10(emulator.webhookUrl(WEBHOOK_ID, TOKEN))
    // Sent together so all six land inside the 200 ms scaled window even on a busy machine.
    const answers = await Promise.all(Array.from({ length: 6 }, (_, i) => post(url, { content: `m${i}` })))
    const limited = answers.find((a) => a.status === 429)
    expect(limited).toBeDefined()
    expect(limited!.body.retry_after).toBeLessThanOrEqual(0.2)
    await new Promise((resolve) => setTimeout(resolve, limited!.body.retry_after * 1000 + 5))
    expect((await post(url, { content: 'again' })).status).toBe(204)
  })

  it('reports retry_after and Retry-After in milliseconds on versionless URLs', async () => {
    const clock = new ManualClock()
    emulator = await start({ now: clock.now, limits: { webhook: WEBHOOK_LIMIT } })
    const answers = await burst(emulator.webhookUrl(WEBHOOK_ID, TOKEN), 6)
    expect(answers[5]!.body.retry_after).toBe(2000)
    expect(answers[5]!.headers.get('retry-after')).toBe('2000')
  })

  it('counts failed requests against the bucket, with headers on the errors', async () => {
    const clock = new ManualClock()
    emulator = await start({ now: clock.now, limits: { webhook: WEBHOOK_LIMIT } })
    const url = v10(emulator.webhookUrl(WEBHOOK_ID, TOKEN))
    const bad = await post(url, { content: '' })
    expect(bad.status).toBe(400)
    expect(bad.headers.get('x-ratelimit-remaining')).toBe('4')
    const wrongToken = await post(url.replace(TOKEN, 'z'.repeat(68)), { content: 'x' })
    expect(wrongToken.status).toBe(401)
    expect(wrongToken.headers.get('x-ratelimit-remaining')).toBe('3')
    await burst(url, 3)
    expect((await post(url, { content: 'x' })).status).toBe(429)
  })
})

describe('hidden per-channel limit', () => {
  const channelLimit = { limit: 30, windowMs: 60_000 }

  it('refuses the 31st message to one channel across two webhooks with scope shared while Remaining > 0', async () => {
    const clock = new ManualClock()
    emulator = await start({
      now: clock.now,
      limits: { webhook: WEBHOOK_LIMIT, channel: channelLimit },
      webhooks: [
        { id: WEBHOOK_ID, token: TOKEN, channelId: CHANNEL_ID },
        { id: OTHER_WEBHOOK_ID, token: TOKEN, channelId: CHANNEL_ID }
      ]
    })
    const urls = [v10(emulator.webhookUrl(WEBHOOK_ID)), v10(emulator.webhookUrl(OTHER_WEBHOOK_ID))]
    // 15 rounds of one message from each webhook, one second apart: every bucket stays fresh.
    for (let round = 0; round < 15; round++) {
      for (const url of urls) expect((await post(url, { content: `r${round}` })).status).toBe(204)
      clock.advance(1000)
    }
    clock.advance(5000)
    const limited = await post(urls[0]!, { content: 'one too many' })
    expect(limited.status).toBe(429)
    expect(limited.headers.get('x-ratelimit-scope')).toBe('shared')
    expect(Number(limited.headers.get('x-ratelimit-remaining'))).toBeGreaterThan(0)
    expect(limited.headers.get('x-ratelimit-global')).toBeNull()
    // The oldest message was sent 20 s ago, so it leaves the 60 s window in 40 s.
    expect(limited.body).toEqual({ message: 'The resource is being rate limited.', retry_after: 40, global: false })
    expect(limited.headers.get('retry-after')).toBe('40')
    expect(emulator.messages).toHaveLength(30)

    clock.advance(40_000)
    expect((await post(urls[1]!, { content: 'room again' })).status).toBe(204)
  })

  it('does not count shared 429s as invalid requests', async () => {
    const clock = new ManualClock()
    emulator = await start({ now: clock.now, limits: { webhook: WEBHOOK_LIMIT, channel: { limit: 2, windowMs: 60_000 } } })
    const url = v10(emulator.webhookUrl(WEBHOOK_ID, TOKEN))
    await burst(url, 3) // 204, 204, shared 429
    clock.advance(2000)
    await post(url.replace(TOKEN, 'z'.repeat(68)), { content: 'x' }) // 401
    await burst(url, 5) // 4 × shared 429, then bucket 429
    const stats = emulator.stats()
    expect(stats.rateLimited).toMatchObject({ shared: 5, bucket: 1 })
    expect(stats.byStatus).toEqual({ 204: 2, 401: 1, 429: 6 })
    expect(stats.invalidRequests).toBe(2)
    expect(stats).toMatchObject({ requests: 9, accepted: 2 })
  })
})

describe('global limit', () => {
  it('answers the 51st request in a second with a global 429 without bucket headers', async () => {
    const clock = new ManualClock()
    emulator = await start({ now: clock.now, limits: { global: { limit: 50, windowMs: 1000 } } })
    const answers = []
    for (let i = 0; i < 51; i++) answers.push(await post(v10(emulator.webhookUrl()), { content: `m${i}` }))
    expect(answers.filter((a) => a.status === 204)).toHaveLength(50)
    const limited = answers[50]!
    expect(limited.status).toBe(429)
    expect(limited.headers.get('x-ratelimit-global')).toBe('true')
    expect(limited.headers.get('x-ratelimit-scope')).toBe('global')
    expect(limited.headers.get('x-ratelimit-bucket')).toBeNull()
    expect(limited.headers.get('x-ratelimit-remaining')).toBeNull()
    expect(limited.body).toEqual({ message: 'You are being rate limited.', retry_after: 1, global: true })
    expect(emulator.stats()).toMatchObject({ rateLimited: { global: 1 }, invalidRequests: 1 })
    clock.advance(1000)
    expect((await post(v10(emulator.webhookUrl()), { content: 'ok' })).status).toBe(204)
  })

  it('clears buckets, windows and counters on reset', async () => {
    const clock = new ManualClock()
    emulator = await start({ now: clock.now, limits: { webhook: WEBHOOK_LIMIT } })
    const url = v10(emulator.webhookUrl(WEBHOOK_ID, TOKEN))
    await burst(url, 6)
    emulator.reset()
    expect(emulator.messages).toHaveLength(0)
    expect(emulator.stats()).toMatchObject({ requests: 0, accepted: 0, byStatus: {}, invalidRequests: 0 })
    expect((await post(url, { content: 'x' })).headers.get('x-ratelimit-remaining')).toBe('4')
  })
})

describe('invalid-request ban', () => {
  it('bans the IP behind Cloudflare after too many invalid responses, until the ban lifts', async () => {
    const clock = new ManualClock()
    emulator = await start({ now: clock.now, limits: { invalid: { limit: 3, windowMs: 600_000, banMs: 60_000 } } })
    const good = v10(emulator.webhookUrl(WEBHOOK_ID, TOKEN))
    const wrong = good.replace(TOKEN, 'z'.repeat(68))
    for (let i = 0; i < 3; i++) expect((await post(wrong, { content: 'x' })).status).toBe(401)
    expect((await post(good, { content: 'fine' })).status).toBe(204) // 3 invalid: still within the limit
    expect((await post(wrong, { content: 'x' })).status).toBe(401) // the 4th starts the ban

    clock.advance(1000)
    const banned = await post(good, { content: 'x' })
    expect(banned.status).toBe(429)
    expect(banned.text).toBe('error code: 1015')
    expect(banned.headers.get('server')).toBe('cloudflare')
    expect(banned.headers.get('retry-after')).toBe('59')
    expect([...banned.headers.keys()].filter((h) => h.startsWith('x-ratelimit'))).toEqual([])

    clock.advance(59_000)
    expect((await post(good, { content: 'after' })).status).toBe(204)
    expect(emulator.stats().rateLimited.cloudflare).toBe(1)
  })
})
