import { afterEach, describe, expect, it } from 'vitest'
import type { Emulator } from '../src/index.js'
import { ManualClock, post, start, TOKEN, v10, WEBHOOK_ID } from './helpers.js'

let emulator: Emulator | undefined
afterEach(async () => {
  await emulator?.close()
  emulator = undefined
})

const rateLimitHeaders = (headers: Headers) => [...headers.keys()].filter((name) => name.startsWith('x-ratelimit'))

describe('fault injection', () => {
  it('leaves a hanging request unanswered until the client gives up', async () => {
    emulator = await start({ faults: { hangRate: 1 } })
    const url = v10(emulator.webhookUrl(WEBHOOK_ID, TOKEN))
    const started = Date.now()
    await expect(post(url, { content: 'x' }, { signal: AbortSignal.timeout(150) })).rejects.toMatchObject({ name: 'TimeoutError' })
    expect(Date.now() - started).toBeGreaterThanOrEqual(140)
    expect(emulator.messages).toHaveLength(0)
    expect(emulator.stats().faultsInjected.hang).toBe(1)
  })

  it('closes promptly while requests hang, failing them', async () => {
    emulator = await start({ faults: { hangRate: 1 } })
    const pending = post(v10(emulator.webhookUrl(WEBHOOK_ID, TOKEN)), { content: 'x' })
    await new Promise((resolve) => setTimeout(resolve, 50))
    const started = Date.now()
    await emulator.close()
    expect(Date.now() - started).toBeLessThan(1000)
    await expect(pending).rejects.toThrow()
  })

  it('drops the socket without a response', async () => {
    emulator = await start({ faults: { dropRate: 1 } })
    const failure = await post(v10(emulator.webhookUrl(WEBHOOK_ID, TOKEN)), { content: 'x' }).catch((error: Error) => error)
    expect(failure).toBeInstanceOf(TypeError) // fetch failed: the other side closed
    expect(emulator.messages).toHaveLength(0)
    expect(emulator.stats().faultsInjected.drop).toBe(1)
  })

  it('answers a Cloudflare 1015 HTML ban without X-RateLimit headers, with an optional Retry-After', async () => {
    emulator = await start({ faults: { cloudflareRate: 1, cloudflareMode: 'html' }, limits: { webhook: { limit: 5, windowMs: 2000 } } })
    const url = v10(emulator.webhookUrl(WEBHOOK_ID, TOKEN))
    const ban = await post(url, { content: 'x' })
    expect(ban.status).toBe(429)
    expect(ban.headers.get('server')).toBe('cloudflare')
    expect(ban.headers.get('content-type')).toContain('text/html')
    expect(ban.text).toBe('error code: 1015')
    expect(rateLimitHeaders(ban.headers)).toEqual([])
    expect(ban.headers.get('retry-after')).toBeNull()

    emulator.setFaults({ cloudflareRetryAfterSec: 3600 })
    expect((await post(url, { content: 'x' })).headers.get('retry-after')).toBe('3600')
  })

  it('answers a Cloudflare JSON ban with no retry information at all', async () => {
    emulator = await start({ faults: { cloudflareRate: 1, cloudflareMode: 'json' } })
    const ban = await post(v10(emulator.webhookUrl(WEBHOOK_ID, TOKEN)), { content: 'x' })
    expect(ban.status).toBe(429)
    expect(ban.body).toEqual({
      code: 0,
      message: 'You are being blocked from accessing our API temporarily due to exceeding our rate limits frequently.'
    })
    expect(rateLimitHeaders(ban.headers)).toEqual([])
    expect(ban.headers.get('retry-after')).toBeNull()
    expect(emulator.stats()).toMatchObject({ rateLimited: { cloudflare: 1 }, invalidRequests: 1, faultsInjected: { cloudflare: 1 } })
    expect(emulator.messages).toHaveLength(0)
  })

  it('answers 500, 502 or 503 at the error rate and saves nothing', async () => {
    emulator = await start({ faults: { errorRate: 1 } })
    const url = v10(emulator.webhookUrl(WEBHOOK_ID, TOKEN))
    const statuses = new Set<number>()
    for (let i = 0; i < 30; i++) statuses.add((await post(url, { content: 'x' })).status)
    expect([...statuses].every((s) => [500, 502, 503].includes(s))).toBe(true)
    expect(statuses.size).toBeGreaterThan(1)
    expect(emulator.messages).toHaveLength(0)
    expect(emulator.stats().faultsInjected.error).toBe(30)
  })

  it('replays the same fault sequence for the same seed', async () => {
    const run = async (seed: number) => {
      const e = await start({ seed, faults: { errorRate: 0.5 } })
      const url = v10(e.webhookUrl(WEBHOOK_ID, TOKEN))
      const statuses = []
      for (let i = 0; i < 20; i++) statuses.push((await post(url, { content: 'x' })).status)
      await e.close()
      return statuses
    }
    const first = await run(42)
    expect(await run(42)).toEqual(first)
    expect(first).toContain(204)
    expect(first.some((s) => s >= 500)).toBe(true)
  })

  it('answers 503 to everything during an outage, until it ends', async () => {
    const clock = new ManualClock()
    emulator = await start({ now: clock.now })
    const url = v10(emulator.webhookUrl(WEBHOOK_ID, TOKEN))
    emulator.setOutage(10_000)
    expect((await post(url, { content: 'x' })).status).toBe(503)
    clock.advance(9_999)
    expect((await post(url, { content: 'x' })).status).toBe(503)
    clock.advance(1)
    expect((await post(url, { content: 'x' })).status).toBe(204)
    expect(emulator.stats().faultsInjected.outage).toBe(2)
    expect(emulator.messages).toHaveLength(1)
  })

  it('fails every request in the chosen outage mode, then recovers', async () => {
    const clock = new ManualClock()
    emulator = await start({ now: clock.now })
    const url = v10(emulator.webhookUrl(WEBHOOK_ID, TOKEN))
    emulator.setOutage(4_500, 'cloudflare')
    const banned = await post(url, { content: 'x' })
    expect(banned.status).toBe(429)
    expect(banned.headers.get('retry-after')).toBe('5')
    expect(rateLimitHeaders(banned.headers)).toEqual([])
    expect(banned.text).toContain('1015')
    clock.advance(4_500)
    expect((await post(url, { content: 'x' })).status).toBe(204)

    emulator.setOutage(1000, 'drop')
    await expect(post(url, { content: 'x' })).rejects.toThrow()
    emulator.setOutage(1000, 'hang')
    await expect(post(url, { content: 'x' }, { signal: AbortSignal.timeout(100) })).rejects.toMatchObject({ name: 'TimeoutError' })
    clock.advance(1000)
    expect((await post(url, { content: 'x' })).status).toBe(204)
    expect(emulator.stats().faultsInjected.outage).toBe(3)
    expect(emulator.messages).toHaveLength(2)
  })

  it('refuses an unknown outage mode by name', async () => {
    const { assertFaultsInput } = await import('../src/faults.js')
    expect(() => assertFaultsInput({ outage: { forMs: 10, mode: 'flood' } })).toThrow(/outage\.mode/)
  })

  it('delays answers by latencyMs in real time, whatever the time scale', async () => {
    emulator = await start({ timeScale: 0.01, faults: { latencyMs: 120 } })
    const started = Date.now()
    expect((await post(v10(emulator.webhookUrl(WEBHOOK_ID, TOKEN)), { content: 'x' })).status).toBe(204)
    expect(Date.now() - started).toBeGreaterThanOrEqual(110)
    expect(emulator.stats().faultsInjected.latency).toBe(1)
  })

  it('forces 429s of the chosen scope during a rate-limit storm', async () => {
    emulator = await start({ limits: { webhook: { limit: 5, windowMs: 2000 } } })
    const url = v10(emulator.webhookUrl(WEBHOOK_ID, TOKEN))
    for (const scope of ['user', 'shared', 'global'] as const) {
      emulator.setFaults({ rateLimitStorm: { scope, rate: 1 } })
      const answer = await post(url, { content: 'x' })
      expect(answer.status).toBe(429)
      expect(answer.headers.get('x-ratelimit-scope')).toBe(scope)
      expect(answer.body.global).toBe(scope === 'global')
    }
    emulator.setFaults({ rateLimitStorm: null })
    expect((await post(url, { content: 'x' })).status).toBe(204)
    const stats = emulator.stats()
    expect(stats.faultsInjected.storm).toBe(3)
    expect(stats.rateLimited).toMatchObject({ bucket: 1, shared: 1, global: 1 })
    expect(stats.invalidRequests).toBe(2)
    expect(emulator.messages).toHaveLength(1)
  })
})
