import { createEmulator } from '@logcord/discord-emulator'
import pino from 'pino'
import { discordTransport } from '@logcord/pino-discord'
const emu = await createEmulator({ timeScale: 0.02 })
const t = discordTransport({ webhookUrl: emu.webhookUrl(), apiOrigin: emu.origin, dedup: { enabled: false }, logLevel: 'debug', rateLimits: { channelWindowMs: 1200, fallbackWindowMs: 40, offsetMs: 50 } })
const logger = pino(t)
for (let i = 0; i < 500; i++) logger.error({ err: new Error(`job ${i} failed`), job: i }, `job ${i} failed`)
await emu.waitFor((m) => m.reduce((n, x) => n + (x.payload.embeds?.length ?? 0), 0) >= 500, 60000)
console.log(emu.stats().rateLimited, emu.stats().requests)
await emu.close()
