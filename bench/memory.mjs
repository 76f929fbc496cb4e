// Memory under a burst: N records logged at once into a notifier with a small queue (Discord's limits,
// time-scaled, hold sending back), sampling the process's RSS while logging and while draining.
// Prints the peak RSS growth over a garbage-collected baseline (target ≤ 64 MB) and checks that every
// record is accounted for: sent + dropped + collapsed + pending == N, where pending is what is still
// queued or in flight when the sample is taken (close() then drops it as `shutdown`).
//
// The baseline is taken after the notifier has delivered one message, as in a process that has sent before:
// on its first responses undici's WASM HTTP parser is optimised by V8, a one-time cost of about 30 MB of RSS for
// a moment, paid by every undici user (compare `--cold` with `node --liftoff-only`). `--cold` measures the
// burst as the process's first traffic, that cost included.
//
// Four records in five have a message of their own (they fill the queue and are shed), one in five
// repeats one of a few templates (storm control folds those), across every severity.
//
//   node --expose-gc bench/memory.mjs [--records 100000] [--queue 1000] [--cold] [--no-dead-letters] [--json]
//
// The dead-letter file is on by default (every shed record is written to it); `--no-dead-letters` measures without it.
// bench/run.mjs runs it in a child process of its own (both ways), so the baseline is this benchmark's alone.
import { pathToFileURL } from 'node:url'
import { parseArgs } from 'node:util'
import { createEmulator } from '@logcord/discord-emulator'
import { DiscordNotifier, SEVERITIES } from '@logcord/core'

const SCALE = 0.05
const OFFSET_MS = 50
const MB = 1024 * 1024
const TARGET_MB = 64
const SAMPLE_EVERY_RECORDS = 1000
const SAMPLE_MS = 10
/** How long the burst is left to drain (real ms) before the books are checked. */
const DRAIN_MS = 2000
const REPEAT_EVERY = 5
const TEMPLATES = ['cache miss for key k{n}', 'slow query took {n} ms', 'retrying job {n}']

/** i → 'bcd…' letters: a message of its own that no number normalisation can merge with another. */
const word = (i) => i.toString(26).replace(/[0-9]/g, (d) => 'qrstuvwxyz'[d]).replace(/[a-p]/g, (c) => String.fromCharCode(c.charCodeAt(0) + 1))

export async function memory ({ records = 100_000, queue = 1000, cold = false, deadLetters = true } = {}) {
  const gc = globalThis.gc ?? (() => {})
  const emu = await createEmulator({ timeScale: SCALE, seed: 13 })
  const notifier = new DiscordNotifier({
    webhookUrl: emu.webhookUrl(),
    apiOrigin: emu.origin,
    logLevel: 'silent',
    queueCapacity: queue,
    ...(deadLetters ? {} : { deadLetterFile: false }),
    rateLimits: { fallbackWindowMs: 2000 * SCALE, channelWindowMs: 60_000 * SCALE, offsetMs: OFFSET_MS }
  })
  // The warm-up message is counted like any record: the books below expect it.
  const warmUp = cold ? 0 : 1
  if (!cold) {
    notifier.send({ severity: 'info', message: 'warm-up', time: Date.now() })
    await notifier.flush()
  }
  gc()
  gc()
  const baseline = process.memoryUsage().rss
  let peak = baseline
  const sample = () => { peak = Math.max(peak, process.memoryUsage().rss) }
  const timer = setInterval(sample, SAMPLE_MS)
  for (let i = 0; i < records; i++) {
    const severity = SEVERITIES[i % SEVERITIES.length]
    const message = i % REPEAT_EVERY === 0
      ? TEMPLATES[i % TEMPLATES.length].replace('{n}', String(i))
      : `worker ${word(i)} lost its lease`
    notifier.send({ severity, message, service: 'jobs', fields: { attempt: i % 3, shard: `s${i % 16}` }, time: Date.now() })
    if (i % SAMPLE_EVERY_RECORDS === 0) sample()
  }
  await new Promise((resolve) => setTimeout(resolve, DRAIN_MS))
  const s = notifier.stats()
  const pending = notifier.getQueueSize()
  clearInterval(timer)
  sample()
  await notifier.close(0)
  const after = notifier.stats()
  await emu.close()
  return {
    records,
    queueCapacity: queue,
    firstTraffic: cold,
    deadLetters,
    peakRssGrowthMB: +((peak - baseline) / MB).toFixed(1),
    targetMB: TARGET_MB,
    sent: s.sent,
    dropped: s.dropped,
    collapsed: s.collapsed,
    pending,
    accountedFor: s.sent + s.dropped + s.collapsed + pending - warmUp,
    exact: s.accepted === records + warmUp && s.sent + s.dropped + s.collapsed + pending === records + warmUp,
    exactAfterClose: after.sent + after.dropped + after.collapsed === records + warmUp
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const { values } = parseArgs({ options: { records: { type: 'string', default: '100000' }, queue: { type: 'string', default: '1000' }, cold: { type: 'boolean', default: false }, json: { type: 'boolean', default: false }, 'no-dead-letters': { type: 'boolean', default: false } } })
  if (globalThis.gc === undefined) console.error('note: run with --expose-gc for a clean baseline')
  const row = await memory({ records: Number(values.records), queue: Number(values.queue), cold: values.cold, deadLetters: !values['no-dead-letters'] })
  if (values.json) console.log(JSON.stringify(row))
  else {
    console.log(`burst of ${row.records} records into a queue of ${row.queueCapacity}, RSS sampled every ${SAMPLE_MS} ms`)
    console.table([row])
  }
}
