/**
 * Replayed reports, round 2 (issue 19): what users of Discord webhooks, Winston, Pino and undici met, each
 * replayed on the built packages, in child processes that end by themselves, against the emulator.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { createEmulator, type Emulator } from '@logcord/discord-emulator'
import { embedsOf, runNode } from './crash-helpers.js'

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
