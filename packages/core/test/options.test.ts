import { describe, expect, it } from 'vitest'
import { InvalidOptionError, LogcordError } from '../src/errors.js'
import { resolveOptions } from '../src/options/resolve.js'
import { DEFAULTS } from '../src/options/table.js'

const TOKEN = 'aB3_-'.repeat(13) + 'xyz'
const URL_ = `https://discord.com/api/webhooks/123456789012345678/${TOKEN}`

describe('resolveOptions', () => {
  it('fills every default and targets API v10 with wait=true', () => {
    const o = resolveOptions({ webhookUrl: URL_ })
    expect(o.queueCapacity).toBe(DEFAULTS.queueCapacity)
    expect(o.retryDelays).toEqual([2000, 3000, 5000])
    expect(o.timeoutMs).toBe(10_000)
    expect(o.rateLimits).toEqual(DEFAULTS.rateLimits)
    expect(o.mentions).toEqual({ roles: [], users: [], minSeverity: 'error' })
    expect(o.target?.url).toBe(`https://discord.com/api/v10/webhooks/123456789012345678/${TOKEN}?wait=true`)
  })

  it.each([
    [{ queueCapacity: -1 }, 'queueCapacity'],
    [{ queueCapacity: '5' }, 'queueCapacity'],
    [{ timeoutMs: 0 }, 'timeoutMs'],
    [{ retryDelays: [1000, -1] }, 'retryDelays'],
    [{ minSeverity: 'loud' }, 'minSeverity'],
    [{ logLevel: 'chatty' }, 'logLevel'],
    [{ username: 'Discord bot' }, 'username'],
    [{ username: 'x'.repeat(81) }, 'username'],
    [{ mentions: { roles: ['not-an-id'] } }, 'mentions.roles'],
    [{ rateLimits: { globalPerSecond: 50 } }, 'rateLimits.globalPerSecond'],
    [{ rateLimits: { channelLimit: 1_000_000 } }, 'rateLimits.channelLimit'],
    [{ rateLimits: { channelLimit: 0 } }, 'rateLimits.channelLimit'],
    [{ dispatcher: {} }, 'dispatcher'],
    [{ render: { redactKeys: 'password' } }, 'render.redactKeys']
  ])('rejects %j naming the option', (bad, option) => {
    const run = () => resolveOptions({ webhookUrl: URL_, ...(bad as object) })
    expect(run).toThrow(InvalidOptionError)
    try {
      run()
    } catch (err) {
      expect((err as InvalidOptionError).option).toBe(option)
      expect((err as Error).message).toContain(`\`${option}\``)
      expect((err as Error).message).not.toContain(TOKEN)
    }
  })

  it('holds records through outages by default: probes every 5-30 s, records kept up to 24 h', () => {
    const o = resolveOptions({ webhookUrl: URL_ })
    expect(o.outage).toEqual({ afterMs: 30_000, probeMinMs: 5000, probeMaxMs: 30_000 })
    expect(o.maxRecordAgeMs).toBe(24 * 60 * 60 * 1000)
    expect(() => resolveOptions({ webhookUrl: URL_, outage: { probeMinMs: 5000, probeMaxMs: 1000 } })).toThrow(/outage\.probeMaxMs.*>= outage\.probeMinMs/)
    expect(() => resolveOptions({ webhookUrl: URL_, maxRecordAgeMs: 0 })).toThrow(/maxRecordAgeMs/)
    expect(() => resolveOptions({ webhookUrl: URL_, outage: 5 as never })).toThrow(/outage/)
  })

  it('asks for a webhook URL unless notifications are disabled', () => {
    expect(() => resolveOptions({})).toThrow(/webhookUrl.*DISCORD_WEBHOOK_URL/)
    expect(resolveOptions({ enabled: false }).target).toBeUndefined()
  })

  it('refuses threadName together with a thread id (Discord answers 220002)', () => {
    expect(() => resolveOptions({ webhookUrl: URL_, threadId: '123456789012345679', threadName: 'x' })).toThrow(/threadName/)
  })

  it('never echoes the token in URL errors', () => {
    for (const bad of [`http://discord.com/api/webhooks/123456789012345678/${TOKEN}`, `https://example.com/api/webhooks/123456789012345678/${TOKEN}`, `https://discord.com/api/webhooks/123456789012345678/${TOKEN}/slack`]) {
      try {
        resolveOptions({ webhookUrl: bad })
        expect.unreachable()
      } catch (err) {
        expect(err).toBeInstanceOf(LogcordError)
        expect(String((err as Error).message)).not.toContain(TOKEN)
      }
    }
  })
})

describe('redisUrl', () => {
  const url = URL_
  it('takes redis:// and rediss:// URLs with credentials', () => {
    expect(resolveOptions({ webhookUrl: url, redisUrl: 'redis://:pw@cache:6379/2' }).redisUrl).toBe('redis://:pw@cache:6379/2')
    expect(resolveOptions({ webhookUrl: url, redisUrl: 'rediss://user:pw@cache.example:6380' }).redisUrl).toBe('rediss://user:pw@cache.example:6380')
    expect(resolveOptions({ webhookUrl: url }).redisUrl).toBeUndefined()
  })

  it('refuses anything else by name, without showing the URL (it may carry a password)', () => {
    for (const bad of ['http://:hunter2@cache:6379', 'hunter2-not-a-url', 42]) {
      let error: unknown
      try { resolveOptions({ webhookUrl: url, redisUrl: bad as string }) } catch (err) { error = err }
      expect(error).toBeInstanceOf(InvalidOptionError)
      expect((error as Error).message).toMatch(/`redisUrl`.*redis:\/\/ or rediss:\/\//)
      expect((error as Error).message).not.toContain('hunter2')
    }
  })
})
