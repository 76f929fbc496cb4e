// A storm: N identical errors (one message template, a different order id and UUID each) logged at once
// through a notifier with storm control on (the default), against the emulator with Discord's limits,
// time-scaled. Prints the requests made, what the channel shows (messages, and the count they add up
// to: an incident's `×N` status line, 1 per other alert, N per "×N more" summary) and the counters, which must
// reconcile exactly. Then a storm lasting a minute of Discord time: the edits its incident's message took.
//
//   node bench/storm.mjs [--records 100000] [--time-scale 0.05]
import { randomUUID } from 'node:crypto'
import { pathToFileURL } from 'node:url'
import { parseArgs } from 'node:util'
import { createEmulator } from '@logcord/discord-emulator'
import { DiscordNotifier } from '@logcord/core'

const OFFSET_MS = 50
const MORE = /×(\d+) more in the last/
const STATUS = /^(?:Resolved · )?×([\d,]+) /

/** A notifier on the emulator whose Discord-time settings (rate-limit windows, the edit interval) run `scale` times as long. */
function scaledNotifier (emu, scale) {
  return new DiscordNotifier({
    webhookUrl: emu.webhookUrl(),
    apiOrigin: emu.origin,
    logLevel: 'silent',
    incidents: { editIntervalMs: 10_000 * scale },
    rateLimits: { fallbackWindowMs: 2000 * scale, channelWindowMs: 60_000 * scale, offsetMs: OFFSET_MS }
  })
}

/** Records an embed stands for: its incident's count, a summary's, or 1. */
function standsFor (e) {
  const status = STATUS.exec(e.footer?.text ?? '')
  if (status !== null) return Number(status[1].replaceAll(',', ''))
  const more = MORE.exec(e.title ?? '')
  return more === null ? 1 : Number(more[1])
}

export async function storm ({ records = 100_000, scale = 0.05, log = true } = {}) {
  const emu = await createEmulator({ timeScale: scale, seed: 11 })
  const notifier = scaledNotifier(emu, scale)
  const start = performance.now()
  for (let i = 0; i < records; i++) {
    notifier.sendErrorNotification({ service: 'checkout', error: new Error(`payment ${randomUUID()} failed for order ord_${100000 + i}`) })
  }
  const logMs = performance.now() - start
  await notifier.flush(600_000)
  const stats = notifier.stats()
  const embeds = emu.messages.flatMap((m) => m.payload.embeds ?? [])
  const shown = embeds.reduce((n, e) => n + standsFor(e), 0)
  await notifier.close()
  await emu.close()
  const row = {
    records,
    requests: stats.requests,
    messages: emu.messages.length,
    embeds: embeds.length,
    channelCount: shown,
    sent: stats.sent,
    collapsed: stats.collapsed,
    dropped: stats.dropped,
    edits: stats.edits,
    reconciles: stats.accepted === records && stats.sent + stats.dropped + stats.collapsed === records && shown === records,
    logUsPerCall: +((logMs * 1000) / records).toFixed(2)
  }
  if (log) {
    console.log(`storm of ${records} identical errors (varying ids), storm control on, emulator time scale ${scale}`)
    console.table([row])
  }
  return row
}

/** One error 50 times a second (Discord time) for `minutes`: the edits its incident's message took per minute, and the count it shows. */
export async function sustained ({ minutes = 1, scale = 0.05, log = true } = {}) {
  const emu = await createEmulator({ timeScale: scale, seed: 12 })
  const notifier = scaledNotifier(emu, scale)
  const seconds = minutes * 60
  for (let s = 0; s < seconds; s++) {
    for (let i = 0; i < 50; i++) notifier.sendErrorNotification({ service: 'checkout', error: new Error(`payment ${randomUUID()} failed`) })
    await new Promise((resolve) => setTimeout(resolve, 1000 * scale))
  }
  await notifier.flush(600_000)
  await notifier.close()
  const edits = emu.messages.reduce((n, m) => n + (m.edits ?? 0), 0)
  const row = { minutes, records: seconds * 50, messages: emu.messages.length, shows: emu.messages.flatMap((m) => m.payload.embeds ?? []).reduce((n, e) => n + standsFor(e), 0), edits, editsPerIncidentMinute: +(edits / emu.messages.length / minutes).toFixed(1), status429: emu.stats().byStatus[429] ?? 0 }
  await emu.close()
  if (log) {
    console.log(`one error 50 times a second for ${minutes} min (Discord time), incidents on (editIntervalMs 10 s), emulator time scale ${scale}`)
    console.table([row])
  }
  return row
}

/** 100 distinct alerts alone, and beside a storm of one error (20 repeats every 20 ms): ms until all 100 are in the channel, median of `rounds` alternating pairs. */
export async function mixed ({ rounds = 5, scale = 0.1, log = true } = {}) {
  const word = (i) => i.toString(26).replace(/[0-9]/g, (d) => 'qrstuvwxyz'[d])
  const once = async (storm, seed) => {
    // A seed of its own: a channel of its own (limits are shared by channel within a process).
    const emu = await createEmulator({ timeScale: scale, seed })
    const notifier = scaledNotifier(emu, scale)
    const start = performance.now()
    const timer = storm ? setInterval(() => { for (let k = 0; k < 20; k++) notifier.sendDiagnostic({ level: 'critical', service: 'db', message: 'primary down' }) }, 20) : undefined
    for (let i = 0; i < 100; i++) notifier.sendDiagnostic({ level: 'error', service: 'jobs', message: `job ${word(i)} failed` })
    const all = () => emu.messages.flatMap((m) => m.payload.embeds ?? []).filter((e) => /job /.test(e.description ?? '')).length >= 100
    await new Promise((resolve) => { const off = emu.on('message', () => { if (all()) { off(); resolve() } }); if (all()) resolve() })
    const ms = performance.now() - start
    clearInterval(timer)
    await notifier.close()
    const status429 = emu.stats().byStatus[429] ?? 0
    await emu.close()
    return { ms, status429 }
  }
  const alone = []
  const beside = []
  for (let r = 0; r < rounds; r++) {
    alone.push(await once(false, 100 + 2 * r))
    beside.push(await once(true, 101 + 2 * r))
  }
  const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]
  const row = { rounds, aloneMs: Math.round(median(alone.map((x) => x.ms))), besideStormMs: Math.round(median(beside.map((x) => x.ms))), status429: [...alone, ...beside].reduce((n, x) => n + x.status429, 0) }
  row.ratio = +(row.besideStormMs / row.aloneMs).toFixed(2)
  if (log) {
    console.log(`100 distinct alerts alone and beside a storm of one error, median of ${rounds} alternating pairs, emulator time scale ${scale}`)
    console.table([row])
  }
  return row
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const { values } = parseArgs({ options: { records: { type: 'string', default: '100000' }, 'time-scale': { type: 'string', default: '0.05' } } })
  await storm({ records: Number(values.records), scale: Number(values['time-scale']) })
  await sustained({ scale: Number(values['time-scale']) })
  await mixed()
}
