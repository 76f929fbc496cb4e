import { createEmulator } from '@logcord/discord-emulator'
import { DiscordNotifier } from '@logcord/core'
const emu = await createEmulator({ timeScale: 0.02 })
const n = new DiscordNotifier({ webhookUrl: emu.webhookUrl(), apiOrigin: emu.origin, dedup: { enabled: false }, logLevel: 'silent', rateLimits: { channelWindowMs: 1200, fallbackWindowMs: 40, offsetMs: 50 } })
const t0 = performance.now()
let i = 0
n.on('rateLimited', (e) => { if (e.reactive) console.log('429', e, 'after request', n.stats().requests, (performance.now() - t0).toFixed(0)) })
for (let i = 0; i < 500; i++) n.sendErrorNotification({ service: 's', error: new Error('job ' + i) })
await n.flush(60000)
console.log(emu.stats().rateLimited, n.stats().requests)
await n.close(); await emu.close()
