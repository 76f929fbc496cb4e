import { DiscordNotifier, InvalidOptionError, isSeverity, SEVERITIES, type Embed, type NotifierOptions, type Severity } from '@logcord/core'
import { assertKnownOptions, NOTIFIER_OPTION_KEYS } from '@logcord/core/internal'
import type TransportStream from 'winston-transport'
import type { WinstonInfo } from './to-record.js'

/** A whole message: plain `content`, an `embed`, or both. */
export interface DiscordMessage {
  content?: string
  embed?: Embed
}

/**
 * Custom rendering for one record. Return an embed, a `{ content?, embed? }` message, `false` to send
 * nothing, or `undefined` for the default rendering. Runs on the logging thread: keep it cheap.
 */
export type Formatter = (info: WinstonInfo) => Embed | DiscordMessage | false | null | undefined

/**
 * Winston's transport options plus the core notifier's options. Left out, because they would
 * replace this transport's own methods in winston-transport's constructor: `log`, `logv`, `close`.
 * The core's `log` option (where the library's own diagnostic lines go) is therefore named `selfLog` here.
 */
/** The notifier the transport sends through (a ThreadedNotifier is one too). */
export type TransportNotifier = DiscordNotifier

export interface DiscordTransportOptions
  extends Omit<TransportStream.TransportStreamOptions, 'log' | 'logv' | 'close'>, Omit<NotifierOptions, 'log'> {
  /** Use this notifier instead of building one; the notifier options above are then ignored. @default undefined */
  notifier?: TransportNotifier
  /**
   * Deliver from a worker thread (the core's ThreadedNotifier) all the time, instead of in-process.
   * Both modes deliver `logger.error(err); process.exit(1)` (in-process, the records pending at exit are
   * handed to a worker started then). Opt-in because copying each record for the worker costs the
   * logging thread more than in-process hand-over (bench/winston.mjs prints both).
   * `dispatcher` and `clock` cannot cross into a worker and are refused in this mode.
   * @default false
   */
  thread?: boolean
  /** Winston level name → severity, for custom level sets. Unlisted names use the built-in mapping. @default {} */
  levelMap?: Record<string, Severity>
  /** Custom rendering; see {@link Formatter}. @default undefined (the core's rendering) */
  formatter?: Formatter
  /** Where the library's own diagnostic lines go (the core's `log` option). @default a write to process.stderr */
  selfLog?: (line: string) => void
  /** The transport's name, as Winston's built-in transports take it. @default 'discord' */
  name?: string
  /** winston-transport's Writable buffer size, in records. @default Node's objectMode default (16) */
  highWaterMark?: number
}

export interface ResolvedTransportOptions {
  notifier: TransportNotifier
  /** False when the notifier was passed in: its owner closes it. */
  ownsNotifier: boolean
  levelMap: Readonly<Record<string, Severity>> | undefined
  formatter: Formatter | undefined
}

/**
 * Keys only this adapter reads; everything else goes to the notifier. Winston's own: `format`, `level`,
 * `silent`, `handleExceptions`, `handleRejections`, `log`, `logv`, `close` (winston-transport), `highWaterMark`
 * (its Writable) and `name` (which Winston's built-in transports take).
 */
const ADAPTER_KEYS = ['notifier', 'levelMap', 'formatter', 'selfLog', 'format', 'level', 'silent', 'handleExceptions', 'handleRejections', 'log', 'logv', 'close', 'highWaterMark', 'name'] as const
const KNOWN_KEYS: readonly string[] = [...new Set([...NOTIFIER_OPTION_KEYS, ...ADAPTER_KEYS])]

/**
 * Validates once, at construction, naming the option, what was expected and what came. An unknown
 * key is refused with the closest known name (a Winston key, this adapter's, or the notifier's).
 */
export function resolveTransportOptions (options: DiscordTransportOptions): ResolvedTransportOptions {
  if (typeof options === 'object' && options !== null) assertKnownOptions(options, KNOWN_KEYS)
  const { notifier, levelMap, formatter } = options
  if (levelMap !== undefined) {
    if (typeof levelMap !== 'object' || levelMap === null || Array.isArray(levelMap)) {
      throw new InvalidOptionError('levelMap', 'an object of level name → severity, e.g. { crit: \'critical\' }', levelMap)
    }
    for (const [level, severity] of Object.entries(levelMap)) {
      if (!isSeverity(severity)) throw new InvalidOptionError(`levelMap.${level}`, `one of ${SEVERITIES.join(', ')}`, severity)
    }
  }
  if (formatter !== undefined && typeof formatter !== 'function') {
    throw new InvalidOptionError('formatter', 'a function (info) => embed | { content, embed } | false | undefined', formatter)
  }
  if (options.selfLog !== undefined && typeof options.selfLog !== 'function') {
    throw new InvalidOptionError('selfLog', 'a function (line: string) => void', options.selfLog)
  }
  const { thread, exitTimeoutMs } = options
  if (thread !== undefined && typeof thread !== 'boolean') throw new InvalidOptionError('thread', 'true or false', thread)
  if (notifier !== undefined) {
    if (thread !== undefined || exitTimeoutMs !== undefined) {
      throw new InvalidOptionError(thread !== undefined ? 'thread' : 'exitTimeoutMs', 'to be unset when `notifier` is given', thread ?? exitTimeoutMs, 'Choose the mode when building the notifier: `new ThreadedNotifier({ webhookUrl, exitTimeoutMs })`.')
    }
    // Duck-typed: an app that loads core through require() and this adapter through import holds
    // two copies of the DiscordNotifier class, and instanceof would reject a perfectly good notifier.
    if (!isNotifierLike(notifier)) {
      throw new InvalidOptionError('notifier', 'a DiscordNotifier from @logcord/core', notifier, 'Build one with `new DiscordNotifier({ webhookUrl })`, or pass `webhookUrl` instead.')
    }
    if (options.webhookUrl !== undefined) {
      throw new InvalidOptionError('webhookUrl', 'to be unset when `notifier` is given', '[a webhook URL]', 'The notifier already has its webhook: keep one of the two.')
    }
    return { notifier, ownsNotifier: false, levelMap: levelMap && { ...levelMap }, formatter }
  }
  // The notifier refuses `dispatcher` and `clock` with `thread: true`, naming the option.
  return { notifier: new DiscordNotifier(notifierOptions(options)), ownsNotifier: true, levelMap: levelMap && { ...levelMap }, formatter }
}

function isNotifierLike (v: unknown): v is TransportNotifier {
  if (typeof v !== 'object' || v === null) return false
  const n = v as Record<string, unknown>
  return typeof n.send === 'function' && typeof n.flush === 'function' && typeof n.close === 'function' && typeof n.on === 'function'
}

function notifierOptions (options: DiscordTransportOptions): NotifierOptions {
  const out: Record<string, unknown> = {}
  for (const [key, value] of Object.entries(options)) {
    if (!(ADAPTER_KEYS as readonly string[]).includes(key)) out[key] = value
  }
  if (options.selfLog !== undefined) out.log = options.selfLog
  return out as NotifierOptions
}
