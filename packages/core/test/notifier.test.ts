import { mkdtempSync, readFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { createEmulator, type Emulator } from '@logcord/discord-emulator'
import { createNotifierFromEnv, DiscordNotifier, SEVERITY_STYLES, type NotifierOptions, type WebhookPayload } from '@logcord/core'
import { ownClock } from './own-clock.js'

// Discord's limits run 50× faster in the emulator; the notifier's hidden-limit settings are scaled to match.
const SCALE = 0.02
const scaled = {
  fallbackWindowMs: 2000 * SCALE,
  channelWindowMs: 60_000 * SCALE,
  offsetMs: 30,
  cloudflareCooldownMs: 50
}

let emu: Emulator
let lines: string[]
let notifiers: DiscordNotifier[]

beforeEach(async () => {
  emu = await createEmulator({ timeScale: SCALE, seed: 1 })
  lines = []
  notifiers = []
})

afterEach(async () => {
  await Promise.all(notifiers.map((n) => n.close(2000)))
  await emu.close()
})

function make (extra: NotifierOptions = {}, webhookUrl = emu.webhookUrl()): DiscordNotifier {
  const n = new DiscordNotifier({
    webhookUrl,
    apiOrigin: emu.origin,
    retryDelays: [20, 30, 50],
    timeoutMs: 2000,
    log: (line) => lines.push(line),
    clock: ownClock(),
    ...extra,
    rateLimits: { ...scaled, ...extra.rateLimits }
  })
  notifiers.push(n)
  return n
}

/** Received messages with their payload typed as what the notifier sends. */
const msgs = () => emu.messages.map((m) => ({ ...m, payload: m.payload as unknown as WebhookPayload }))

const tokenOf = (url: string): string => url.split('/').pop()!.split('?')[0]!

describe('DiscordNotifier against the emulator', () => {
  it('delivers a diagnostic as a colour-coded embed with its details as fields', async () => {
    const n = make()
    n.sendDiagnostic({ level: 'warning', service: 'Database', message: 'High response time detected', details: { 'Response Time': '250ms', Threshold: '100ms' } })
    await n.flush()
    expect(msgs()).toHaveLength(1)
    const embed = msgs()[0]!.payload.embeds![0]!
    expect(embed.color).toBe(SEVERITY_STYLES.warning.color)
    expect(embed.title).toContain('Database')
    expect(embed.title).toContain(SEVERITY_STYLES.warning.emoji)
    expect(embed.description).toContain('High response time detected')
    expect(embed.fields).toEqual(expect.arrayContaining([
      expect.objectContaining({ name: 'Response Time', value: '250ms' }),
      expect.objectContaining({ name: 'Threshold', value: '100ms' })
    ]))
    expect(n.stats()).toMatchObject({ accepted: 1, sent: 1, requests: 1, dropped: 0 })
    expect(n.isHealthy()).toBe(true)
  })

  it('sends an error notification with the stack in a code block and the cause chain', async () => {
    const n = make()
    const root = new Error('connection refused')
    n.sendErrorNotification({ service: 'User Registration', error: new TypeError('cannot save user', { cause: root }), context: 'Processing new user signup' })
    await n.flush()
    const embed = msgs()[0]!.payload.embeds![0]!
    expect(embed.color).toBe(SEVERITY_STYLES.error.color)
    expect(embed.title).toContain('User Registration')
    expect(embed.description).toContain('TypeError')
    expect(embed.description).toMatch(/```[\s\S]*at [\s\S]*```/)
    expect(embed.description).toContain('connection refused')
    expect(embed.description).toContain('Processing new user signup')
  })

  it('sends startup, plain text and custom embeds; plain text never pings', async () => {
    const n = make()
    n.sendStartupNotification('Billing API', { version: '1.2.3' })
    n.sendPlaintext('Service is starting up... @everyone <@&123456789012345678>')
    n.sendEmbed({ title: 'System Status', description: 'All systems operational', color: 0x00ff00, fields: [{ name: 'Service', value: 'Billing', inline: true }] })
    await n.flush()
    const payloads = msgs().map((m) => m.payload)
    const all = JSON.stringify(payloads)
    expect(all).toContain('Billing API')
    expect(all).toContain('1.2.3')
    expect(all).toContain('All systems operational')
    for (const m of msgs()) {
      expect(m.payload.allowed_mentions).toEqual({ parse: [] })
      expect(m.pings).toEqual({ everyone: false, roles: [], users: [] })
    }
    expect(payloads.some((p) => p.content?.includes('Service is starting up'))).toBe(true)
  })

  it('pings configured roles only for records at or above the configured severity', async () => {
    const role = '223456789012345678'
    const n = make({ mentions: { roles: [role], minSeverity: 'error' } })
    n.sendDiagnostic({ level: 'info', service: 'a', message: 'quiet' })
    await n.flush()
    n.sendDiagnostic({ level: 'critical', service: 'a', message: 'loud @everyone' })
    await n.flush()
    expect(msgs()).toHaveLength(2)
    expect(msgs()[0]!.pings.roles).toEqual([])
    expect(msgs()[1]!.payload.allowed_mentions).toEqual({ parse: [], roles: [role] })
    expect(msgs()[1]!.pings).toEqual({ everyone: false, roles: [role], users: [] })
  })

  it('delivers a burst of 300 diagnostics packed ~10 a request with zero 429s', async () => {
    // One template with varying numbers: storm control would collapse it; this test is about packing.
    const n = make({ dedup: { enabled: false } })
    for (let i = 0; i < 300; i++) n.sendDiagnostic({ level: 'error', service: 'burst', message: `failure ${i}`, details: { i } })
    await n.flush(30_000)
    const received = msgs().reduce((sum, m) => sum + (m.payload.embeds?.length ?? 0), 0)
    expect(received).toBe(300)
    expect(emu.stats().byStatus['429'] ?? 0).toBe(0)
    expect(n.stats().rateLimited).toBe(0)
    expect(300 / n.stats().requests).toBeGreaterThanOrEqual(9.5)
    // The channel's 30-per-window limit was respected.
    const seen = new Set(msgs().flatMap((m) => m.payload.embeds!.map((e) => e.description)))
    expect(seen.size).toBe(300)
  })

  it('disables a revoked webhook after one request and says why', async () => {
    const url = emu.webhookUrl()
    const n = make({}, url)
    const id = url.split('/').at(-2)!
    emu.revoke(id, 401)
    n.sendDiagnostic({ level: 'error', service: 's', message: 'first' })
    await n.flush()
    n.sendDiagnostic({ level: 'error', service: 's', message: 'second' })
    await n.flush()
    expect(emu.stats().requests).toBe(1)
    expect(n.isHealthy()).toBe(false)
    const health = n.health()
    expect(health.status).toBe('disabled')
    expect(health.reason).toMatch(/401/)
    expect(n.stats().droppedByReason.disabled).toBe(2)
    expect(JSON.stringify(health)).not.toContain(tokenOf(url))
  })

  it('stops calling a deleted webhook and dead-letters its records', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'logcord-'))
    const file = join(dir, 'dead.jsonl')
    const url = emu.webhookUrl()
    const n = make({ deadLetterFile: file, dedup: { enabled: false } }, url)
    emu.revoke(url.split('/').at(-2)!, 404)
    for (let i = 0; i < 3; i++) n.sendDiagnostic({ level: 'error', service: 's', message: `m${i}` })
    await n.close()
    expect(emu.stats().requests).toBe(1)
    const dead = readFileSync(file, 'utf8').trim().split('\n').map((l) => JSON.parse(l))
    expect(dead).toHaveLength(3)
    expect(dead.every((d) => d.reason === 'disabled')).toBe(true)
    expect(readFileSync(file, 'utf8')).not.toContain(tokenOf(url))
    expect(n.health().reason).toMatch(/404/)
  })

  it('retries 5xx answers; delivered plus given-up records add up exactly', async () => {
    emu.setFaults({ errorRate: 0.3 })
    const n = make({ retryDelays: [10, 10, 10, 10, 10, 10], dedup: { enabled: false } })
    for (let i = 0; i < 20; i++) {
      n.sendDiagnostic({ level: 'error', service: 's', message: `m${i}` })
      await n.flush(10_000)
    }
    const stats = n.stats()
    expect(stats.retried).toBeGreaterThan(0)
    expect(msgs()).toHaveLength(stats.sent)
    // A transient failure never dead-letters: past the retries a record waits for the next probe.
    expect(stats.dropped).toBe(0)
    expect(stats.sent).toBe(20)
    expect(emu.stats().requests).toBe(20 + stats.retried)
  })

  it('after the retry budget, holds the record through the outage: degraded, one probe at a time, then delivered', async () => {
    emu.setFaults({ errorRate: 1 })
    const n = make({ outage: { afterMs: 0, probeMinMs: 40, probeMaxMs: 80 } })
    const errors: string[] = []
    n.on('error', (e) => errors.push(e.kind))
    n.sendDiagnostic({ level: 'error', service: 's', message: 'held' })
    n.sendDiagnostic({ level: 'warning', service: 's', message: 'held too' })
    const first = await n.flush(400)
    expect(first).toMatchObject({ timedOut: true, pending: 2 })
    // 4 attempts of the first batch (the seed's retries), then probes spaced 20-80 ms apart, one at a time.
    const requests = emu.stats().requests
    expect(requests).toBeGreaterThanOrEqual(5)
    expect(requests).toBeLessThanOrEqual(4 + Math.ceil(400 / 20))
    expect(n.stats()).toMatchObject({ retried: 3, sent: 0, dropped: 0 })
    const health = n.health()
    expect(health.status).toBe('degraded')
    expect(health.reason).toMatch(/unreachable.*5\d\d/)
    expect(Date.parse(health.since!)).toBeLessThanOrEqual(Date.now())
    expect(n.isHealthy()).toBe(false)
    expect(lines.filter((l) => l.includes('unreachable'))).toHaveLength(1)
    expect(errors).toEqual(['outage'])

    emu.setFaults({ errorRate: 0 })
    expect(await n.flush(2000)).toMatchObject({ timedOut: false, pending: 0 })
    expect(n.stats()).toMatchObject({ sent: 2, dropped: 0 })
    expect(msgs().flatMap((m) => m.payload.embeds ?? []).map((e) => e.description)).toEqual(['held', 'held too'])
    expect(n.health().status).toBe('healthy')
    expect(lines.filter((l) => l.includes('reachable again'))).toHaveLength(1)
  })

  it('times out hung requests and retries them', async () => {
    emu.setFaults({ hangRate: 1 })
    const n = make({ timeoutMs: 100 })
    const retried = new Promise((resolve) => n.once('retry', resolve))
    n.sendDiagnostic({ level: 'error', service: 's', message: 'slow' })
    const done = n.flush(10_000)
    await retried
    emu.setFaults({ hangRate: 0 })
    await done
    expect(msgs()).toHaveLength(1)
    expect(n.stats().retried).toBeGreaterThanOrEqual(1)
  })

  it.each(['user', 'shared', 'global'] as const)('waits out %s-scope 429s without spending retries', async (scope) => {
    emu.setFaults({ rateLimitStorm: { scope, rate: 0.5 } })
    const n = make({ dedup: { enabled: false } })
    for (let i = 0; i < 10; i++) {
      n.sendDiagnostic({ level: 'error', service: 's', message: `m${i}` })
      await n.flush(10_000)
    }
    expect(msgs()).toHaveLength(10)
    expect(n.stats().retried).toBe(0)
    expect(n.stats().sent).toBe(10)
  })

  it('pauses on a Cloudflare 429 without rate-limit headers, then delivers', async () => {
    emu.setFaults({ cloudflareRate: 1, cloudflareMode: 'html' })
    const n = make()
    const events: string[] = []
    const limited = new Promise((resolve) => n.once('rateLimited', resolve))
    n.on('rateLimited', (e) => events.push(e.scope))
    n.sendDiagnostic({ level: 'error', service: 's', message: 'x' })
    await limited
    emu.setFaults({ cloudflareRate: 0 })
    await n.flush(10_000)
    expect(events).toContain('cloudflare')
    expect(msgs()).toHaveLength(1)
    expect(lines.some((l) => l.includes('Cloudflare'))).toBe(true)
  })

  it('renders oversized and hostile input without a single 400', async () => {
    const n = make()
    const circular: Record<string, unknown> = { name: 'loop' }
    circular.self = circular
    n.sendDiagnostic({ level: 'critical', service: 'x'.repeat(5000), message: '😀'.repeat(10_000) + '```js\nunclosed', details: Object.fromEntries(Array.from({ length: 40 }, (_, i) => [`k${i}`, 'v'.repeat(3000)])) })
    n.sendEmbed({ title: 't'.repeat(1000), description: 'd'.repeat(10_000), fields: Array.from({ length: 30 }, () => ({ name: '', value: ' ' })) })
    n.sendDiagnostic({ level: 'error', service: 'odd', message: 'values', details: { circular, big: 10n ** 30n, buf: Buffer.alloc(64), map: new Map([[1, 2]]), set: new Set([1]), sym: Symbol('s'), undef: undefined } })
    n.sendPlaintext('p'.repeat(5000))
    await n.flush()
    expect(emu.stats().byStatus['400'] ?? 0).toBe(0)
    expect(n.stats().sent).toBe(4)
  })

  it('sheds the least severe records when the queue is full and posts one notice with the count', async () => {
    const n = make({ queueCapacity: 5, dedup: { enabled: false } })
    for (let i = 0; i < 12; i++) n.sendDiagnostic({ level: i === 11 ? 'critical' : 'info', service: 's', message: `m${i}` })
    await n.flush()
    const stats = n.stats()
    expect(stats.droppedByReason.queue_full).toBe(7)
    expect(stats.sent + stats.dropped).toBe(12)
    const titles = msgs().flatMap((m) => m.payload.embeds!.map((e) => e.title ?? ''))
    expect(titles.filter((t) => /7 records dropped \(queue full\)/.test(t))).toHaveLength(1)
    expect(titles.some((t) => t.includes('Critical'))).toBe(true)
  })

  it('close() delivers what is queued, then refuses new records', async () => {
    const n = make({ dedup: { enabled: false } })
    for (let i = 0; i < 25; i++) n.sendDiagnostic({ level: 'error', service: 's', message: `m${i}` })
    await n.close()
    expect(msgs().reduce((s, m) => s + m.payload.embeds!.length, 0)).toBe(25)
    expect(n.send({ severity: 'error', message: 'late', time: 0 })).toBe(false)
    expect(n.stats().droppedByReason.closed).toBe(1)
  })

  it('close() dead-letters what the deadline leaves undelivered', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'logcord-'))
    const file = join(dir, 'dead.jsonl')
    emu.setFaults({ hangRate: 1 })
    const n = make({ deadLetterFile: file, timeoutMs: 5000 })
    n.sendDiagnostic({ level: 'error', service: 's', message: 'stuck' })
    const result = await n.close(100)
    expect(result.timedOut).toBe(true)
    expect(n.stats().droppedByReason.shutdown).toBe(1)
    expect(readFileSync(file, 'utf8')).toContain('stuck')
  })

  it('never lets the token reach logs, events, health or errors', async () => {
    const url = emu.webhookUrl()
    const token = tokenOf(url)
    const seen: unknown[] = []
    const n = make({ logLevel: 'debug' }, url)
    for (const e of ['sent', 'dropped', 'rateLimited', 'retry', 'error', 'disabled'] as const) n.on(e, (x: unknown) => seen.push(x))
    emu.setFaults({ errorRate: 0.5, rateLimitStorm: { scope: 'user', rate: 0.3 } })
    for (let i = 0; i < 5; i++) n.sendDiagnostic({ level: 'error', service: 's', message: `token test ${i}`, details: { webhookUrl: url } })
    await n.flush(10_000)
    emu.revoke(url.split('/').at(-2)!, 401)
    n.sendDiagnostic({ level: 'error', service: 's', message: 'after revoke' })
    await n.flush()
    const everything = JSON.stringify({ lines, seen, health: n.health(), info: n.getRateLimitInfo(), received: msgs().map((m) => m.payload) })
    expect(lines.length).toBeGreaterThan(0)
    expect(everything).not.toContain(token)
  })
})

describe('createNotifierFromEnv', () => {
  it('disables with one warning when DISCORD_WEBHOOK_URL is missing', () => {
    const out: string[] = []
    const n = createNotifierFromEnv({ log: (l) => out.push(l) }, {})
    expect(n.enabled).toBe(false)
    expect(n.sendDiagnostic({ level: 'error', service: 's', message: 'x' })).toBe(false)
    expect(n.health()).toMatchObject({ status: 'disabled', enabled: false })
    expect(out).toEqual(['logcord warn: DISCORD_WEBHOOK_URL is not set: Discord notifications are disabled'])
  })

  it('honours DISCORD_NOTIFICATIONS_ENABLED=false and DISCORD_NOTIFICATIONS_LOG_LEVEL, not the app\'s LOG_LEVEL', () => {
    const n = createNotifierFromEnv({}, { DISCORD_WEBHOOK_URL: 'https://discord.com/api/webhooks/123456789012345678/' + 'a'.repeat(68), DISCORD_NOTIFICATIONS_ENABLED: 'false' })
    expect(n.enabled).toBe(false)
    const m = createNotifierFromEnv({}, { DISCORD_WEBHOOK_URL: 'https://discord.com/api/webhooks/123456789012345678/' + 'a'.repeat(68), DISCORD_NOTIFICATIONS_LOG_LEVEL: 'ERROR', LOG_LEVEL: 'trace' })
    expect(m.enabled).toBe(true)
    expect(m.options.logLevel).toBe('error')
    void m.close(0)
    const app = createNotifierFromEnv({}, { DISCORD_WEBHOOK_URL: 'https://discord.com/api/webhooks/123456789012345678/' + 'a'.repeat(68), LOG_LEVEL: 'trace' })
    expect(app.options.logLevel).toBe('warn')
    void app.close(0)
  })

  it('reads DISCORD_NOTIFICATIONS_REDIS_URL; an unreachable Redis leaves the notifier degraded, not broken', async () => {
    const lines: string[] = []
    const n = createNotifierFromEnv({ log: (l) => lines.push(l) }, { DISCORD_WEBHOOK_URL: 'https://discord.com/api/webhooks/123456789012345678/' + 'a'.repeat(68), DISCORD_NOTIFICATIONS_REDIS_URL: 'redis://:s3cret@127.0.0.1:1' })
    expect(n.options.redisUrl).toBe('redis://:s3cret@127.0.0.1:1')
    await vi.waitFor(() => expect(n.health().status).toBe('degraded'), { timeout: 3000 })
    expect(n.isHealthy()).toBe(true)
    expect(lines).toHaveLength(1)
    expect(lines[0]).toMatch(/falls back to its own rate limiter/)
    expect(lines.join('') + (n.health().reason ?? '')).not.toContain('s3cret')
    await n.close(0)
  })
})

describe('notification titles', () => {
  it('carry exactly one emoji: the one the title template adds', async () => {
    const emu = await createEmulator({ seed: 5 })
    const n = new DiscordNotifier({ webhookUrl: emu.webhookUrl(), apiOrigin: emu.origin, logLevel: 'silent', clock: ownClock() })
    n.sendStartupNotification('shop-api', { version: '1.0.0' })
    n.sendErrorNotification({ service: 'checkout', error: new Error('card declined') })
    n.sendDiagnostic({ level: 'warning', service: 'db', message: 'slow' })
    await n.close()
    const titles = emu.messages.flatMap((m) => (m.payload as unknown as WebhookPayload).embeds!.map((e) => e.title!)).sort()
    await emu.close()
    expect(titles).toEqual(['🔴 checkout: card declined', '🔵 shop-api started', '🟡 Warning · db'])
  })
})
