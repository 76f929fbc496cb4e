// Main-thread cost of `logger.error(err)` with DiscordTransport, next to the same logger with a
// transport whose log() only calls back. Both run in one process, in alternating rounds after a
// warm-up; the median ns/call of each and their ratio are printed (target: ratio ≤ 1.25).
//
// The Discord transport posts to a local emulator at Discord's real rate limits, so no network is
// used and background delivery stays as rare as in production; records beyond the queue's capacity
// are shed by the core's overflow policy, which is part of what a burst costs.
//
//   pnpm build && node bench/winston.mjs [--calls 20000] [--rounds 7] [--reuse-error] [--thread]
//
// --thread measures the transport's worker-thread mode (`thread: true`) instead of in-process delivery.
//
// By default every call logs a fresh Error, as apps do; reading a fresh error's `stack` makes V8
// format it, a cost the no-op transport never pays. --reuse-error logs one Error over and over.
import { parseArgs } from 'node:util'
import winston from 'winston'
import Transport from 'winston-transport'
import { createEmulator } from '@logcord/discord-emulator'
import { DiscordTransport } from '@logcord/winston-discord'

const { values } = parseArgs({
  options: {
    calls: { type: 'string', default: '20000' },
    rounds: { type: 'string', default: '7' },
    'warm-up': { type: 'string', default: '2' },
    'reuse-error': { type: 'boolean', default: false },
    thread: { type: 'boolean', default: false }
  }
})
const CALLS = Number(values.calls)
const ROUNDS = Number(values.rounds)
const WARM_UP = Number(values['warm-up'])
const REUSE = values['reuse-error']
const TARGET_RATIO = 1.25

class NoopTransport extends Transport {
  log (info, callback) {
    callback()
  }
}

const emu = await createEmulator()
const THREAD = values.thread
const discord = new DiscordTransport({ webhookUrl: emu.webhookUrl(), apiOrigin: emu.origin, logLevel: 'silent', thread: THREAD })
const loggers = {
  noop: winston.createLogger({ transports: [new NoopTransport()] }),
  discord: winston.createLogger({ transports: [discord] })
}

const shared = new Error('payment failed')
/** One round: CALLS log calls, then one turn of the event loop so deferred per-call work is counted too. */
async function round (logger) {
  const start = process.hrtime.bigint()
  for (let i = 0; i < CALLS; i++) logger.error(REUSE ? shared : new Error('payment failed'))
  await new Promise((resolve) => setImmediate(resolve))
  return Number(process.hrtime.bigint() - start) / CALLS
}

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b)
  const mid = s.length >> 1
  return s.length % 2 === 1 ? s[mid] : (s[mid - 1] + s[mid]) / 2
}

for (let i = 0; i < WARM_UP; i++) {
  await round(loggers.noop)
  await round(loggers.discord)
}
const samples = { noop: [], discord: [] }
for (let i = 0; i < ROUNDS; i++) {
  // Alternate which goes first so drift (GC, JIT, CPU clocks) does not favour one side.
  const order = i % 2 === 0 ? ['noop', 'discord'] : ['discord', 'noop']
  for (const name of order) samples[name].push(await round(loggers[name]))
}

const noop = median(samples.noop)
const withDiscord = median(samples.discord)
const ratio = withDiscord / noop
console.log(`logger.error(${REUSE ? 'err' : 'new Error()'}) × ${CALLS}, ${ROUNDS} rounds after ${WARM_UP} warm-up, ${THREAD ? 'worker-thread' : 'in-process'} delivery, node ${process.version}`)
console.table([
  { transport: 'no-op', 'median ns/call': Math.round(noop), rounds: samples.noop.map(Math.round).join(' ') },
  { transport: 'DiscordTransport', 'median ns/call': Math.round(withDiscord), rounds: samples.discord.map(Math.round).join(' ') }
])
console.log(`ratio ${ratio.toFixed(2)}× (target ≤ ${TARGET_RATIO}×) — ${ratio <= TARGET_RATIO ? 'met' : 'MISSED'}`)
// Thread mode: the counters are the worker's latest snapshot; flush first so they are current.
await discord.flush(1000)
const s = discord.notifier.stats()
console.log(`notifier: accepted ${s.accepted}, sent ${s.sent}, shed ${s.droppedByReason.queue_full} (queue full, by design)`)

await discord.close()
await emu.close()
