import type { LogLevel } from './types.js'

const RANK: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40, silent: 100 }

/**
 * The library's own voice on stderr: one line per distinct problem (the seed logs every error at a fitting level),
 * retries and waits at `debug`, nothing at `silent`. Every line passes `redact` first: no webhook token reaches the terminal.
 */
export class SelfLog {
  #level: number
  #sink: (line: string) => void
  #redact: (s: string) => string
  #seen: Set<string>

  /** `said`: the problems another thread of this process already reported (a hand-over at exit). */
  constructor (level: LogLevel, sink: (line: string) => void, redact: (s: string) => string, said: Iterable<string> = []) {
    this.#level = RANK[level]
    this.#sink = sink
    this.#redact = redact
    this.#seen = new Set(said)
  }

  /** The problems reported once so far (their keys). */
  get said (): string[] {
    return [...this.#seen]
  }

  /** `s` as every line is written: the webhook token (and anything shaped like one) removed. */
  redact (s: string): string {
    return this.#redact(s)
  }

  debug (message: string): void { this.#write('debug', message) }
  info (message: string): void { this.#write('info', message) }
  /** Every time: for events rare by nature (an outage starting or ending). */
  warn (message: string): void { this.#write('warn', message) }
  /** Always written unless silent: outcomes the user must hear of (records lost at exit). */
  error (message: string): void { this.#write('error', message) }

  /** Once per `key` (a problem kind) until `clear(key)`, repeats at debug; a function message is built only when written. */
  warnOnce (key: string, message: string | (() => string)): void { this.#once('warn', key, message) }
  errorOnce (key: string, message: string | (() => string)): void { this.#once('error', key, message) }

  /** The problem went away (e.g. a request succeeded): the next occurrence is worth a line again. */
  clear (key: string): void {
    this.#seen.delete(key)
  }

  #once (level: 'warn' | 'error', key: string, message: string | (() => string)): void {
    const seen = this.#seen.has(key)
    if (RANK[seen ? 'debug' : level] < this.#level) return
    if (!seen) this.#seen.add(key)
    this.#write(seen ? 'debug' : level, typeof message === 'function' ? message() : message)
  }

  #write (level: Exclude<LogLevel, 'silent'>, message: string): void {
    if (RANK[level] < this.#level) return
    try {
      this.#sink(this.#redact(`logcord ${level}: ${message}`))
    } catch {
      // The library's own logging must never throw into the application.
    }
  }
}
