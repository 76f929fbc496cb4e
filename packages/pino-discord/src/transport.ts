/**
 * The transport itself: what pino's worker (or an in-process `pino(opts, stream)`) runs.
 *
 *   pino (main thread) ──ThreadStream──► split2 (pino-abstract-transport) ──► for await ──► toRecord ──► notifier.send
 *                                                                                                        │ returns at once
 *   end of stream / logger exit ──► close() ──► notifier.close(closeTimeoutMs) ◄── queue, rate limits, HTTP ──┘
 *
 * The read loop never waits on the network: the core queues and delivers in the background, so a
 * slow or rate-limited Discord never backs pressure up into pino's ring buffer.
 */
import { writeSync } from 'node:fs'
import { pathToFileURL } from 'node:url'
import { resolve as resolvePath } from 'node:path'
import { isMainThread, workerData } from 'node:worker_threads'
import type { Transform } from 'node:stream'
import build from 'pino-abstract-transport'
import { DiscordNotifier, type LogRecord } from '@logcord/core'
import { resolvePinoOptions, type Formatter, type InProcessOptions } from './options.js'
import { statsReporter } from './stats-events.js'
import { toRecord, type PinoConfig } from './to-record.js'

/** Counts the adapter keeps besides the core's delivery counters. */
export interface PinoDiscordStats {
  /** Lines read from pino. */
  lines: number
  /** Lines that were not JSON objects: passed over. */
  unparsable: number
  /** Lines a formatter answered `false` for. */
  skipped: number
  /** Lines whose translation or formatter threw: sent with the standard rendering, or passed over. */
  failed: number
}

export type PinoDiscordStream = Transform & {
  /** Adapter counts plus the core's delivery counters (`sent`, `dropped`, …). */
  stats(): PinoDiscordStats & { delivery: ReturnType<DiscordNotifier['stats']> }
  /** The notifier's health: `status`, and `reason` when the webhook is disabled or failing. Token redacted. */
  health(): ReturnType<DiscordNotifier['health']>
}

/**
 * True inside a worker started by `pino.transport()` (pino ≥ 8.x tells its workers it will send its
 * config). In-process, asking for the config would make pino-abstract-transport fail the stream.
 */
function inPinoWorker (): boolean {
  const data = workerData as { workerData?: { pinoWillSendConfig?: unknown } } | null | undefined
  return !isMainThread && data?.workerData?.pinoWillSendConfig === true
}

/**
 * The transport factory: `target: '@logcord/pino-discord'` in a worker, or
 * `pino(opts, await pinoDiscord({ webhookUrl }))` in-process.
 */
export default async function pinoDiscord (options: InProcessOptions = {}): Promise<PinoDiscordStream> {
  const worker = inPinoWorker()
  const resolved = resolvePinoOptions(options, worker ? 'worker' : 'in-process')
  const formatter = resolved.formatter === undefined ? undefined : await loadFormatter(resolved.formatter)
  // A worker's process.stderr is relayed through the main thread, which sits blocked in
  // thread-stream's end() while we drain and then exits: write to fd 2 directly so the lines survive.
  const notifier = new DiscordNotifier(worker ? { ...resolved.notifier, log: writeStderrSync } : resolved.notifier)
  const log = notifier.options.log
  const counts: PinoDiscordStats = { lines: 0, unparsable: 0, skipped: 0, failed: 0 }
  // In pino's worker, the main thread's stream emits 'discordStats' (stats-events.ts).
  const report = worker ? statsReporter(() => ({ ...counts, delivery: notifier.stats() })) : undefined
  if (report !== undefined) for (const event of ['sent', 'dropped'] as const) notifier.on(event, report)

  const stream = await build(async (source) => {
    // Read once: pino sends its config before the first line (expectPinoConfig).
    const config: PinoConfig = { ...resolved.pinoConfig }
    const s = source as Transform & Partial<Pick<PinoConfig, 'messageKey' | 'errorKey' | 'levels'>>
    if (typeof s.messageKey === 'string') config.messageKey = s.messageKey
    if (typeof s.errorKey === 'string') config.errorKey = s.errorKey
    if (s.levels !== undefined) config.levels = s.levels

    // parseObject turns every line that is not a JSON object into 'unknown'.
    source.on('unknown', () => { counts.unparsable++ })
    for await (const obj of source) {
      counts.lines++
      report?.() // posted after this turn, when the line has been handed over
      // One bad line must never end the loop: the worker would stop delivering for the whole app.
      try {
        const record = toRecord(obj, config)
        if (formatter !== undefined && !applyFormatter(formatter, record, obj as Record<string, unknown>, counts, log)) continue
        notifier.send(record)
      } catch (err) {
        counts.failed++
        if (counts.failed === 1) log(`logcord pino-discord: a log line could not be translated and was passed over: ${String(err)}`)
      }
    }
  }, {
    expectPinoConfig: worker,
    parseLine: parseObject,
    // Draining happens here: pino ends the stream on logger end, natural exit and process.exit().
    async close () {
      const result = await notifier.close(resolved.closeTimeoutMs)
      const delivery = notifier.stats()
      if (notifier.options.logLevel !== 'silent' && (counts.unparsable > 0 || counts.failed > 0 || delivery.dropped > 0 || result.timedOut)) {
        log(`logcord pino-discord: closed: ${summary(counts, delivery)}${result.timedOut ? `; ${result.pending} still pending after ${resolved.closeTimeoutMs} ms` : ''}`)
      }
    }
  })

  return Object.assign(stream, {
    stats: () => ({ ...counts, delivery: notifier.stats() }),
    health: () => notifier.health()
  })
}

/**
 * JSON.parse, but only objects count as log lines: pino-abstract-transport would wrap `42` or `"x"`
 * as `{ data }`, which is not a pino line. `null` makes it emit 'unknown' (counted) instead.
 */
function parseObject (line: string): unknown {
  const value: unknown = JSON.parse(line)
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? value : null
}

function writeStderrSync (line: string): void {
  try {
    writeSync(2, line.endsWith('\n') ? line : line + '\n')
  } catch {
    // stderr closed or full: our own diagnostics must never break delivery.
  }
}

/** One line of counts for people: never contains the webhook URL. */
export function summary (counts: PinoDiscordStats, delivery: ReturnType<DiscordNotifier['stats']>): string {
  return `${counts.lines} lines to the transport, ${delivery.accepted} queued, ${delivery.sent} sent, ${delivery.dropped} dropped, ` +
    `${counts.unparsable} unparsable, ${counts.skipped} skipped, ${counts.failed} failed`
}

async function loadFormatter (path: string): Promise<Formatter> {
  // Relative to where the app runs, as a user would write it in their config.
  const url = pathToFileURL(resolvePath(process.cwd(), path)).href
  const mod = await import(url) as { default?: unknown }
  // A CommonJS module imported from ESM has its exports under `default` (maybe twice, when transpiled).
  let fn: unknown = mod.default
  if (typeof fn === 'object' && fn !== null && 'default' in fn) fn = (fn as { default: unknown }).default
  if (typeof fn !== 'function') {
    throw new TypeError(`Invalid option \`formatter\`: the module ${JSON.stringify(path)} has no default export function (record, logObject) => embed.`)
  }
  return fn as Formatter
}

/** Applies a user formatter. Returns false when the line must not be sent. */
function applyFormatter (formatter: Formatter, record: LogRecord, obj: Record<string, unknown>, counts: PinoDiscordStats, log: (line: string) => void): boolean {
  let out: ReturnType<Formatter>
  try {
    out = formatter(record, obj)
  } catch (err) {
    // The standard rendering is still a useful alert: better than losing the line.
    counts.failed++
    if (counts.failed === 1) log(`logcord pino-discord: the formatter threw; using the standard rendering: ${String(err)}`)
    return true
  }
  if (out === false) {
    counts.skipped++
    return false
  }
  if (out === undefined || out === null || typeof out !== 'object' || typeof (out as { then?: unknown }).then === 'function') return true
  if ('content' in out || 'embed' in out) {
    const pair = out as { content?: string, embed?: LogRecord['embed'] }
    if (typeof pair.content === 'string') record.content = pair.content
    if (pair.embed !== undefined) record.embed = pair.embed
  } else {
    record.embed = out as LogRecord['embed']
  }
  return true
}
