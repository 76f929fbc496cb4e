import { once } from 'node:events'
import winston from 'winston'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { SEVERITY_STYLES, type Embed } from '@logcord/core'
import { createEmulator, type Emulator, type StoredMessage } from '@logcord/discord-emulator'
import { DiscordTransport, type DiscordTransportOptions } from '@logcord/winston-discord'

/** Emulator windows are shrunk 50×; the notifier's assumptions are shrunk the same, so tests take ms, not minutes. */
const TIME_SCALE = 0.02
const DISCORD_CHANNEL_WINDOW_MS = 60_000
const DISCORD_FALLBACK_WINDOW_MS = 2_000
/** Clock jitter allowance between the notifier and the emulator, at test scale. */
const OFFSET_MS = 5
/**
 * The notifier counts a message in the channel window when it sends it, the emulator when it
 * receives it. With a 5-20 ms offset alone a loaded test machine still sees an occasional channel
 * 429 at the window's edge, so the assumed window is a little longer than the emulator's.
 */
const CHANNEL_LATENCY_MARGIN_MS = 50
const SCALED_RATE_LIMITS = {
  channelWindowMs: DISCORD_CHANNEL_WINDOW_MS * TIME_SCALE + CHANNEL_LATENCY_MARGIN_MS,
  fallbackWindowMs: DISCORD_FALLBACK_WINDOW_MS * TIME_SCALE,
  offsetMs: OFFSET_MS
}

const open: Array<{ emu: Emulator, transports: DiscordTransport[] }> = []

afterEach(async () => {
  for (const { emu, transports } of open.splice(0)) {
    await Promise.all(transports.map((t) => t.close()))
    await emu.close()
  }
})

async function setup (transportOptions: DiscordTransportOptions = {}, loggerOptions: winston.LoggerOptions = {}) {
  const emu = await createEmulator({ timeScale: TIME_SCALE })
  const webhookUrl = emu.webhookUrl()
  const transport = new DiscordTransport({ webhookUrl, apiOrigin: emu.origin, rateLimits: SCALED_RATE_LIMITS, logLevel: 'silent', ...transportOptions })
  const logger = winston.createLogger({ level: 'debug', ...loggerOptions, transports: [transport] })
  open.push({ emu, transports: [transport] })
  return { emu, transport, logger, webhookUrl }
}

/** Counts the records the transport builds and hands to its notifier (by send(), or as a call made earlier). */
function countRecords (transport: DiscordTransport): { count: number } {
  const seen = { count: 0 }
  const notifier = transport.notifier as unknown as Record<PropertyKey, (...args: unknown[]) => boolean>
  for (const method of ['send']) {
    const original = notifier[method]!.bind(notifier)
    notifier[method] = (...args) => {
      seen.count++
      return original(...args)
    }
  }
  return seen
}

/** Resolves after the microtasks queued so far: a synchronous run's staged log calls are handed over by then. */
const endOfRun = (): Promise<void> => new Promise((resolve) => queueMicrotask(resolve))

function embedsOf (messages: readonly StoredMessage[]): Embed[] {
  return messages.flatMap((m) => (m.payload.embeds as Embed[] | undefined) ?? [])
}

function textOf (embed: Embed): string {
  return [embed.title, embed.description, ...(embed.fields ?? []).map((f) => `${f.name}: ${f.value}`), embed.footer?.text].join('\n')
}

/** Colours in a fixed order: the core's queue sends the most severe records first, not in log order. */
function colours (items: ReadonlyArray<{ color?: number }>): number[] {
  return items.map((i) => i.color ?? -1).sort((a, b) => a - b)
}

/** The first stack frame, as the core's renderer keeps it (it may trim indentation). */
function firstFrame (err: Error): string {
  return (err.stack ?? '').split('\n')[1]?.trim() ?? ''
}

async function delivered (transport: DiscordTransport, emu: Emulator): Promise<Embed[]> {
  const result = await transport.flush()
  expect(result.pending).toBe(0)
  return embedsOf(emu.messages)
}

describe('DiscordTransport with a real Winston logger and the Discord emulator', () => {
  describe('every common error call shape yields an alert with the message and the stack', () => {
    const formats = {
      'default format': undefined,
      'format.errors({ stack: true })': winston.format.combine(winston.format.errors({ stack: true }), winston.format.json())
    }
    const shapes: Record<string, (logger: winston.Logger, err: Error) => void> = {
      'logger.error(err)': (l, err) => l.error(err),
      "logger.error('msg', err)": (l, err) => l.error('checkout failed', err),
      "logger.error('msg', { err })": (l, err) => l.error('checkout failed', { err }),
      "logger.error('msg', { error })": (l, err) => l.error('checkout failed', { error: err }),
      "logger.log({ level: 'error', message: err })": (l, err) => l.log({ level: 'error', message: err as unknown as string }),
      'child.error(err)': (l, err) => l.child({ requestId: 'r-9' }).error(err)
    }
    for (const [formatName, format] of Object.entries(formats)) {
      for (const [shape, call] of Object.entries(shapes)) {
        it(`${shape} — ${formatName}`, async () => {
          const { emu, transport, logger } = await setup({}, format === undefined ? {} : { format })
          const err = new TypeError('payment failed')
          call(logger, err)
          const [embed] = await delivered(transport, emu)
          expect(embed).toBeDefined()
          const text = textOf(embed as Embed)
          expect(embed?.color).toBe(SEVERITY_STYLES.error.color)
          expect(text).toContain('payment failed')
          expect(text).toContain(firstFrame(err))
          if (shape.includes("'msg'")) expect(embed?.title).toContain('checkout failed')
          if (shape.startsWith('child')) expect(text).toContain('r-9')
        })
      }
    }
  })

  it('shows defaultMeta as fields and the service as the author', async () => {
    const { emu, transport, logger } = await setup({}, { defaultMeta: { service: 'billing', region: 'eu-west' } })
    logger.child({ orderId: 1234 }).warn('card retry scheduled', { attempt: 2 })
    const [embed] = await delivered(transport, emu)
    expect(embed?.author?.name).toBe('billing')
    const fields = Object.fromEntries((embed?.fields ?? []).map((f) => [f.name, f.value]))
    expect(fields).toMatchObject({ region: 'eu-west', orderId: '1234', attempt: '2' })
    expect(embed?.color).toBe(SEVERITY_STYLES.warning.color)
  })

  it('interpolates splat arguments', async () => {
    const { emu, transport, logger } = await setup({}, { format: winston.format.combine(winston.format.splat(), winston.format.json()) })
    logger.error('user %s failed %d times', 'ana', 3)
    const [embed] = await delivered(transport, emu)
    expect(embed?.title).toContain('user ana failed 3 times')
  })

  describe('level filtering is Winston\'s', () => {
    it('npm levels at level warn send warn and error, not info', async () => {
      const { emu, transport, logger } = await setup({ level: 'warn' })
      logger.info('routine')
      logger.warn('disk 80%')
      logger.error('disk full')
      const embeds = await delivered(transport, emu)
      expect(embeds.map((e) => e.title).sort()).toEqual(['🔴 disk full', '🟡 disk 80%'])
      expect(colours(embeds)).toEqual(colours([SEVERITY_STYLES.warning, SEVERITY_STYLES.error]))
    })

    it('syslog levels: crit is critical, notice below the threshold is not sent', async () => {
      const { emu, transport, logger } = await setup({ level: 'warning' }, { levels: winston.config.syslog.levels })
      logger.log('notice', 'fyi')
      logger.log('crit', 'database down')
      logger.log('emerg', 'datacenter on fire')
      const embeds = await delivered(transport, emu)
      expect(colours(embeds)).toEqual(colours([SEVERITY_STYLES.critical, SEVERITY_STYLES.critical]))
      expect(embeds.map((e) => e.title).sort()).toEqual(['🚨 database down', '🚨 datacenter on fire'])
    })

    it('cli levels map through the built-in names', async () => {
      const { emu, transport, logger } = await setup({ level: 'warn' }, { levels: winston.config.cli.levels })
      logger.log('help', 'not sent')
      logger.log('warn', 'careful')
      logger.log('error', 'broken')
      const embeds = await delivered(transport, emu)
      expect(colours(embeds)).toEqual(colours([SEVERITY_STYLES.warning, SEVERITY_STYLES.error]))
    })

    it('custom levels use levelMap', async () => {
      const { emu, transport, logger } = await setup({ level: 'oops', levelMap: { page: 'critical', oops: 'warning' } }, { levels: { page: 0, oops: 1, chatter: 2 } })
      logger.log('chatter', 'not sent')
      logger.log('oops', 'minor')
      logger.log('page', 'wake someone')
      const embeds = await delivered(transport, emu)
      expect(colours(embeds)).toEqual(colours([SEVERITY_STYLES.warning, SEVERITY_STYLES.critical]))
    })
  })

  it('skips records marked discord: false', async () => {
    const { emu, transport, logger } = await setup()
    logger.error('noisy', { discord: false })
    logger.error('kept')
    const embeds = await delivered(transport, emu)
    expect(embeds).toHaveLength(1)
    expect(embeds[0]?.title).toContain('kept')
  })

  describe('formatter', () => {
    it('returning an embed sends it, coloured by severity when it has no colour', async () => {
      const { emu, transport, logger } = await setup({ formatter: (info) => ({ title: `custom: ${String(info.message)}`, fields: [{ name: 'k', value: 'v' }] }) })
      logger.error('x')
      const [embed] = await delivered(transport, emu)
      expect(embed).toMatchObject({ title: 'custom: x', color: SEVERITY_STYLES.error.color, fields: [{ name: 'k', value: 'v' }] })
    })

    it('returning { content } sends plain text', async () => {
      const { emu, transport, logger } = await setup({ formatter: (info) => ({ content: `plain ${String(info.message)}` }) })
      logger.warn('y')
      await transport.flush()
      expect(emu.messages[0]?.payload.content).toBe('plain y')
      expect(emu.messages[0]?.payload.embeds ?? []).toEqual([])
    })

    it('returning { embed } sends that embed', async () => {
      const { emu, transport, logger } = await setup({ formatter: () => ({ embed: { description: 'from message' } }) })
      logger.warn('z')
      const [embed] = await delivered(transport, emu)
      expect(embed?.description).toBe('from message')
    })

    it('returning false skips, undefined keeps the default rendering', async () => {
      const { emu, transport, logger } = await setup({ formatter: (info) => (info.message === 'skip me' ? false : undefined) })
      logger.error('skip me')
      logger.error('default me')
      const embeds = await delivered(transport, emu)
      expect(embeds.map((e) => e.title)).toEqual([expect.stringContaining('default me')])
    })

    it('a throwing formatter falls back to the default rendering and reports a warn', async () => {
      const { emu, transport, logger } = await setup({ formatter: () => { throw new Error('bad formatter') } })
      const warnings: unknown[] = []
      transport.on('warn', (w) => warnings.push(w))
      logger.error('still sent')
      const embeds = await delivered(transport, emu)
      expect(embeds[0]?.title).toContain('still sent')
      expect(warnings).toEqual([expect.objectContaining({ kind: 'formatter' })])
    })
  })

  describe('shutdown', () => {
    it('log() calls back at once and emits logged without waiting on Discord', async () => {
      const { emu, transport, logger } = await setup()
      const logged = once(transport, 'logged')
      logger.error('quick')
      const [info] = await logged
      expect((info as { message: string }).message).toBe('quick')
      // The emulator may or may not have it yet; flush decides.
      await transport.flush()
      expect(emu.messages).toHaveLength(1)
    })

    it("emits 'logged' to listeners added at any time, also after removeAllListeners()", async () => {
      for (const removeAll of [false, true]) {
        const { transport, logger } = await setup({ dedup: { enabled: false } })
        logger.error(new Error('nobody listens yet'))
        if (removeAll) {
          transport.removeAllListeners()
          expect(transport.listenerCount('newListener')).toBe(0)
        }
        const logged = once(transport, 'logged')
        logger.error(new Error('heard'))
        expect(((await logged)[0] as { message: string }).message).toBe('heard')
        await transport.flush()
      }
    })

    it('await transport.flush() resolves once everything queued is delivered', async () => {
      // Same message template each time: storm control would fold these; this test is about delivery.
      const { emu, transport, logger } = await setup({ dedup: { enabled: false } })
      for (let i = 0; i < 25; i++) logger.error(`e${i}`)
      expect(await transport.flush()).toEqual({ pending: 0, timedOut: false })
      expect(embedsOf(emu.messages)).toHaveLength(25)
    })

    it('transport.close() delivers what is queued before it resolves', async () => {
      // Same message template each time: storm control would fold these; this test is about delivery.
      const { emu, transport, logger } = await setup({ dedup: { enabled: false } })
      for (let i = 0; i < 15; i++) logger.error(`e${i}`)
      await transport.close()
      expect(embedsOf(emu.messages)).toHaveLength(15)
      expect(transport.notifier.stats()).toMatchObject({ accepted: 15, sent: 15, dropped: 0 })
    })

    it("logger.end() then 'finish': nothing is left undelivered", async () => {
      // Same message template each time: storm control would fold these; this test is about delivery.
      const { emu, logger, transport } = await setup({ dedup: { enabled: false } })
      for (let i = 0; i < 40; i++) logger.error(new Error(`failure ${i}`))
      const finished = once(logger, 'finish')
      logger.end()
      await finished
      // No waiting here: 'finish' itself promises delivery.
      expect(embedsOf(emu.messages)).toHaveLength(40)
      expect(transport.notifier.stats()).toMatchObject({ accepted: 40, sent: 40, dropped: 0 })
    })

    it('a notifier passed in is flushed, not closed, when the transport ends', async () => {
      const emu = await createEmulator({ timeScale: TIME_SCALE })
      const { DiscordNotifier } = await import('@logcord/core')
      const notifier = new DiscordNotifier({ webhookUrl: emu.webhookUrl(), apiOrigin: emu.origin, rateLimits: SCALED_RATE_LIMITS, logLevel: 'silent' })
      const transport = new DiscordTransport({ notifier })
      open.push({ emu, transports: [] })
      const logger = winston.createLogger({ transports: [transport] })
      logger.error('via shared notifier')
      const finished = once(logger, 'finish')
      logger.end()
      await finished
      expect(embedsOf(emu.messages)).toHaveLength(1)
      expect(notifier.send({ severity: 'info', message: 'still open', time: Date.now() })).toBe(true)
      await notifier.close()
      expect(embedsOf(emu.messages)).toHaveLength(2)
    })
  })

  describe('a broken webhook never throws into the app', () => {
    it('reports a revoked webhook as warn on the transport and the logger, with no error event', async () => {
      const { emu, transport, logger, webhookUrl } = await setup()
      const id = new URL(webhookUrl).pathname.split('/').at(-2) as string
      emu.revoke(id, 404)
      const transportWarns: unknown[] = []
      const loggerWarns: unknown[] = []
      transport.on('warn', (w) => transportWarns.push(w))
      logger.on('warn', (w) => loggerWarns.push(w))
      expect(() => logger.error('into the void')).not.toThrow()
      await transport.flush()
      expect(transportWarns.length).toBeGreaterThan(0)
      expect(loggerWarns.length).toBe(transportWarns.length)
      expect(transport.notifier.health().status).toBe('disabled')
      expect(logger.listenerCount('error')).toBe(0) // an 'error' re-emitted here would have crashed the process
      expect(() => logger.error('after disable')).not.toThrow()
    })
  })

  describe('storm control folds repeats of logger.error(err)', () => {
    for (const thread of [false, true]) {
      it(`${thread ? 'ThreadedNotifier' : 'in-process'}: one alert and one "×N more" summary for each, counters exact in the tick of the call`, async () => {
        const { emu, transport, logger } = await setup({ thread, dedup: { enabled: true, windowMs: 60_000 }, incidents: { enabled: false } })
        const payout = new Error('payout rejected')
        // Distinct Error objects of one message template, and one Error object logged again and again.
        for (let i = 0; i < 200; i++) logger.error(i % 2 === 0 ? new Error(`ledger locked for account ${i}`) : payout)
        await endOfRun()
        expect(transport.notifier.stats()).toMatchObject({ accepted: 200, collapsed: 198, dropped: 0 })
        await transport.flush()
        const titles = embedsOf(emu.messages).map((e) => e.title ?? '').sort()
        expect(titles).toHaveLength(4)
        expect(titles.filter((t) => t.includes('×99 more')), titles.join(' | ')).toHaveLength(2)
        expect(transport.notifier.stats()).toMatchObject({ accepted: 200, collapsed: 198, dropped: 0, sent: 2 })
      })
    }

    it('folds by the severity a level maps to, and shows the service Winston put on the Error', async () => {
      // A service from defaultMeta (Winston assigns it onto the Error), and a level the transport maps.
      const billing = await setup({ dedup: { enabled: true, windowMs: 60_000 }, incidents: { enabled: false }, levelMap: { notice: 'warning' } }, { levels: winston.config.syslog.levels, defaultMeta: { service: 'billing' } })
      const logger = billing.logger as unknown as Record<'notice' | 'warning', (e: Error) => void>
      for (let i = 0; i < 50; i++) logger.notice(new Error(`card ${i} declined`))
      for (let i = 0; i < 50; i++) logger.warning(new Error(`card ${i} declined`))
      await endOfRun()
      // notice and warning both map to 'warning': one alert.
      expect(billing.transport.notifier.stats()).toMatchObject({ accepted: 100, collapsed: 99 })
      await billing.transport.flush()
      const embeds = embedsOf(billing.emu.messages)
      expect(embeds.map((e) => e.title ?? '').filter((t) => t.includes('×99 more'))).toHaveLength(1)
      expect(embeds.every((e) => e.author?.name === 'billing')).toBe(true)
    })

    it('a formatter, discord: false, other call shapes and levels below minSeverity go through storm control as built', async () => {
      const formatted = await setup({ formatter: () => undefined })
      const sends = countRecords(formatted.transport)
      for (let i = 0; i < 5; i++) formatted.logger.error(new Error('formatted'))
      await endOfRun()
      expect(sends.count).toBe(5)
      expect(formatted.transport.notifier.stats()).toMatchObject({ accepted: 5, collapsed: 4 })

      const { transport, logger } = await setup({ minSeverity: 'error' })
      const seen = countRecords(transport)
      const optedOut = Object.assign(new Error('not for discord'), { discord: false })
      for (let i = 0; i < 5; i++) logger.error(optedOut)
      for (let i = 0; i < 5; i++) logger.error('charge failed', new Error('card declined'))
      for (let i = 0; i < 5; i++) logger.warn(new Error('below the threshold'))
      await endOfRun()
      expect(seen.count).toBe(5 + 5)
      expect(transport.notifier.stats()).toMatchObject({ accepted: 5, collapsed: 4 })
    })
  })

  describe('each call is taken as it was made', () => {
    it('changes nothing a caller can see: counters, queue size and order with direct sends', async () => {
      const { emu, transport, logger } = await setup({ dedup: { enabled: false } })
      logger.error(new Error('logged first'))
      logger.error(new Error('logged second'))
      // Read in the same run.
      expect(transport.notifier.stats()).toMatchObject({ accepted: 2 })
      logger.error(new Error('logged third'))
      expect(transport.notifier.getQueueSize()).toBeGreaterThanOrEqual(1)
      logger.error(new Error('logged fourth'))
      // A record sent straight to the notifier goes after what was logged before it.
      transport.notifier.sendEmbed({ title: 'sent directly', severity: 'error' })
      await transport.flush()
      const titles = embedsOf(emu.messages).map((e) => e.title ?? '')
      expect(titles.map((t) => ['first', 'second', 'third', 'fourth', 'directly'].find((w) => t.endsWith(w)))).toEqual(['first', 'second', 'third', 'fourth', 'directly'])
    })

    it('dates each record at its call, not at the hand-over', async () => {
      const noon = Date.UTC(2026, 0, 1, 12, 0, 0)
      let now = noon
      const clock = { now: () => now, setTimeout: (fn: () => void, ms: number) => setTimeout(fn, ms).unref(), clearTimeout: (t: unknown) => clearTimeout(t as NodeJS.Timeout) }
      const { emu, transport, logger } = await setup({ clock, dedup: { enabled: false } })
      logger.error(new Error('at noon'))
      now += 3_600_000
      logger.error(new Error('an hour later'))
      await transport.flush()
      expect(embedsOf(emu.messages).map((e) => e.timestamp)).toEqual([new Date(noon).toISOString(), new Date(noon + 3_600_000).toISOString()])
    })

    for (const thread of [false, true]) {
      it(`${thread ? 'ThreadedNotifier' : 'in-process'}: a storm's window counts from the calls (first seen before last seen)`, async () => {
        const { emu, transport, logger } = await setup({ thread, dedup: { enabled: true, windowMs: 60_000 }, incidents: { enabled: false } })
        const err = (): Error => new Error('payout rejected')
        // The caller's clock (Date) moves 1.5 s between two runs of calls; timers and the worker keep
        // real time. (Calls of one synchronous run share a clock read: see the notifier's #runTime.)
        vi.useFakeTimers({ toFake: ['Date'] })
        try {
          const t0 = Date.now()
          logger.error(err())
          logger.error(err())
          await endOfRun()
          vi.setSystemTime(t0 + 1500)
          logger.error(err())
          logger.error(err())
          await transport.flush()
          const summary = embedsOf(emu.messages).find((e) => e.title?.includes('×3 more'))
          const field = (name: string): number => Date.parse(summary?.fields?.find((f) => f.name === name)?.value ?? '')
          expect(field('First seen')).toBe(t0)
          expect(field('Last seen')).toBe(t0 + 1500)
          expect(summary?.title).toContain('in the last 2 s')
        } finally {
          vi.useRealTimers()
        }
      })
    }

    it('a call keeps the service and message it was made with, when the same Error is logged again in the same run', async () => {
      const { emu, transport } = await setup({ dedup: { enabled: true, windowMs: 60_000 }, incidents: { enabled: false } })
      const orders = winston.createLogger({ defaultMeta: { service: 'orders-api' }, transports: [transport] })
      const payments = winston.createLogger({ defaultMeta: { service: 'payments-api' }, transports: [transport] })
      const shared = new Error('upstream timed out')
      orders.error(shared)
      payments.error(shared)
      shared.message = 'changed after both calls'
      await transport.flush()
      const embeds = embedsOf(emu.messages)
      expect(embeds.map((e) => e.author?.name).sort()).toEqual(['orders-api', 'payments-api'])
      expect(embeds.every((e) => e.title?.includes('upstream timed out'))).toBe(true)
    })

    it('keeps the level each call was made at, when one Error is logged again at another level in the same run', async () => {
      const { emu, transport, logger } = await setup({ dedup: { enabled: false } })
      const err = new Error('disk nearly full')
      logger.warn(err)
      logger.error(err)
      await transport.flush()
      const colours = embedsOf(emu.messages).map((e) => e.color).sort()
      expect(colours).toEqual([SEVERITY_STYLES.warning.color, SEVERITY_STYLES.error.color].sort())
    })

    it('takes every call shape at once, its fields as they were at the call', async () => {
      const { emu, transport, logger } = await setup({ dedup: { enabled: false } })
      const seen = countRecords(transport)
      logger.error(new Error('logged first'))
      const meta = { account: { plan: 'free' } }
      logger.error('upgrade failed', meta)
      // Both are with the notifier already.
      expect(seen.count).toBe(2)
      meta.account.plan = 'changed after the call'
      await transport.flush()
      const upgrade = embedsOf(emu.messages).find((e) => e.title?.endsWith('upgrade failed'))
      expect(JSON.stringify(upgrade)).toContain('free')
      expect(JSON.stringify(upgrade)).not.toContain('changed after the call')
    })

    it('never throws into the logger when the info has a throwing getter', async () => {
      const warnings: unknown[] = []
      const { transport, logger } = await setup()
      transport.on('warn', (w) => warnings.push(w))
      const hostile = new Error('hostile')
      Object.defineProperty(hostile, Symbol.for('level'), { get () { throw new Error('no level for you') }, configurable: true })
      Object.defineProperty(hostile, 'exception', { get () { throw new Error('no exception for you') } })
      expect(() => transport.log(hostile as never, () => {})).not.toThrow()
      expect(() => logger.error(new Error('after it'))).not.toThrow()
      await transport.flush()
      expect(warnings).toHaveLength(1)
    })
  })

  it('delivers a burst of 500 errors in full with zero 429s', async () => {
    // Same message template each time: storm control would fold these; this test is about delivery.
    const { emu, transport, logger } = await setup({ dedup: { enabled: false } })
    for (let i = 0; i < 500; i++) logger.error(new Error(`burst ${i}`))
    await emu.waitFor((messages) => embedsOf(messages).length >= 500, 20_000)
    const result = await transport.flush()
    expect(result.pending).toBe(0)
    const embeds = embedsOf(emu.messages)
    expect(embeds).toHaveLength(500)
    expect(new Set(embeds.map((e) => e.title)).size).toBe(500)
    const stats = emu.stats()
    expect(stats.rateLimited).toEqual({ bucket: 0, shared: 0, global: 0, cloudflare: 0 })
    expect(stats.byStatus[429] ?? 0).toBe(0)
    expect(Object.values(stats.rateLimited).reduce((a, b) => a + b, 0)).toBe(0)
    expect(transport.notifier.stats()).toMatchObject({ sent: 500, dropped: 0, rateLimited: 0 })
  })
})
