/*
 * A Winston transport that hands records to the core's DiscordNotifier. It only translates and
 * forwards; storm control, queueing, rate limits, rendering and retries are the core's.
 *
 *   logger.error(err) ──► winston-transport._write ──► log(info, cb)
 *     (level filter, format)                            │ discord: false? ── skip
 *                                                       │ formatter(info) or toRecord(info)
 *                                                       ▼
 *                                            notifier.send(record) ── storm control, a copy of what the
 *                                                       │             call carried, never waits or throws
 *                                    cb() at once; 'logged' on the next turn (on a fatal
 *                                    exception only after the notifier flushed, see #afterFatal)
 *
 *   logger.end() ──► _final ──► notifier.close(deadline) ──► 'finish'
 */
import { InvalidOptionError, type Clock, type DiscordNotifier, type LogRecord, type ProblemEvent, type Severity } from '@logcord/core'
import { knownSeverity } from '@logcord/core/internal'
import TransportStream from 'winston-transport'
import { resolveTransportOptions, type DiscordMessage, type DiscordTransportOptions, type Formatter, type TransportNotifier } from './options.js'
import { isProcessFatal, levelOf, serviceText, severityOf, toRecord, type WinstonInfo } from './to-record.js'

/**
 * Winston's exception and rejection handlers wait at most 3000 ms for a 'finish' before
 * process.exit(1) (winston/lib/winston/exception-handler.js). Flushing for less leaves room to emit it.
 */
export const FATAL_FLUSH_MS = 2500

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
  readonly #clock: Pick<Clock, 'now'>
  readonly #unsubscribe: () => void
  #shutdown: Promise<FlushResult> | undefined
  /** The info being written, while winston-transport runs this transport's own `format` on a copy of it. */
  #original: WinstonInfo | undefined
  /** The last level seen and its severity: levels repeat, and the lookup lower-cases the name. */
  #lastLevel = ''
  #lastSeverity: Severity = 'info'

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
    this.#clock = this.notifier.options?.clock ?? Date
    this.#unsubscribe = this.#forwardEvents()
    // winston-transport takes the logger's levels on 'pipe' (its listener runs first); a `level` they lack lets nothing through.
    this.once('pipe', () => this.#checkLevel())
  }

  /** Says once on stderr when `level` is not one of the logger's levels: winston would hand this transport nothing. */
  #checkLevel (): void {
    const { level, levels } = this as { level?: unknown, levels?: Record<string, number> }
    if (typeof level !== 'string' || levels === undefined || Object.hasOwn(levels, level)) return
    const names = Object.keys(levels)
    const severity = knownSeverity(level)
    const like = names.find((n) => n.toLowerCase() === level.toLowerCase()) ?? names.find((n) => severity !== undefined && knownSeverity(n) === severity)
    const options = this.notifier.options
    if (options === undefined || options.logLevel === 'silent') return
    options.log(`logcord winston-discord: ${new InvalidOptionError('level', `one of this logger's levels (${names.join(', ')})`, level, `Winston hands a transport nothing at a level it does not have.${like === undefined ? '' : ` Did you mean '${like}'?`}`).message}`)
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

  /** Takes the call and calls back at once: never waits on Discord, never throws. */
  override log (info: WinstonInfo, callback: () => void): void {
    if (this.#repeat(info)) return callback()
    try {
      if (info.discord !== false) {
        const record = toRecord(info, { levelMap: this.#levelMap, now: this.#clock.now(), original: this.#original })
        if (this.#formatter === undefined || this.#applyFormatter(info, record)) this.notifier.send(record)
      }
    } catch (err) {
      // Only a hostile info (a throwing getter) gets here; the app must not notice.
      this.#warn({ kind: 'translate', message: `could not translate a Winston record: ${describeThrown(err)}` })
    }
    if (isProcessFatal(info)) this.#afterFatal(info)
    // Most apps never listen to 'logged': asking first keeps the call short.
    else if (this.listenerCount('logged') > 0) setImmediate(emitLogged, this, info)
    callback()
  }

  /**
   * `logger.error(err)` (info is the Error itself) repeating an alert whose storm window is open: the
   * notifier counts it from the call's own parts, as it would count the record toRecord() builds from
   * them (the same severity, service, message and Error), and nothing is built. Not with a formatter
   * (it may reshape or skip records), nor for a copy a transport `format` made, nor for a message of
   * several lines (toRecord may shorten it).
   */
  #repeat (info: WinstonInfo): boolean {
    if (this.#formatter !== undefined || this.#original !== undefined || !(info instanceof Error)) return false
    try {
      const message = info.message
      if (typeof message !== 'string' || message === '' || message.includes('\n') || info.discord === false || info.incident !== undefined) return false
      const level = levelOf(info)
      if (level !== this.#lastLevel) {
        this.#lastSeverity = severityOf(level, this.#levelMap)
        this.#lastLevel = level
      }
      if (!this.notifier.fold(this.#lastSeverity, serviceText(info.service), message, info)) return false
    } catch {
      return false
    }
    // As for any call: 'logged' on the next turn, for whoever listens.
    if (this.listenerCount('logged') > 0) setImmediate(emitLogged, this, info)
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
