// Every benchmark, side by side in one run, each figure printed as a table, then one summary table
// with the targets. `pnpm bench` builds first. Nothing reaches the network: Discord is the emulator on
// 127.0.0.1, time-scaled where Discord's limits would make a run take minutes.
//
//   1. main-thread cost of logger.error(err): Pino (bench/pino.mjs) and Winston (bench/winston.mjs: distinct
//      and fresh errors, in-process and worker-thread modes, alternating child pairs; its JSON is read)
//   2. 1000-record bursts, plain and with long stacks, each record's full text attached (bench/burst.mjs)
//   3. a storm of 100 000 identical errors with storm control on (bench/storm.mjs)
//   4. peak RSS and exact books for 100 000 records into a queue of 1000 (bench/memory.mjs, in a
//      child process with --expose-gc for a clean baseline)
//   5. idle latency from the log call to the emulator (bench/latency.mjs)
//   8. caller cost of logger.error() with deadLetterFile set and the queue full (bench/dead-letter.mjs)
import { execFile } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { promisify } from 'node:util'
import { burst } from './burst.mjs'
import { latency } from './latency.mjs'
import { pinoCost } from './pino.mjs'
import { mixed, storm, sustained } from './storm.mjs'

const run = promisify(execFile)
const here = (file) => fileURLToPath(new URL(file, import.meta.url))
const CHILD_TIMEOUT_MS = 5 * 60_000
const BURST = { records: 1000, scale: 0.05 }
const TARGETS = { pino: 1.10, winston: 1.25, perRequest: 9.5, rssMB: 64, deadLetter: 1.2 }

const summary = []
const check = (figure, measured, target, met) => summary.push({ figure, measured, target, met: met ? 'yes' : 'NO' })
const section = (title, rows) => {
  console.log(`\n${title}`)
  console.table(rows)
}

// 4 first, while nothing else has run: child processes with a garbage-collected baseline, after a first
// message (the target) and as the process's first traffic (undici's one-time parser optimisation included).
{
  const rows = []
  for (const args of [[], ['--cold'], ['--no-dead-letters']]) {
    const { stdout } = await run(process.execPath, ['--expose-gc', here('./memory.mjs'), '--json', ...args], { timeout: CHILD_TIMEOUT_MS })
    rows.push(JSON.parse(stdout.trim().split('\n').at(-1)))
  }
  const [m, cold, bare] = rows
  section('4. 100 000-record burst, queue capacity 1000 (child processes, --expose-gc)', rows)
  check('burst of 100k: peak RSS growth (MB)', m.peakRssGrowthMB, `≤ ${TARGETS.rssMB}`, m.peakRssGrowthMB <= TARGETS.rssMB)
  check('burst of 100k as first traffic: peak RSS growth (MB)', cold.peakRssGrowthMB, '—', true)
  check('burst of 100k, deadLetterFile: false: peak RSS growth (MB)', bare.peakRssGrowthMB, '—', true)
  check('burst of 100k: sent + dropped + collapsed + pending', m.accountedFor, `= ${m.records}`, rows.every((r) => r.exact && r.exactAfterClose))
}

// 5. Idle latency, before the CPU-heavy runs leave workers or sockets behind.
{
  const l = await latency()
  section('5. idle latency, log call → emulator received (in-process, timeScale 1)', [l])
  check('idle latency median / p95 (ms)', `${l.medianMs} / ${l.p95Ms}`, '—', l.received === l.calls)
}

// 1. Main-thread cost per logger.error(err).
{
  const p = await pinoCost()
  const { stdout } = await run(process.execPath, [here('./winston.mjs'), '--json'], { timeout: CHILD_TIMEOUT_MS })
  const winston = JSON.parse(stdout.trim().split('\n').at(-1))
  section('1. main-thread cost of logger.error(err), median ns/call', [
    { logger: 'pino', workload: 'new Error per call', mode: 'worker', ours: Math.round(p.discordNs), baseline: Math.round(p.fileNs), baselineIs: 'pino/file worker → /dev/null', ratio: +p.ratio.toFixed(2), target: `≤ ${TARGETS.pino}` },
    ...winston.map((w) => ({ logger: 'winston', workload: w.workload, mode: w.mode, ours: w['DiscordTransport ns/call'], baseline: w['no-op ns/call'], baselineIs: 'no-op transport', ratio: w.ratio, target: `≤ ${TARGETS.winston}` }))
  ])
  check('pino: ours / pino/file per call', +p.ratio.toFixed(2), `≤ ${TARGETS.pino}`, p.ratio <= TARGETS.pino)
  for (const w of winston) check(`winston (${w.workload}, ${w.mode}): ours / no-op per call`, w.ratio, `≤ ${TARGETS.winston}`, w.ratio <= TARGETS.winston)
}

// 8. Shedding into the dead-letter file costs the caller only the count.
{
  const { stdout } = await run(process.execPath, [here('./dead-letter.mjs'), '--json'], { timeout: CHILD_TIMEOUT_MS })
  const d = JSON.parse(stdout.trim().split('\n').at(-1))
  section('8. logger.error(new Error(…)) into a full queue of 100, with and without deadLetterFile, median ns/call', [d])
  check('dead letters: with / without deadLetterFile per call', d.ratio, `≤ ${TARGETS.deadLetter}`, d.ratio <= TARGETS.deadLetter)
}

// 2. Bursts against Discord's limits, time-scaled.
{
  const plain = await burst({ ...BURST, log: false })
  const stacked = await burst({ ...BURST, stack: true, log: false })
  section(`2. ${BURST.records}-record bursts, emulator time scale ${BURST.scale} (times in Discord seconds)`, [plain, stacked])
  for (const b of [plain, stacked]) {
    check(`burst (${b.variant}): records per request`, b.perRequest, `≥ ${TARGETS.perRequest}`, b.perRequest >= TARGETS.perRequest)
    check(`burst (${b.variant}): 429s`, b['429s'], '0', b['429s'] === 0)
    check(`burst (${b.variant}): drain vs lower bound (s)`, `${b.drainS} / ${b.lowerBoundS}`, '—', b.delivered === b.records)
  }
  check(`burst (${stacked.variant}): records with their file`, stacked.files, `= ${stacked.records}`, stacked.files === stacked.records)
}

// 3. A storm of one alert.
{
  const s = await storm({ log: false })
  section('3. storm of 100 000 identical errors (varying ids), storm control on', [s])
  check('storm of 100k: requests / messages in the channel', `${s.requests} / ${s.messages}`, 'a handful', s.reconciles)
  const m = await sustained({ log: false })
  section('3b. one error 50 times a second for a minute (Discord time), incidents on', [m])
  check('edits per incident-minute', m.editsPerIncidentMinute, '≤ 8 (60 s / 10 s + 2)', m.editsPerIncidentMinute <= 8 && m.shows === m.records && m.status429 === 0)
  const x = await mixed({ log: false })
  section('3c. 100 distinct alerts alone and beside a storm of one error', [x])
  check('100 distinct beside a storm / alone (ms)', `${x.besideStormMs} / ${x.aloneMs}`, '≤ 1.1× + 2 s', x.besideStormMs <= 1.1 * x.aloneMs + 2000 && x.status429 === 0)
}

section('summary', summary)
