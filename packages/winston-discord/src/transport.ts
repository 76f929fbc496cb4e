/*
 * A Winston transport that hands records to the core's DiscordNotifier. It only translates and
 * forwards; queueing, batching, rate limits, rendering and retries are the core's.
 *
 *   logger.error(err) ──► winston-transport._write ──► log(info, cb)
 *     (level filter, format)                            │ the Error itself? staged with the call's level and time;
 *                                                       │ the run's staged calls are taken at its end (a microtask)
 *                                                       ▼
 *                                                    take: a repeat of an open storm window? ── counted, no record
 *                                                       │ discord: false? ── skip
 *                                                       │ formatter(info) or toRecord(info)
 *                                                       ▼
 *                                            notifier.send(record) ── O(1), never throws
 *                                                       │
 *                                    cb() at once; 'logged' on the next turn (on a fatal
 *                                    exception only after the notifier flushed, see #afterFatal)
 *
 *   logger.end() ──► _final ──► notifier.close(deadline) ──► 'finish'
 */
import type { Clock, DiscordNotifier, LogRecord, ProblemEvent, Severity } from '@logcord/core'
import { kFoldRepeat, kSendAt, kStage, kUnstage, systemClock } from '@logcord/core/internal'
import TransportStream from 'winston-transport'
import { resolveTransportOptions, type DiscordMessage, type DiscordTransportOptions, type Formatter, type TransportNotifier } from './options.js'
import { errorSelfMessage, isProcessFatal, levelOf, serviceText, severityOf, toRecord, type ToRecordOptions, type WinstonInfo } from './to-record.js'

/**
 * Winston's exception and rejection handlers wait at most 3000 ms for a 'finish' before
 * process.exit(1) (winston/lib/winston/exception-handler.js). Flushing for less leaves room to emit it.
 */
export const FATAL_FLUSH_MS = 2500

/**
 * Log calls staged at most before they are handed over (see log()): enough that a burst is handled in
 * a few tight runs, few enough that a staged run holds little.
 */
export const STAGE_CAPACITY = 1024

/** Core events re-emitted on the transport under the same name. */
const FORWARDED_EVENTS = ['sent', 'dropped', 'rateLimited', 'retry', 'disabled'] as const
/** Core events re-emitted as 'warn'. Never as 'error': Winston re-emits a transport's 'error' on the logger, which crashes the process when nobody listens. */
const WARN_EVENTS = ['error', 'disabled'] as const

export type FlushResult = Awaited<ReturnType<DiscordNotifier['flush']>>

/** What winston-transport and winston's handlers put on a transport without declaring it. */
interface WinstonBookkeeping {
  /** Set by winston's exception/rejection handler just before it logs the fatal info and waits for 'finish'. */
  _ending?: boolean
  /** The logger this transport is piped from. */
  parent?: { exitOnError?: boolean | ((err: unknown) => boolean) } | null
}

/**
 * Sends Winston records to Discord.
 *
 * Events (besides the stream's and Winston's 'logged'/'warn'):
 * - `'warn'` (ProblemEvent): delivery trouble reported by the notifier (`error`, `disabled`) or a throwing formatter.
 * - `'sent'`, `'dropped'`, `'rateLimited'`, `'retry'`, `'disabled'`: the core notifier's events, unchanged.
 */
export class DiscordTransport extends TransportStream {
  /** The notifier records go to: for `health()`, `stats()` and the core's other send methods. */
  readonly notifier: TransportNotifier
  readonly #ownsNotifier: boolean
  readonly #levelMap: Readonly<Record<string, Severity>> | undefined
  readonly #formatter: Formatter | undefined
  readonly #clock: Clock
  readonly #unsubscribe: () => void
  #shutdown: Promise<FlushResult> | undefined
  /** The info being written, while winston-transport runs this transport's own `format` on a copy of it. */
  #original: WinstonInfo | undefined
  /** The last level seen and its severity: levels repeat, and the lookup lower-cases the name. */
  #lastLevel = ''
  #lastSeverity: Severity = 'info'
  /**
   * Calls staged by log(), handed over by #handOverStaged: the Error, and its level, message and
   * service and the time, all as they were at the call.
   */
  readonly #canStage: boolean
  readonly #stagedInfos: Array<WinstonInfo | undefined> = []
  readonly #stagedLevels: string[] = []
  readonly #stagedMessages: unknown[] = []
  readonly #stagedServices: unknown[] = []
  readonly #stagedTimes = new Float64Array(STAGE_CAPACITY)
  #staged = 0
  #handingOver = false
  /**
   * False until a 'logged' listener may exist: most apps never listen, and asking the emitter costs a
   * lookup per call. Only ever set (see the constructor and removeAllListeners()).
   */
  #loggedMayBeHeard = false
  readonly #handOverStaged = (): void => {
    if (this.#staged === 0 || this.#handingOver) return
    this.#handingOver = true
    // Unstaged first: the records sent below must not ask for this hand-over again, each.
    this.notifier[kUnstage](this.#handOverStaged)
    const infos = this.#stagedInfos
    try {
      for (let i = 0; i < this.#staged; i++) {
        const info = infos[i]!
        infos[i] = undefined
        const message = this.#stagedMessages[i]
        const service = this.#stagedServices[i]
        this.#stagedMessages[i] = this.#stagedServices[i] = undefined
        const level = this.#stagedLevels[i]!
        const at = this.#stagedTimes[i]!
        if (!this.#foldCall(level, message, service, at)) this.#handOver(info, level, at, { message, service })
      }
    } finally {
      this.#staged = 0
      this.#handingOver = false
    }
  }

  constructor (options: DiscordTransportOptions = {}) {
    // winston-transport copies `log`, `logv` and `close` from its options onto the instance, which
    // would replace this class's methods. Everything else (level, format, silent, handleExceptions,
    // handleRejections) goes to winston-transport untouched, so it behaves as in every transport.
    const { log: _log, logv: _logv, close: _close, ...transportOptions } = options as DiscordTransportOptions & Record<'log' | 'logv' | 'close', unknown>
    super(transportOptions)
    const resolved = resolveTransportOptions(options)
    // As Winston's built-in transports do (console.js, file.js): a name to tell transports apart.
    ;(this as { name?: string }).name = typeof options.name === 'string' ? options.name : 'discord'
    this.notifier = resolved.notifier
    this.#ownsNotifier = resolved.ownsNotifier
    this.#levelMap = resolved.levelMap
    this.#formatter = resolved.formatter
    this.#clock = this.notifier.options?.clock ?? systemClock
    this.on('newListener', (event: string | symbol) => {
      if (event === 'logged') this.#loggedMayBeHeard = true
    })
    // A notifier of another make (a test double) gets every call at once.
    this.#canStage = typeof this.notifier[kStage] === 'function'
    this.#unsubscribe = this.#forwardEvents()
  }

  /**
   * winston-transport runs a `format` set on this transport on `Object.assign({}, info)`, a copy with
   * only own enumerable properties: for `logger.error(err)`, where info is the Error itself, that drops
   * its message, stack, type and cause. The original is kept while the format runs, so log() can read
   * the error from it (winston-transport calls log() synchronously from here).
   */
  override _write (info: WinstonInfo, encoding: BufferEncoding, callback: (error?: Error | null) => void): void {
    // Without a format of its own, log() gets the info itself.
    if ((this as { format?: unknown }).format === undefined) return super._write(info, encoding, callback)
    this.#original = info
    try {
      super._write(info, encoding, callback)
    } finally {
      this.#original = undefined
    }
  }

  /**
   * Buffered writes (a corked stream) go one by one through _write, so they are filtered and formatted
   * the same way. (winston-transport's own _writev calls log() with each chunk's `callback`, which
   * Node's Writable no longer passes.)
   */
  override _writev (chunks: Array<{ chunk: WinstonInfo }>, callback: (error?: Error | null) => void): void {
    for (const { chunk } of chunks) this._write(chunk, 'utf8', noop)
    callback()
  }

  /**
   * Takes the call and calls back at once: never waits on Discord, never throws.
   *
   * `logger.error(err)` (the info is the Error itself) is staged, with the call's level and time, and a
   * synchronous run of such calls (a loop, a burst in an incident) is handed over in one go when the
   * run ends (a microtask) or the stage holds STAGE_CAPACITY: the per-call work (storm control's
   * lookup, mostly) then runs back to back instead of between Winston's own, which costs the logging
   * thread less (bench/winston.mjs). The notifier has the stage handed over before it is read,
   * flushed, sent to or the process ends (kStage), so counts, order and exit guarantees are unchanged;
   * the Error's own fields are read at hand-over, later in the same run. Every other call shape, a
   * copy made by a transport `format`, and the fatal record of Winston's exception handler are taken
   * at once, after what is staged.
   */
  override log (info: WinstonInfo, callback: () => void): void {
    const fatal = isProcessFatal(info)
    if (info instanceof Error && !fatal && this.#canStage && this.#original === undefined && !this.#handingOver && this.#stage(info)) {
      if (this.#staged === STAGE_CAPACITY) this.#handOverStaged()
    } else {
      this.#handOverStaged()
      const level = levelAt(info)
      const now = this.#clock.now()
      if (!this.#foldRepeat(info, level, now)) this.#handOver(info, level, now, undefined)
      if (fatal) {
        this.#afterFatal(info)
        callback()
        return
      }
    }
    // Most apps never listen to 'logged': skipping the setImmediate then keeps the hot path short.
    if (this.#loggedMayBeHeard && this.listenerCount('logged') > 0) setImmediate(emitLogged, this, info)
    callback()
  }

  /** Removing the 'newListener' hook above would hide later 'logged' listeners: from then on, always ask. */
  override removeAllListeners (event?: string | symbol): this {
    if (event === undefined || event === 'newListener') this.#loggedMayBeHeard = true
    // Not super.removeAllListeners(undefined): the emitter tells "all" apart by the argument count.
    return event === undefined ? super.removeAllListeners() : super.removeAllListeners(event)
  }

  /**
   * Stages `logger.error(err)` with what the call carried: false, staging nothing, when the Error says
   * `discord: false` or reading it throws (a hostile getter), so the call is taken at once (and skipped,
   * or said to have failed).
   */
  #stage (info: WinstonInfo): boolean {
    let level: string, message: unknown, service: unknown
    try {
      if (info.discord === false) return false
      level = levelOf(info)
      message = info.message
      service = info.service
    } catch {
      return false
    }
    if (this.#staged === 0) {
      this.notifier[kStage](this.#handOverStaged)
      queueMicrotask(this.#handOverStaged)
    }
    const i = this.#staged++
    this.#stagedInfos[i] = info
    this.#stagedLevels[i] = level
    this.#stagedMessages[i] = message
    this.#stagedServices[i] = service
    this.#stagedTimes[i] = this.#clock.now()
    return true
  }

  /** Settles when everything handed over so far is delivered or dropped, or after `timeoutMs`. Never rejects. */
  flush (timeoutMs?: number): Promise<FlushResult> {
    return this.notifier.flush(timeoutMs)
  }

  /**
   * Delivers what is queued (within the notifier's `flushTimeoutMs`) and frees the notifier's
   * resources when this transport built it; a notifier passed in is only flushed, its owner closes it.
   * Winston calls this when the transport is removed from a logger. Never rejects.
   */
  override close (): Promise<FlushResult> {
    this.#shutdown ??= this.#ownsNotifier ? this.notifier.close() : this.notifier.flush()
    this.#shutdown.then(this.#unsubscribe, this.#unsubscribe)
    return this.#shutdown
  }

  /** `logger.end()` / `transport.end()`: 'finish' waits until the queue drained (or the deadline passed). */
  override _final (callback: (error?: Error | null) => void): void {
    this.close().then(() => callback(), () => callback())
  }

  /**
   * Builds the record and sends it as logged at `now` (epoch ms). `atCall`: what a staged call carried
   * (see #stage). Winston's exception handler logs a plain info, never the Error itself, so a repeat
   * folded instead of coming here is never its fatal record.
   */
  #handOver (info: WinstonInfo, level: string | undefined, now: number, atCall: ToRecordOptions['atCall']): void {
    try {
      if (info.discord === false) return
      const record = toRecord(info, { levelMap: this.#levelMap, now, original: this.#original, level, atCall })
      if (this.#formatter !== undefined && !this.#applyFormatter(info, record)) return
      if (this.#canStage) this.notifier[kSendAt](record, now)
      else this.notifier.send(record)
    } catch (err) {
      // Only a hostile info (a throwing getter on a field) gets here; the app must not notice.
      this.#warn({ kind: 'translate', message: `could not translate a Winston record: ${describeThrown(err)}` })
    }
  }

  /**
   * True when `info` is a repeat of an alert whose storm window is open: it was counted, and no record
   * is built. Only for `logger.error(err)`'s shape (info is the Error itself), and not with a formatter
   * (it may skip or reshape records) or a transport format (log() then gets a copy). Never throws.
   */
  #foldRepeat (info: WinstonInfo, level: string | undefined, now: number): boolean {
    if (level === undefined || (this.#original !== undefined && this.#original !== info)) return false
    try {
      const message = errorSelfMessage(info)
      if (message === undefined || info.discord === false) return false
      return this.#foldCall(level, message, info.service, now)
    } catch {
      return false
    }
  }

  /**
   * #foldRepeat() from what a call of that shape carried (a staged call: an Error without
   * `discord: false`, see #stage()). Never throws.
   */
  #foldCall (level: string, message: unknown, service: unknown, at: number): boolean {
    if (this.#formatter !== undefined || typeof message !== 'string' || message === '') return false
    if (level !== this.#lastLevel) {
      this.#lastSeverity = severityOf(level, this.#levelMap)
      this.#lastLevel = level
    }
    return this.notifier[kFoldRepeat](this.#lastSeverity, serviceText(service), message, at)
  }

  /** False when the formatter asked to skip the record. A throwing formatter falls back to the default rendering. */
  #applyFormatter (info: WinstonInfo, record: LogRecord): boolean {
    let out: ReturnType<Formatter>
    try {
      out = (this.#formatter as Formatter)(info)
    } catch (err) {
      this.#warn({ kind: 'formatter', message: `the formatter threw; the default rendering was used: ${describeThrown(err)}` })
      return true
    }
    if (out === false) return false
    if (out === undefined || out === null) return true
    if (typeof out !== 'object') {
      this.#warn({ kind: 'formatter', message: `the formatter returned ${typeof out}; expected an embed, { content, embed }, false or undefined` })
      return true
    }
    if (isMessage(out)) {
      if (out.embed !== undefined) record.embed = out.embed
      if (typeof out.content === 'string') record.content = out.content
    } else {
      record.embed = out
    }
    return true
  }

  /**
   * Winston's exception and rejection handlers set `_ending`, log the fatal info, then wait for
   * 'finish' (or 3000 ms) before process.exit(1). Emitting 'finish' only after the notifier flushed
   * is what gets the alert out before the process dies. It is skipped when Winston will not exit:
   * a 'finish' unpipes the transport from the logger.
   */
  #afterFatal (info: WinstonInfo): void {
    const self = this as unknown as WinstonBookkeeping
    const handlerWaits = self._ending === true
    void this.notifier.flush(FATAL_FLUSH_MS).then(() => {
      this.emit('logged', info)
      if (handlerWaits && willExit(self.parent, info)) this.emit('finish')
    })
  }

  #forwardEvents (): () => void {
    const n = this.notifier
    const listeners: Array<[string, (payload: unknown) => void]> = []
    for (const event of FORWARDED_EVENTS) listeners.push([event, (payload) => this.emit(event, payload)])
    for (const event of WARN_EVENTS) listeners.push([event, (payload) => this.emit('warn', payload)])
    for (const [event, fn] of listeners) n.on(event as 'sent', fn)
    return () => {
      for (const [event, fn] of listeners) n.off(event as 'sent', fn)
    }
  }

  #warn (problem: ProblemEvent): void {
    try {
      this.emit('warn', problem)
    } catch {}
  }
}

function noop (): void {}

/** The info's level, or undefined when reading it throws (a hostile getter): toRecord() then says so. */
function levelAt (info: WinstonInfo): string | undefined {
  try {
    return levelOf(info)
  } catch {
    return undefined
  }
}

function emitLogged (transport: DiscordTransport, info: WinstonInfo): void {
  transport.emit('logged', info)
}

/** A `{ content?, embed? }` message rather than an embed: embeds never have these keys. */
function isMessage (out: object): out is DiscordMessage {
  return 'content' in out || 'embed' in out
}

function willExit (parent: WinstonBookkeeping['parent'], info: WinstonInfo): boolean {
  // The same test winston's handler makes (a function is asked with the error); absent means its default, true.
  const exitOnError = parent?.exitOnError ?? true
  if (typeof exitOnError !== 'function') return Boolean(exitOnError)
  try {
    return Boolean(exitOnError(info.error))
  } catch {
    return true
  }
}

function describeThrown (err: unknown): string {
  try {
    return err instanceof Error ? `${err.name}: ${err.message}` : String(err)
  } catch {
    return 'unknown error'
  }
}
