// The fault matrix: every record ends up delivered or in the dead-letter file, and the counters add up.
//
// For each transport (the notifier, the Winston transport, the Pino transport in-process) and each
// scenario (5xx, hung requests, dropped sockets, 30 s and 90 s outages, 429 storms of every scope,
// Cloudflare bans in both forms and a timed ban with Retry-After, a webhook revoked or deleted mid-run,
// a queue overflow), N records are logged against a fresh, time-scaled emulator; then the transport is
// closed and one row is printed:
//
//   logged  delivered  dead-lettered  dropped  429s  invalid  retried  requests  held  outage requests  reconciles
//
// "held" is the records delivered after an outage ended (they were held through it), "outage requests"
// the requests the emulator saw while it lasted. Rows with `expect` also check that every record
// arrived (transient failures never dead-letter on their own) and the request budget of the outage.
//
// "reconciles" holds when: logged = accepted = delivered + dropped + collapsed; delivered = what the
// emulator saved (it never saves on an injected fault, so there are no duplicates to discount);
// dropped = dead-lettered = lines in the dead-letter file; client requests = emulator requests; and
// the invalid requests the client caused itself (401/403/non-shared 429s that were not injected)
// stay within 1 per 1000 records. Any exception or unhandled rejection reaching the process fails it.
//
//   pnpm build && node bench/fault-matrix.mjs [--records 1000] [--only storm] [--transport winston]
//
// test/fault-matrix.test.ts runs the same scenarios with fewer records.
import { once } from 'node:events'
import { mkdtempSync, readFileSync, rmSync, existsSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { pathToFileURL } from 'node:url'
import { parseArgs } from 'node:util'
import pino from 'pino'
import winston from 'winston'
import { DiscordNotifier, ThreadedNotifier } from '@logcord/core'
import { createEmulator } from '@logcord/discord-emulator'
import pinoDiscord from '@logcord/pino-discord'
import { DiscordTransport } from '@logcord/winston-discord'

/** Discord's windows shrunk 50×: the 30 s outage lasts 600 ms, the channel's 60 s window 1.2 s. */
export const TIME_SCALE = 0.02
const DISCORD = {
  channelWindowMs: 60_000,
  fallbackWindowMs: 2000,
  cloudflareCooldownMs: 60_000,
  retryDelays: [2000, 3000, 5000],
  probeMinMs: 5000,
  probeMaxMs: 30_000,
  outageMs: 30_000,
  longOutageMs: 90_000,
  banMs: 30_000,
  latencyMs: 150,
  /** The deadlines the figures were measured with. */
  flushDeadlineMs: 90_000,
  hangCloseDeadlineMs: 60_000
}
/** Jitter allowance: absolute, because network and timer jitter do not shrink with the emulator. */
const OFFSET_MS = 40
/** Per-attempt timeout: real milliseconds (a hung socket takes real time to give up on). */
const REQUEST_TIMEOUT_MS = 300
/** close() deadline; what is still pending then is dead-lettered, which still reconciles. */
const CLOSE_TIMEOUT_MS = 9000
/** Queue capacity in the overflow scenario. */
const SMALL_QUEUE = 50
/** Invalid requests the client may cause itself, per record (Discord bans an IP at 10,000 per 10 minutes). */
const INVALID_PER_RECORD = 1 / 1000
const FAULT_RATE = 0.3
const STORM_RATE = 0.3
const CLOUDFLARE_RATE = 0.15
const SEED = 0x5eed

export const TRANSPORTS = ['notifier', 'threaded', 'winston', 'pino']

/**
 * Scenarios. `faults` are set before logging; `revoke` kills the webhook once half the records are
 * logged and the first have arrived; `options` are extra transport options; `fault` names the emulator
 * fault counter that must be non-zero, so no row passes because its fault never struck.
 */
export const SCENARIOS = [
  { name: 'no faults' },
  { name: '30% 5xx', faults: { errorRate: FAULT_RATE }, fault: 'error' },
  { name: 'hung requests (timeouts)', faults: { hangRate: FAULT_RATE }, fault: 'hang' },
  { name: 'sockets dropped mid-request', faults: { dropRate: FAULT_RATE }, fault: 'drop' },
  { name: '30 s outage', outage: { ms: DISCORD.outageMs }, fault: 'outage' },
  // The acceptance rows: transient trouble never dead-letters on its own.
  { name: '90 s outage from the start (200-record burst)', records: 200, outage: { ms: DISCORD.longOutageMs }, fault: 'outage', expect: { all: true, maxOutageRequests: 40 } },
  { name: '30% 5xx + 150 ms latency, 90 s deadline', records: 200, faults: { errorRate: FAULT_RATE, latencyMs: DISCORD.latencyMs * TIME_SCALE }, closeMs: DISCORD.flushDeadlineMs * TIME_SCALE, fault: 'error', expect: { all: true } },
  // 100 records as in the issue; seed 39 hangs the 4th and 7th requests, so the fault always strikes.
  { name: '5% hung requests, 60 s close deadline', records: 100, seed: 39, faults: { hangRate: 0.05 }, closeMs: DISCORD.hangCloseDeadlineMs * TIME_SCALE, fault: 'hang', expect: { all: true } },
  { name: 'Cloudflare ban with Retry-After', outage: { ms: DISCORD.banMs, mode: 'cloudflare' }, fault: 'outage', expect: { all: true } },
  { name: '429 storm: user', faults: { rateLimitStorm: { scope: 'user', rate: STORM_RATE } }, fault: 'storm' },
  { name: '429 storm: shared', faults: { rateLimitStorm: { scope: 'shared', rate: STORM_RATE } }, fault: 'storm' },
  { name: '429 storm: global', faults: { rateLimitStorm: { scope: 'global', rate: STORM_RATE } }, fault: 'storm' },
  { name: 'Cloudflare 429 (HTML, no headers)', faults: { cloudflareRate: CLOUDFLARE_RATE, cloudflareMode: 'html' }, fault: 'cloudflare' },
  { name: 'Cloudflare 429 (JSON, no headers)', faults: { cloudflareRate: CLOUDFLARE_RATE, cloudflareMode: 'json' }, fault: 'cloudflare' },
  { name: 'webhook revoked (401) mid-run', revoke: 401 },
  { name: 'webhook deleted (404) mid-run', revoke: 404 },
  { name: 'queue overflow', options: { queueCapacity: SMALL_QUEUE }, overflow: true }
]

/** One record's text: a run tag (to tell our embeds from notices) and a serial. */
const text = (tag, i) => `${tag} record ${String(i).padStart(5, '0')}`

/** Builds a transport behind a common face: log(i), close(), stats(), health(), on(event). */
async function makeTransport (kind, options, tag, closeMs) {
  switch (kind) {
    case 'notifier': {
      const n = new DiscordNotifier(options)
      return {
        log: (i) => n.sendDiagnostic({ level: 'error', service: 'matrix', message: text(tag, i) }),
        close: () => n.close(closeMs),
        stats: () => n.stats(),
        health: () => n.health()
      }
    }
    case 'threaded': {
      // Delivery in a worker thread; counters come back in the worker's final snapshot at close().
      const n = new ThreadedNotifier(options)
      return {
        log: (i) => n.sendDiagnostic({ level: 'error', service: 'matrix', message: text(tag, i) }),
        close: () => n.close(closeMs),
        stats: () => n.stats(),
        health: () => n.health()
      }
    }
    case 'winston': {
      const { log, ...rest } = options
      const t = new DiscordTransport({ ...rest, selfLog: log })
      const logger = winston.createLogger({ transports: [t] })
      return {
        log: (i) => logger.error(new Error(text(tag, i))),
        close: async () => {
          const finished = once(t, 'finish')
          logger.end()
          await finished
        },
        stats: () => t.notifier.stats(),
        health: () => t.notifier.health()
      }
    }
    case 'pino': {
      const stream = await pinoDiscord({ ...options, closeTimeoutMs: closeMs })
      const logger = pino(stream)
      return {
        log: (i) => logger.error(text(tag, i)),
        close: async () => {
          const closed = once(stream, 'close')
          stream.end()
          await closed
        },
        stats: () => stream.stats().delivery,
        health: () => stream.health(),
        // pino hands lines over through a stream: let them reach the transport before measuring.
        settle: () => new Promise((resolve) => setTimeout(resolve, 50))
      }
    }
  }
  throw new Error(`unknown transport ${kind}`)
}

/** Runs one scenario for one transport; resolves with its row. */
export async function runScenario (scenario, kind, defaultRecords) {
  const records = scenario.records ?? defaultRecords
  const closeMs = scenario.closeMs ?? CLOSE_TIMEOUT_MS
  const emu = await createEmulator({ timeScale: TIME_SCALE, seed: scenario.seed ?? SEED })
  const dir = mkdtempSync(join(tmpdir(), 'logcord-matrix-'))
  const deadLetterFile = join(dir, 'dead.jsonl')
  const selfLog = []
  const tag = `[m${Math.random().toString(36).slice(2, 8)}]`
  const webhookUrl = emu.webhookUrl()
  const webhookId = new URL(webhookUrl).pathname.split('/')[3]
  const options = {
    webhookUrl,
    apiOrigin: emu.origin,
    deadLetterFile,
    timeoutMs: REQUEST_TIMEOUT_MS,
    retryDelays: DISCORD.retryDelays.map((d) => d * TIME_SCALE),
    outage: { probeMinMs: DISCORD.probeMinMs * TIME_SCALE, probeMaxMs: DISCORD.probeMaxMs * TIME_SCALE },
    // The Winston transport drains within the notifier's deadline.
    flushTimeoutMs: closeMs,
    // Each record is counted on its own: storm control would fold them into summaries.
    dedup: { enabled: false },
    logLevel: 'warn',
    log: (line) => { selfLog.push(line) },
    rateLimits: {
      channelWindowMs: DISCORD.channelWindowMs * TIME_SCALE,
      fallbackWindowMs: DISCORD.fallbackWindowMs * TIME_SCALE,
      cloudflareCooldownMs: DISCORD.cloudflareCooldownMs * TIME_SCALE,
      offsetMs: OFFSET_MS
    },
    ...scenario.options
  }
  const started = performance.now()
  try {
    const t = await makeTransport(kind, options, tag, closeMs)
    if (scenario.faults !== undefined) emu.setFaults(scenario.faults)
    if (scenario.outage !== undefined) emu.setOutage(scenario.outage.ms * TIME_SCALE, scenario.outage.mode)
    const outageEnd = emu.faults.outage?.untilMs

    const half = Math.floor(records / 2)
    if (scenario.revoke !== undefined) {
      for (let i = 0; i < half; i++) t.log(i)
      // Revoke once the first records have arrived, so the webhook dies mid-run with a backlog queued.
      await emu.waitFor(1, CLOSE_TIMEOUT_MS)
      emu.revoke(webhookId, scenario.revoke)
      for (let i = half; i < records; i++) t.log(i)
    } else {
      for (let i = 0; i < records; i++) t.log(i)
    }
    await t.settle?.()
    await t.close()
    const s = t.stats()
    const health = t.health()
    const es = emu.stats()

    const ours = emu.messages.flatMap((m) => m.payload.embeds ?? []).filter((e) => JSON.stringify(e).includes(tag))
    const held = outageEnd === undefined
      ? undefined
      : emu.messages.filter((m) => m.receivedAt >= outageEnd).flatMap((m) => m.payload.embeds ?? []).filter((e) => JSON.stringify(e).includes(tag)).length
    const outageRequests = outageEnd === undefined ? undefined : es.faultsInjected.outage
    const delivered = ours.length
    const distinct = new Set(ours.map((e) => /record (\d+)/.exec(JSON.stringify(e))?.[1])).size
    const deadLines = existsSync(deadLetterFile) ? readFileSync(deadLetterFile, 'utf8').split('\n').filter((l) => l !== '') : []
    const fileText = deadLines.join('\n')
    const injected = es.faultsInjected.cloudflare + (scenario.faults?.rateLimitStorm?.scope === 'shared' ? 0 : es.faultsInjected.storm) +
      (scenario.outage?.mode === 'cloudflare' ? es.faultsInjected.outage : 0)
    const clientInvalid = es.invalidRequests - injected
    const invalidAllowance = Math.max(1, Math.floor(records * INVALID_PER_RECORD))
    const revokedCalls = scenario.revoke === undefined ? 0 : (es.byStatus[scenario.revoke] ?? 0)
    const noticeDelivered = emu.messages.some((m) => JSON.stringify(m.payload).includes('dropped (queue full)'))

    const checks = {
      'logged = accepted': s.accepted === records,
      'accepted = sent + dropped + collapsed': s.accepted === s.sent + s.dropped + s.collapsed,
      'sent = delivered': s.sent === delivered,
      'no duplicates': distinct === delivered,
      'dropped = dead-lettered': s.dropped === s.deadLettered,
      'dead-lettered = file lines': s.deadLettered === deadLines.length,
      'requests = emulator requests': s.requests === es.requests,
      'client-caused invalid within 1/1000': clientInvalid <= invalidAllowance,
      'token not in dead-letter file or self-log': !fileText.includes(new URL(webhookUrl).pathname.split('/')[4]) && !selfLog.join('\n').includes(new URL(webhookUrl).pathname.split('/')[4])
    }
    if (scenario.revoke !== undefined) {
      checks['revoked webhook called once'] = revokedCalls === 1
      checks['health says disabled, and why'] = health.status === 'disabled' && String(health.reason).includes(String(scenario.revoke))
    }
    if (scenario.overflow) {
      checks['"N dropped" notice delivered'] = noticeDelivered
      checks['queue_full drops counted'] = s.droppedByReason.queue_full > 0 && s.droppedByReason.queue_full === s.dropped
    }
    if (scenario.fault !== undefined) checks[`${scenario.fault} faults injected`] = es.faultsInjected[scenario.fault] > 0
    if (scenario.expect?.all) checks['every record delivered, none dead-lettered'] = delivered === records && s.dropped === 0
    if (scenario.expect?.maxOutageRequests !== undefined) checks[`at most ${scenario.expect.maxOutageRequests} requests during the outage`] = outageRequests <= scenario.expect.maxOutageRequests
    const failed = Object.entries(checks).filter(([, ok]) => !ok).map(([name]) => name)
    return {
      scenario: scenario.name,
      transport: kind,
      logged: records,
      delivered,
      deadLettered: s.deadLettered,
      dropped: s.dropped,
      collapsed: s.collapsed,
      retried: s.retried,
      '429s': es.byStatus[429] ?? 0,
      invalid: es.invalidRequests,
      'invalid (ours)': clientInvalid,
      requests: s.requests,
      held: held ?? '-',
      'outage requests': outageRequests ?? '-',
      reconciles: failed.length === 0 ? 'yes' : `NO: ${failed.join('; ')}`,
      ms: Math.round(performance.now() - started),
      checks,
      health
    }
  } finally {
    await emu.close()
    rmSync(dir, { recursive: true, force: true })
  }
}

const PRINTED = ['scenario', 'transport', 'logged', 'delivered', 'deadLettered', 'dropped', '429s', 'invalid', 'invalid (ours)', 'retried', 'requests', 'held', 'outage requests', 'reconciles', 'ms']

async function main () {
  const { values } = parseArgs({
    options: {
      records: { type: 'string', default: '1000' },
      only: { type: 'string' },
      transport: { type: 'string' }
    }
  })
  const records = Number(values.records)
  const escaped = []
  process.on('uncaughtException', (err) => { escaped.push(`uncaughtException: ${err}`) })
  process.on('unhandledRejection', (err) => { escaped.push(`unhandledRejection: ${err}`) })
  const rows = []
  for (const scenario of SCENARIOS) {
    if (values.only !== undefined && !scenario.name.includes(values.only)) continue
    for (const kind of TRANSPORTS) {
      if (values.transport !== undefined && kind !== values.transport) continue
      const row = await runScenario(scenario, kind, records)
      rows.push(row)
      process.stderr.write(`${row.scenario} / ${row.transport}: ${row.reconciles} (${row.ms} ms)\n`)
    }
  }
  console.log(`fault matrix: ${records} records a row, emulator time ×${TIME_SCALE}, node ${process.version}`)
  console.table(rows.map((r) => Object.fromEntries(PRINTED.map((k) => [k, r[k]]))))
  const bad = rows.filter((r) => r.reconciles !== 'yes')
  console.log(`${rows.length - bad.length}/${rows.length} rows reconcile; exceptions or unhandled rejections seen by the app: ${escaped.length}`)
  for (const e of escaped) console.log(`  ${e}`)
  process.exitCode = bad.length === 0 && escaped.length === 0 ? 0 : 1
}

if (process.argv[1] !== undefined && pathToFileURL(process.argv[1]).href === import.meta.url) await main()
