/**
 * Replayed reports, round 2 (issue 19): what users of Discord webhooks, Winston, Pino and undici met, each
 * replayed on the built packages, in child processes that end by themselves, against the emulator.
 */
import { mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs'
import { createServer, type IncomingMessage } from 'node:http'
import { createRequire } from 'node:module'
import { connect, type AddressInfo, type Socket } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { DiscordNotifier } from '../packages/core/dist/index.js'
import { resolvePinoOptions } from '../packages/pino-discord/dist/index.js'
import { createEmulator, type Emulator } from '@logcord/discord-emulator'
import { embedsOf, emulatorOptions, runNode, startEmulator, tokenOf } from './crash-helpers.js'

const { MockAgent } = createRequire(new URL('../packages/core/package.json', import.meta.url))('undici') as typeof import('../packages/core/node_modules/undici/index.js')
const CLI = fileURLToPath(new URL('../packages/pino-discord/dist/cli.js', import.meta.url))

/** An ESM script body run with `node --input-type=module -e`; OPTIONS carries the notifier options as JSON. */
function script (body: string): string[] {
  return ['--input-type=module', '-e', `
import { DiscordNotifier } from '@logcord/core'
const options = JSON.parse(process.env.OPTIONS)
${body}`]
}

describe('a 429 without rate-limit headers', () => {
  let emu: Emulator
  // Discord's real clock: the ban's Retry-After is 3 real seconds.
  beforeEach(async () => { emu = await createEmulator({ timeScale: 1 }) })
  afterEach(async () => { await emu.close() })

  it('waits the Retry-After it gives (3 s), not the 60 s cool-down kept for a ban page without one', async () => {
    emu.setFaults({ outage: { forMs: 3000, mode: 'cloudflare' } })
    const started = Date.now()
    const result = await runNode(script(`
const notifier = new DiscordNotifier(options)
notifier.sendErrorNotification({ service: 'billing', error: new Error('card declined') })`), { env: { OPTIONS: JSON.stringify({ webhookUrl: emu.webhookUrl(), apiOrigin: emu.origin }) } })
    const tookMs = Date.now() - started
    expect(result.code).toBe(0)
    expect(embedsOf(emu.messages).map((e) => e.title)).toEqual(['🔴 billing: card declined'])
    // Before: the first answer held every webhook for 60 s, past the exit's flush deadline, and the alert was dropped.
    expect(tookMs).toBeLessThan(20_000)
    expect(emu.stats().byStatus[429]).toBe(1)
  }, 60_000)
})

describe('half an emoji (a lone surrogate, as `.slice()` leaves it)', () => {
  let emu: Emulator
  beforeEach(async () => { emu = await startEmulator() })
  afterEach(async () => { await emu.close() })

  /** Each entry point logs one error whose text was cut through an emoji; the script ends by itself. */
  const CUT = "const CUT = 'disk full ' + '\u{1F600}'.slice(0, 1)\n"
  const ENTRY_POINTS: Array<[string, string]> = [
    ['notifier', "import { DiscordNotifier } from '@logcord/core'\n" + CUT + "new DiscordNotifier(OPTIONS).sendErrorNotification({ service: 'disk', error: new Error(CUT) })"],
    ['ThreadedNotifier', "import { ThreadedNotifier } from '@logcord/core'\n" + CUT + "new ThreadedNotifier(OPTIONS).sendErrorNotification({ service: 'disk', error: new Error(CUT) })"],
    ['Winston', "import winston from 'winston'\nimport { DiscordTransport } from '@logcord/winston-discord'\n" + CUT + 'winston.createLogger({ transports: [new DiscordTransport(OPTIONS)] }).error(CUT)'],
    ['Winston thread: true', "import winston from 'winston'\nimport { DiscordTransport } from '@logcord/winston-discord'\n" + CUT + 'winston.createLogger({ transports: [new DiscordTransport({ ...OPTIONS, thread: true })] }).error(CUT)'],
    ['Pino worker', "import pino from 'pino'\nimport { discordTransport } from '@logcord/pino-discord'\n" + CUT + 'pino(discordTransport(OPTIONS)).error(new Error(CUT))']
  ]

  it.each(ENTRY_POINTS)('%s: delivered with U+FFFD in its place, not refused', async (_name, body) => {
    const result = await runNode(['--input-type=module', '-e', `const OPTIONS = JSON.parse(process.env.OPTIONS)\n${body}`], { env: { OPTIONS: JSON.stringify(emulatorOptions(emu)) } })
    expect(result.stderr).toBe('')
    expect(result.code).toBe(0)
    // Before: 400 Invalid Form Body (STRING_TYPE_INVALID_UNICODE) and the alert was dropped.
    expect(emu.stats().byStatus[400] ?? 0).toBe(0)
    expect(embedsOf(emu.messages).map((e) => e.title)).toEqual([expect.stringContaining('disk full \uFFFD')])
  })

  it('CLI: a line whose JSON escapes a lone surrogate is delivered the same way', async () => {
    const line = '{"level":50,"time":1,"pid":1,"hostname":"h","msg":"disk full \\ud83d"}\n'
    const result = await runNode([CLI, '--webhook-url', emu.webhookUrl()], { stdin: line })
    expect(result.code).toBe(0)
    expect(emu.stats().byStatus[400] ?? 0).toBe(0)
    expect(embedsOf(emu.messages).map((e) => e.title)).toEqual([expect.stringContaining('disk full \uFFFD')])
  })
})

describe('a 400 that names one embed of a packed message', () => {
  it('costs that record only: the other nine are sent again without it', async () => {
    const agent = new MockAgent()
    agent.disableNetConnect()
    const pool = agent.get('https://discord.com')
    const bodies: Array<{ embeds?: Array<{ title?: string }> }> = []
    let calls = 0
    pool.intercept({ path: /\/webhooks\//, method: 'POST' }).reply((req) => {
      const body = JSON.parse(String(req.body)) as { embeds?: Array<{ title?: string }> }
      bodies.push(body)
      // The first two answers refuse the fourth embed, whatever the rendering; after that, everything is taken.
      const json = { headers: { 'content-type': 'application/json' } }
      if (++calls <= 2) return { statusCode: 400, data: JSON.stringify({ code: 50035, message: 'Invalid Form Body', errors: { embeds: { 3: { url: { _errors: [{ code: 'URL_TYPE_INVALID_URL', message: 'Not a well formed URL.' }] } } } } }), responseOptions: json }
      return { statusCode: 200, data: JSON.stringify({ id: '1', channel_id: '2' }), responseOptions: json }
    }).persist()
    const notifier = new DiscordNotifier({ webhookUrl: `https://discord.com/api/webhooks/123456789012345678/${'t'.repeat(68)}`, dispatcher: agent, logLevel: 'silent', dedup: { enabled: false } })
    for (let i = 0; i < 10; i++) notifier.sendDiagnostic({ level: 'error', service: 'jobs', message: `job ${'abcdefghij'[i]} failed` })
    await notifier.close()
    await agent.close()
    // Before: the batch was dropped whole after its stricter resend: 0 sent, 10 rejected.
    expect(notifier.stats()).toMatchObject({ sent: 9, dropped: 1 })
    const last = bodies.at(-1)!.embeds!.map((e) => e.title)
    expect(last).toHaveLength(9)
    expect(last.some((t) => t?.includes('job d failed'))).toBe(false)
  })
})

describe('a new user\'s first hour: options that were taken and then did nothing', () => {
  const URL_OK = `https://discord.com/api/webhooks/123456789012345678/${'t'.repeat(68)}`

  it('minSeverity and mentions.minSeverity take a logger\'s names (warn, fatal, err), as sendDiagnostic does', () => {
    // Before: `minSeverity: 'warn'` was refused with "expected one of debug, info, warning, error, critical".
    const n = new DiscordNotifier({ webhookUrl: URL_OK, minSeverity: 'warn', mentions: { roles: ['123456789012345678'], minSeverity: 'FATAL' } })
    expect(n.options.minSeverity).toBe('warning')
    expect(n.options.mentions.minSeverity).toBe('critical')
    expect(resolvePinoOptions({ webhookUrl: URL_OK, minSeverity: 'err' }, 'worker').notifier.minSeverity).toBe('err')
    expect(() => new DiscordNotifier({ webhookUrl: URL_OK, minSeverity: 'warnign' })).toThrow(/Invalid option `minSeverity`: expected one of debug, info, warning, error, critical \(or a logger's name for one/)
  })

  it('render.titleTemplate with a placeholder it does not know is refused, naming the known ones', () => {
    // Before: '{emoji} {msg}' was taken, and every title lost its message.
    expect(() => new DiscordNotifier({ webhookUrl: URL_OK, render: { titleTemplate: '{emoji} {msg}' } })).toThrow(/Invalid option `render.titleTemplate`: expected a template whose placeholders are \{emoji\}, \{label\}, \{level\}, \{service\}, \{message\}.*\{msg\} is not one of them/)
    expect(new DiscordNotifier({ webhookUrl: URL_OK, render: { titleTemplate: '[{label}] {service}: {message}' } }).options.render.titleTemplate).toBe('[{label}] {service}: {message}')
  })

  it('Winston: a transport level the logger does not have is said once on stderr, with the logger\'s levels', async () => {
    const emu = await startEmulator()
    try {
      const body = "import winston from 'winston'\nimport { DiscordTransport } from '@logcord/winston-discord'\n" +
        "const logger = winston.createLogger({ transports: [new DiscordTransport({ ...JSON.parse(process.env.OPTIONS), level: 'warning' })] })\n" +
        "logger.error('one'); logger.error('two')"
      const result = await runNode(['--input-type=module', '-e', body], { env: { OPTIONS: JSON.stringify(emulatorOptions(emu)) } })
      expect(result.code).toBe(0)
      // Before: nothing delivered and nothing said.
      expect(result.stderr.match(/Invalid option `level`/g)).toHaveLength(1)
      expect(result.stderr).toContain("expected one of this logger's levels (error, warn, info, http, verbose, debug, silly), received \"warning\"")
      expect(result.stderr).toContain("Did you mean 'warn'?")
    } finally {
      await emu.close()
    }
  })
})

describe('logcord, the command', () => {
  const LOGCORD = fileURLToPath(new URL('../packages/core/dist/cli.js', import.meta.url))
  let emu: Emulator
  beforeEach(async () => { emu = await startEmulator() })
  afterEach(async () => { await emu.close() })

  it('`test` with DISCORD_NOTIFICATIONS_ENABLED=false names the variable instead of printing nine "not queued"', async () => {
    const result = await runNode([LOGCORD, 'test'], { env: { DISCORD_WEBHOOK_URL: emu.webhookUrl(), DISCORD_NOTIFICATIONS_ENABLED: 'false' } })
    expect(result.code).toBe(2)
    expect(result.stdout).not.toContain('not queued')
    expect(result.stderr).toContain('DISCORD_NOTIFICATIONS_ENABLED=false turns notifications off, so test would send nothing')
    expect(emu.messages).toHaveLength(0)
  })

  it('a mistyped command is named as one, whatever the webhook', async () => {
    const result = await runNode([LOGCORD, 'tset'], { env: { DISCORD_WEBHOOK_URL: '' } })
    expect(result.code).toBe(2)
    // Before: "no webhook: pass --webhook-url or set DISCORD_WEBHOOK_URL".
    expect(result.stderr).toMatch(/^logcord: unknown command tset: expected test or replay; did you mean test\?/)
  })

  it('a 5xx is said once: "Discord answered 503 Service Unavailable", not "503 503: Service Unavailable"', async () => {
    // Discord's JSON 5xx body says its status again: { message: '503: Service Unavailable', code: 0 }.
    emu.setFaults({ outage: { forMs: 3000, mode: 'unavailable' } })
    const result = await runNode([LOGCORD, 'test', '--webhook-url', emu.webhookUrl()], {})
    expect(result.stdout).toContain('retry 1 after Discord answered 503 Service Unavailable (code 0)')
    expect(result.stdout).not.toContain('503 503')
  })
})

describe('terminal colour codes from a colourising log format', () => {
  let emu: Emulator
  beforeEach(async () => { emu = await startEmulator() })
  afterEach(async () => { await emu.close() })

  const RED = "const RED = (s) => '\\u001b[31m' + s + '\\u001b[39m'\n"
  const SOURCES: Array<[string, string]> = [
    ['notifier', "import { DiscordNotifier } from '@logcord/core'\n" + RED + "new DiscordNotifier(OPTIONS).sendDiagnostic({ level: 'error', service: 'disk', message: RED('disk full') + ' on /dev/sda', details: { mount: RED('/var') } })"],
    ['Winston colorize({ all: true })', "import winston from 'winston'\nimport { DiscordTransport } from '@logcord/winston-discord'\n" + RED +
      "winston.createLogger({ format: winston.format.combine(winston.format.colorize({ all: true }), winston.format.simple()), transports: [new DiscordTransport(OPTIONS)] }).error('disk full on /dev/sda', { mount: RED('/var') })"],
    ['Winston thread: true', "import winston from 'winston'\nimport { DiscordTransport } from '@logcord/winston-discord'\n" + RED +
      "winston.createLogger({ format: winston.format.colorize({ all: true }), transports: [new DiscordTransport({ ...OPTIONS, thread: true })] }).error('disk full on /dev/sda', { mount: RED('/var') })"],
    ['Pino worker', "import pino from 'pino'\nimport { discordTransport } from '@logcord/pino-discord'\n" + RED + "pino(discordTransport(OPTIONS)).error({ mount: RED('/var'), err: new Error(RED('disk full') + ' on /dev/sda') }, RED('disk full') + ' on /dev/sda')"]
  ]

  it.each(SOURCES)('%s: none reach Discord', async (_name, body) => {
    const result = await runNode(['--input-type=module', '-e', `const OPTIONS = JSON.parse(process.env.OPTIONS)\n${body}`], { env: { OPTIONS: JSON.stringify(emulatorOptions(emu, { dedup: { enabled: false } })) } })
    expect(result.code).toBe(0)
    expect(embedsOf(emu.messages)).toHaveLength(1)
    const sent = JSON.stringify(emu.messages.map((m) => m.payload))
    // Before: "\u001b[31mdisk full\u001b[39m" in the title, the description and the field.
    expect(sent).not.toContain('\\u001b')
    expect(sent).toContain('disk full on /dev/sda')
    expect(sent).toContain('/var')
  })

  it('CLI: a piped line with colour codes arrives without them', async () => {
    const line = JSON.stringify({ level: 50, time: 1, pid: 1, hostname: 'h', msg: '\u001b[31mdisk full\u001b[39m on /dev/sda' }) + '\n'
    const result = await runNode([CLI, '--webhook-url', emu.webhookUrl()], { stdin: line })
    expect(result.code).toBe(0)
    expect(JSON.stringify(emu.messages.map((m) => m.payload))).not.toContain('\\u001b')
    expect(embedsOf(emu.messages)[0]!.title).toContain('disk full on /dev/sda')
  })
})

describe('embeds that share a url', () => {
  let emu: Emulator
  beforeEach(async () => { emu = await startEmulator() })
  afterEach(async () => { await emu.close() })

  it.each(['DiscordNotifier', 'ThreadedNotifier'])('%s: twelve packed into messages each show, every url distinct within its message', async (cls) => {
    const body = `import { ${cls} } from '@logcord/core'\nconst n = new ${cls}(JSON.parse(process.env.OPTIONS))\n` +
      "for (let i = 0; i < 12; i++) n.sendEmbed({ title: 'status ' + i, description: 'degraded', url: 'https://status.example.com/x' })"
    const result = await runNode(['--input-type=module', '-e', body], { env: { OPTIONS: JSON.stringify(emulatorOptions(emu, { dedup: { enabled: false } })) } })
    expect(result.code).toBe(0)
    expect(embedsOf(emu.messages)).toHaveLength(12)
    for (const m of emu.messages) {
      const urls = (m.payload.embeds as Array<{ url?: string }>).map((e) => e.url)
      // Before: ten embeds with one url in a message, of which Discord shows the first.
      expect(new Set(urls).size).toBe(urls.length)
      for (const url of urls) expect(url).toMatch(/^https:\/\/status\.example\.com\/x(#\d+)?$/)
    }
    expect(emu.messages.some((m) => (m.payload.embeds as unknown[]).length > 1)).toBe(true)
  })
})

describe('plain text', () => {
  let emu: Emulator
  beforeEach(async () => { emu = await startEmulator() })
  afterEach(async () => { await emu.close() })

  it.each(['DiscordNotifier', 'ThreadedNotifier'])('%s: 45 lines logged 200 ms apart (Discord time) join into a few messages, a line each, in order', async (cls) => {
    // The emulator's clock runs 50× fast: 200 ms of Discord's time is 4 ms here.
    const body = `import { ${cls} } from '@logcord/core'\nconst n = new ${cls}(JSON.parse(process.env.OPTIONS))\n` +
      "let i = 0\nconst t = setInterval(() => { n.sendPlaintext('line ' + i); if (++i === 45) clearInterval(t) }, 4)"
    const result = await runNode(['--input-type=module', '-e', body], { env: { OPTIONS: JSON.stringify(emulatorOptions(emu, { dedup: { enabled: false } })) } })
    expect(result.code).toBe(0)
    const lines = emu.messages.flatMap((m) => String(m.payload.content ?? '').split('\n'))
    expect(lines).toEqual(Array.from({ length: 45 }, (_, i) => `line ${i}`))
    // Before: 45 messages of one line each; at Discord's rate the channel limit then held the last 15 past close().
    expect(emu.messages.length).toBeLessThan(30)
  })
})

describe('a deadLetterFile that cannot be written', () => {
  let emu: Emulator
  let bad: string
  beforeEach(async () => {
    emu = await startEmulator()
    // Its parent is a file: nothing can ever be written there (root included).
    const dir = mkdtempSync(join(tmpdir(), 'logcord-dl-'))
    writeFileSync(join(dir, 'not-a-dir'), '')
    bad = join(dir, 'not-a-dir', 'dead.jsonl')
  })
  afterEach(async () => { await emu.close() })

  it.each(['DiscordNotifier', 'ThreadedNotifier', 'Winston DiscordTransport', 'Winston thread: true'])('%s: refused when built, with the option error naming deadLetterFile', async (entry) => {
    const body = entry.startsWith('Winston')
      ? `import { DiscordTransport } from '@logcord/winston-discord'\ntry { new DiscordTransport({ ...OPTIONS${entry.includes('thread') ? ', thread: true' : ''} }) } catch (e) { console.log(e.name + ': ' + e.message) }`
      : `import { ${entry} } from '@logcord/core'\ntry { new ${entry}(OPTIONS) } catch (e) { console.log(e.name + ': ' + e.message) }`
    const options = { ...emulatorOptions(emu), deadLetterFile: bad }
    const result = await runNode(['--input-type=module', '-e', `const OPTIONS = JSON.parse(process.env.OPTIONS)\n${body}`], { env: { OPTIONS: JSON.stringify(options) } })
    expect(result.code).toBe(0)
    // Before: a raw ENOTDIR or EEXIST at the first dead letter, naming no option.
    expect(result.stdout).toMatch(/^InvalidOptionError: Invalid option `deadLetterFile`: expected a path where a file can be written, .*It cannot be: .*not-a-dir is a file, not a directory/)
    expect(result.stdout).not.toContain(tokenOf(emu.webhookUrl()))
  })

  it('Pino worker: said once on stderr, and delivery to Discord goes on', async () => {
    const body = "import pino from 'pino'\nimport { discordTransport } from '@logcord/pino-discord'\nconst logger = pino(discordTransport(JSON.parse(process.env.OPTIONS)))\nlogger.error(new Error('still alerted'))"
    const result = await runNode(['--input-type=module', '-e', body], { env: { OPTIONS: JSON.stringify({ ...emulatorOptions(emu), deadLetterFile: bad }) } })
    expect(result.code).toBe(0)
    expect(result.stderr.match(/deadLetterFile .* cannot be written/g)).toHaveLength(1)
    expect(embedsOf(emu.messages).map((e) => e.title)).toEqual([expect.stringContaining('still alerted')])
  })
})

describe('a flaky Discord (30 % of requests answered 5xx after 150 ms)', () => {
  it.each([1, 2, 3])('seed %i: a script\'s burst of 200 is delivered whole within 90 s of Discord time, and it ends by itself', async (seed) => {
    // Discord's clock and every wait of the client scaled by 0.1 together: 90 s of Discord time is 9 s here, and the
    // script's drain at its end (flushTimeoutMs) is given exactly that, so what misses it is dropped and said.
    const emu = await createEmulator({ timeScale: 0.1, seed })
    emu.setFaults({ errorRate: 0.3, latencyMs: 15 })
    try {
      const options = {
        webhookUrl: emu.webhookUrl(),
        dedup: { enabled: false },
        flushTimeoutMs: 9000,
        retryDelays: [200, 300, 500],
        outage: { afterMs: 3000, probeMinMs: 500, probeMaxMs: 3000 },
        rateLimits: { fallbackWindowMs: 200, channelWindowMs: 6000, offsetMs: 40 }
      }
      const body = "import { DiscordNotifier } from '@logcord/core'\nconst n = new DiscordNotifier(JSON.parse(process.env.OPTIONS))\n" +
        "for (let i = 0; i < 200; i++) n.sendDiagnostic({ level: 'error', service: 'jobs', message: 'job ' + i + ' failed' })"
      const result = await runNode(['--input-type=module', '-e', body], { env: { OPTIONS: JSON.stringify(options) } })
      expect(result.stderr.split('\n').filter((l) => /not delivered|dropped/.test(l))).toEqual([])
      expect(result.code).toBe(0)
      expect(new Set(embedsOf(emu.messages).map((e) => e.description)).size).toBe(200)
    } finally {
      await emu.close()
    }
  }, 30_000)
})

describe('requests that are taken and never answered, at shutdown', () => {
  let emu: Emulator
  // Discord's real clock: the default 10 s close deadline against one 10 s request timeout.
  beforeEach(async () => { emu = await createEmulator({ timeScale: 1, seed: 1 }) })
  afterEach(async () => { await emu.close() })

  it('Winston, storm control off: 100 distinct errors then logger.end(), 5 % of requests hung: 100 of 100 arrive', async () => {
    emu.setFaults({ hangRate: 0.05 })
    const body = "import winston from 'winston'\nimport { DiscordTransport } from '@logcord/winston-discord'\n" +
      'const logger = winston.createLogger({ transports: [new DiscordTransport(JSON.parse(process.env.OPTIONS))] })\n' +
      "for (let i = 0; i < 100; i++) logger.error('job ' + i + ' failed')\nlogger.end()"
    const result = await runNode(['--input-type=module', '-e', body], { env: { OPTIONS: JSON.stringify({ webhookUrl: emu.webhookUrl(), dedup: { enabled: false } }) } })
    expect(result.code).toBe(0)
    // Before: one hung request waited out its 10 s timeout, and the close deadline dropped 90 of 100.
    expect(result.stderr).toBe('')
    expect(new Set(embedsOf(emu.messages).map((e) => e.title)).size).toBe(100)
  }, 60_000)

  it('Pino worker, storm control on: the incident\'s last edit at exit gets through a hung request', async () => {
    const body = "import pino from 'pino'\nimport { discordTransport } from '@logcord/pino-discord'\n" +
      "const logger = pino(discordTransport(JSON.parse(process.env.OPTIONS)))\nfor (let i = 0; i < 100; i++) logger.error(new Error('disk full'))"
    const child = runNode(['--input-type=module', '-e', body], { env: { OPTIONS: JSON.stringify({ webhookUrl: emu.webhookUrl() }) } })
    // Once the first alert is in, Discord takes requests and answers none for 3 s: the summary's first try hangs.
    await emu.waitFor((messages) => messages.length >= 1, 20_000)
    emu.setFaults({ outage: { forMs: 3000, mode: 'hang' } })
    const result = await child
    expect(result.code).toBe(0)
    expect(result.stderr).toBe('')
    const [embed] = embedsOf(emu.messages)
    expect(embed?.title).toContain('disk full')
    // Before: the hung request took the worker's whole close deadline, and the count was lost.
    expect(embed?.footer?.text).toMatch(/^×100 · first /)
  }, 60_000)
})

describe('logger.end() after a burst, at Discord\'s real limits', () => {
  let emu: Emulator
  beforeEach(async () => { emu = await createEmulator({ timeScale: 1 }) })
  afterEach(async () => { await emu.close() })

  it('Winston at level warn: one warn, one error and 200 errors (21 requests) all arrive within the default close deadline, 0 429s', async () => {
    const body = "import winston from 'winston'\nimport { DiscordTransport } from '@logcord/winston-discord'\n" +
      "const logger = winston.createLogger({ transports: [new DiscordTransport({ ...JSON.parse(process.env.OPTIONS), level: 'warn' })] })\n" +
      "logger.warn('disk almost full'); logger.error('payment failed')\nfor (let i = 0; i < 200; i++) logger.error('job ' + i + ' failed')\nlogger.end()"
    const result = await runNode(['--input-type=module', '-e', body], { env: { OPTIONS: JSON.stringify({ webhookUrl: emu.webhookUrl(), dedup: { enabled: false } }) } })
    expect(result.code).toBe(0)
    // Before: 250 ms added to every reset put the 21st request past the deadline's margin; the warn and one error were dropped.
    expect(result.stderr).toBe('')
    const titles = embedsOf(emu.messages).map((e) => e.title)
    expect(titles).toHaveLength(202)
    expect(titles.some((t) => t?.includes('disk almost full'))).toBe(true)
    expect(emu.stats().byStatus[429] ?? 0).toBe(0)
  }, 60_000)
})

describe('what a close deadline cannot deliver goes to the default dead-letter file', () => {
  let emu: Emulator
  beforeEach(async () => { emu = await createEmulator({ timeScale: 1 }) })
  afterEach(async () => { await emu.close() })

  const scripts = {
    'Winston, logger.end()': "import winston from 'winston'\nimport { DiscordTransport } from '@logcord/winston-discord'\n" +
      'const logger = winston.createLogger({ transports: [new DiscordTransport({ ...JSON.parse(process.env.OPTIONS), flushTimeoutMs: 2000 })] })\n' +
      "for (let i = 0; i < 600; i++) logger.error('job ' + i + ' failed')\nlogger.end()",
    'Pino worker, the script ends': "import pino from 'pino'\nimport { discordTransport } from '@logcord/pino-discord'\n" +
      'const logger = pino(discordTransport({ ...JSON.parse(process.env.OPTIONS), closeTimeoutMs: 2000 }))\n' +
      "for (let i = 0; i < 600; i++) logger.error('job ' + i + ' failed')"
  }

  it.each(Object.keys(scripts))('%s: 600 errors are each sent or in $TMPDIR/logcord/dead-letters.ndjson (mode 0600), and stderr names it', async (name) => {
    const tmp = mkdtempSync(join(tmpdir(), 'logcord-default-dead-'))
    const result = await runNode(['--input-type=module', '-e', scripts[name as keyof typeof scripts]], { env: { TMPDIR: tmp, OPTIONS: JSON.stringify({ webhookUrl: emu.webhookUrl(), dedup: { enabled: false } }) } })
    expect(result.code).toBe(0)
    const file = join(tmp, 'logcord', 'dead-letters.ndjson')
    // Before: "… dropped (set deadLetterFile to keep them)", and the records were gone.
    expect(result.stderr).toContain(`written to the dead-letter file ${file}`)
    const letters = readFileSync(file, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { reason: string, record: { message?: string, title?: string } })
    expect(statSync(file).mode & 0o777).toBe(0o600)
    expect(new Set(letters.map((l) => l.reason))).toEqual(new Set(['shutdown']))
    const sent = embedsOf(emu.messages).length
    expect(sent).toBeGreaterThan(0)
    expect(sent + letters.length).toBe(600)
  }, 60_000)
})

describe('worker threads under process-wide node flags', () => {
  it('node --expose-gc: a ThreadedNotifier delivers and the dead-letter writer starts (Node refuses that flag in workers)', async () => {
    const emu = await createEmulator()
    const tmp = mkdtempSync(join(tmpdir(), 'logcord-flags-'))
    const body = "import { DiscordNotifier, ThreadedNotifier } from '@logcord/core'\nconst o = JSON.parse(process.env.OPTIONS)\n" +
      "const t = new ThreadedNotifier(o)\nt.sendDiagnostic({ level: 'error', service: 's', message: 'threaded' })\nawait t.close()\n" +
      "const n = new DiscordNotifier({ ...o, queueCapacity: 1 })\nfor (const w of ['alpha', 'bravo', 'charlie']) n.sendDiagnostic({ level: 'error', service: 's', message: w })\nawait n.close()"
    try {
      const result = await runNode(['--expose-gc', '--input-type=module', '-e', body], { env: { TMPDIR: tmp, OPTIONS: JSON.stringify({ webhookUrl: emu.webhookUrl(), logLevel: 'silent' }) } })
      // Before: ERR_WORKER_INVALID_EXEC_ARGV thrown out of a timer, and the process died.
      expect(result.stderr).toBe('')
      expect(result.code).toBe(0)
      expect(embedsOf(emu.messages).map((e) => e.title)).toContainEqual(expect.stringContaining('Error · s'))
      expect(readFileSync(join(tmp, 'logcord', 'dead-letters.ndjson'), 'utf8').trim().split('\n').length).toBeGreaterThanOrEqual(1)
    } finally {
      await emu.close()
    }
  })
})

describe('pino options that move what it writes', () => {
  let emu: Emulator
  beforeEach(async () => { emu = await startEmulator() })
  afterEach(async () => { await emu.close() })

  it('worker: nestedKey, messageKey and errorKey together keep the error\'s message and stack, and the keys as fields', async () => {
    const body = "import pino from 'pino'\nimport { discordTransport } from '@logcord/pino-discord'\n" +
      "const logger = pino({ nestedKey: 'payload', messageKey: 'message', errorKey: 'error' }, discordTransport({ ...JSON.parse(process.env.OPTIONS), pinoConfig: { nestedKey: 'payload' } }))\n" +
      "logger.error({ error: new Error('card declined'), orderId: 'ord_7' }, 'payment failed')"
    const result = await runNode(['--input-type=module', '-e', body], { env: { OPTIONS: JSON.stringify(emulatorOptions(emu)) } })
    expect(result.code).toBe(0)
    const [embed] = embedsOf(emu.messages)
    expect(embed?.title).toContain('payment failed')
    // Before: the error sat inside one truncated JSON field named `payload`.
    expect(embed?.description).toContain('card declined')
    expect(embed?.description).toMatch(/at .*\[eval/)
    expect(embed?.fields?.map((f) => f.name)).toEqual(['orderId'])
  })

  it('CLI: --nested-key reads a piped line the same way', async () => {
    const line = JSON.stringify({ level: 50, time: 1, pid: 1, hostname: 'h', msg: 'payment failed', payload: { err: { type: 'Error', message: 'card declined', stack: 'Error: card declined\n    at pay (/app/pay.js:3:9)' }, orderId: 'ord_7' } }) + '\n'
    const result = await runNode([CLI, '--webhook-url', emu.webhookUrl(), '--nested-key', 'payload'], { stdin: line })
    expect(result.code).toBe(0)
    const [embed] = embedsOf(emu.messages)
    expect(embed?.description).toContain('card declined')
    expect(embed?.description).toContain('/app/pay.js:3')
    expect(embed?.fields?.map((f) => f.name)).toEqual(['orderId'])
  })
})

describe('through an HTTP proxy', () => {
  let emu: Emulator
  let proxy: { url: string, tunnels: () => number, close: () => Promise<void> }
  beforeEach(async () => {
    emu = await startEmulator()
    proxy = await startConnectProxy()
  })
  afterEach(async () => {
    await proxy.close()
    await emu.close()
  })

  const ERROR = (name: string): string => `const E = new Error('through the proxy: ${name}')\n`
  const PROCESSES: Array<[string, string]> = [
    ['notifier', "import { DiscordNotifier } from '@logcord/core'\n" + ERROR('notifier') + "new DiscordNotifier(OPTIONS).sendErrorNotification({ service: 'svc', error: E })"],
    ['Winston thread: true', "import winston from 'winston'\nimport { DiscordTransport } from '@logcord/winston-discord'\n" + ERROR('winston') + 'winston.createLogger({ transports: [new DiscordTransport({ ...OPTIONS, thread: true })] }).error(E)'],
    ['Pino worker', "import pino from 'pino'\nimport { discordTransport } from '@logcord/pino-discord'\n" + ERROR('pino') + 'pino(discordTransport(OPTIONS)).error(E)']
  ]

  it.each(PROCESSES)('%s: HTTPS_PROXY / HTTP_PROXY are honoured, NO_PROXY too', async (_name, body) => {
    const args = ['--input-type=module', '-e', `const OPTIONS = JSON.parse(process.env.OPTIONS)\n${body}`]
    const env = { OPTIONS: JSON.stringify(emulatorOptions(emu)), HTTPS_PROXY: proxy.url, HTTP_PROXY: proxy.url, https_proxy: proxy.url, http_proxy: proxy.url, NO_PROXY: '', no_proxy: '' }
    const through = await runNode(args, { env })
    expect(through.code).toBe(0)
    // Before: every entry point connected directly.
    expect(proxy.tunnels()).toBeGreaterThan(0)
    expect(embedsOf(emu.messages)).toHaveLength(1)
    const before = proxy.tunnels()
    const bypassed = await runNode(args, { env: { ...env, NO_PROXY: '127.0.0.1', no_proxy: '127.0.0.1' } })
    expect(bypassed.code).toBe(0)
    expect(proxy.tunnels()).toBe(before)
    expect(embedsOf(emu.messages)).toHaveLength(2)
  })

  it('proxyUrl and the CLIs\' --proxy reach the worker and the commands', async () => {
    const env = { HTTPS_PROXY: '', HTTP_PROXY: '', https_proxy: '', http_proxy: '', NO_PROXY: '', no_proxy: '' }
    const body = "import pino from 'pino'\nimport { discordTransport } from '@logcord/pino-discord'\npino(discordTransport(JSON.parse(process.env.OPTIONS))).error(new Error('proxyUrl in the worker'))"
    expect((await runNode(['--input-type=module', '-e', body], { env: { ...env, OPTIONS: JSON.stringify({ ...emulatorOptions(emu), proxyUrl: proxy.url }) } })).code).toBe(0)
    const afterWorker = proxy.tunnels()
    expect(afterWorker).toBeGreaterThan(0)
    const line = JSON.stringify({ level: 50, time: 1, pid: 1, hostname: 'h', msg: 'piped through the proxy' }) + '\n'
    expect((await runNode([CLI, '--webhook-url', emu.webhookUrl(), '--proxy', proxy.url], { env, stdin: line })).code).toBe(0)
    const afterCli = proxy.tunnels()
    expect(afterCli).toBeGreaterThan(afterWorker)
    const LOGCORD = fileURLToPath(new URL('../packages/core/dist/cli.js', import.meta.url))
    const check = await runNode([LOGCORD, 'test', '--webhook-url', emu.webhookUrl(), '--proxy', proxy.url], { env })
    expect(check.code).toBe(0)
    expect(proxy.tunnels()).toBeGreaterThan(afterCli)
    expect(() => new DiscordNotifier({ webhookUrl: emu.webhookUrl(), proxyUrl: 'socks5://user:secret@proxy:1080' })).toThrow(/Invalid option `proxyUrl`: expected an http:\/\/ or https:\/\/ proxy URL/)
    expect(() => new DiscordNotifier({ webhookUrl: emu.webhookUrl(), proxyUrl: 'socks5://user:secret@proxy:1080' })).not.toThrow(/secret/)
  })
})

/** A CONNECT proxy on 127.0.0.1 that counts the tunnels it opens. */
async function startConnectProxy (): Promise<{ url: string, tunnels: () => number, close: () => Promise<void> }> {
  let tunnels = 0
  const sockets = new Set<Socket>()
  const server = createServer((_req, res) => { res.statusCode = 405; res.end() })
  server.on('connect', (req: IncomingMessage, client: Socket, head: Buffer) => {
    tunnels++
    sockets.add(client)
    const [host, port] = String(req.url).split(':')
    const upstream = connect(Number(port), host, () => {
      client.write('HTTP/1.1 200 Connection Established\r\n\r\n')
      upstream.write(head)
      upstream.pipe(client)
      client.pipe(upstream)
    })
    sockets.add(upstream)
    upstream.on('error', () => client.destroy())
    client.on('error', () => upstream.destroy())
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo
  return {
    url: `http://127.0.0.1:${port}`,
    tunnels: () => tunnels,
    close: async () => {
      for (const s of sockets) s.destroy()
      await new Promise((resolve) => server.close(resolve))
    }
  }
}
