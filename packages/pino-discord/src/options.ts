/**
 * The transport's options. pino structured-clones them into a worker thread, so everything here is
 * plain data; behaviour that needs code is named by a module path (`formatter`).
 */
import { InvalidOptionError, type Clock, type Embed, type LogRecord, type NotifierOptions } from '@logcord/core'
import { assertKnownOptions, NOTIFIER_OPTION_KEYS, resolveWithEnvironment } from '@logcord/core/internal'
import type { PinoConfig } from './to-record.js'

/**
 * Default for `closeTimeoutMs`. thread-stream's `end()` gives the worker 10 × 1 s (`end() took too
 * long (10s)`) before it gives up on it; draining must finish inside that, with room to spare.
 */
export const DEFAULT_CLOSE_TIMEOUT_MS = 8000
/** thread-stream's own limit: a larger `closeTimeoutMs` would be cut off by it anyway. */
export const THREAD_STREAM_END_LIMIT_MS = 10_000

/**
 * Options that cross into the worker: plain data only. Unset ones are read from DISCORD_WEBHOOK_URL,
 * DISCORD_NOTIFICATIONS_ENABLED and DISCORD_NOTIFICATIONS_LOG_LEVEL, as everywhere in the project.
 */
export interface PinoDiscordOptions extends Omit<NotifierOptions, 'log' | 'dispatcher' | 'clock'> {
  /**
   * Path of a module whose default export is a {@link Formatter}. Relative paths are resolved
   * against `process.cwd()`. A path, not a function, because options are cloned into a worker thread.
   */
  formatter?: string
  /**
   * How long closing waits for queued records to reach Discord before dead-lettering the rest.
   * Kept below thread-stream's 10 s worker shutdown limit. @default 8000
   */
  closeTimeoutMs?: number
}

/** Only when the transport runs in-process (`pino(opts, await transport(opts))`): tests, serverless. */
export interface InProcessOptions extends PinoDiscordOptions {
  /** undici Dispatcher for requests (a MockAgent in tests). */
  dispatcher?: NotifierOptions['dispatcher']
  /** Time source (tests). */
  clock?: Clock
  /** Where the library's own lines go. @default stderr */
  log?: (line: string) => void
  /**
   * pino's `messageKey`, `errorKey` and `levels` when no pino worker tells them (the CLI, in-process
   * use with a customised logger). In a worker, pino's own config wins. @default msg, err, pino's levels
   */
  pinoConfig?: PinoConfig
}

/**
 * A formatter module's default export. Return an embed, a `{ content, embed }` pair, `false` to
 * skip the line, or `undefined` to keep the standard rendering. Synchronous on purpose: the read
 * loop never waits, so a returned promise is ignored (standard rendering).
 */
export type Formatter = (record: LogRecord, logObject: Record<string, unknown>) =>
  Embed | { content?: string, embed?: Embed } | false | undefined

/** Options only the in-process factory may receive, and why a worker cannot. */
const IN_PROCESS_ONLY: Readonly<Record<string, string>> = Object.freeze({
  dispatcher: 'an undici Dispatcher holds sockets and cannot be cloned into a worker; it is accepted only in-process (`pino(opts, await transport({ dispatcher }))`)',
  clock: 'a clock is code; it is accepted only in-process (`pino(opts, await transport({ clock }))`)',
  log: 'the worker writes its own lines to stderr; choose how many with `logLevel`',
  thread: 'the transport already delivers from pino\'s worker thread, off the main thread'
})

/**
 * Keys pino and thread-stream add to a single `target`'s options (pino/lib/transport.js: `levels`,
 * `dedupe`, `pinoWillSendConfig`; thread-stream/index.js: `$context`); never the notifier's.
 */
const PINO_KEYS = ['levels', 'dedupe', 'pinoWillSendConfig', '$context'] as const
const ADAPTER_KEYS = ['formatter', 'closeTimeoutMs', 'pinoConfig'] as const
const KNOWN_KEYS: readonly string[] = [...NOTIFIER_OPTION_KEYS, ...ADAPTER_KEYS, ...PINO_KEYS]

const WHY = 'Transport options are copied into pino\'s worker thread with structuredClone, and functions and class instances cannot cross a thread boundary.'

/**
 * Fails with an InvalidOptionError naming the first value that cannot be cloned into a worker:
 * a function, symbol, or class instance, at any depth (`render.titleTemplate`, `mentions.roles[0]`).
 */
export function assertPlainData (options: unknown, allow: readonly string[] = []): void {
  walk(options, '', allow, new Set())
}

function walk (value: unknown, path: string, allow: readonly string[], seen: Set<object>): void {
  const top = path.split(/[.[]/)[0] ?? path
  if (path !== '' && allow.includes(top)) return
  if (typeof value === 'function' || typeof value === 'symbol' || typeof value === 'bigint') {
    throw new InvalidOptionError(path || 'options', 'plain data (strings, numbers, booleans, arrays, plain objects)', value, hintFor(top))
  }
  if (typeof value !== 'object' || value === null) return
  if (seen.has(value)) throw new InvalidOptionError(path || 'options', 'plain data without cycles', value)
  const proto = Object.getPrototypeOf(value)
  if (!Array.isArray(value) && proto !== Object.prototype && proto !== null) {
    throw new InvalidOptionError(path || 'options', 'plain data (strings, numbers, booleans, arrays, plain objects)', value, hintFor(top))
  }
  seen.add(value)
  if (Array.isArray(value)) value.forEach((v, i) => walk(v, `${path}[${i}]`, allow, seen))
  else for (const key of Object.keys(value)) walk((value as Record<string, unknown>)[key], path === '' ? key : `${path}.${key}`, allow, seen)
  seen.delete(value)
}

function hintFor (option: string): string {
  if (option === 'formatter') return `${WHY} Put the function in a module and pass its path: \`formatter: './discord-format.js'\` (its default export is called with (record, logObject)).`
  const why = IN_PROCESS_ONLY[option]
  if (why !== undefined) return `${WHY} \`${option}\`: ${why}.`
  return `${WHY} Pass plain data; for custom rendering use \`formatter: './module.js'\`.`
}

export interface ResolvedPinoOptions {
  notifier: NotifierOptions
  formatter: string | undefined
  closeTimeoutMs: number
  pinoConfig: PinoConfig
}

/**
 * Validates once, at the edge. Worker-bound options must be plain data; in-process ones may also
 * carry `dispatcher`, `clock` and `log`. Shared options are checked by core's resolveOptions, so
 * errors read the same as everywhere else in the project.
 */
export function resolvePinoOptions (input: InProcessOptions | undefined, where: 'worker' | 'in-process', env: NodeJS.ProcessEnv = process.env): ResolvedPinoOptions {
  const options = input ?? {}
  if (typeof options !== 'object' || options === null || Array.isArray(options)) throw new InvalidOptionError('options', 'an object', options)
  assertKnownOptions(options, KNOWN_KEYS)
  if (where === 'worker') {
    for (const key of Object.keys(IN_PROCESS_ONLY)) {
      const value = (options as Record<string, unknown>)[key]
      if (value !== undefined) throw new InvalidOptionError(key, 'to be unset for a worker transport', value, hintFor(key))
    }
  }
  assertPlainData(options, where === 'in-process' ? Object.keys(IN_PROCESS_ONLY) : [])

  const { formatter, closeTimeoutMs, pinoConfig, levels: _levels, dedupe: _dedupe, pinoWillSendConfig: _config, $context: _context, ...given } = options as InProcessOptions & Partial<Record<(typeof PINO_KEYS)[number], unknown>>
  if (formatter !== undefined && (typeof formatter !== 'string' || formatter === '')) {
    throw new InvalidOptionError('formatter', 'a module path such as \'./discord-format.js\'', formatter)
  }
  const close = closeTimeoutMs ?? DEFAULT_CLOSE_TIMEOUT_MS
  if (typeof close !== 'number' || !Number.isInteger(close) || close < 0 || close >= THREAD_STREAM_END_LIMIT_MS) {
    throw new InvalidOptionError('closeTimeoutMs', `an integer from 0 to ${THREAD_STREAM_END_LIMIT_MS - 1} (thread-stream stops waiting for the worker after ${THREAD_STREAM_END_LIMIT_MS} ms)`, close)
  }
  // Fail here, with the option's name, rather than later inside the worker. Workers share the process
  // environment, so the URL may stay out of the code and the options.
  const notifier = resolveWithEnvironment(given, env).options
  if (pinoConfig !== undefined && (typeof pinoConfig !== 'object' || pinoConfig === null)) throw new InvalidOptionError('pinoConfig', 'an object like { messageKey: \'message\' }', pinoConfig)
  return { notifier, formatter, closeTimeoutMs: close, pinoConfig: pinoConfig ?? {} }
}
