// Main-thread cost of logger.error(err): @logcord/pino-discord vs pino's own pino/file transport.
// Both run in pino worker threads, so the app thread pays for serialising the line and copying it
// into thread-stream's ring buffer; the Discord work (translation, queue, HTTP) happens in the worker.
//
//   pnpm build && node bench/pino.mjs
//
// bench/run.mjs imports pinoCost() and prints its figures with the others.
//
// The Discord transport points at a local emulator: no network is used. Target: ratio ≤ 1.10×.
import { once } from 'node:events'
import { pathToFileURL } from 'node:url'
import pino from 'pino'
import { createEmulator } from '@logcord/discord-emulator'
import { discordTransport } from '@logcord/pino-discord'

const CALLS_PER_ROUND = 2000
const WARMUP_ROUNDS = 5
const ROUNDS = 21
const TARGET_RATIO = 1.10

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b)
  return s[Math.floor(s.length / 2)]
}

/** ns per call for one round; yields afterwards so both workers drain before the next round. */
async function round (logger, err) {
  const start = process.hrtime.bigint()
  for (let i = 0; i < CALLS_PER_ROUND; i++) logger.error(err)
  const ns = Number(process.hrtime.bigint() - start) / CALLS_PER_ROUND
  await new Promise((resolve) => setTimeout(resolve, 20))
  return ns
}

/** Median main-thread ns per logger.error(err) for both transports, and their ratio. */
export async function pinoCost () {
  const emu = await createEmulator()
  const discord = discordTransport({
    webhookUrl: emu.webhookUrl(),
    apiOrigin: emu.origin,
    logLevel: 'silent',
    // Ending blocks this thread while the worker drains, and the emulator lives on this thread:
    // do not wait for delivery at the end of a benchmark.
    closeTimeoutMs: 0
  })
  const file = pino.transport({ target: 'pino/file', options: { destination: '/dev/null' } })
  const loggers = { discord: pino(discord), 'pino/file': pino(file) }
  // The Discord worker becomes ready once pino has sent it its config, i.e. after pino(discord).
  await Promise.all([once(discord, 'ready'), once(file, 'ready')])
  const err = new Error('payment failed', { cause: new TypeError('card declined') })

  const samples = { discord: [], 'pino/file': [] }
  for (let r = 0; r < WARMUP_ROUNDS + ROUNDS; r++) {
    // Alternate which goes first so neither always runs on a warmer or cooler machine.
    const order = r % 2 === 0 ? ['discord', 'pino/file'] : ['pino/file', 'discord']
    for (const name of order) {
      const ns = await round(loggers[name], err)
      if (r >= WARMUP_ROUNDS) samples[name].push(ns)
    }
  }
  discord.end()
  file.end()
  await emu.close()
  const d = median(samples.discord)
  const f = median(samples['pino/file'])
  return { discordNs: d, fileNs: f, ratio: d / f, target: TARGET_RATIO, rounds: ROUNDS, callsPerRound: CALLS_PER_ROUND }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const { discordNs: d, fileNs: f, ratio } = await pinoCost()
  console.log(`logger.error(err), main thread, median of ${ROUNDS} rounds × ${CALLS_PER_ROUND} calls`)
  console.log(`  @logcord/pino-discord  ${d.toFixed(0).padStart(7)} ns/call`)
  console.log(`  pino/file (/dev/null)  ${f.toFixed(0).padStart(7)} ns/call`)
  console.log(`  ratio                  ${ratio.toFixed(3)}×  (target ≤ ${TARGET_RATIO.toFixed(2)}×) ${ratio <= TARGET_RATIO ? 'ok' : 'ABOVE TARGET'}`)
}
