/**
 * Replayed reports (issue 13): a mistyped webhook URL in error messages, the environment and option
 * names read differently by each entry point, loopback URLs, unknown levels, and a misconfigured Pino
 * worker crashing the application. Every case runs through every entry point it concerns, on the
 * built packages; child processes run the built CLI and a real `pino.transport()`.
 */
import { once } from 'node:events'
import { fileURLToPath } from 'node:url'
import pino from 'pino'
import winston from 'winston'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { createNotifierFromEnv, DiscordNotifier, InvalidEnvironmentError, LogcordError, SEVERITY_STYLES, ThreadedNotifier, UnknownOptionError } from '@logcord/core'
import type { Emulator } from '@logcord/discord-emulator'
import pinoDiscord, { discordTarget, discordTransport, resolvePinoOptions, transportTarget } from '@logcord/pino-discord'
import { DiscordTransport } from '@logcord/winston-discord'
import { embedsOf, runFixture, runNode, startEmulator, type NodeRun } from './crash-helpers.js'

const CLI = fileURLToPath(new URL('../packages/pino-discord/dist/cli.js', import.meta.url))
const ID = '123456789012345678'
/** A token no other string in a run could contain by chance. */
const TOKEN = 'SeCrEtToKeN_do-not-leak_0123456789abcdefghijABCDEFGHIJ0123456789abcdef'
const GOOD = `https://discord.com/api/webhooks/${ID}/${TOKEN}`
const ENV_KEYS = ['DISCORD_WEBHOOK_URL', 'DISCORD_NOTIFICATIONS_ENABLED', 'DISCORD_NOTIFICATIONS_LOG_LEVEL', 'LOG_LEVEL'] as const

/** True when `text` holds any 8 consecutive characters of the token: a part of it leaks too. */
function leaksToken (text: string): boolean {
  for (let i = 0; i + 8 <= TOKEN.length; i++) if (text.includes(TOKEN.slice(i, i + 8))) return true
  return false
}

/** [shape, webhookUrl value, what the message must say is wrong] */
const MALFORMED: Array<[string, unknown, RegExp]> = [
  ['double slash', `https://discord.com/api/webhooks//${ID}/${TOKEN}`, /empty segment/],
  ['id and token swapped', `https://discord.com/api/webhooks/${TOKEN}/${ID}`, /swapped/],
  ['token as ?token=', `https://discord.com/api/webhooks/${ID}?token=${TOKEN}`, /token is in the query/],
  ['id and token as a query', `https://discord.com/api/webhooks?id=${ID}&token=${TOKEN}`, /in the query/],
  ['an extra segment', `${GOOD}/extra`, /3 segments after \/webhooks\//],
  ['a message sub-path', `${GOOD}/messages/123`, /4 segments/],
  ['a space inside', `https://discord.com/api/webhooks/${ID}/ ${TOKEN}`, /whitespace/],
  ['a line break inside', `https://discord.com/api/webhooks/${ID}/${TOKEN.slice(0, 30)}\n${TOKEN.slice(30)}`, /whitespace/],
  ['a tab inside', `${GOOD.slice(0, 60)}\t${GOOD.slice(60)}`, /whitespace/],
  ['wrapped in quotes', `"${GOOD}"`, /quotes/],
  ['wrapped in angle brackets', `<${GOOD}>`, /angle brackets/],
  ['wrong host', GOOD.replace('discord.com', 'discord.example.org'), /host is not discord\.com/],
  ['token as the host', `https://${TOKEN}.example.com/api/webhooks/${ID}/x`, /host is not discord\.com/],
  ['wrong scheme', GOOD.replace('https:', 'ftp:'), /scheme is ftp/],
  ['plain http off loopback', GOOD.replace('https:', 'http:'), /scheme is http/],
  ['the token as the scheme', `${TOKEN.replace(/[^a-z]/gi, '')}:${ID}`, /scheme is not https/],
  ['no scheme', GOOD.replace('https://', ''), /lacks its https:\/\//],
  ['credentials', GOOD.replace('https://', `https://user:${TOKEN}@`), /user name or password/],
  ['no /api', GOOD.replace('/api', ''), /must start with \/api\/webhooks\//],
  ['upper-case path', GOOD.replace('/api/webhooks', '/API/Webhooks'), /lower case/],
  ['a short id', GOOD.replace(ID, '1234'), /id is not a 17-20 digit snowflake/],
  ['a forbidden character in the token', `${GOOD}!`, /characters a Discord token never has/],
  ['a truncated token', `https://discord.com/api/webhooks/${ID}/${TOKEN.slice(0, 12)}`, /token is too short/],
  ['a Slack-compatible URL', `${GOOD}/slack`, /Slack- or GitHub-compatible/],
  ['a thread_id holding the token', `${GOOD}?thread_id=${TOKEN}`, /threadId/],
  ['the bare token', TOKEN, /not a URL/],
  ['the token twice', `${TOKEN} ${TOKEN}`, /whitespace/],
  ['a number', 42, /number, not a string/],
  ['an array', [GOOD], /an array, not a string/],
  ['an object', { url: GOOD }, /an object, not a string/],
  // The pino helpers refuse these earlier, as values that cannot cross into a worker.
  ['a URL object', new URL(GOOD), /URL object|plain data/],
  ['a Buffer', Buffer.from(GOOD), /an object, not a string|plain data/]
]

type Build = (options: Record<string, unknown>) => unknown
/** Every constructor-style entry point. The pino factory is async and has its own case. */
const BUILDERS: Record<string, Build> = {
  DiscordNotifier: (o) => new DiscordNotifier(o as never),
  ThreadedNotifier: (o) => new ThreadedNotifier(o as never),
  DiscordTransport: (o) => new DiscordTransport(o as never),
  'DiscordTransport (thread)': (o) => new DiscordTransport({ ...o, thread: true } as never),
  'pino discordTransport()': (o) => discordTransport(o as never),
  'pino discordTarget()': (o) => discordTarget(o as never),
  createNotifierFromEnv: (o) => createNotifierFromEnv(o as never, {})
}

function caught (fn: () => unknown): Error | undefined {
  try {
    const built = fn() as { close?: () => unknown, end?: () => unknown } | undefined
    // Built by mistake: free its resources so the test process can end.
    void built?.close?.()
  } catch (err) {
    return err as Error
  }
  return undefined
}

/** Everything an error shows when thrown, printed or serialised. */
function shown (err: Error): string {
  return `${String(err)} ${JSON.stringify(err)} ${err.stack ?? ''}`
}

/** Runs `fn` with these environment variables (undefined: unset), restoring them after. */
async function withEnv<T> (vars: Partial<Record<(typeof ENV_KEYS)[number], string>>, fn: () => T | Promise<T>): Promise<T> {
  const saved = Object.fromEntries(ENV_KEYS.map((k) => [k, process.env[k]]))
  for (const k of ENV_KEYS) {
    if (vars[k] === undefined) delete process.env[k]
    else process.env[k] = vars[k]
  }
  try {
    return await fn()
  } finally {
    for (const k of ENV_KEYS) {
      if (saved[k] === undefined) delete process.env[k]
      else process.env[k] = saved[k]
    }
  }
}

type Run = NodeRun

function runCli (args: string[], stdin: string, env: Record<string, string> = {}): Promise<Run> {
  const clean = Object.fromEntries(Object.entries(process.env).filter(([k]) => !(ENV_KEYS as readonly string[]).includes(k))) as Record<string, string>
  return runNode([CLI, ...args], { env: { ...clean, ...env }, stdin, inherit: false })
}

const PINO_LINE = (msg: string): string => JSON.stringify({ level: 50, time: Date.now(), msg }) + '\n'

describe('security: a malformed webhook URL never appears in an error, only what is wrong with it', () => {
  for (const [entry, build] of Object.entries(BUILDERS)) {
    it(`${entry}: every malformed shape`, async () => {
      await withEnv({}, () => {
        for (const [shape, value, problem] of MALFORMED) {
          const err = caught(() => build({ webhookUrl: value }))
          expect(err, shape).toBeInstanceOf(LogcordError)
          expect(leaksToken(shown(err!)), `${shape}: ${err!.message}`).toBe(false)
          expect(err!.message, shape).toMatch(problem)
        }
      })
    })
  }

  it('pino factory (in-process): every malformed shape rejects without the token', async () => {
    for (const [shape, value, problem] of MALFORMED) {
      const err = await pinoDiscord({ webhookUrl: value as string }).then(() => undefined, (e: Error) => e)
      expect(err, shape).toBeInstanceOf(LogcordError)
      expect(leaksToken(shown(err!)), shape).toBe(false)
      expect(err!.message, shape).toMatch(problem)
    }
  })

  it('DISCORD_WEBHOOK_URL: the error says where the URL came from, never what it holds', async () => {
    for (const [entry, build] of Object.entries(BUILDERS)) {
      if (entry === 'createNotifierFromEnv') continue
      const err = await withEnv({ DISCORD_WEBHOOK_URL: `https://discord.com/api/webhooks//${ID}/${TOKEN}` }, () => caught(() => build({})))
      expect(err?.message, entry).toMatch(/`webhookUrl` \(from DISCORD_WEBHOOK_URL\): the path has an empty segment/)
      expect(leaksToken(shown(err!)), entry).toBe(false)
    }
    const fromEnv = caught(() => createNotifierFromEnv({}, { DISCORD_WEBHOOK_URL: `https://discord.com/api/webhooks/${TOKEN}/${ID}` }))
    expect(fromEnv?.message).toMatch(/swapped/)
    expect(leaksToken(shown(fromEnv!))).toBe(false)
  })

  it('the webhook URL pasted into another option is not echoed either', () => {
    for (const options of [
      { webhookUrl: GOOD, apiOrigin: `discord.com/api/webhooks/${ID}/${TOKEN}` },
      { webhookUrl: GOOD, apiOrigin: `ftp://x/api/webhooks/${ID}/${TOKEN}` },
      { webhookUrl: GOOD, username: `https://discord.com/api/webhooks/${ID}/${TOKEN}` },
      { webhookUrl: GOOD, avatarUrl: `discord.com/api/webhooks/${ID}/${TOKEN.slice(0, 20)}` }
    ]) {
      const err = caught(() => new DiscordNotifier(options))
      expect(err).toBeInstanceOf(LogcordError)
      expect(leaksToken(shown(err!)), err!.message).toBe(false)
    }
  })

  it('pino-discord CLI: stderr names the problem, never the token (flag and environment)', async () => {
    for (const [shape, value, problem] of MALFORMED.filter(([, v]) => typeof v === 'string').slice(0, 8)) {
      const byFlag = await runCli(['--webhook-url', value as string], PINO_LINE('x'))
      expect(byFlag.code, shape).toBe(2)
      expect(byFlag.stderr, shape).toMatch(problem)
      expect(leaksToken(byFlag.stdout + byFlag.stderr), shape).toBe(false)
    }
    const byEnv = await runCli([], PINO_LINE('x'), { DISCORD_WEBHOOK_URL: `https://discord.com/api/webhooks/${ID}?token=${TOKEN}` })
    expect(byEnv.code).toBe(2)
    expect(byEnv.stderr).toMatch(/DISCORD_WEBHOOK_URL.*token is in the query/)
    expect(leaksToken(byEnv.stderr)).toBe(false)
    // A URL pasted without its flag is not quoted back.
    const stray = await runCli([`https://discord.com/api/webhooks//${ID}/${TOKEN}`], '')
    expect(stray.code).toBe(2)
    expect(stray.stderr).toMatch(/unexpected argument.*--webhook-url/)
    expect(leaksToken(stray.stderr)).toBe(false)
    // An unknown flag carrying the URL after '=' is named, its value is not.
    const typo = await runCli([`--webhookurl=https://discord.com/api/webhooks/${ID}/${TOKEN}`], '')
    expect(typo.code).toBe(2)
    expect(typo.stderr).toMatch(/unknown flag --webhookurl: did you mean --webhook-url\?/)
    expect(leaksToken(typo.stderr)).toBe(false)
  })
})

describe('a Pino bare `target` with bad options: reported once, counted, and the application lives on', () => {
  it('no URL, a wrong value, an unknown key, a malformed URL, a bad switch value, a formatter that does not load', async () => {
    const cases = [
      {},
      { webhookUrl: GOOD, queueCapacity: -1 },
      { webhookUrl: GOOD, retryDelay: [100] },
      { webhookUrl: `https://discord.com/api/webhooks//${ID}/${TOKEN}` },
      { webhookUrl: `https://discord.com/api/webhooks/${TOKEN}/${ID}` },
      { webhookUrl: GOOD, formatter: './no-such-formatter.mjs' }
    ]
    const run = await runFixture('pino-bad-target.mjs', [], { CASES: JSON.stringify(cases), DISCORD_WEBHOOK_URL: '', DISCORD_NOTIFICATIONS_ENABLED: '' })
    expect(run.stdout).toContain('startup done')
    expect(run.stdout).toContain('work done')
    expect(run.code).toBe(0)
    const reports = run.stderr.split('\n').filter((l) => l.includes('not sending to Discord'))
    expect(reports).toHaveLength(cases.length)
    expect(run.stderr).toMatch(/`webhookUrl`: expected a Discord webhook URL, received undefined/)
    expect(run.stderr).toMatch(/`queueCapacity`: expected an integer >= 1/)
    expect(run.stderr).toMatch(/Unknown option `retryDelay`: did you mean `retryDelays`\?/)
    expect(run.stderr).toMatch(/empty segment/)
    expect(run.stderr).toMatch(/swapped/)
    expect(run.stderr).toMatch(/no-such-formatter/)
    // Counted: both records of each transport, in its closing line.
    expect(run.stderr.split('\n').filter((l) => l.includes('closed: 2 lines not sent to Discord'))).toHaveLength(cases.length)
    expect(leaksToken(run.stdout + run.stderr)).toBe(false)
    expect(run.stderr).not.toMatch(/Unhandled|ThreadStream|at .*\.js:\d+/)
  }, 30_000)

  it('an unrecognised DISCORD_NOTIFICATIONS_ENABLED value is reported the same way', async () => {
    const run = await runFixture('pino-bad-target.mjs', [], { CASES: JSON.stringify([{ webhookUrl: GOOD }]), DISCORD_NOTIFICATIONS_ENABLED: 'maybe' })
    expect(run.code).toBe(0)
    expect(run.stdout).toContain('work done')
    expect(run.stderr).toMatch(/not sending to Discord: Invalid environment variable DISCORD_NOTIFICATIONS_ENABLED: expected true or false/)
  }, 30_000)
})

describe('configuration: the environment is read the same way by every entry point', () => {
  let emu: Emulator
  beforeEach(async () => { emu = await startEmulator() })
  afterEach(async () => { await emu.close() })

  /** Resolves once an embed holding `text` reached the emulator (at most 10 s). */
  async function arrived (text: string): Promise<void> {
    const deadline = Date.now() + 10_000
    while (!JSON.stringify(embedsOf(emu.messages)).includes(text) && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 10))
  }

  /** Sends one error record titled `text` through each entry point built from `options`; resolves when all are closed. */
  const ENTRY_POINTS: Record<string, (options: Record<string, unknown>, text: string) => Promise<void>> = {
    DiscordNotifier: async (o, text) => {
      const n = new DiscordNotifier(o)
      n.sendDiagnostic({ level: 'error', service: 'svc', message: text })
      await n.close()
    },
    ThreadedNotifier: async (o, text) => {
      const n = new ThreadedNotifier(o)
      n.sendDiagnostic({ level: 'error', service: 'svc', message: text })
      await n.close()
    },
    DiscordTransport: async (o, text) => {
      const t = new DiscordTransport(o)
      winston.createLogger({ transports: [t] }).error(text)
      await t.close()
    },
    'DiscordTransport (thread)': async (o, text) => {
      const t = new DiscordTransport({ ...o, thread: true })
      winston.createLogger({ transports: [t] }).error(text)
      await t.close()
    },
    'pino factory (in-process)': async (o, text) => {
      const stream = await pinoDiscord(o)
      pino(stream).error(text)
      const closed = once(stream, 'close')
      stream.end()
      await closed
    },
    'pino worker (discordTransport)': async (o, text) => {
      const stream = discordTransport(o)
      pino(stream).error(text)
      // thread-stream's end() blocks this thread, where the emulator runs, until the worker is done:
      // a record still in flight could not be answered. Wait for it first when it is meant to arrive.
      if (o.enabled === true || process.env.DISCORD_NOTIFICATIONS_ENABLED === undefined) await arrived(text)
      const closed = once(stream, 'close')
      stream.end()
      await closed
    }
  }

  it('DISCORD_WEBHOOK_URL is the webhook when none is given; the emulator\'s loopback URL works as printed', async () => {
    const url = emu.webhookUrl()
    expect(url.startsWith('http://127.0.0.1:')).toBe(true)
    await withEnv({ DISCORD_WEBHOOK_URL: url }, async () => {
      for (const [entry, send] of Object.entries(ENTRY_POINTS)) await send({ logLevel: 'silent' }, `via ${entry}`)
      const n = createNotifierFromEnv({ logLevel: 'silent' })
      n.sendDiagnostic({ level: 'error', service: 'svc', message: 'via createNotifierFromEnv' })
      await n.close()
    })
    const cli = await runCli(['--log-level', 'silent'], PINO_LINE('via the CLI'), { DISCORD_WEBHOOK_URL: url })
    expect(cli.code).toBe(0)
    const texts = JSON.stringify(embedsOf(emu.messages))
    for (const entry of [...Object.keys(ENTRY_POINTS), 'createNotifierFromEnv', 'the CLI']) expect(texts).toContain(`via ${entry}`)
  }, 30_000)

  it('an explicit webhookUrl wins over DISCORD_WEBHOOK_URL', async () => {
    const fromEnv = emu.webhookUrl()
    const explicit = emu.webhookUrl()
    const explicitId = new URL(explicit).pathname.split('/')[3]
    await withEnv({ DISCORD_WEBHOOK_URL: fromEnv }, async () => {
      for (const [entry, send] of Object.entries(ENTRY_POINTS)) await send({ webhookUrl: explicit, logLevel: 'silent' }, `explicit ${entry}`)
    })
    const cli = await runCli(['--webhook-url', explicit, '--log-level', 'silent'], PINO_LINE('explicit CLI'), { DISCORD_WEBHOOK_URL: fromEnv })
    expect(cli.code).toBe(0)
    expect(emu.messages.length).toBeGreaterThanOrEqual(1)
    expect(emu.messages.every((m) => m.webhookId === explicitId)).toBe(true)
    expect(embedsOf(emu.messages)).toHaveLength(Object.keys(ENTRY_POINTS).length + 1)
  }, 30_000)

  it('DISCORD_NOTIFICATIONS_ENABLED=false turns every entry point off; an explicit `enabled: true` wins', async () => {
    const url = emu.webhookUrl()
    await withEnv({ DISCORD_WEBHOOK_URL: url, DISCORD_NOTIFICATIONS_ENABLED: 'false' }, async () => {
      for (const send of Object.values(ENTRY_POINTS)) await send({ logLevel: 'silent' }, 'must not arrive')
      // Off needs no URL at all.
      for (const send of Object.values(ENTRY_POINTS)) await withEnv({ DISCORD_NOTIFICATIONS_ENABLED: 'OFF' }, () => send({ logLevel: 'silent' }, 'must not arrive'))
      const n = createNotifierFromEnv({ logLevel: 'silent' })
      expect(n.enabled).toBe(false)
      expect(new DiscordNotifier({}).enabled).toBe(false)
      expect(new ThreadedNotifier({}).enabled).toBe(false)
      expect(new DiscordTransport({}).notifier.enabled).toBe(false)
    })
    const cli = await runCli([], PINO_LINE('must not arrive'), { DISCORD_WEBHOOK_URL: url, DISCORD_NOTIFICATIONS_ENABLED: '0' })
    expect(cli.code).toBe(0)
    expect(cli.stderr).toMatch(/DISCORD_NOTIFICATIONS_ENABLED is off/)
    const cliNoUrl = await runCli(['--echo'], PINO_LINE('echoed'), { DISCORD_NOTIFICATIONS_ENABLED: 'no' })
    expect(cliNoUrl.code).toBe(0)
    expect(cliNoUrl.stdout).toContain('echoed')
    expect(emu.messages).toHaveLength(0)

    await withEnv({ DISCORD_WEBHOOK_URL: url, DISCORD_NOTIFICATIONS_ENABLED: 'false' }, async () => {
      for (const [entry, send] of Object.entries(ENTRY_POINTS)) await send({ enabled: true, logLevel: 'silent' }, `forced on ${entry}`)
    })
    const texts = JSON.stringify(embedsOf(emu.messages))
    for (const entry of Object.keys(ENTRY_POINTS)) expect(texts, entry).toContain(`forced on ${entry}`)
    expect(embedsOf(emu.messages)).toHaveLength(Object.keys(ENTRY_POINTS).length)
  }, 30_000)

  it('an unrecognised DISCORD_NOTIFICATIONS_ENABLED value is an error naming the variable, everywhere', async () => {
    for (const value of ['maybe', 'disabled', 'flase', '2']) {
      await withEnv({ DISCORD_WEBHOOK_URL: GOOD, DISCORD_NOTIFICATIONS_ENABLED: value }, async () => {
        for (const [entry, build] of Object.entries(BUILDERS)) {
          const err = entry === 'createNotifierFromEnv'
            ? caught(() => createNotifierFromEnv({}, { DISCORD_NOTIFICATIONS_ENABLED: value }))
            : caught(() => build({}))
          expect(err, `${entry} ${value}`).toBeInstanceOf(InvalidEnvironmentError)
          expect(err!.message).toMatch(/DISCORD_NOTIFICATIONS_ENABLED: expected true or false/)
        }
        await expect(pinoDiscord({})).rejects.toThrow(/DISCORD_NOTIFICATIONS_ENABLED/)
      })
    }
    const cli = await runCli(['--webhook-url', GOOD], '', { DISCORD_NOTIFICATIONS_ENABLED: 'maybe' })
    expect(cli.code).toBe(2)
    expect(cli.stderr).toMatch(/DISCORD_NOTIFICATIONS_ENABLED: expected true or false/)
  })

  it('the library\'s verbosity follows DISCORD_NOTIFICATIONS_LOG_LEVEL, never the app\'s LOG_LEVEL', async () => {
    const levelOf = (entry: string, o: Record<string, unknown>): unknown => {
      if (entry.startsWith('pino')) return resolvePinoOptions(o, 'worker').notifier.logLevel ?? 'warn'
      const built = BUILDERS[entry]!(o) as { options?: { logLevel: string }, notifier?: { options: { logLevel: string } }, close: () => unknown }
      const level = built.options?.logLevel ?? built.notifier?.options.logLevel
      void built.close()
      return level
    }
    const entries = Object.keys(BUILDERS).filter((e) => e !== 'createNotifierFromEnv')
    await withEnv({ DISCORD_WEBHOOK_URL: GOOD, LOG_LEVEL: 'trace' }, () => {
      for (const entry of entries) expect(levelOf(entry, {}), entry).toBe('warn')
      expect(createNotifierFromEnv({}).options.logLevel).toBe('warn')
    })
    await withEnv({ DISCORD_WEBHOOK_URL: GOOD, LOG_LEVEL: 'silent', DISCORD_NOTIFICATIONS_LOG_LEVEL: 'debug' }, () => {
      for (const entry of entries) expect(levelOf(entry, {}), entry).toBe('debug')
      for (const entry of entries) expect(levelOf(entry, { logLevel: 'error' }), `${entry} explicit`).toBe('error')
      expect(createNotifierFromEnv({}).options.logLevel).toBe('debug')
    })
    await withEnv({ DISCORD_WEBHOOK_URL: GOOD, DISCORD_NOTIFICATIONS_LOG_LEVEL: 'chatty' }, () => {
      for (const entry of entries) expect(caught(() => levelOf(entry, {}))?.message, entry).toMatch(/DISCORD_NOTIFICATIONS_LOG_LEVEL: expected debug, info, warn, error or silent/)
    })
  })

  it('an http URL on a loopback host works without apiOrigin; http anywhere else stays refused', async () => {
    const url = emu.webhookUrl()
    for (const [entry, send] of Object.entries(ENTRY_POINTS)) await send({ webhookUrl: url, logLevel: 'silent' }, `loopback ${entry}`)
    const cli = await runCli(['--webhook-url', url, '--log-level', 'silent'], PINO_LINE('loopback CLI'), {})
    expect(cli.code).toBe(0)
    expect(embedsOf(emu.messages)).toHaveLength(Object.keys(ENTRY_POINTS).length + 1)
    const remote = `http://10.1.2.3:${emu.port}/api/webhooks/${ID}/${TOKEN}`
    await withEnv({}, () => {
      for (const [entry, build] of Object.entries(BUILDERS)) expect(caught(() => build({ webhookUrl: remote }))?.message, entry).toMatch(/scheme is http; Discord webhooks use https/)
    })
  }, 30_000)

  it('a real worker accepts what pino and thread-stream add to its options (levels, $context, …)', async () => {
    const stream = pino.transport({ target: transportTarget(), options: { webhookUrl: emu.webhookUrl(), logLevel: 'silent' }, levels: { notice: 35 }, dedupe: false } as never)
    const logger = pino({ customLevels: { notice: 35 } }, stream)
    logger.error('through a bare target with custom levels')
    await arrived('through a bare target with custom levels')
    const closed = once(stream, 'close')
    stream.end()
    await closed
    expect(JSON.stringify(embedsOf(emu.messages))).toContain('through a bare target with custom levels')
  })
})

describe('configuration: unknown option keys are refused with the closest known name', () => {
  /** [options, the unknown key, the suggestion] */
  const TYPOS: Array<[Record<string, unknown>, string, string | undefined]> = [
    [{ retryDelay: [100] }, 'retryDelay', 'retryDelays'],
    [{ webhookURL: GOOD }, 'webhookURL', 'webhookUrl'],
    [{ minSeverty: 'error' }, 'minSeverty', 'minSeverity'],
    [{ timeout: 100 }, 'timeout', 'timeoutMs'],
    [{ queueCapcity: 10 }, 'queueCapcity', 'queueCapacity'],
    [{ render: { titleTemplat: '{message}' } }, 'render.titleTemplat', 'render.titleTemplate'],
    [{ rateLimits: { globalPerSec: 10 } }, 'rateLimits.globalPerSec', 'rateLimits.globalPerSecond'],
    [{ dedup: { window: 1000 } }, 'dedup.window', 'dedup.windowMs'],
    [{ mentions: { role: ['123456789012345678'] } }, 'mentions.role', 'mentions.roles'],
    [{ zzzzzz: 1 }, 'zzzzzz', undefined]
  ]

  for (const [entry, build] of Object.entries(BUILDERS)) {
    it(`${entry}`, async () => {
      await withEnv({}, () => {
        for (const [typo, key, suggestion] of TYPOS) {
          const err = caught(() => build({ webhookUrl: GOOD, ...typo }))
          expect(err, key).toBeInstanceOf(UnknownOptionError)
          expect((err as UnknownOptionError).option).toBe(key)
          expect((err as UnknownOptionError).suggestion).toBe(suggestion)
          expect(err!.message).toContain(suggestion === undefined ? `Unknown option \`${key}\`. Known options:` : `Unknown option \`${key}\`: did you mean \`${suggestion}\`?`)
        }
      })
    })
  }

  it('pino factory (in-process) rejects them too', async () => {
    await expect(pinoDiscord({ webhookUrl: GOOD, retryDelay: [1] } as never)).rejects.toThrow(/did you mean `retryDelays`/)
  })

  it('each adapter suggests its own keys, and accepts the keys its logger adds', async () => {
    expect(() => new DiscordTransport({ webhookUrl: GOOD, levelmap: {} } as never)).toThrow(/did you mean `levelMap`/)
    expect(() => new DiscordTransport({ webhookUrl: GOOD, handleException: true } as never)).toThrow(/did you mean `handleExceptions`/)
    expect(() => new ThreadedNotifier({ webhookUrl: GOOD, exitTimeout: 10 } as never)).toThrow(/did you mean `exitTimeoutMs`/)
    expect(() => discordTransport({ webhookUrl: GOOD, closeTimeout: 10 } as never)).toThrow(/did you mean `closeTimeoutMs`/)
    expect(() => discordTarget({ webhookUrl: GOOD, formater: './f.js' } as never)).toThrow(/did you mean `formatter`/)
    // Winston's own transport options, and the keys pino and thread-stream add to a worker's options.
    const t = new DiscordTransport({ webhookUrl: GOOD, level: 'warn', format: winston.format.json(), silent: false, handleExceptions: false, handleRejections: false, name: 'alerts', highWaterMark: 32, logLevel: 'silent' })
    expect((t as unknown as { name: string }).name).toBe('alerts')
    await t.close()
    expect(() => resolvePinoOptions({ webhookUrl: GOOD, levels: { notice: 35 }, dedupe: false, pinoWillSendConfig: true, $context: { threadStreamVersion: '4' } } as never, 'worker')).not.toThrow()
  })

  it('createNotifierFromEnv refuses a misspelt key too', () => {
    expect(() => createNotifierFromEnv({ retryDelay: [1] } as never, { DISCORD_WEBHOOK_URL: GOOD })).toThrow(/did you mean `retryDelays`/)
  })
})

describe('levels: unknown ones are neither refused nor silently downgraded', () => {
  let emu: Emulator
  beforeEach(async () => { emu = await startEmulator() })
  afterEach(async () => { await emu.close() })

  for (const [entry, make] of Object.entries({
    DiscordNotifier: (o: Record<string, unknown>) => new DiscordNotifier(o),
    ThreadedNotifier: (o: Record<string, unknown>) => new ThreadedNotifier(o)
  })) {
    it(`${entry}: sendDiagnostic, sendPlaintext and sendEmbed send an unknown level as 'error', report once and count`, async () => {
      const lines: string[] = []
      const n = make({ webhookUrl: emu.webhookUrl(), minSeverity: 'warning', log: (l: string) => lines.push(l), dedup: { enabled: false } })
      expect(n.sendDiagnostic({ level: 'urgent' as never, service: 'db', message: 'disk almost full' })).toBe(true)
      expect(n.sendDiagnostic({ level: undefined as never, service: 'db', message: 'no level at all' })).toBe(true)
      expect(n.sendPlaintext('plain', 'loud' as never)).toBe(true)
      expect(n.sendEmbed({ title: 'an embed', severity: 'severe' as never })).toBe(true)
      // Known logger names are not unknown: they map as documented.
      expect(n.sendDiagnostic({ level: 'WARN' as never, service: 'db', message: 'known alias' })).toBe(true)
      expect(n.sendDiagnostic({ level: 'crit' as never, service: 'db', message: 'syslog name' })).toBe(true)
      await n.close()
      expect(n.stats().unknownLevels).toBe(4)
      const warnings = lines.filter((l) => l.includes('unknown'))
      expect(warnings).toHaveLength(1)
      expect(warnings[0]).toMatch(/sendDiagnostic\(\) received an unknown level "urgent" and sent it as 'error'/)
      const embeds = embedsOf(emu.messages)
      const colorOf = (text: string): number | undefined => embeds.find((e) => JSON.stringify(e).includes(text))?.color
      expect(colorOf('disk almost full')).toBe(SEVERITY_STYLES.error.color)
      expect(colorOf('no level at all')).toBe(SEVERITY_STYLES.error.color)
      expect(colorOf('an embed')).toBe(SEVERITY_STYLES.error.color)
      expect(colorOf('known alias')).toBe(SEVERITY_STYLES.warning.color)
      expect(colorOf('syslog name')).toBe(SEVERITY_STYLES.critical.color)
      expect(JSON.stringify(emu.messages.map((m) => m.payload))).toContain('plain')
    })
  }

  it('discordTarget validates its level like the other options', () => {
    expect(() => discordTarget({ webhookUrl: GOOD }, { level: 'warning' })).toThrow(/Invalid option `level`.*pino's levels.*Did you mean 'warn'\?/s)
    expect(() => discordTarget({ webhookUrl: GOOD }, { level: 'WARN' })).toThrow(/Did you mean 'warn'\?/)
    expect(() => discordTarget({ webhookUrl: GOOD }, { level: 'loud' })).toThrow(/`level`.*custom level, pass its number/s)
    expect(() => discordTarget({ webhookUrl: GOOD }, { levle: 'warn' } as never)).toThrow(/Unknown option `levle`: did you mean `level`\?/)
    expect(discordTarget({ webhookUrl: GOOD }, { level: 'warn' }).level).toBe('warn')
    expect(discordTarget({ webhookUrl: GOOD }, { level: 35 as never }).level).toBe(35)
  })
})
