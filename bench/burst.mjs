// A burst of N sendDiagnostic calls against the emulator with Discord's limits (5 per 2 s per webhook,
// 30 per 60 s per channel, 50/s global), time-scaled so it runs in seconds. Prints requests made,
// records per request, 429s, and time to drain next to the lower bound the channel limit allows.
//
//   node bench/burst.mjs [--records 1000] [--time-scale 0.05]     (--time-scale 1 runs in real time)
import { parseArgs } from 'node:util'
import { createEmulator, DEFAULT_LIMITS } from '@logcord/discord-emulator'
import { DiscordNotifier, LIMITS } from '@logcord/core'

const { values } = parseArgs({ options: { records: { type: 'string', default: '1000' }, 'time-scale': { type: 'string', default: '0.05' } } })
// Network and event-loop jitter is absolute time: the safety offset is not scaled with the clock.
const OFFSET_MS = 50
const records = Number(values.records)
const scale = Number(values['time-scale'])

export async function burst ({ records, scale, log = true }) {
  const emu = await createEmulator({ timeScale: scale, seed: 7 })
  const notifier = new DiscordNotifier({
    webhookUrl: emu.webhookUrl(),
    apiOrigin: emu.origin,
    logLevel: 'silent',
    queueCapacity: Math.max(2000, records),
    rateLimits: { fallbackWindowMs: 2000 * scale, channelWindowMs: 60_000 * scale, offsetMs: OFFSET_MS }
  })
  const start = performance.now()
  for (let i = 0; i < records; i++) {
    notifier.sendDiagnostic({ level: i % 7 === 0 ? 'critical' : 'error', service: 'checkout', message: `payment provider timeout #${i}`, details: { orderId: `ord_${100000 + i}`, attempt: i % 3 } })
  }
  const flushed = await notifier.flush(600_000)
  const elapsedMs = performance.now() - start
  const stats = notifier.stats()
  const emuStats = emu.stats()
  const embeds = emu.messages.reduce((n, m) => n + (m.payload.embeds?.length ?? 0), 0)
  const minRequests = Math.ceil(records / LIMITS.embedsPerMessage)
  const ch = DEFAULT_LIMITS.channel
  const wh = DEFAULT_LIMITS.webhook
  const boundMs = Math.max((Math.ceil(minRequests / ch.limit) - 1) * ch.windowMs, (Math.ceil(minRequests / wh.limit) - 1) * wh.windowMs)
  await notifier.close()
  await emu.close()
  const row = {
    records,
    delivered: embeds,
    requests: stats.requests,
    perRequest: +(embeds / Math.max(1, stats.requests)).toFixed(2),
    '429s': emuStats.byStatus['429'] ?? 0,
    drainS: +(elapsedMs / scale / 1000).toFixed(1),
    lowerBoundS: +(boundMs / 1000).toFixed(1),
    pending: flushed.pending
  }
  if (log) {
    console.log(`burst of ${records} sendDiagnostic calls, emulator time scale ${scale} (times below are in Discord seconds)`)
    console.table([row])
  }
  return row
}

if (import.meta.url === `file://${process.argv[1]}`) {
  await burst({ records, scale })
}
