/**
 * Replayed reports, rendering and data: public bug reports against other Discord log transports and
 * against Winston and Pino, each a plain case through the BUILT packages (build first). In-process cases
 * load dist/ by path; delivery cases run test/fixtures/reports-app.mjs in a child process against the
 * emulator, through every entry point the report concerns, and check what the emulator received.
 */
import { spawn } from 'node:child_process'
import { createRequire } from 'node:module'
import { fileURLToPath } from 'node:url'
import fc from 'fast-check'
import pino from 'pino'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import winston from 'winston'
import { createEmulator, type Emulator, type StoredMessage } from '@logcord/discord-emulator'
import { DiscordNotifier, InvalidOptionError, ThreadedNotifier } from '../packages/core/dist/index.js'
import { validateWebhookPayload } from '../packages/emulator/dist/index.js'
import { discordTarget } from '../packages/pino-discord/dist/index.js'
import { toRecord as pinoToRecord } from '../packages/pino-discord/dist/index.js'
import { DiscordTransport, toRecord as winstonToRecord } from '../packages/winston-discord/dist/index.js'
import { parseDiscordMarkdown, visibleText } from './discord-markdown.js'

const ROOT = fileURLToPath(new URL('..', import.meta.url))
const FIXTURE = fileURLToPath(new URL('./fixtures/reports-app.mjs', import.meta.url))
const { MockAgent } = createRequire(new URL('../packages/core/package.json', import.meta.url))('undici') as typeof import('../packages/core/node_modules/undici/index.js')

const TIME_SCALE = 0.02
const WAIT_MS = 20_000
const ENTRY_POINTS = ['notifier', 'threaded', 'winston', 'pino'] as const

interface Embed { title?: string, description?: string, timestamp?: string, footer?: { text: string }, fields?: Array<{ name: string, value: string }> }
interface Run { code: number | null, stdout: string, stderr: string, startedAt: number, endedAt: number }

function runApp (entry: string, kase: string, options: Record<string, unknown>): Promise<Run> {
  return new Promise((resolve, reject) => {
    const startedAt = Date.now()
    const child = spawn(process.execPath, [FIXTURE, entry, kase], { cwd: ROOT, env: { ...process.env, OPTIONS: JSON.stringify(options) }, stdio: ['ignore', 'pipe', 'pipe'] })
    let stdout = ''
    let stderr = ''
    child.stdout.on('data', (d: Buffer) => { stdout += String(d) })
    child.stderr.on('data', (d: Buffer) => { stderr += String(d) })
    child.on('error', reject)
    child.on('close', (code) => resolve({ code, stdout, stderr, startedAt, endedAt: Date.now() }))
  })
}

function emulatorOptions (emu: Emulator, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return { webhookUrl: emu.webhookUrl(), apiOrigin: emu.origin, rateLimits: { channelWindowMs: 60_000 * TIME_SCALE, fallbackWindowMs: 2000 * TIME_SCALE, offsetMs: 50 }, ...extra }
}

function embedsOf (messages: readonly StoredMessage[]): Embed[] {
  return messages.flatMap((m) => (m.payload.embeds as Embed[] | undefined) ?? [])
}

/** Runs the case and returns the embeds the emulator holds once the child has ended by itself. */
async function deliver (emu: Emulator, entry: string, kase: string, extra: Record<string, unknown> = {}): Promise<{ run: Run, embeds: Embed[] }> {
  const run = await runApp(entry, kase, emulatorOptions(emu, extra))
  expect(run.stderr).toBe('')
  expect(run.code).toBe(0)
  const embeds = embedsOf(await emu.waitFor((m) => embedsOf(m).length >= 1, WAIT_MS))
  return { run, embeds }
}

let emu: Emulator
beforeEach(async () => { emu = await createEmulator({ timeScale: TIME_SCALE }) })
afterEach(async () => { await emu.close() })

// ------------------------------------------------------------------------------------------------
// Backticks

/**
 * The library's code blocks are exactly the ``` in the text: each one opens or closes a block, no
 * record text makes inline code, and every line inside a block is (a cut of) a stack line.
 */
function expectOwnCodeBlocksOnly (embed: Embed, stacks: readonly string[]): void {
  const description = embed.description ?? ''
  const tokens = parseDiscordMarkdown(description)
  const blocks = tokens.filter((t) => t.kind === 'codeBlock')
  expect(tokens.filter((t) => t.kind === 'inlineCode')).toEqual([])
  expect(description.split('```').length - 1).toBe(blocks.length * 2)
  const stackLines = stacks.flatMap((s) => s.replaceAll('\u200b', '').split('\n').map((l) => l.trim()).filter((l) => l !== ''))
  for (const block of blocks) {
    for (const raw of block.content.split('\n')) {
      const line = raw.replaceAll('\u200b', '')
      if (/^… \d+ more$/.test(line)) continue
      const cut = line.endsWith('…') ? line.slice(0, -1).trimEnd() : undefined
      expect(stackLines.some((s) => s === line || (cut !== undefined && s.startsWith(cut))), `stack line ${JSON.stringify(line)}`).toBe(true)
    }
  }
  for (const text of [embed.title ?? '', ...(embed.fields ?? []).flatMap((f) => [f.name, f.value])]) {
    expect(parseDiscordMarkdown(text).every((t) => t.kind === 'text'), `no code in ${JSON.stringify(text)}`).toBe(true)
  }
}

// A backslash only before a backtick: before other punctuation it is the author's own escape, read as one by Discord.
const BACKTICK_PIECES = ['`', '``', '```', '````', '\\`', '\\\\`', 'a', 'js\n', ' ', '\u200b', '```js\n', 'x`y']
const backtickText = (maxLength: number): fc.Arbitrary<string> => fc.array(fc.constantFrom(...BACKTICK_PIECES), { maxLength }).map((xs) => xs.join(''))
const oneLine = (maxLength: number): fc.Arbitrary<string> => backtickText(maxLength).map((s) => s.replace(/\n/g, ' '))

describe('backticks in log text never open or close the library\'s code blocks', () => {
  it('property: message, stack, fields, context and cause chain full of backticks, through the notifier (dist)', async () => {
    const agent = new MockAgent()
    agent.disableNetConnect()
    const bodies: string[] = []
    agent.get('https://discord.com').intercept({ path: /^\/api\/v10\/webhooks\//, method: 'POST' }).reply(200, (opts: { body?: unknown }) => {
      bodies.push(String(opts.body))
      return { id: '1', channel_id: '223456789012345678' }
    }, { headers: { 'content-type': 'application/json', 'x-ratelimit-limit': '1000', 'x-ratelimit-remaining': '999', 'x-ratelimit-reset-after': '0.001', 'x-ratelimit-bucket': 'b' } }).persist()
    const notifier = new DiscordNotifier({
      webhookUrl: 'https://discord.com/api/webhooks/123456789012345678/BacktickTokenBacktickTokenBacktickTokenBacktickTokenBacktickTo_-',
      dispatcher: agent,
      logLevel: 'silent',
      dedup: { enabled: false },
      // Limits out of the way: a window of 1 ms for the channel, as close to none as the limiter allows.
      rateLimits: { channelWindowMs: 1, globalPerSecond: 49, offsetMs: 0 }
    })
    const frame = oneLine(6).map((s) => `at ${s} (/srv/${s}.js:1:1)`)
    const errorCase = fc.record({
      message: oneLine(12),
      frames: fc.array(frame, { minLength: 1, maxLength: 6 }),
      causeMessage: oneLine(8),
      causeFrames: fc.array(frame, { maxLength: 3 }),
      context: oneLine(12),
      value: oneLine(12)
    })
    await fc.assert(fc.asyncProperty(errorCase, async (c) => {
      const before = bodies.length
      const cause = new TypeError(`c${c.causeMessage}`)
      cause.stack = [`TypeError: c${c.causeMessage}`, ...c.causeFrames].join('\n')
      const err = new Error(`m${c.message}`, { cause })
      err.stack = [`Error: m${c.message}`, ...c.frames].join('\n')
      notifier.sendErrorNotification({ service: 'svc', error: err, context: `x${c.context}`, details: { q: `v${c.value}` } })
      await notifier.flush()
      const sent = bodies.slice(before).flatMap((b) => (JSON.parse(b) as { embeds?: Embed[] }).embeds ?? [])
      expect(sent).toHaveLength(1)
      const embed = sent[0] as Embed
      expectOwnCodeBlocksOnly(embed, [err.stack, cause.stack])
      // …and reads as written.
      expect(visibleText(embed.title ?? '')).toBe(`🔴 svc: m${c.message}`.replace(/\s+/g, ' ').trim().replaceAll('\u200b', ''))
      expect(visibleText(embed.description ?? '')).toContain(`x${c.context}`.trim().replaceAll('\u200b', ''))
      expect(visibleText(embed.fields?.find((f) => f.name === 'q')?.value ?? '')).toBe(`v${c.value}`.trim().replaceAll('\u200b', ''))
    }), { numRuns: 300, seed: Number(process.env.FC_SEED ?? 0x13b) })
    await notifier.close()
    await agent.close()
  })

  for (const entry of ENTRY_POINTS) {
    it(`an error with a fenced snippet in its message keeps its stack in the code block: ${entry}`, async () => {
      const { embeds } = await deliver(emu, entry, 'backticks')
      const embed = embeds[0] as Embed
      expectOwnCodeBlocksOnly(embed, [
        'Error: bad ``` input\n    at check (/srv/app/`tick`.js:10:5)\n    at ```` (/srv/app/run.js:2:2)\n    at main (/srv/app/index.js:1:1)',
        'TypeError: cannot parse\n    at parse (/srv/app/``weird``.js:3:9)\n    at ```load``` (/srv/app/main.js:1:1)'
      ])
      const blocks = parseDiscordMarkdown(embed.description ?? '').filter((t) => t.kind === 'codeBlock').map((t) => t.content.replaceAll('\u200b', ''))
      expect(blocks[0]).toBe('at check (/srv/app/`tick`.js:10:5)\nat ```` (/srv/app/run.js:2:2)\nat main (/srv/app/index.js:1:1)')
      expect(visibleText(embed.title ?? '') + visibleText(embed.description ?? '')).toContain('bad ``` input')
      expect(visibleText(embed.description ?? '')).toContain('cannot parse `` ` `` near ```json')
      const query = embed.fields?.find((f) => f.name === 'query')
      expect(visibleText(query?.value ?? '')).toBe('SELECT ```x``` FROM `t`')
    })
  }
})

// ------------------------------------------------------------------------------------------------
// Embed time

/** 5 March 2026, 10:00:00.123 local time: day and month both ≤ 12, so a US-style re-parse gives 3 May. */
const MARCH_5 = new Date(2026, 2, 5, 10, 0, 0, 123)
const MAY_3 = new Date(2026, 4, 3, 10, 0, 0)

/** Runs a real Winston format on a fresh info at the faked moment, then the transport's translation. */
function winstonTime (format: winston.Logform.Format, logCallAt: number): { time: number, fields: Record<string, unknown> | undefined } {
  const info = format.transform({ level: 'error', message: 'boom', [Symbol.for('level')]: 'error' } as never, (format as { options?: object }).options) as Record<string, unknown>
  const record = winstonToRecord(info, { now: logCallAt })
  return { time: record.time, fields: record.fields }
}

/** What pino writes for a time function, parsed as the worker parses the line. */
function pinoLine (timestamp: (() => string) | false): Record<string, unknown> {
  const time = timestamp === false ? '' : timestamp()
  return JSON.parse(`{"level":50${time},"msg":"boom"}`) as Record<string, unknown>
}

describe('the embed time is the moment of logging, whatever timestamp format the logger uses', () => {
  afterEach(() => { vi.useRealTimers() })

  describe('Winston: every form format.timestamp() produces', () => {
    const f = winston.format
    const cases: Array<[string, () => winston.Logform.Format, number]> = [
      ['timestamp() (ISO 8601, UTC)', () => f.timestamp(), MARCH_5.getTime()],
      ["format 'DD/MM/YYYY HH:mm:ss' (day first)", () => f.timestamp({ format: 'DD/MM/YYYY HH:mm:ss' }), MARCH_5.getTime()],
      ["format 'MM/DD/YYYY hh:mm:ss A'", () => f.timestamp({ format: 'MM/DD/YYYY hh:mm:ss A' }), MARCH_5.getTime()],
      ["format 'YYYY-MM-DD HH:mm:ss' (local, no offset)", () => f.timestamp({ format: 'YYYY-MM-DD HH:mm:ss' }), MARCH_5.getTime()],
      ["format 'DD.MM.YY HH:mm'", () => f.timestamp({ format: 'DD.MM.YY HH:mm' }), MARCH_5.getTime()],
      ["format 'YYYY-MM-DDTHH:mm:ss.SSSZZ' (with offset)", () => f.timestamp({ format: 'YYYY-MM-DDTHH:mm:ss.SSSZZ' }), MARCH_5.getTime()],
      ['format function returning a Date', () => f.timestamp({ format: () => new Date() as never }), MARCH_5.getTime()],
      ['format function returning epoch ms', () => f.timestamp({ format: () => Date.now() as never }), MARCH_5.getTime()],
      ['format function returning a day-first string', () => f.timestamp({ format: () => '05/03/2026 10:00:00' }), MARCH_5.getTime()]
    ]
    for (const [name, make, expected] of cases) {
      it(name, () => {
        vi.useFakeTimers({ now: MARCH_5, toFake: ['Date'] })
        const { time } = winstonTime(make(), Date.now())
        expect(new Date(time).toISOString()).toBe(new Date(expected).toISOString())
        expect(time).not.toBe(MAY_3.getTime())
      })
    }

    it('timestamp({ alias }) shows the time once, as the embed time, not again as a field', () => {
      vi.useFakeTimers({ now: MARCH_5, toFake: ['Date'] })
      const { time, fields } = winstonTime(f.timestamp({ alias: 'loggedAt' }), Date.now())
      expect(time).toBe(MARCH_5.getTime())
      expect(fields?.loggedAt).toBeUndefined()
    })

    it('a log call replayed later keeps the ISO time it was logged at', () => {
      const info = { level: 'error', message: 'boom', timestamp: '2026-03-05T09:00:00.123Z' }
      expect(winstonToRecord(info, { now: Date.now() }).time).toBe(Date.parse('2026-03-05T09:00:00.123Z'))
    })
  })

  describe('Pino: every stdTimeFunctions form and a custom one', () => {
    const at = MARCH_5.getTime()
    const received = at + 2500
    const cases: Array<[string, (() => string) | false, number]> = [
      ['epochTime (default, epoch ms)', () => pino.stdTimeFunctions.epochTime(), at],
      ['unixTime (epoch seconds)', () => pino.stdTimeFunctions.unixTime(), Math.round(at / 1000) * 1000],
      ['isoTime', () => pino.stdTimeFunctions.isoTime(), at],
      ['isoTimeNano', () => (pino.stdTimeFunctions as unknown as { isoTimeNano: () => string }).isoTimeNano(), at],
      ['nullTime (no time on the line)', () => pino.stdTimeFunctions.nullTime(), received],
      ['timestamp: false', false, received],
      ['custom, day first', () => ',"time":"05/03/2026 10:00:00"', received],
      ['custom, ISO with offset', () => `,"time":"${new Date(at).toISOString().replace('Z', '+00:00')}"`, at]
    ]
    for (const [name, timestamp, expected] of cases) {
      it(name, () => {
        vi.useFakeTimers({ now: MARCH_5, toFake: ['Date'] })
        const line = pinoLine(timestamp)
        const time = pinoToRecord(line, {}, received).time
        // isoTimeNano counts from the process start on hrtime, not the faked Date: allow its drift.
        if (name === 'isoTimeNano') expect(Math.abs(time - Date.parse(String(line.time)))).toBe(0)
        else expect(new Date(time).toISOString()).toBe(new Date(expected).toISOString())
      })
    }
  })

  it('Winston, delivered: a day-first timestamp on the logger does not move the embed to another day', async () => {
    const { run, embeds } = await deliver(emu, 'winston', 'error', { loggerFormat: 'timestamp-5-march' })
    const time = Date.parse(embeds[0]?.timestamp ?? '')
    expect(time).toBeGreaterThanOrEqual(run.startedAt)
    expect(time).toBeLessThanOrEqual(run.endedAt)
  })

  for (const pinoTimestamp of ['5-march', 'unixTime', 'isoTime', 'nullTime']) {
    it(`Pino, delivered: timestamp ${pinoTimestamp} gives the moment of logging`, async () => {
      const { run, embeds } = await deliver(emu, 'pino', 'error', { pinoTimestamp })
      const time = Date.parse(embeds[0]?.timestamp ?? '')
      // unixTime rounds to the second.
      expect(time).toBeGreaterThanOrEqual(run.startedAt - 1000)
      expect(time).toBeLessThanOrEqual(run.endedAt + 1000)
    })
  }
})

// ------------------------------------------------------------------------------------------------
// Winston: a format on the transport itself

describe('Winston: a format set on the transport keeps the error\'s message, stack and cause', () => {
  const f = winston.format
  const transportFormats: Array<[string, () => winston.Logform.Format]> = [
    ['format.timestamp()', () => f.timestamp()],
    ['format.combine(timestamp(), errors({ stack: true }))', () => f.combine(f.timestamp(), f.errors({ stack: true }))],
    ['a custom format that adds a field', () => f((info) => Object.assign(info, { region: 'eu-west-1' }))()]
  ]
  const shapes: Array<[string, (logger: winston.Logger, err: Error) => void]> = [
    ['logger.error(err)', (logger, err) => { logger.error(err) }],
    ['logger.log({ level, message: err })', (logger, err) => { logger.log({ level: 'error', message: err as never }) }],
    ["logger.error('charge failed', err)", (logger, err) => { logger.error('charge failed', err) }],
    ["logger.error('charge failed', { err })", (logger, err) => { logger.error('charge failed', { err }) }],
    ['child.error(err)', (logger, err) => { logger.child({ requestId: 'r-1' }).error(err) }]
  ]
  for (const [formatName, makeFormat] of transportFormats) {
    for (const [shapeName, logIt] of shapes) {
      it(`${formatName} on the transport, ${shapeName}`, async () => {
        const transport = new DiscordTransport({ ...emulatorOptions(emu), logLevel: 'silent', format: makeFormat() } as never)
        const logger = winston.createLogger({ transports: [transport] })
        const err = new RangeError('card declined', { cause: new Error('issuer timeout') })
        logIt(logger, err)
        await transport.flush()
        const [embed] = embedsOf(await emu.waitFor((m) => embedsOf(m).length >= 1, WAIT_MS))
        const shown = `${embed?.title ?? ''}\n${embed?.description ?? ''}`
        expect(embed?.title).not.toBe('🔴 Error')
        expect(shown).toContain('card declined')
        expect(embed?.description).toContain('**RangeError**')
        expect(embed?.description).toMatch(/```[\s\S]*at [\s\S]*```/)
        expect(embed?.description).toContain('**Caused by** Error: issuer timeout')
        if (formatName.includes('field')) expect(embed?.fields?.find((x) => x.name === 'region')?.value).toBe('eu-west-1')
        await transport.close()
      })
    }
  }

  it('delivered: format.timestamp() on the transport, logger.error(err), the app ends by itself', async () => {
    const { run, embeds } = await deliver(emu, 'winston', 'error', { transportFormat: 'timestamp' })
    expect(embeds[0]?.title).toBe('🔴 payment failed')
    expect(embeds[0]?.description).toMatch(/^\*\*Error\*\*: payment failed\n```\nat /)
    const time = Date.parse(embeds[0]?.timestamp ?? '')
    expect(time).toBeGreaterThanOrEqual(run.startedAt)
    expect(time).toBeLessThanOrEqual(run.endedAt)
  })
})

// ------------------------------------------------------------------------------------------------
// Names Discord refuses

const WEBHOOK = 'https://discord.com/api/webhooks/123456789012345678/NamesTokenNamesTokenNamesTokenNamesTokenNamesTokenNamesTokenNam_-'

/** Builds each entry point with `options` and returns what it threw (undefined when it was accepted). */
const constructors: Record<(typeof ENTRY_POINTS)[number], (options: Record<string, unknown>) => { close?: () => unknown, end?: () => unknown }> = {
  notifier: (o) => new DiscordNotifier({ webhookUrl: WEBHOOK, logLevel: 'silent', ...o }),
  threaded: (o) => new ThreadedNotifier({ webhookUrl: WEBHOOK, logLevel: 'silent', ...o }),
  winston: (o) => new DiscordTransport({ webhookUrl: WEBHOOK, logLevel: 'silent', ...o } as never),
  // discordTarget() validates exactly as discordTransport() does, without starting a worker.
  pino: (o) => { discordTarget({ webhookUrl: WEBHOOK, logLevel: 'silent', ...o } as never); return {} }
}

async function construct (entry: (typeof ENTRY_POINTS)[number], options: Record<string, unknown>): Promise<unknown> {
  let built: { close?: () => unknown, end?: () => unknown } | undefined
  try {
    built = constructors[entry](options)
  } catch (err) {
    return err
  }
  await built.close?.()
  return undefined
}

const REFUSED: Array<[string, string]> = [
  ['username', 'everyone'],
  ['username', '  Here '],
  ['username', 'System   Message'],
  ['username', 'EVERYONE'],
  ['username', 'Clyde Alerts'],
  ['username', 'my discord bot'],
  ['username', '   '],
  ['username', 'x'.repeat(81)],
  ['avatarUrl', 'ftp://example.com/bot.png'],
  ['avatarUrl', 'bot.png'],
  ['avatarUrl', 'https://'],
  ['threadName', '   '],
  ['threadName', 'x'.repeat(101)]
]
const ACCEPTED: Array<[string, string]> = [
  ['username', 'Alerts'],
  ['username', 'everyone-bot'],
  ['username', 'here and now'],
  ['username', ` ${'x'.repeat(80)} `],
  ['avatarUrl', 'https://example.com/bot.png'],
  ['threadName', 'x'.repeat(100)]
]

describe('per-message names Discord refuses are refused at construction, and by the emulator', () => {
  for (const entry of ENTRY_POINTS) {
    it(`${entry}: refuses every value Discord refuses, naming the option and the fix`, async () => {
      for (const [option, value] of REFUSED) {
        const thrown = await construct(entry, { [option]: value })
        expect(thrown, `${option}: ${JSON.stringify(value)}`).toBeInstanceOf(Error)
        expect((thrown as Error).name).toBe('InvalidOptionError')
        expect((thrown as Error).message).toContain(`\`${option}\``)
        if (option === 'username' && value.trim() !== '' && value.length <= 80) expect((thrown as Error).message).toMatch(/Discord refuses/)
      }
    })

    it(`${entry}: accepts the names Discord accepts`, async () => {
      for (const [option, value] of ACCEPTED) expect(await construct(entry, { [option]: value }), `${option}: ${JSON.stringify(value)}`).toBeUndefined()
    })
  }

  it('pino-discord CLI: exits 2 with the option named, before reading any input', async () => {
    const cli = fileURLToPath(new URL('../packages/pino-discord/dist/cli.js', import.meta.url))
    for (const args of [['--username', 'everyone'], ['--avatar-url', 'bot.png'], ['--thread-name', ' ']]) {
      const result = await new Promise<{ code: number | null, stderr: string }>((resolve, reject) => {
        const child = spawn(process.execPath, [cli, '--webhook-url', WEBHOOK, ...args], { cwd: ROOT, stdio: ['pipe', 'ignore', 'pipe'] })
        let stderr = ''
        child.stderr.on('data', (d: Buffer) => { stderr += String(d) })
        child.on('error', reject)
        child.on('close', (code) => resolve({ code, stderr }))
        child.stdin.end('')
      })
      expect(result.code).toBe(2)
      expect(result.stderr).toMatch(/Invalid option `(username|avatarUrl|threadName)`/)
    }
  })

  it('the emulator answers 400 50035 on username "everyone" like Discord, and on a blank thread name', async () => {
    const post = async (body: Record<string, unknown>): Promise<{ status: number, json: Record<string, unknown> }> => {
      const res = await fetch(`${emu.origin}${new URL(emu.webhookUrl()).pathname.replace('/api/', '/api/v10/')}?wait=true`, { method: 'POST', headers: { 'content-type': 'application/json', 'user-agent': 'DiscordBot (https://example.com, 1)' }, body: JSON.stringify(body) })
      return { status: res.status, json: await res.json() as Record<string, unknown> }
    }
    const everyone = await post({ content: 'x', username: 'everyone' })
    expect(everyone.status).toBe(400)
    expect(everyone.json).toMatchObject({ code: 50035, errors: { username: { _errors: [{ code: 'USERNAME_INVALID', message: 'Username cannot be "everyone"' }] } } })
    expect((await post({ content: 'x', username: '  System  message ' })).status).toBe(400)
    expect((await post({ content: 'x', thread_name: '   ' })).json).toMatchObject({ code: 50035, errors: { thread_name: { _errors: [{ code: 'BASE_TYPE_BAD_LENGTH' }] } } })
    expect((await post({ content: 'x', username: 'everyone-bot' })).status).toBe(200)
  })

  it('property: the notifier accepts a username exactly when the emulator (dist) accepts it', () => {
    const piece = fc.constantFrom('everyone', 'here', 'system', 'message', 'Clyde', 'DISCORD', 'bot', ' ', '  ', '\t', '\n', 'é', '😀', 'x'.repeat(40))
    fc.assert(fc.property(fc.array(piece, { maxLength: 5 }).map((xs) => xs.join('')), (username) => {
      let accepted = true
      try {
        void new DiscordNotifier({ enabled: false, username })
      } catch (err) {
        expect(err).toBeInstanceOf(InvalidOptionError)
        accepted = false
      }
      expect(accepted).toBe(validateWebhookPayload({ content: 'x', username }).ok)
    }), { numRuns: 500, seed: 0x13b })
  })
})
