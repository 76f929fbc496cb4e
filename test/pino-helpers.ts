/** Shared by the pino-discord tests: an emulator with scaled time and notifier options to match it. */
import { once } from 'node:events'
import { createEmulator, type Emulator, type StoredMessage } from '@logcord/discord-emulator'
import type { PinoDiscordOptions } from '@logcord/pino-discord'

/** Discord's windows shrunk 50×: a 60 s channel window lasts 1.2 s, so a burst of 500 finishes in seconds. */
export const TIME_SCALE = 0.02
const DISCORD_CHANNEL_WINDOW_MS = 60_000
const DISCORD_FALLBACK_WINDOW_MS = 2000
/** Jitter allowance: absolute, not scaled (the emulator shares the test's event loop with the suite, so delivery jitter does not shrink with the clock). */
const SCALED_OFFSET_MS = 50
/** Long enough for a slow CI box; waitFor returns as soon as the messages are there. */
export const WAIT_MS = 20_000

export async function startEmulator (): Promise<Emulator> {
  return await createEmulator({ timeScale: TIME_SCALE })
}

/** Transport options pointing at the emulator, with rate limits scaled like its clock. */
export function emulatorOptions (emu: Emulator, extra: PinoDiscordOptions = {}): PinoDiscordOptions {
  return {
    webhookUrl: emu.webhookUrl(),
    apiOrigin: emu.origin,
    rateLimits: {
      channelWindowMs: DISCORD_CHANNEL_WINDOW_MS * TIME_SCALE,
      fallbackWindowMs: DISCORD_FALLBACK_WINDOW_MS * TIME_SCALE,
      offsetMs: SCALED_OFFSET_MS
    },
    ...extra
  }
}

export type ReceivedEmbed = Record<string, unknown> & { title?: string, description?: string, color?: number, footer?: { text: string }, fields?: Array<{ name: string, value: string }> }

/** Every embed the emulator saved, in arrival order (the core batches several into one message). */
export function embedsOf (messages: readonly StoredMessage[]): ReceivedEmbed[] {
  return messages.flatMap((m) => (m.payload.embeds as ReceivedEmbed[] | undefined) ?? [])
}

export async function waitForEmbeds (emu: Emulator, n: number): Promise<ReceivedEmbed[]> {
  return embedsOf(await emu.waitFor((messages) => embedsOf(messages).length >= n, WAIT_MS))
}

/**
 * Ends a transport stream and resolves once its worker has drained and closed. thread-stream's end()
 * blocks this thread (Atomics.wait) while the worker drains, and the emulator runs on this thread:
 * await the emulator first, so ending finds nothing left to send.
 */
export async function endTransport (stream: NodeJS.EventEmitter & { end(): unknown }): Promise<void> {
  const closed = once(stream, 'close')
  stream.end()
  await closed
}
