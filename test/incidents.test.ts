/**
 * Incidents on the built packages against the emulator: one message per problem, edited in place while it lasts
 * (contract §7), resolved when it stops, through every entry point. Scripts run as child processes that end by themselves.
 */
import { mkdtempSync, readFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { DiscordNotifier, InvalidOptionError } from '../packages/core/dist/index.js'
import { createEmulator, type Emulator, type StoredMessage } from '@logcord/discord-emulator'
import { embedsOf, runNode } from './crash-helpers.js'

const CLI = fileURLToPath(new URL('../packages/pino-discord/dist/cli.js', import.meta.url))
/** Discord's clock ×0.1: 60 s of Discord time is 6 s here; the client's windows and edit interval scaled alike. */
const SCALE = 0.1
const scaled = (emu: Emulator, extra: Record<string, unknown> = {}): Record<string, unknown> => ({
  webhookUrl: emu.webhookUrl(),
  rateLimits: { channelWindowMs: 60_000 * SCALE, fallbackWindowMs: 2000 * SCALE, offsetMs: 20 },
  incidents: { editIntervalMs: 10_000 * SCALE },
  ...extra
})

/** The status line an incident's message shows (its footer's first line). */
const status = (m: StoredMessage | undefined, embed = 0): string => ((m?.payload.embeds as Array<{ footer?: { text?: string } }> | undefined)?.[embed]?.footer?.text ?? '').split('\n')[0]!

/** Resolves once `done` holds for the emulator's messages, checked at each post and each edit (never polled). */
function until (emu: Emulator, done: (messages: readonly StoredMessage[]) => boolean, timeoutMs = 20_000): Promise<void> {
  if (done(emu.messages)) return Promise.resolve()
  return new Promise((resolve, reject) => {
    const check = (): void => {
      if (!done(emu.messages)) return
      off()
      resolve()
    }
    const offs = [emu.on('message', check), emu.on('messageUpdate', check)]
    const timer = setTimeout(() => { off(); reject(new Error(`until: timed out; messages: ${JSON.stringify(emu.messages.map((m) => [status(m), m.edits]))}`)) }, timeoutMs)
    const off = (): void => { clearTimeout(timer); for (const o of offs) o() }
  })
}

/** A storm: `count` identical errors, five every 10 ms, through `log`; the script then ends by itself. */
const storm = (count: number, log: string): string =>
  `let logged = 0\nconst t = setInterval(() => { for (let k = 0; k < 5; k++) ${log}; if ((logged += 5) >= ${count}) clearInterval(t) }, 10)`

const ENTRY_POINTS: Record<string, (count: number) => string> = {
  notifier: (count) => "import { DiscordNotifier } from '@logcord/core'\nconst n = new DiscordNotifier(JSON.parse(process.env.OPTIONS))\n" +
    storm(count, "n.sendDiagnostic({ level: 'error', service: 'db', message: 'connection refused' })"),
  ThreadedNotifier: (count) => "import { ThreadedNotifier } from '@logcord/core'\nconst n = new ThreadedNotifier(JSON.parse(process.env.OPTIONS))\n" +
    storm(count, "n.sendDiagnostic({ level: 'error', service: 'db', message: 'connection refused' })"),
  'Winston in-process': (count) => "import winston from 'winston'\nimport { DiscordTransport } from '@logcord/winston-discord'\n" +
    'const logger = winston.createLogger({ transports: [new DiscordTransport(JSON.parse(process.env.OPTIONS))] })\n' +
    storm(count, "logger.error(new Error('connection refused'))"),
  'Winston thread: true': (count) => "import winston from 'winston'\nimport { DiscordTransport } from '@logcord/winston-discord'\n" +
    'const logger = winston.createLogger({ transports: [new DiscordTransport({ ...JSON.parse(process.env.OPTIONS), thread: true })] })\n' +
    storm(count, "logger.error(new Error('connection refused'))"),
  'Pino worker': (count) => "import pino from 'pino'\nimport { discordTransport } from '@logcord/pino-discord'\n" +
    'const logger = pino(discordTransport(JSON.parse(process.env.OPTIONS)))\n' +
    storm(count, "logger.error(new Error('connection refused'))")
}

describe('a storm is one message, edited in place', () => {
  let emu: Emulator
  beforeEach(async () => { emu = await createEmulator({ timeScale: SCALE }) })
  afterEach(async () => { await emu.close() })

  it('notifier: one error 3,000 times over 60 s (Discord time): one message, at most 60 s / editIntervalMs + 2 edits, ×3,000 at the end, 0 429s', async () => {
    const result = await runNode(['--input-type=module', '-e', ENTRY_POINTS.notifier!(3000)], { env: { OPTIONS: JSON.stringify(scaled(emu)) } })
    expect(result.stderr).toBe('')
    expect(result.code).toBe(0)
    expect(emu.messages).toHaveLength(1)
    const [m] = emu.messages
    expect(status(m)).toMatch(/^×3,000 · first \d\d:\d\d:\d\d · last \d\d:\d\d:\d\d UTC$/)
    expect(m!.edits).toBeGreaterThanOrEqual(2)
    expect(m!.edits).toBeLessThanOrEqual(60 / 10 + 2)
    expect(emu.stats().byStatus[429] ?? 0).toBe(0)
  }, 60_000)

  it.each(Object.keys(ENTRY_POINTS).filter((e) => e !== 'notifier'))('%s: 500 identical errors, the script ends by itself: one message reading ×500', async (entry) => {
    const result = await runNode(['--input-type=module', '-e', ENTRY_POINTS[entry]!(500)], { env: { OPTIONS: JSON.stringify(scaled(emu)) } })
    expect(result.stderr).toBe('')
    expect(result.code).toBe(0)
    expect(emu.messages).toHaveLength(1)
    expect(status(emu.messages[0])).toMatch(/^×500 · first /)
    expect(emu.stats().byStatus[429] ?? 0).toBe(0)
  }, 60_000)

  it('pino-discord CLI: 300 identical lines on stdin: one message reading ×300', async () => {
    const line = JSON.stringify({ level: 50, time: Date.now(), pid: 1, hostname: 'h', err: { type: 'Error', message: 'connection refused', stack: 'Error: connection refused\n    at main (/app/db.js:1:1)' }, msg: 'connection refused' })
    const result = await runNode([CLI, '--webhook-url', emu.webhookUrl()], { stdin: `${line}\n`.repeat(300) })
    expect(result.code).toBe(0)
    expect(emu.messages).toHaveLength(1)
    expect(status(emu.messages[0])).toMatch(/^×300 · first /)
  }, 60_000)

  it('Winston meta and a Pino field `incident` group records of different text into one message, resolved through transport.notifier or by a `resolved: true` line', async () => {
    const winston = "import winston from 'winston'\nimport { DiscordTransport } from '@logcord/winston-discord'\n" +
      'const transport = new DiscordTransport(JSON.parse(process.env.OPTIONS))\nconst logger = winston.createLogger({ transports: [transport] })\n' +
      "logger.error('primary unreachable', { incident: 'db-primary' })\nlogger.error('replica lag 30 s', { incident: 'db-primary' })\n" +
      "transport.notifier.resolveIncident('db-primary', 'failover done')"
    const pino = "import pino from 'pino'\nimport { discordTransport } from '@logcord/pino-discord'\nconst logger = pino(discordTransport(JSON.parse(process.env.OPTIONS)))\n" +
      "logger.error({ incident: 'db-primary' }, 'primary unreachable')\nlogger.error({ incident: 'db-primary' }, 'replica lag 30 s')\n" +
      "logger.info({ incident: 'db-primary', resolved: true }, 'failover done')"
    for (const body of [winston, pino]) {
      const result = await runNode(['--input-type=module', '-e', body], { env: { OPTIONS: JSON.stringify(scaled(emu)) } })
      expect(result.stderr).toBe('')
      expect(result.code).toBe(0)
    }
    expect(emu.messages).toHaveLength(2)
    expect(status(emu.messages[0])).toMatch(/^Resolved · ×2 over .* · failover done$/)
    // The Pino app ended its incident with a log line of its own: `{ incident, resolved: true }`, at info.
    expect(status(emu.messages[1])).toMatch(/^Resolved · ×2 over .* · failover done$/)
    // The key is the incident, not a field.
    expect(JSON.stringify(emu.messages.map((m) => m.payload.embeds))).not.toContain('db-primary')
  }, 60_000)

  it('close(0) with an edit still owed: said once on stderr, and the script ends at once (before: it waited for the edit forever)', async () => {
    const body = "import { DiscordNotifier } from '@logcord/core'\nconst n = new DiscordNotifier(JSON.parse(process.env.OPTIONS))\n" +
      "n.sendDiagnostic({ level: 'error', service: 'db', message: 'connection refused' })\nawait n.flush()\n" +
      "for (let i = 0; i < 5; i++) n.sendDiagnostic({ level: 'error', service: 'db', message: 'connection refused' })\nawait n.close(0)"
    const tmp = mkdtempSync(join(tmpdir(), 'logcord-owed-'))
    const result = await runNode(['--input-type=module', '-e', body], { env: { TMPDIR: tmp, OPTIONS: JSON.stringify(scaled(emu)) } })
    expect(result.code).toBe(0)
    expect(result.stderr.match(/1 incident message not updated within the close\(\) deadline .*: the channel shows older counts; their last state is in the dead-letter file/g)).toHaveLength(1)
    expect(emu.messages).toHaveLength(1)
    // The state no edit wrote is dead-lettered, so `logcord replay` can post it.
    const [letter] = readFileSync(join(tmp, 'logcord', 'dead-letters.ndjson'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { reason: string, record: { embed: { footer: { text: string } } } })
    expect(letter?.reason).toBe('shutdown')
    expect(letter?.record.embed.footer.text).toMatch(/^×6 · first /)
  }, 30_000)

  it('Discord down for 60 s (Discord time) in the middle of a storm: after it, the channel shows the whole count', async () => {
    const options = scaled(emu, { flushTimeoutMs: 20_000, retryDelays: [200, 300, 500], outage: { afterMs: 3000, probeMinMs: 500, probeMaxMs: 3000 } })
    const child = runNode(['--input-type=module', '-e', ENTRY_POINTS.notifier!(600)], { env: { OPTIONS: JSON.stringify(options) } })
    await emu.waitFor(1, 20_000)
    emu.setOutage(60_000 * SCALE)
    const result = await child
    expect(result.code).toBe(0)
    expect(emu.messages).toHaveLength(1)
    expect(status(emu.messages[0])).toMatch(/^×600 · first /)
  }, 60_000)
})

describe('an incident resolves, and comes back as a new one that says it was seen before', () => {
  let emu: Emulator
  let n: DiscordNotifier
  beforeEach(async () => { emu = await createEmulator() })
  afterEach(async () => { await n.close(); await emu.close() })

  const failure = { level: 'error', service: 'db', message: 'connection refused' } as const

  it('resolveAfterMs 1000: "Resolved", green, about 1 s after the last repeat; the same error then opens a new message', async () => {
    n = new DiscordNotifier({ webhookUrl: emu.webhookUrl(), logLevel: 'silent', incidents: { editIntervalMs: 100, resolveAfterMs: 1000 } })
    for (let i = 0; i < 5; i++) n.sendDiagnostic(failure)
    const lastRepeat = Date.now()
    await until(emu, ([m]) => status(m).startsWith('Resolved'))
    const [m] = emu.messages
    const embed = (m!.payload.embeds as Array<{ title: string, color: number }>)[0]!
    expect(embed.title).toMatch(/^✅ Resolved: Error · db/)
    expect(embed.color).toBe(0x57f287)
    expect(status(m)).toMatch(/^Resolved · ×5 over 1 s · first .* · resolved \d\d:\d\d:\d\d UTC$/)
    expect(m!.editedAt! - lastRepeat).toBeGreaterThanOrEqual(1000)
    expect(m!.editedAt! - lastRepeat).toBeLessThan(1000 + 2000)
    expect(n.stats().incidents).toEqual({ open: 0, resolved: 1 })

    n.sendDiagnostic(failure)
    await until(emu, (messages) => messages.length === 2)
    const again = (emu.messages[1]!.payload.embeds as Array<{ fields?: Array<{ name: string, value: string }> }>)[0]!
    expect(again.fields).toContainEqual({ name: 'Seen before', value: expect.stringMatching(/^began \d\d:\d\d:\d\d UTC, resolved \d\d:\d\d:\d\d UTC, ×5$/), inline: expect.any(Boolean) })
  })

  it('named incidents: records carrying one key are one message whatever their text; resolveIncident() ends it with its note', async () => {
    n = new DiscordNotifier({ webhookUrl: emu.webhookUrl(), logLevel: 'silent' })
    n.sendDiagnostic({ level: 'error', service: 'db', message: 'primary unreachable', incident: 'db-primary' })
    n.sendDiagnostic({ level: 'error', service: 'db', message: 'replica lag 30 s', incident: 'db-primary' })
    n.sendDiagnostic({ level: 'critical', service: 'db', message: 'writes failing', incident: 'db-primary' })
    await n.flush()
    n.resolveIncident('db-primary', 'failover done')
    await n.flush()
    expect(emu.messages).toHaveLength(1)
    expect(status(emu.messages[0])).toMatch(/^Resolved · ×3 over .* · failover done$/)
    const stats = n.stats()
    expect(stats).toMatchObject({ accepted: 3, sent: 1, collapsed: 2, dropped: 0, incidents: { open: 0, resolved: 1 } })
  })

  it('a Winston line `{ incident, resolved: true }` ends its incident whatever minSeverity says, its message the note, and stays out of the fields', async () => {
    n = new DiscordNotifier({ webhookUrl: emu.webhookUrl(), logLevel: 'silent', minSeverity: 'error' })
    const { toRecord } = await import('../packages/winston-discord/dist/index.js')
    n.send(toRecord({ level: 'error', message: 'queue stalled', incident: 'queue', host: 'w1' } as never, { now: Date.now() }))
    const line = toRecord({ level: 'info', message: 'queue drained', incident: 'queue', resolved: true } as never, { now: Date.now() })
    expect(line.fields).toBeUndefined()
    n.send(line)
    await n.flush()
    expect(emu.messages).toHaveLength(1)
    expect(status(emu.messages[0])).toMatch(/^Resolved · ×1 over 1 s · .* · queue drained$/)
    expect(n.stats()).toMatchObject({ accepted: 2, sent: 1, collapsed: 1, incidents: { open: 0, resolved: 1 } })
  })

  it('announceResolved also posts a short message (edits notify nobody); incidents off keeps "×N more" summaries', async () => {
    n = new DiscordNotifier({ webhookUrl: emu.webhookUrl(), logLevel: 'silent', incidents: { announceResolved: true } })
    n.sendDiagnostic({ ...failure, incident: 'db' })
    n.sendDiagnostic({ ...failure, incident: 'db' })
    await n.flush()
    n.resolveIncident('db')
    await n.flush()
    expect(embedsOf(emu.messages).map((e) => e.title)).toEqual([expect.stringMatching(/^✅ Resolved: /), expect.stringMatching(/^✅ Resolved: /)])
    expect(emu.messages[1]!.edits).toBeUndefined()

    const off = new DiscordNotifier({ webhookUrl: emu.webhookUrl(), logLevel: 'silent', incidents: { enabled: false } })
    for (let i = 0; i < 3; i++) off.sendDiagnostic({ ...failure, message: 'disk full' })
    await off.close()
    expect(embedsOf(emu.messages).slice(2).map((e) => e.title)).toEqual([expect.stringContaining('Error · db'), expect.stringContaining('×2 more in the last')])
  })
})

describe('what Discord does to an incident\'s message', () => {
  let emu: Emulator
  let n: DiscordNotifier
  beforeEach(async () => { emu = await createEmulator() })
  afterEach(async () => { await n.close(); await emu.close() })

  it('deleted by a moderator (10008): the next update posts one new message with the running count, and edits that one', async () => {
    n = new DiscordNotifier({ webhookUrl: emu.webhookUrl(), logLevel: 'silent' })
    n.sendDiagnostic({ level: 'error', service: 'db', message: 'connection refused' })
    await n.flush()
    emu.deleteMessage(emu.messages[0]!.id)
    for (let i = 0; i < 4; i++) n.sendDiagnostic({ level: 'error', service: 'db', message: 'connection refused' })
    await n.flush()
    expect(emu.messages).toHaveLength(2)
    expect(status(emu.messages[1])).toMatch(/^×5 · first /)
    n.sendDiagnostic({ level: 'error', service: 'db', message: 'connection refused' })
    await n.flush()
    expect(emu.messages).toHaveLength(2)
    expect(status(emu.messages[1])).toMatch(/^×6 · first /)
    expect(n.stats()).toMatchObject({ accepted: 6, sent: 1, collapsed: 5, dropped: 0 })
  })

  it('edits never ping and keep the attached file: allowed_mentions { parse: [] }, no attachments field', async () => {
    n = new DiscordNotifier({ webhookUrl: emu.webhookUrl(), logLevel: 'silent', mentions: { roles: ['123456789012345678'], minSeverity: 'error' } })
    const err = new Error('connection refused')
    err.stack = `Error: connection refused\n${Array.from({ length: 400 }, (_, i) => `    at frame${i} (/app/x.js:${i}:1)`).join('\n')}`
    for (let i = 0; i < 3; i++) n.sendErrorNotification({ service: 'db', error: err })
    await n.flush()
    expect(emu.messages).toHaveLength(1)
    const [m] = emu.messages
    expect(m!.pings.roles).toEqual(['123456789012345678'])
    expect(m!.edits).toBe(1)
    expect(m!.payload.allowed_mentions).toEqual({ parse: [] })
    expect(m!.attachments).toHaveLength(1)
    expect(status(m)).toMatch(/^×3 · /)
  })

  it('a default-sized packed message keeps Discord\'s 6000-character total when the status lines are added', async () => {
    n = new DiscordNotifier({ webhookUrl: emu.webhookUrl(), logLevel: 'silent' })
    const kinds = ['alpha', 'bravo', 'charlie', 'delta', 'echo', 'foxtrot', 'golf', 'hotel', 'india', 'juliett']
    for (let round = 0; round < 2; round++) for (const kind of kinds) n.sendDiagnostic({ level: 'error', service: 'db', message: `${kind} ${'xyz'.repeat(200)}` })
    await n.flush()
    expect(emu.messages).toHaveLength(1)
    expect(emu.messages[0]!.edits).toBe(1)
    expect(emu.stats().byStatus[400] ?? 0).toBe(0)
    expect(status(emu.messages[0], 9)).toMatch(/^×2 · /)
  })
})

describe('incident options and keys', () => {
  it('refuses a negative interval or an unknown key, naming the option', () => {
    const webhookUrl = `https://discord.com/api/webhooks/123456789012345678/${'t'.repeat(68)}`
    expect(() => new DiscordNotifier({ webhookUrl, incidents: { editIntervalMs: -1 } })).toThrow(InvalidOptionError)
    expect(() => new DiscordNotifier({ webhookUrl, incidents: { editIntervalMs: -1 } })).toThrow(/incidents\.editIntervalMs/)
    expect(() => new DiscordNotifier({ webhookUrl, incidents: { resolveAfter: 5 } as never })).toThrow(/incidents\.resolveAfterMs/)
  })

  it('a record whose incident is not a string of 1 to 200 characters is said once and grouped by its fingerprint; nothing throws', async () => {
    const emu = await createEmulator()
    const lines: string[] = []
    const n = new DiscordNotifier({ webhookUrl: emu.webhookUrl(), log: (l) => lines.push(l) })
    expect(n.sendDiagnostic({ level: 'error', service: 'db', message: 'm', incident: 5 as never })).toBe(true)
    expect(n.sendDiagnostic({ level: 'error', service: 'db', message: 'm', incident: 'x'.repeat(201) })).toBe(true)
    await n.close()
    await emu.close()
    expect(lines.filter((l) => /`incident` must be a string of 1 to 200 characters/.test(l))).toHaveLength(1)
    expect(emu.messages).toHaveLength(1)
    expect(status(emu.messages[0])).toMatch(/^×2 · /)
  })
})
