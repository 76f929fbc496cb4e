/**
 * Mentions, end to end against the emulator: log text full of @everyone, @here and <@id> pings nobody;
 * configured ids ping, and only at the configured severity — for the notifier and both transports.
 * (A file of its own: the process-wide limiter state must not carry another file's virtual clock.)
 */
import pino from 'pino'
import winston from 'winston'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { DiscordNotifier, type NotifierOptions } from '@logcord/core'
import { createEmulator, type Emulator } from '@logcord/discord-emulator'
import pinoDiscord from '@logcord/pino-discord'
import { DiscordTransport } from '@logcord/winston-discord'

const ROLE = '223456789012345678'
const USER = '323456789012345678'
const PINGS_IN_TEXT = '@everyone @here <@123456789012345678> <@!123456789012345678> <@&987654321098765432> ping!'
const TIME_SCALE = 0.02
const SCALED_LIMITS = { channelWindowMs: 60_000 * TIME_SCALE, fallbackWindowMs: 2000 * TIME_SCALE, offsetMs: 40 }
const WAIT_MS = 10_000

describe('mentions: log text never pings; configured ids ping at configured levels only', () => {
  let emu: Emulator
  beforeAll(async () => { emu = await createEmulator({ timeScale: TIME_SCALE }) })
  afterAll(async () => { await emu.close() })

  const options = (withMentions: boolean): NotifierOptions => ({
    webhookUrl: emu.webhookUrl(),
    apiOrigin: emu.origin,
    logLevel: 'silent',
    dedup: { enabled: false },
    rateLimits: SCALED_LIMITS,
    ...(withMentions ? { mentions: { roles: [ROLE], users: [USER], minSeverity: 'error' as const } } : {})
  })

  /** Sends a warning and an error whose text is full of pings; returns what the emulator says would ping. */
  async function run (send: (o: NotifierOptions) => Promise<void>, withMentions: boolean): Promise<Array<{ severity: string, pings: unknown, allowed: unknown }>> {
    emu.reset()
    await send(options(withMentions))
    const messages = await emu.waitFor(2, WAIT_MS)
    return messages.map((m) => ({ severity: JSON.stringify(m.payload).includes('WARNING-CASE') ? 'warning' : 'error', pings: m.pings, allowed: m.payload.allowed_mentions }))
  }

  const senders: Record<string, (o: NotifierOptions) => Promise<void>> = {
    notifier: async (o) => {
      const n = new DiscordNotifier(o)
      n.sendDiagnostic({ level: 'warning', service: 'svc', message: `WARNING-CASE ${PINGS_IN_TEXT}` })
      n.sendPlaintext(`WARNING-CASE plain ${PINGS_IN_TEXT}`, 'warning')
      await n.flush()
      n.sendErrorNotification({ service: 'svc', error: new Error(`ERROR-CASE ${PINGS_IN_TEXT}`) })
      n.sendPlaintext(`ERROR-CASE plain ${PINGS_IN_TEXT}`, 'error')
      await n.close()
    },
    winston: async (o) => {
      const t = new DiscordTransport(o)
      const logger = winston.createLogger({ transports: [t] })
      logger.warn(`WARNING-CASE ${PINGS_IN_TEXT}`)
      await t.flush()
      logger.error(new Error(`ERROR-CASE ${PINGS_IN_TEXT}`))
      await t.close()
    },
    pino: async (o) => {
      const stream = await pinoDiscord(o)
      const logger = pino(stream)
      logger.warn(`WARNING-CASE ${PINGS_IN_TEXT}`)
      await emu.waitFor(1, WAIT_MS)
      logger.error(new Error(`ERROR-CASE ${PINGS_IN_TEXT}`))
      await emu.waitFor(2, WAIT_MS)
      await new Promise<void>((resolve) => { stream.once('close', resolve); stream.end() })
    }
  }

  for (const [name, send] of Object.entries(senders)) {
    it(`${name}: nothing pings without configured mentions, whatever the text says`, async () => {
      const rows = await run(send, false)
      expect(rows.length).toBeGreaterThanOrEqual(2)
      for (const r of rows) {
        expect(r.allowed).toEqual({ parse: [] })
        expect(r.pings).toEqual({ everyone: false, roles: [], users: [] })
      }
    })

    it(`${name}: configured role and user ping on errors only, never @everyone or ids from the text`, async () => {
      const rows = await run(send, true)
      for (const r of rows) {
        if (r.severity === 'warning') expect(r.pings).toEqual({ everyone: false, roles: [], users: [] })
        else expect(r.pings).toEqual({ everyone: false, roles: [ROLE], users: [USER] })
      }
      expect(rows.some((r) => r.severity === 'error')).toBe(true)
    })
  }
})
