/**
 * Limits shared by processes through Redis: a real redis-server started on a free port (Debian's
 * package; .ci/run installs it), the emulator with Discord's limits, the built dist in child processes
 * that end by themselves. Build first: `pnpm build`.
 */
import { execFile, execFileSync } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { createEmulator, type Emulator } from '@logcord/discord-emulator'
import { DiscordNotifier } from '@logcord/core'
import { redisAvailable, startRedis, type TestRedis } from '../scripts/lib/redis-server.mjs'
import { runNode, type NodeRun } from './crash-helpers.js'

const APP = fileURLToPath(new URL('./fixtures/fleet-app.mjs', import.meta.url))
const PASSWORD = 'fleet-secret-7'

function run (env: Record<string, string>): Promise<NodeRun> {
  return runNode([APP], { env })
}

function redisCli (port: number, ...args: string[]): string {
  return execFileSync('redis-cli', ['-p', String(port), '-a', PASSWORD, '--no-auth-warning', ...args], { encoding: 'utf8' }).trim()
}

function embedTitles (emu: Emulator): string[] {
  return emu.messages.flatMap((m) => ((m.payload.embeds as Array<{ title?: string }> | undefined) ?? []).map((e) => e.title ?? ''))
}

describe.skipIf(!redisAvailable())('rate limits shared through Redis', () => {
  let redis: TestRedis
  let emu: Emulator
  beforeAll(async () => { redis = (await startRedis({ password: PASSWORD, debugCommand: true }))! })
  afterAll(async () => { await redis?.stop() })
  beforeEach(async () => { emu = await createEmulator({ timeScale: 1 }) })
  afterEach(async () => { await emu.close() })

  it('four processes (Pino workers and ThreadedNotifiers) on one webhook: all delivered, no 429; keys expire and never hold the token', async () => {
    // 100 records, about 10 requests: well inside Pino's 8 s close deadline even on a loaded machine.
    const COUNT = 25
    const webhookUrl = emu.webhookUrl()
    const options = { webhookUrl, apiOrigin: emu.origin, dedup: { enabled: false }, redisUrl: redis.url }
    const runs = await Promise.all(['a', 'b', 'c', 'd'].map((name, i) => run({ OPTIONS: JSON.stringify(options), COUNT: String(COUNT), NAME: name, MODE: i % 2 === 0 ? 'pino' : 'threaded' })))
    for (const r of runs) {
      expect(r.stderr).toBe('')
      expect(r.code).toBe(0)
    }
    const titles = embedTitles(emu)
    expect(titles).toHaveLength(4 * COUNT)
    const stats = emu.stats()
    expect(stats.byStatus[429] ?? 0).toBe(0)
    expect(stats.invalidRequests).toBe(0)
    // ~10 records a request: 100 records in about 10.
    expect(stats.accepted).toBeLessThanOrEqual(12)

    const token = new URL(webhookUrl).pathname.split('/').pop()!
    const id = new URL(webhookUrl).pathname.split('/').at(-2)!
    const keys = redisCli(redis.port, '--scan').split('\n').filter(Boolean)
    expect(keys.length).toBeGreaterThan(0)
    for (const key of keys) {
      expect(key.startsWith('logcord:v1:')).toBe(true)
      expect(key).not.toContain(token)
      expect(key.includes(id) || key.includes(':ch:')).toBe(true)
      expect(Number(redisCli(redis.port, 'PTTL', key))).toBeGreaterThan(0)
    }
  }, 60_000)

  it('Redis unreachable: every record delivered, each process says so once on stderr, none hangs', async () => {
    const COUNT = 20
    // A port nothing listens on (Redis was started and stopped there by no one: use our own, stopped).
    const dead = await startRedis()
    await dead!.stop()
    const options = { webhookUrl: emu.webhookUrl(), apiOrigin: emu.origin, dedup: { enabled: false }, redisUrl: dead!.url.replace('redis://', `redis://:${PASSWORD}@`) }
    const runs = await Promise.all(['a', 'b'].map((name, i) => run({ OPTIONS: JSON.stringify(options), COUNT: String(COUNT), NAME: name, MODE: i === 0 ? 'pino' : 'threaded' })))
    for (const r of runs) {
      expect(r.code).toBe(0)
      const lines = r.stderr.split('\n').filter(Boolean)
      expect(lines).toHaveLength(1)
      expect(lines[0]).toMatch(/falls back to its own rate limiter/)
      expect(r.stderr).not.toContain(PASSWORD)
    }
    expect(embedTitles(emu)).toHaveLength(2 * COUNT)
  }, 60_000)

  it('Redis slow: requests decided by the process\'s own limiter within a second, nothing lost', async () => {
    const lines: string[] = []
    const notifier = new DiscordNotifier({ webhookUrl: emu.webhookUrl(), apiOrigin: emu.origin, dedup: { enabled: false }, redisUrl: redis.url, log: (line) => lines.push(line) })
    notifier.sendPlaintext('before')
    await notifier.flush(10_000)
    expect(notifier.health().status).toBe('healthy')
    // Redis answers nothing for 3 s.
    const sleeping = new Promise((resolve) => execFile('redis-cli', ['-p', String(redis.port), '-a', PASSWORD, '--no-auth-warning', 'DEBUG', 'SLEEP', '3'], resolve))
    await new Promise((resolve) => setTimeout(resolve, 100))
    const asked = Date.now()
    notifier.sendPlaintext('while Redis is slow')
    const flushed = await notifier.flush(10_000)
    expect(flushed.pending).toBe(0)
    expect(Date.now() - asked).toBeLessThan(2000)
    expect(notifier.health().status).toBe('degraded')
    expect(lines.filter((l) => /falls back/.test(l))).toHaveLength(1)
    await sleeping
    await expect.poll(() => notifier.health().status, { timeout: 5000 }).toBe('healthy')
    await notifier.close(10_000)
    expect(emu.messages.map((m) => m.payload.content)).toEqual(['before', 'while Redis is slow'])
  }, 60_000)

  it('Redis lost mid-run and back: nothing lost, health degraded meanwhile, one line each way, shared again after', async () => {
    const lines: string[] = []
    const notifier = new DiscordNotifier({ webhookUrl: emu.webhookUrl(), apiOrigin: emu.origin, dedup: { enabled: false }, redisUrl: redis.url, logLevel: 'info', log: (line) => lines.push(line) })
    for (let i = 0; i < 10; i++) notifier.sendPlaintext(`before ${i}`)
    await notifier.flush(30_000)
    expect(notifier.health().status).toBe('healthy')
    await redis.stop()
    for (let i = 0; i < 10; i++) notifier.sendPlaintext(`during ${i}`)
    // Within a second of the loss the notifier runs on its own limiter and says so.
    await expect.poll(() => notifier.health().status, { timeout: 3000 }).toBe('degraded')
    expect(notifier.health().reason).toMatch(/not shared with other processes/)
    expect(notifier.isHealthy()).toBe(true)
    await notifier.flush(30_000)
    await redis.restart()
    await expect.poll(() => notifier.health().status, { timeout: 5000 }).toBe('healthy')
    for (let i = 0; i < 5; i++) notifier.sendPlaintext(`after ${i}`)
    await notifier.close(30_000)
    // Plain text is packed, a line each.
    expect(emu.messages.flatMap((m) => String(m.payload.content).split('\n'))).toHaveLength(25)
    expect(notifier.stats()).toMatchObject({ sent: 25, dropped: 0 })
    expect(lines.filter((l) => /falls back/.test(l))).toHaveLength(1)
    expect(lines.filter((l) => /Redis reachable again/.test(l))).toHaveLength(1)
    // Back in Redis: the requests after the restart were counted there.
    expect(redisCli(redis.port, '--scan').split('\n').filter(Boolean).length).toBeGreaterThan(0)
    expect(emu.stats().byStatus[429] ?? 0).toBe(0)
  }, 90_000)
})
