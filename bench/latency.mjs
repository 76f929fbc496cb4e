// Idle latency: from the log call to the emulator (in this process, at Discord's real limits,
// timeScale 1) having received the message. ~50 calls, spaced so no rate limit ever applies: they
// go round-robin to five webhooks in five channels, each seeing one call a second (Discord allows
// 5 per 2 s per webhook and ~30 per minute per channel). Prints the median and the 95th percentile.
//
//   node bench/latency.mjs [--calls 50] [--spacing-ms 200]
import { pathToFileURL } from 'node:url'
import { parseArgs } from 'node:util'
import { createEmulator } from '@logcord/discord-emulator'
import { DiscordNotifier } from '@logcord/core'

const WEBHOOKS = 5
const P95 = 0.95

const percentile = (sorted, p) => sorted[Math.min(sorted.length - 1, Math.ceil(p * sorted.length) - 1)]
/** i → letters only, so no two messages share a template and storm control (on, as by default) passes each. */
const word = (i) => i.toString(26).replace(/[0-9]/g, (d) => 'qrstuvwxyz'[d])

export async function latency ({ calls = 50, spacingMs = 200 } = {}) {
  const emu = await createEmulator({ timeScale: 1, seed: 17 })
  const notifiers = Array.from({ length: WEBHOOKS }, () => new DiscordNotifier({ webhookUrl: emu.webhookUrl(), apiOrigin: emu.origin, logLevel: 'silent' }))
  const started = new Map()
  const samples = []
  emu.on('message', (m) => {
    const key = /probe (\w+)/.exec(JSON.stringify(m.payload))?.[1]
    const t0 = key === undefined ? undefined : started.get(key)
    if (t0 !== undefined) samples.push(performance.now() - t0)
  })
  for (let i = 0; i < calls; i++) {
    const key = word(i)
    started.set(key, performance.now())
    notifiers[i % WEBHOOKS].sendErrorNotification({ service: 'latency', error: new Error(`probe ${key} failed`) })
    await new Promise((resolve) => setTimeout(resolve, spacingMs))
  }
  await Promise.all(notifiers.map((n) => n.flush()))
  await Promise.all(notifiers.map((n) => n.close()))
  await emu.close()
  const sorted = [...samples].sort((a, b) => a - b)
  return { calls, received: samples.length, medianMs: +percentile(sorted, 0.5).toFixed(2), p95Ms: +percentile(sorted, P95).toFixed(2), maxMs: +sorted.at(-1).toFixed(2) }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const { values } = parseArgs({ options: { calls: { type: 'string', default: '50' }, 'spacing-ms': { type: 'string', default: '200' } } })
  const row = await latency({ calls: Number(values.calls), spacingMs: Number(values['spacing-ms']) })
  console.log('idle latency, log call → emulator received (in-process, timeScale 1)')
  console.table([row])
}
