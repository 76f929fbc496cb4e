/**
 * A Winston app's last words reach Discord: `logger.error(err); process.exit(1)`, uncaught exceptions,
 * unhandled rejections and SIGTERM, each in a child process running the built packages. The emulator
 * is read right after the child exited, without waiting: the alert had to arrive before the process died.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import type { Emulator } from '@logcord/discord-emulator'
import { embedsOf, emulatorOptions, runFixture, startEmulator, tokenOf } from './crash-helpers.js'

const FIXTURE = 'crash-winston.mjs'
/** Process start-up, worker start-up and the request itself, on a slow CI box. */
const PROMPT_EXIT_MS = 3000
const EXIT_TIMEOUT_MS = 800
const SIGTERM_EXIT_CODE = 143
const DRAIN_RECORDS = 20
/** Real milliseconds each request is held, so records are still pending when SIGTERM arrives. */
const SLOW_DISCORD_MS = 150
/** The drained records differ only by a number, which storm control would fold into one summary. */
const NO_DEDUP = { dedup: { enabled: false } }

let emu: Emulator
beforeEach(async () => { emu = await startEmulator() })
afterEach(async () => { await emu.close() })

const env = (extra: Record<string, unknown> = {}): Record<string, string> => ({ OPTIONS: JSON.stringify(emulatorOptions(emu, extra)) })

describe('Winston crash alerts (thread: true)', () => {
  it('delivers the error logged right before process.exit(1)', async () => {
    const run = await runFixture(FIXTURE, ['exit'], env())
    expect(run.code).toBe(1)
    const titles = embedsOf(emu.messages).map((e) => e.title)
    expect(titles).toEqual([expect.stringContaining('payment failed: exit(1) right after logging')])
  })

  it('does not wait at exit when nothing is pending', async () => {
    const run = await runFixture(FIXTURE, ['idle'], env({ exitTimeoutMs: 10_000 }))
    expect(run.code).toBe(0)
    expect(run.ms).toBeLessThan(PROMPT_EXIT_MS)
    expect(emu.messages).toHaveLength(0)
  })

  it('bounds the exit wait by exitTimeoutMs when Discord never answers', async () => {
    emu.setFaults({ hangRate: 1 })
    const run = await runFixture(FIXTURE, ['exit'], env({ exitTimeoutMs: EXIT_TIMEOUT_MS, timeoutMs: 60_000 }))
    expect(run.code).toBe(1)
    expect(run.ms).toBeLessThan(EXIT_TIMEOUT_MS + PROMPT_EXIT_MS)
  })

  it('logs an uncaught exception, delivers it, and exits with code 1', async () => {
    const run = await runFixture(FIXTURE, ['uncaught'], env())
    expect(run.code).toBe(1)
    const [embed, ...rest] = embedsOf(emu.messages)
    expect(rest).toHaveLength(0)
    expect(embed?.title).toContain('Uncaught exception')
    expect(embed?.description).toContain('card processor unreachable')
    // Node prints nothing once a handler is installed, so the handler prints the crash itself.
    expect(run.stderr).toContain('TypeError: card processor unreachable')
  })

  it('reports a thrown string as well as an Error', async () => {
    const run = await runFixture(FIXTURE, ['string-throw'], env())
    expect(run.code).toBe(1)
    expect(JSON.stringify(emu.messages[0]?.payload)).toContain('a bare string was thrown')
  })

  it('logs an unhandled rejection, delivers it, and exits with code 1', async () => {
    const run = await runFixture(FIXTURE, ['rejection'], env())
    expect(run.code).toBe(1)
    const [embed] = embedsOf(emu.messages)
    expect(embed?.title).toContain('Unhandled rejection')
    expect(embed?.description).toContain('quota exceeded')
  })

  it('drains every pending record on SIGTERM, then exits with 128 + 15', async () => {
    emu.setFaults({ latencyMs: SLOW_DISCORD_MS })
    const run = await runFixture(FIXTURE, ['sigterm', String(DRAIN_RECORDS)], env(NO_DEDUP), 'SIGTERM')
    expect(run.code).toBe(SIGTERM_EXIT_CODE)
    const titles = embedsOf(emu.messages).map((e) => e.title ?? '')
    expect(titles).toHaveLength(DRAIN_RECORDS)
    expect(titles.every((t) => t.includes('draining'))).toBe(true)
    expect(run.stderr + run.stdout).not.toContain(tokenOf(String(emulatorOptions(emu).webhookUrl)))
  })
})
