// Many processes, one webhook: N child processes each log R errors at once to one webhook, against the
// emulator with Discord's limits (5 per 2 s per webhook, 30 per 60 s per channel), time-scaled like
// bench/burst.mjs. Run side by side: each process on its own limiter, every process sharing the webhook's
// limits through Redis (`redisUrl`), and a `redisUrl` nobody answers. Then a storm: the same error from
// every process, side by side with each process on its own (an alert and a summary each) and with Redis
// (one alert and one summary for the fleet); `delivered` there is the alerts plus the "×N more" counts.
// FLEET_DEBUG=1 prints the children's stderr and every embed's title.
// Prints delivered, messages, records per message, 429s by scope, invalid requests, and the drain time
// next to the lower bound the channel limit allows (all times in Discord seconds).
//
//   node bench/fleet.mjs [--processes 8] [--records 100] [--storm-records 250] [--time-scale 0.25]
//
// Needs Debian's redis-server for the Redis rows (it starts its own on a free port); without it those
// rows are skipped.
import { spawn } from 'node:child_process'
import { fileURLToPath, pathToFileURL } from 'node:url'
import { parseArgs } from 'node:util'
import { createEmulator, DEFAULT_LIMITS } from '@logcord/discord-emulator'
import { LIMITS } from '@logcord/core'
import { startRedis } from '../scripts/lib/redis-server.mjs'

const { values } = parseArgs({ options: { processes: { type: 'string', default: '8' }, records: { type: 'string', default: '100' }, 'storm-records': { type: 'string', default: '250' }, 'time-scale': { type: 'string', default: '0.25' } }, strict: false })
/**
 * Network and event-loop jitter is absolute time, so the safety offset is not scaled with the clock; and
 * with many processes on few cores it is larger than in one process: the product's default (250 ms).
 */
const OFFSET_MS = 250
const CHILD = fileURLToPath(new URL('./fleet-child.mjs', import.meta.url))
const ROOT = fileURLToPath(new URL('..', import.meta.url))

function runChild (env) {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [CHILD], { cwd: ROOT, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] })
    let stderr = ''
    let stdout = ''
    child.stdout.on('data', (d) => { stdout += String(d) })
    child.stderr.on('data', (d) => { stderr += String(d) })
    child.on('close', (code) => {
      if (process.env.FLEET_DEBUG) process.stderr.write(stderr)
      resolve({ code, stderr, loggedAt: Number(/logged (\d+)/.exec(stdout)?.[1] ?? NaN), exitedAt: Date.now() })
    })
  })
}

/** N processes × `records` errors on one webhook; resolves the figures. */
export async function fleet ({ processes = 8, records = 100, scale = 0.25, redisUrl, storm = false, unreachable = false }) {
  const emu = await createEmulator({ timeScale: scale, seed: 11 })
  // A webhook (and so a channel) of its own per run: Redis keeps a webhook's recent requests for a
  // minute, and a run must not start in the previous run's window.
  const webhookId = `1${Date.now()}${String(Math.floor(Math.random() * 1e4)).padStart(4, '0')}`
  const options = {
    webhookUrl: emu.webhookUrl(webhookId),
    apiOrigin: emu.origin,
    logLevel: 'warn',
    queueCapacity: Math.max(2000, records),
    dedup: storm ? { enabled: true, windowMs: 600_000 } : { enabled: false },
    rateLimits: { fallbackWindowMs: 2000 * scale, channelWindowMs: 60_000 * scale, offsetMs: OFFSET_MS },
    ...(redisUrl === undefined ? {} : { redisUrl })
  }
  const spawnedAt = Date.now()
  const results = await Promise.all(Array.from({ length: processes }, (_, i) => runChild({ OPTIONS: JSON.stringify(options), COUNT: String(records), MODE: storm ? 'storm' : 'distinct', INDEX: String(i) })))
  // From the first process's last log call to the last process's exit (which waits for its deliveries):
  // process start-up, which the scaled clock would inflate tenfold, is left out.
  const firstLogged = Math.min(...results.map((r) => r.loggedAt))
  const elapsedMs = Math.max(...results.map((r) => r.exitedAt)) - firstLogged
  const s = emu.stats()
  const embeds = emu.messages.flatMap((m) => m.payload.embeds ?? [])
  const total = processes * records
  const minRequests = Math.ceil(total / LIMITS.embedsPerMessage)
  const ch = DEFAULT_LIMITS.channel
  const wh = DEFAULT_LIMITS.webhook
  const boundMs = Math.max((Math.ceil(minRequests / ch.limit) - 1) * ch.windowMs, (Math.ceil(minRequests / wh.limit) - 1) * wh.windowMs)
  // Storm: 1 for each first alert + the "×N more" counts of the summaries.
  const repeats = embeds.reduce((n, e) => n + Number(/×(\d+) more/.exec(String(e.title ?? ''))?.[1] ?? 0), 0)
  const firsts = embeds.filter((e) => !/×\d+ more/.test(String(e.title ?? ''))).length
  if (process.env.FLEET_DEBUG) for (const e of embeds) process.stderr.write(`${e.title}\n`)
  await emu.close()
  return {
    limits: redisUrl === undefined ? 'each process its own' : unreachable ? 'Redis unreachable' : 'shared through Redis',
    processes,
    records: total,
    delivered: storm ? firsts + repeats : embeds.length,
    messages: s.accepted,
    perMessage: +(embeds.length / Math.max(1, s.accepted)).toFixed(2),
    '429 bucket': s.rateLimited.bucket,
    '429 channel': s.rateLimited.shared,
    '429 global': s.rateLimited.global,
    '429 cloudflare': s.rateLimited.cloudflare,
    invalid: s.invalidRequests,
    drainS: +(elapsedMs / scale / 1000).toFixed(1),
    startupS: +((firstLogged - spawnedAt) / 1000).toFixed(1),
    lowerBoundS: storm ? undefined : +(boundMs / 1000).toFixed(1),
    failedProcesses: results.filter((r) => r.code !== 0).length,
    stderrLines: results.reduce((n, r) => n + r.stderr.split('\n').filter(Boolean).length, 0)
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const processes = Number(values.processes)
  const records = Number(values.records)
  const scale = Number(values['time-scale'])
  const redis = await startRedis()
  try {
    console.log(`${processes} processes × ${records} distinct errors on one webhook, emulator time scale ${scale} (times in Discord seconds)`)
    const rows = [await fleet({ processes, records, scale })]
    if (redis !== undefined) rows.push(await fleet({ processes, records, scale, redisUrl: redis.url }))
    else console.log('redis-server not installed: the Redis row is skipped')
    // A redisUrl nobody answers: each process must fall back to its own limiter, deliver all, and end.
    const dead = await startRedis()
    if (dead !== undefined) {
      await dead.stop()
      rows.push(await fleet({ processes, records, scale, redisUrl: dead.url, unreachable: true }))
    }
    console.table(rows)
    const stormRecords = Number(values['storm-records'])
    console.log(`\nstorm: ${processes} processes × ${stormRecords} identical errors`)
    const storms = [await fleet({ processes, records: stormRecords, scale, storm: true })]
    if (redis !== undefined) storms.push(await fleet({ processes, records: stormRecords, scale, storm: true, redisUrl: redis.url }))
    console.table(storms.map(({ lowerBoundS, perMessage, ...r }) => r))
  } finally {
    await redis?.stop()
  }
}
