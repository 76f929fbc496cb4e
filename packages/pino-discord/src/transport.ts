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
import { isMainThread, parentPort, workerData } from 'node:worker_threads'
import type { Transform } from 'node:stream'
import build from 'pino-abstract-transport'
import { DiscordNotifier, type LogRecord } from '@logcord/core'
import { redactLoose } from '@logcord/core/internal'
import { resolvePinoOptions, type Formatter, type InProcessOptions } from './options.js'
import { statsReporter } from './stats-events.js'
import { toRecord, type PinoConfig } from './to-record.js'

/** How long the first line waits for pino's config message, which pino() posts before any line. */
const CONFIG_WAIT_MS = 1000

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
  /** Lines passed over because the worker transport could not start (a bad option); reported once on stderr. */
  discarded: number
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
 *
 * In-process, a bad option rejects (the caller awaits it at startup). In pino's worker nobody can catch
 * it: a rejection becomes an 'error' on pino's ThreadStream, which crashes the application long after
 * its startup code ran. There, a bad option (no URL, a wrong value, a formatter that does not load) is
 * written once to stderr (without the token), and the transport reads and discards every line, counted
 * in `stats().discarded` and in its closing line: the application carries on, without Discord alerts.
 */
export default async function pinoDiscord (options: InProcessOptions = {}): Promise<PinoDiscordStream> {
  const worker = inPinoWorker()
  let resolved: ReturnType<typeof resolvePinoOptions>
  let formatter: Formatter | undefined
  let notifier: DiscordNotifier
  try {
    resolved = resolvePinoOptions(options, worker ? 'worker' : 'in-process')
    formatter = resolved.formatter === undefined ? undefined : await loadFormatter(resolved.formatter)
    // A worker's process.stderr is relayed through the main thread, which sits blocked in
    // thread-stream's end() while we drain and then exits: write to fd 2 directly so the lines survive.
    notifier = new DiscordNotifier(worker ? { ...resolved.notifier, log: writeStderrSync } : resolved.notifier)
  } catch (err) {
    if (!worker) throw err
    return await discardingStream(err)
  }
  const log = notifier.options.log
  const counts: PinoDiscordStats = { lines: 0, unparsable: 0, skipped: 0, failed: 0, discarded: 0 }
  // In pino's worker, the main thread's stream emits 'discordStats' (stats-events.ts).
  const report = worker ? statsReporter(() => ({ ...counts, delivery: notifier.stats() })) : undefined
  if (report !== undefined) for (const event of ['sent', 'dropped'] as const) notifier.on(event, report)

  const pinoConfig = worker ? listenForPinoConfig() : undefined
  const stream = await build(async (source) => {
    const config: PinoConfig = { ...resolved.pinoConfig }
    // parseObject turns every line that is not a JSON object into 'unknown'.
    source.on('unknown', () => { counts.unparsable++ })
    for await (const obj of source) {
      if (counts.lines === 0 && pinoConfig !== undefined) Object.assign(config, await configOrDefaults(pinoConfig))
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
 * pino() sends its messageKey, errorKey and levels to the worker before any line. The worker does not
 * wait for them to start (pino-abstract-transport's `expectPinoConfig` would): a transport built but
 * never handed to pino() must let the process end. The first line waits for them instead; pino() has
 * posted them by then, so that wait is a turn of the worker's event loop at most.
 */
function listenForPinoConfig (): Promise<Partial<PinoConfig>> {
  return new Promise((resolve) => {
    const port = parentPort
    if (port === null) return resolve({})
    const onMessage = (message: { code?: unknown, config?: { messageKey?: unknown, errorKey?: unknown, levels?: PinoConfig['levels'] } }): void => {
      if (message?.code !== 'PINO_CONFIG') return
      port.off('message', onMessage)
      const c = message.config ?? {}
      const config: Partial<PinoConfig> = {}
      if (typeof c.messageKey === 'string') config.messageKey = c.messageKey
      if (typeof c.errorKey === 'string') config.errorKey = c.errorKey
      if (c.levels !== undefined) config.levels = c.levels
      resolve(config)
    }
    port.on('message', onMessage)
  })
}

/** The config, or what is known after `CONFIG_WAIT_MS` (lines written to the stream without pino()). */
function configOrDefaults (pending: Promise<Partial<PinoConfig>>): Promise<Partial<PinoConfig>> {
  let timer: NodeJS.Timeout | undefined
  const fallback = new Promise<Partial<PinoConfig>>((resolve) => { timer = setTimeout(resolve, CONFIG_WAIT_MS, {}) })
  return Promise.race([pending, fallback]).finally(() => clearTimeout(timer))
}

/**
 * What a worker transport that could not start runs instead: one line on stderr now, every log line
 * read and counted, one closing line. It must keep reading: a worker that stops reading fills pino's
 * buffer and blocks the application's logging.
 */
async function discardingStream (err: unknown): Promise<PinoDiscordStream> {
  // Our errors never hold the token; anything else (a formatter module's import error) is redacted too.
  const reason = redactLoose(err instanceof Error ? err.message : String(err))
  writeStderrSync(`logcord pino-discord: not sending to Discord: ${reason} The application carries on; its log lines are discarded by this transport.`)
  const counts: PinoDiscordStats = { lines: 0, unparsable: 0, skipped: 0, failed: 0, discarded: 0 }
  // Explicit on both: no environment variable is read again (it may be the bad value).
  const disabled = new DiscordNotifier({ enabled: false, logLevel: 'silent' })
  const stream = await build(async (source) => {
    source.on('unknown', () => { counts.unparsable++ })
    // eslint-disable-next-line @typescript-eslint/no-unused-vars -- each line is counted, not read
    for await (const _line of source) {
      counts.lines++
      counts.discarded++
    }
  }, {
    parseLine: parseObject,
    // Async: pino-abstract-transport waits for the returned promise (a sync close would have to call back).
    async close () {
      if (counts.discarded > 0) writeStderrSync(`logcord pino-discord: closed: ${counts.discarded} lines not sent to Discord (the transport could not start, see above)`)
    }
  })
  return Object.assign(stream, {
    stats: () => ({ ...counts, delivery: disabled.stats() }),
    health: () => ({ ...disabled.health(), reason: `the transport could not start: ${reason}` })
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
  const deadLettered = delivery.deadLettered > 0 ? ` (${delivery.deadLettered} dead-lettered)` : ''
  return `${counts.lines} lines to the transport, ${delivery.accepted} queued, ${delivery.sent} sent, ${delivery.dropped} dropped${deadLettered}, ` +
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
