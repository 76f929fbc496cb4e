/**
 * A Pino app's last words reach Discord: `logger.fatal(err); process.exit(1)`, uncaught exceptions,
 * unhandled rejections and SIGTERM — through the worker transport (`discordTransport()`, drained by
 * pino's exit hook) and through an in-process stream (drained by the handlers). Each runs in a child
 * process with the built packages; the emulator is read right after the child exited.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import type { Emulator } from '@logcord/discord-emulator'
import { SEVERITY_STYLES } from '@logcord/core'
import { embedsOf, emulatorOptions, runFixture, startEmulator } from './crash-helpers.js'

const FIXTURE = 'crash-pino.mjs'
const SIGTERM_EXIT_CODE = 143
const DRAIN_RECORDS = 20
const SLOW_DISCORD_MS = 150
/** The drained records differ only by a number, which storm control would fold into one summary. */
const NO_DEDUP = { dedup: { enabled: false } }

let emu: Emulator
beforeEach(async () => { emu = await startEmulator() })
afterEach(async () => { await emu.close() })

const env = (extra: Record<string, unknown> = {}): Record<string, string> => ({ OPTIONS: JSON.stringify(emulatorOptions(emu, extra)) })

describe('Pino crash alerts', () => {
  it('delivers the fatal record logged right before process.exit(1) (worker transport)', async () => {
    const run = await runFixture(FIXTURE, ['exit'], env())
    expect(run.code).toBe(1)
    const [embed, ...rest] = embedsOf(emu.messages)
    expect(rest).toHaveLength(0)
    expect(embed?.title).toContain('unrecoverable: config missing')
    expect(embed?.color).toBe(SEVERITY_STYLES.critical.color)
  })

  for (const where of ['worker', 'in-process'] as const) {
    const prefix = where === 'worker' ? '' : 'inproc-'
    it(`logs an uncaught exception as fatal, delivers it, and exits with code 1 (${where})`, async () => {
      const run = await runFixture(FIXTURE, [`${prefix}uncaught`], env())
      expect(run.code).toBe(1)
      const [embed] = embedsOf(emu.messages)
      expect(embed?.title).toContain('Uncaught exception')
      expect(JSON.stringify(embed)).toContain('card processor unreachable')
      expect(embed?.color).toBe(SEVERITY_STYLES.critical.color)
    })

    it(`logs an unhandled rejection as fatal, delivers it, and exits with code 1 (${where})`, async () => {
      const run = await runFixture(FIXTURE, [`${prefix}rejection`], env())
      expect(run.code).toBe(1)
      const [embed] = embedsOf(emu.messages)
      expect(embed?.title).toContain('Unhandled rejection')
      expect(JSON.stringify(embed)).toContain('quota exceeded')
    })

    it(`drains every pending record on SIGTERM, then exits with 128 + 15 (${where})`, async () => {
      emu.setFaults({ latencyMs: SLOW_DISCORD_MS })
      const run = await runFixture(FIXTURE, [`${prefix}sigterm`, String(DRAIN_RECORDS)], env(NO_DEDUP), 'SIGTERM')
      expect(run.code).toBe(SIGTERM_EXIT_CODE)
      expect(embedsOf(emu.messages).map((e) => e.title).filter((t) => t?.includes('draining'))).toHaveLength(DRAIN_RECORDS)
    })
  }
})
