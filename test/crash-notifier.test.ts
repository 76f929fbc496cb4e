/**
 * The bare notifier's last words: installProcessHandlers({ notifier }) reports crashes as critical
 * records and drains on SIGTERM; a ThreadedNotifier delivers across process.exit(1). Child processes
 * run the built packages; the emulator is read right after the child exited.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import type { Emulator } from '@logcord/discord-emulator'
import { SEVERITY_STYLES } from '@logcord/core'
import { embedsOf, emulatorOptions, runFixture, startEmulator } from './crash-helpers.js'

const FIXTURE = 'crash-notifier.mjs'
const SIGTERM_EXIT_CODE = 143
const DRAIN_RECORDS = 20
const SLOW_DISCORD_MS = 150
/** The drained records differ only by a number, which storm control would fold into one summary. */
const NO_DEDUP = { dedup: { enabled: false } }
/** A drain deadline far shorter than the hung request's timeout. */
const DRAIN_MS = 700
const PROMPT_EXIT_MS = 3000

let emu: Emulator
beforeEach(async () => { emu = await startEmulator() })
afterEach(async () => { await emu.close() })

const env = (extra: Record<string, unknown> = {}, more: Record<string, string> = {}): Record<string, string> => ({ OPTIONS: JSON.stringify(emulatorOptions(emu, extra)), ...more })

describe('notifier crash alerts', () => {
  it('ThreadedNotifier delivers an alert sent right before process.exit(1)', async () => {
    const run = await runFixture(FIXTURE, ['exit'], env())
    expect(run.code).toBe(1)
    expect(embedsOf(emu.messages).map((e) => e.title)).toEqual([expect.stringContaining('ledger corrupt')])
  })

  it('reports an uncaught exception as a critical record and exits with code 1', async () => {
    const run = await runFixture(FIXTURE, ['uncaught'], env())
    expect(run.code).toBe(1)
    const [embed] = embedsOf(emu.messages)
    expect(embed?.title).toContain('Uncaught exception: card processor unreachable')
    expect(embed?.color).toBe(SEVERITY_STYLES.critical.color)
  })

  it('reports `throw null` without crashing the handler', async () => {
    const run = await runFixture(FIXTURE, ['null-throw'], env())
    expect(run.code).toBe(1)
    expect(embedsOf(emu.messages)[0]?.title).toContain('Uncaught exception')
  })

  it('reports an unhandled rejection and exits with code 1', async () => {
    const run = await runFixture(FIXTURE, ['rejection'], env())
    expect(run.code).toBe(1)
    expect(embedsOf(emu.messages)[0]?.title).toContain('Unhandled rejection: quota exceeded')
  })

  it('drains on SIGTERM and exits with 128 + 15', async () => {
    emu.setFaults({ latencyMs: SLOW_DISCORD_MS })
    const run = await runFixture(FIXTURE, ['sigterm', String(DRAIN_RECORDS)], env(NO_DEDUP), 'SIGTERM')
    expect(run.code).toBe(SIGTERM_EXIT_CODE)
    expect(embedsOf(emu.messages)).toHaveLength(DRAIN_RECORDS)
  })

  it('exits by the drain deadline when Discord hangs', async () => {
    emu.setFaults({ hangRate: 1 })
    const run = await runFixture(FIXTURE, ['uncaught'], env({ timeoutMs: 60_000 }, { DRAIN_MS: String(DRAIN_MS) }))
    expect(run.code).toBe(1)
    expect(run.ms).toBeLessThan(DRAIN_MS + PROMPT_EXIT_MS)
  })
})
