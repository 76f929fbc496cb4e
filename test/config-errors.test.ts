/**
 * Configuration mistakes fail fast, at construction, with an error that names the option and says how
 * to fix it — the same table through every entry point: the notifier, the ThreadedNotifier, Winston's
 * DiscordTransport, and Pino's factory and main-thread helper.
 */
import { describe, expect, it } from 'vitest'
import { DiscordNotifier, InvalidOptionError, LogcordError, ThreadedNotifier } from '@logcord/core'
import pinoDiscord, { discordTransport } from '@logcord/pino-discord'
import { DiscordTransport } from '@logcord/winston-discord'

const URL_OK = 'https://discord.com/api/webhooks/123456789012345678/abcdefghijklmnopqrstuvwxyz0123456789'

/** [what is wrong, options, option the error must name, text the message must contain] */
const TABLE: Array<[string, Record<string, unknown>, string, RegExp]> = [
  ['missing URL', {}, 'webhookUrl', /DISCORD_WEBHOOK_URL|enabled: false/],
  ['not a URL', { webhookUrl: 'not a url' }, 'webhookUrl', /webhook/i],
  ['Slack-compatible URL', { webhookUrl: `${URL_OK}/slack` }, 'webhookUrl', /slack/i],
  ['URL of the wrong type', { webhookUrl: 42 }, 'webhookUrl', /string|URL/i],
  ['plain http off loopback', { webhookUrl: URL_OK, apiOrigin: 'http://10.1.2.3' }, 'apiOrigin', /https/],
  ['negative queue size', { webhookUrl: URL_OK, queueCapacity: -5 }, 'queueCapacity', /integer >= 1/],
  ['fractional timeout', { webhookUrl: URL_OK, timeoutMs: 1.5 }, 'timeoutMs', /integer/],
  ['string where a number goes', { webhookUrl: URL_OK, flushTimeoutMs: '100' }, 'flushTimeoutMs', /integer/],
  ['retry delays not an array', { webhookUrl: URL_OK, retryDelays: 5 }, 'retryDelays', /array/],
  ['negative retry delay', { webhookUrl: URL_OK, retryDelays: [100, -1] }, 'retryDelays', /non-negative/],
  ['global cap at Discord\'s limit', { webhookUrl: URL_OK, rateLimits: { globalPerSecond: 50 } }, 'rateLimits.globalPerSecond', /below 50/],
  ['bad severity', { webhookUrl: URL_OK, minSeverity: 'loud' }, 'minSeverity', /debug, info/],
  ['role id not a snowflake', { webhookUrl: URL_OK, mentions: { roles: ['admins'] } }, 'mentions.roles', /snowflake/],
  ['forbidden username', { webhookUrl: URL_OK, username: 'Discord Alerts' }, 'username', /clyde|discord/i],
  ['redact keys not strings', { webhookUrl: URL_OK, render: { redactKeys: [1] } }, 'render.redactKeys', /array of strings/],
  ['enabled as a string', { webhookUrl: URL_OK, enabled: 'yes' }, 'enabled', /true or false/],
  ['a misspelt option', { webhookUrl: URL_OK, retryDelay: [100] }, 'retryDelay', /did you mean `retryDelays`\?/],
  ['a misspelt nested option', { webhookUrl: URL_OK, render: { redactKey: ['pin'] } }, 'render.redactKey', /did you mean `render.redactKeys`\?/],
  ['a double slash in the URL', { webhookUrl: URL_OK.replace('webhooks/', 'webhooks//') }, 'webhookUrl', /empty segment/]
]

type Build = (options: Record<string, unknown>) => unknown
const ENTRY_POINTS: Record<string, Build> = {
  DiscordNotifier: (o) => new DiscordNotifier(o as never),
  ThreadedNotifier: (o) => new ThreadedNotifier(o as never),
  DiscordTransport: (o) => new DiscordTransport(o as never),
  'DiscordTransport (thread)': (o) => new DiscordTransport({ ...o, thread: true } as never),
  'pino discordTransport()': (o) => discordTransport(o as never)
}

function caught (fn: () => unknown): unknown {
  try {
    fn()
  } catch (err) {
    return err
  }
  return undefined
}

describe('configuration mistakes fail at construction, naming the option and the fix', () => {
  for (const [entry, build] of Object.entries(ENTRY_POINTS)) {
    for (const [what, options, option, hint] of TABLE) {
      it(`${entry}: ${what} → \`${option}\``, () => {
        // The helper reads DISCORD_WEBHOOK_URL when no URL is given; keep the environment out of it.
        const saved = process.env.DISCORD_WEBHOOK_URL
        delete process.env.DISCORD_WEBHOOK_URL
        try {
          const err = caught(() => build(options))
          expect(err).toBeInstanceOf(LogcordError)
          const message = (err as Error).message
          expect(message).toContain(option)
          expect(message).toMatch(hint)
          if (err instanceof InvalidOptionError) expect(err.option).toBe(option)
        } finally {
          if (saved !== undefined) process.env.DISCORD_WEBHOOK_URL = saved
        }
      })
    }
  }

  it('pino factory (in-process): a bad option rejects before any stream exists', async () => {
    await expect(pinoDiscord({ webhookUrl: URL_OK, queueCapacity: -1 })).rejects.toThrow(/queueCapacity/)
  })

  it('pino helper: a function in the options names the option and says to pass a module path', () => {
    expect(() => discordTransport({ webhookUrl: URL_OK, formatter: (() => ({})) as never })).toThrow(/`formatter`.*module/s)
    expect(() => discordTransport({ webhookUrl: URL_OK, render: { titleTemplate: (() => 'x') as never } })).toThrow(/render\.titleTemplate/)
  })

  it('ThreadedNotifier and DiscordTransport(thread): a dispatcher cannot cross into the worker', () => {
    const dispatcher = { dispatch: () => true }
    expect(() => new ThreadedNotifier({ webhookUrl: URL_OK, dispatcher } as never)).toThrow(/`dispatcher`/)
    expect(() => new DiscordTransport({ webhookUrl: URL_OK, dispatcher, thread: true } as never)).toThrow(/`dispatcher`/)
  })

  it('DiscordTransport: a wrong thread flag or exit deadline', () => {
    expect(() => new DiscordTransport({ webhookUrl: URL_OK, exitTimeoutMs: -1 })).toThrow(/`exitTimeoutMs`/)
    expect(() => new DiscordTransport({ webhookUrl: URL_OK, thread: 'yes' as never })).toThrow(/`thread`/)
  })
})
