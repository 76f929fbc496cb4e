// Where the demo and send-test deliver: the real webhook in DISCORD_WEBHOOK_URL, or else a local Discord
// emulator started in this process with Discord's real limits, its clock sped up by `timeScale`.
import { parseWebhookUrl, redactLoose } from '@logcord/core/internal'

// Network and event-loop jitter is absolute time, so the safety offset is not scaled with the clock.
const OFFSET_MS = 40
const DISCORD = { fallbackWindowMs: 2000, channelWindowMs: 60_000, cloudflareCooldownMs: 60_000, retryDelays: [2000, 3000, 5000], dedupWindowMs: 60_000 }

/**
 * @param {{ port?: number, timeScale?: number, env?: NodeJS.ProcessEnv }} options
 * @returns {Promise<{ emulator?: import('@logcord/discord-emulator').Emulator, webhookUrl: string,
 *   notifierOptions: Record<string, unknown>, label: string, timeScale: number, close: () => Promise<void> }>}
 */
export async function openTarget ({ port = 0, timeScale = 1, env = process.env } = {}) {
  const real = env.DISCORD_WEBHOOK_URL?.trim()
  if (real) {
    try {
      parseWebhookUrl(real)
    } catch (error) {
      // The message names the problem with the token already redacted.
      console.error(`DISCORD_WEBHOOK_URL: ${error.message}`)
      process.exit(2)
    }
    return {
      webhookUrl: real,
      notifierOptions: { webhookUrl: real },
      // The token is a secret: only the redacted form is ever shown.
      label: `your webhook ${redactLoose(real)} (DISCORD_WEBHOOK_URL)`,
      timeScale: 1,
      close: async () => {}
    }
  }
  const { createEmulator } = await import('@logcord/discord-emulator')
  const emulator = await createEmulator({ port, timeScale })
  const webhookUrl = emulator.webhookUrl()
  return {
    emulator,
    webhookUrl,
    notifierOptions: { webhookUrl, apiOrigin: emulator.origin, ...scaledLimits(timeScale) },
    label: `the local Discord emulator at ${emulator.origin} (Discord's limits, clock × ${timeScale})`,
    timeScale,
    close: () => emulator.close()
  }
}

/**
 * The notifier's time settings, scaled to an emulator whose windows run `scale` times as long: the
 * hidden limits, the retry waits, and the storm-control window (so its "×N more" summaries arrive
 * within the demo, as they would a minute later in real time).
 */
export function scaledLimits (scale) {
  return {
    retryDelays: DISCORD.retryDelays.map((ms) => Math.round(ms * scale)),
    dedup: { windowMs: Math.round(DISCORD.dedupWindowMs * scale) },
    rateLimits: {
      fallbackWindowMs: DISCORD.fallbackWindowMs * scale,
      channelWindowMs: DISCORD.channelWindowMs * scale,
      cloudflareCooldownMs: DISCORD.cloudflareCooldownMs * scale,
      offsetMs: OFFSET_MS
    }
  }
}

/** Parses `--name value` / `--name=value` numbers, rejecting nonsense with the flag's name. */
export function numberFlag (values, name, fallback, { min = 0 } = {}) {
  const raw = values[name]
  if (raw === undefined) return fallback
  const n = Number(raw)
  if (!Number.isFinite(n) || n < min) {
    console.error(`--${name}: expected a number ≥ ${min}, received ${JSON.stringify(raw)}.`)
    process.exit(2)
  }
  return n
}
