// Main-thread cost of `logger.error(err)` with DiscordTransport, next to the same logger with a
// transport whose log() only calls back (target: ratio ≤ 1.25).
//
// Each figure comes from pairs of child processes, one per transport, started in alternating order;
// every child warms up (10 rounds by default: the figure is the steady state of a process that has
// been logging, not its first milliseconds), then measures `--calls` log calls per round and reports
// its median ns/call. The printed ratio is the median of the pairs' ratios, so drift on a shared
// machine (other load, CPU clocks) hits both sides of a pair alike. Workloads:
//   distinct   1000 pre-built Errors with different messages (distinct alerts, as in a real incident),
//              cycled: each is its own alert, so the first of each is queued and the 1000 storm windows
//              stay open; every later call is a repeat of one of them
//   fresh      a new Error per call, its message one of 50 cycled (an incident of a few failures, each
//              logged where it happens): constructing it is part of both sides' cost
//   ids        a new Error per call whose message carries ids that change every time ("order 100123
//              failed for customer cus_700861"): one storm by template, but every text is new to the
//              template cache, so each call works out the template from scratch
// Modes: in-process (the default transport) and worker-thread (`thread: true`).
//
// The Discord transport posts to a local emulator at Discord's real rate limits, so no network is
// used and background delivery stays as rare as in production.
//
//   pnpm build && node bench/winston.mjs [--calls 20000] [--pairs 15] [--workload distinct,fresh,ids] [--mode in-process,thread] [--json]
import { execFile } from 'node:child_process'
import { createRequire } from 'node:module'
import { fileURLToPath } from 'node:url'
import { parseArgs, promisify } from 'node:util'

const { values } = parseArgs({
  options: {
    calls: { type: 'string', default: '20000' },
    pairs: { type: 'string', default: '15' },
    rounds: { type: 'string', default: '10' },
    'warm-up': { type: 'string', default: '10' },
    workload: { type: 'string', default: 'distinct,fresh,ids' },
    mode: { type: 'string', default: 'in-process,thread' },
    json: { type: 'boolean', default: false },
    // Internal: one measuring child.
    child: { type: 'string' }
  }
})
const TARGET_RATIO = 1.25
const DISTINCT = 1000

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b)
  const mid = s.length >> 1
  return s.length % 2 === 1 ? s[mid] : (s[mid - 1] + s[mid]) / 2
}

if (values.child !== undefined) {
  const [transport, mode, workload] = values.child.split(':')
  console.log(JSON.stringify(await measure(transport, mode, workload)))
} else {
  await compare()
}

/** One child: ns per logger.error(err), median of its rounds after a warm-up. */
async function measure (transport, mode, workload) {
  const { default: winston } = await import('winston')
  const { default: Transport } = await import('winston-transport')
  const { createEmulator } = await import('@logcord/discord-emulator')
  const { DiscordTransport } = await import('@logcord/winston-discord')
  const { distinctError, distinctMessage } = createRequire(import.meta.url)('../test/fixtures/distinct.cjs')
  const calls = Number(values.calls)

  class NoopTransport extends Transport {
    log (info, callback) {
      callback()
    }
  }
  let emu
  let target
  if (transport === 'discord') {
    emu = await createEmulator()
    target = new DiscordTransport({ webhookUrl: emu.webhookUrl(), apiOrigin: emu.origin, logLevel: 'silent', thread: mode === 'thread' })
  } else {
    target = new NoopTransport()
  }
  const logger = winston.createLogger({ transports: [target] })
  const errors = Array.from({ length: DISTINCT }, (_, i) => distinctError(i))
  const FRESH = Array.from({ length: 50 }, (_, i) => distinctMessage(i * 7))
  let next = 0
  const error = workload === 'distinct'
    ? () => errors[next++ % DISTINCT]
    : workload === 'ids'
      ? () => new Error(`order ${100000 + next} failed for customer cus_${next++ * 7}`)
      : () => new Error(FRESH[next++ % FRESH.length])

  // One round: `calls` log calls, then one turn of the event loop so deferred per-call work counts too.
  const round = async () => {
    const start = process.hrtime.bigint()
    for (let i = 0; i < calls; i++) logger.error(error())
    await new Promise((resolve) => setImmediate(resolve))
    return Number(process.hrtime.bigint() - start) / calls
  }
  for (let i = 0; i < Number(values['warm-up']); i++) await round()
  const samples = []
  for (let i = 0; i < Number(values.rounds); i++) samples.push(await round())
  let stats
  if (transport === 'discord') {
    stats = target.notifier.stats()
    // Whatever is still queued is not this benchmark's business: drop it fast.
    await target.notifier.close(0)
    await emu.close()
  }
  return { ns: median(samples), stats }
}

async function compare () {
  const run = promisify(execFile)
  const self = fileURLToPath(import.meta.url)
  const child = async (spec) => JSON.parse((await run(process.execPath, [self, '--child', spec, '--calls', values.calls, '--rounds', values.rounds, '--warm-up', values['warm-up']], { timeout: 5 * 60_000 })).stdout.trim().split('\n').at(-1))
  const rows = []
  for (const workload of values.workload.split(',')) {
    for (const mode of values.mode.split(',')) {
      const ratios = []
      const noop = []
      const discord = []
      let stats
      for (let p = 0; p < Number(values.pairs); p++) {
        // Alternate which child runs first, so neither side always meets a warmer or cooler machine.
        const order = p % 2 === 0 ? ['noop', 'discord'] : ['discord', 'noop']
        const got = {}
        for (const t of order) got[t] = await child(`${t}:${mode}:${workload}`)
        noop.push(got.noop.ns)
        discord.push(got.discord.ns)
        ratios.push(got.discord.ns / got.noop.ns)
        stats = got.discord.stats
      }
      const ratio = median(ratios)
      rows.push({
        workload,
        mode,
        'no-op ns/call': Math.round(median(noop)),
        'DiscordTransport ns/call': Math.round(median(discord)),
        ratio: +ratio.toFixed(2),
        'pair ratios': ratios.map((r) => r.toFixed(2)).join(' '),
        target: `≤ ${TARGET_RATIO}`,
        met: ratio <= TARGET_RATIO ? 'yes' : 'NO',
        'accepted / shed / collapsed (last child)': stats === undefined ? '' : `${stats.accepted} / ${stats.droppedByReason.queue_full} / ${stats.collapsed}`
      })
    }
  }
  if (values.json) {
    console.log(JSON.stringify(rows))
    return
  }
  console.log(`logger.error(err) × ${values.calls} a round, ${values.rounds} rounds after ${values['warm-up']} warm-up, per child; median of ${values.pairs} alternating child pairs; node ${process.version}`)
  console.table(rows)
}
