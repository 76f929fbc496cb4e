import { describe, expect, it } from 'vitest'
import { InvalidOptionError } from '@logcord/core'
import pinoDiscord, { assertPlainData, discordTarget, discordTransport, resolvePinoOptions, type PinoDiscordOptions } from '@logcord/pino-discord'

const WEBHOOK = 'https://discord.com/api/webhooks/123456789012345678/secret-token_abcdefghijklmnop'

function thrown (fn: () => unknown): InvalidOptionError {
  try {
    fn()
  } catch (err) {
    expect(err).toBeInstanceOf(InvalidOptionError)
    return err as InvalidOptionError
  }
  throw new Error('expected a throw')
}

describe('pino-discord options', () => {
  it('rejects a function formatter on the main thread, naming the option, the worker reason and the module-path alternative', () => {
    const options = { webhookUrl: WEBHOOK, formatter: (() => ({})) as unknown as string }
    const err = thrown(() => discordTransport(options))
    expect(err.option).toBe('formatter')
    expect(err.message).toMatch(/worker thread/)
    expect(err.message).toMatch(/formatter: '\.\/discord-format\.js'/)
    expect(err.message).not.toContain('secret-token')
  })

  it('finds functions at any depth and names their path', () => {
    const err = thrown(() => discordTarget({ webhookUrl: WEBHOOK, render: { titleTemplate: (() => 'x') as unknown as string } }))
    expect(err.option).toBe('render.titleTemplate')
    expect(err.message).toMatch(/structuredClone/)
    expect(thrown(() => assertPlainData({ mentions: { roles: [Symbol('r')] } })).option).toBe('mentions.roles[0]')
  })

  it('explains that dispatcher and clock work only in-process', () => {
    const err = thrown(() => discordTransport({ webhookUrl: WEBHOOK, dispatcher: { dispatch () { return true } } } as PinoDiscordOptions))
    expect(err.option).toBe('dispatcher')
    expect(err.message).toMatch(/only in-process/)
  })

  it('lets the in-process factory take a dispatcher, clock and log', async () => {
    const stream = await pinoDiscord({ webhookUrl: WEBHOOK, clock: { now: () => 0, setTimeout: () => 0, clearTimeout: () => {} }, log: () => {} })
    stream.end()
    await new Promise((resolve) => stream.once('close', resolve))
  })

  it('refuses `thread` for the worker transport, saying it already runs off the main thread', () => {
    const err = thrown(() => resolvePinoOptions({ webhookUrl: WEBHOOK, thread: true }, 'worker'))
    expect(err.option).toBe('thread')
    expect(err.message).toMatch(/already delivers from pino's worker thread/)
  })

  it('validates shared options with the core rules and its own ones with their names', () => {
    expect(thrown(() => resolvePinoOptions({ webhookUrl: WEBHOOK, queueCapacity: -1 }, 'worker')).option).toBe('queueCapacity')
    expect(thrown(() => resolvePinoOptions({ webhookUrl: WEBHOOK, closeTimeoutMs: 10_000 }, 'worker')).message).toMatch(/thread-stream/)
    expect(thrown(() => resolvePinoOptions({ webhookUrl: WEBHOOK, formatter: '' }, 'worker')).option).toBe('formatter')
    expect(thrown(() => resolvePinoOptions({}, 'worker', {})).option).toBe('webhookUrl')
  })

  it('takes the webhook URL from DISCORD_WEBHOOK_URL when the option is absent', () => {
    expect(resolvePinoOptions({}, 'worker', { DISCORD_WEBHOOK_URL: WEBHOOK }).notifier.webhookUrl).toBe(WEBHOOK)
  })

  it('builds a targets entry with its own level', () => {
    const t = discordTarget({ webhookUrl: WEBHOOK }, { level: 'warn' })
    expect(t.level).toBe('warn')
    expect(t.target).toMatch(/pino-discord[/\\]dist[/\\]index\.js$/)
  })
})
