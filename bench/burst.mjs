// A burst of N sendDiagnostic calls against the emulator with Discord's limits (5 per 2 s per webhook,
// 30 per 60 s per channel, 50/s global), time-scaled so it runs in seconds. Prints requests made,
// records per request, 429s, and time to drain next to the lower bound the channel limit allows.
// --stack logs errors with long stacks instead (sendErrorNotification): under load each embed is rendered
// within 6000/n characters, so ten still fit one request, and every record's full text travels as an
// attached file (multipart). Run directly, it prints the plain run, the run whose records all need files,
// and the same records with `attachments: false`, side by side: requests, files, bytes sent, time.
//
// Storm control is off: these records share one message template, and this measures packing.
//
//   node bench/burst.mjs [--records 1000] [--time-scale 0.05] [--stack]     (--time-scale 1 runs in real time;
//                                                                          --stack runs that variant alone)
import { pathToFileURL } from 'node:url'
import { parseArgs } from 'node:util'
import { createEmulator, DEFAULT_LIMITS } from '@logcord/discord-emulator'
import { DiscordNotifier, LIMITS } from '@logcord/core'

const { values } = parseArgs({ options: { records: { type: 'string', default: '1000' }, 'time-scale': { type: 'string', default: '0.05' }, stack: { type: 'boolean', default: false } }, strict: false })
// Network and event-loop jitter is absolute time: the safety offset is not scaled with the clock.
const OFFSET_MS = 50
/** Frames in each logged error: real stacks through frameworks are this deep and deeper. */
const STACK_DEPTH = 40
const records = Number(values.records)
const scale = Number(values['time-scale'])

/** An error thrown `depth` calls down, with every frame kept. */
function deepError (i, depth = STACK_DEPTH) {
  const limit = Error.stackTraceLimit
  Error.stackTraceLimit = depth + 10
  try {
    const dive = (n) => (n === 0 ? new Error(`payment provider timeout for order ord_${100000 + i}`) : dive(n - 1))
    return dive(depth)
  } finally {
    Error.stackTraceLimit = limit
  }
}

export async function burst ({ records, scale, stack = false, attachments = true, log = true }) {
  const emu = await createEmulator({ timeScale: scale, seed: 7 })
  const notifier = new DiscordNotifier({
    webhookUrl: emu.webhookUrl(),
    apiOrigin: emu.origin,
    logLevel: 'silent',
    attachments,
    queueCapacity: Math.max(2000, records),
    dedup: { enabled: false },
    rateLimits: { fallbackWindowMs: 2000 * scale, channelWindowMs: 60_000 * scale, offsetMs: OFFSET_MS }
  })
  const start = performance.now()
  for (let i = 0; i < records; i++) {
    if (stack) {
      notifier.sendErrorNotification({ service: 'checkout', error: deepError(i), context: 'charging a saved card', details: { orderId: `ord_${100000 + i}` } })
      continue
    }
    notifier.sendDiagnostic({ level: i % 7 === 0 ? 'critical' : 'error', service: 'checkout', message: `payment provider timeout #${i}`, details: { orderId: `ord_${100000 + i}`, attempt: i % 3 } })
  }
  const flushed = await notifier.flush(600_000)
  const elapsedMs = performance.now() - start
  const stats = notifier.stats()
  const emuStats = emu.stats()
  const embeds = emu.messages.reduce((n, m) => n + (m.payload.embeds?.length ?? 0), 0)
  const files = emu.messages.reduce((n, m) => n + m.attachments.length, 0)
  const minRequests = Math.ceil(records / LIMITS.embedsPerMessage)
  const ch = DEFAULT_LIMITS.channel
  const wh = DEFAULT_LIMITS.webhook
  const boundMs = Math.max((Math.ceil(minRequests / ch.limit) - 1) * ch.windowMs, (Math.ceil(minRequests / wh.limit) - 1) * wh.windowMs)
  await notifier.close()
  await emu.close()
  const row = {
    variant: stack ? `errors, ${STACK_DEPTH}-frame stacks${attachments ? ', with files' : ', attachments: false'}` : 'sendDiagnostic',
    records,
    delivered: embeds,
    requests: stats.requests,
    perRequest: +(embeds / Math.max(1, stats.requests)).toFixed(2),
    '429s': emuStats.byStatus['429'] ?? 0,
    '400s': emuStats.byStatus['400'] ?? 0,
    files,
    MBSent: +(emuStats.bytesReceived / 1024 / 1024).toFixed(2),
    wallS: +(elapsedMs / 1000).toFixed(2),
    drainS: +(elapsedMs / scale / 1000).toFixed(1),
    lowerBoundS: +(boundMs / 1000).toFixed(1),
    pending: flushed.pending
  }
  if (log) {
    console.log(`burst of ${records} ${stack ? 'sendErrorNotification' : 'sendDiagnostic'} calls, emulator time scale ${scale} (times below are in Discord seconds)`)
    console.table([row])
  }
  return row
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  if (values.stack) {
    await burst({ records, scale, stack: true })
  } else {
    const rows = []
    for (const variant of [{}, { stack: true }, { stack: true, attachments: false }]) rows.push(await burst({ records, scale, ...variant, log: false }))
    console.log(`bursts of ${records} records, emulator time scale ${scale} (drainS and lowerBoundS in Discord seconds, wallS measured)`)
    console.table(rows)
  }
}
