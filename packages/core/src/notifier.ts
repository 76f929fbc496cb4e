import { redactLoose } from './http/webhook-url.js'
import { atLeast } from './levels.js'
import { disabledHealth, EMPTY_RATE_LIMITS, emptyCounters, NotifierBase, type Health } from './notifier-base.js'
import { resolveOptions, type NotifierOptions, type ResolvedOptions } from './options.js'
import { Pipeline, type Counters, type FlushResult } from './pipeline.js'
import type { RateLimitInfo } from './rate-limit/limiter.js'
import type { LimitStore } from './rate-limit/limit-store.js'
import { RedisLimits } from './rate-limit/redis-limits.js'
import { SharedLimits, sharedLimits } from './rate-limit/shared-limits.js'
import { systemClock } from './clock.js'
import { SelfLog } from './self-log.js'
import type { LogRecord } from './record.js'
import type { DedupWindow } from './batch/dedup.js'
import { ThreadedNotifier, type ThreadedNotifierOptions } from './worker/threaded-notifier.js'

/** Internal: how the delivery worker hands storm summaries counted on the caller's thread to its notifier. */
export const kPushSummaries = Symbol.for('logcord.pushSummaries')

export type { DiagnosticInput, DiagnosticLevel, EmbedInput, ErrorNotificationInput, Health, HealthStatus } from './notifier-base.js'

/**
 * Sends notifications to one Discord webhook without ever blocking or throwing into the caller.
 * Send methods return at once; delivery happens in the background, steered by Discord's rate limits.
 * Trouble is reported through events (`sent`, `dropped`, `rateLimited`, `retry`, `error`, `disabled`)
 * and a concise line on stderr per distinct problem.
 */
export class DiscordNotifier extends NotifierBase {
  readonly options: ResolvedOptions
  #pipeline: Pipeline | undefined
  #limits: LimitStore | undefined

  constructor (options: NotifierOptions = {}, internal?: { shared?: LimitStore }) {
    super()
    this.options = resolveOptions(options)
    if (this.options.enabled && this.options.target !== undefined) {
      const deps: ConstructorParameters<typeof Pipeline>[0] = { options: this.options, target: this.options.target, emit: (event, ...args) => this.emitSafe(event, ...args), wants: (event) => this.listenerCount(event) > 0 }
      this.#limits = internal?.shared ?? limitStore(this.options)
      deps.shared = this.#limits
      this.#pipeline = new Pipeline(deps)
    }
  }

  get enabled (): boolean {
    return this.#pipeline !== undefined
  }

  send (record: LogRecord): boolean {
    const p = this.#pipeline
    if (p === undefined) return false
    try {
      if (!atLeast(record.severity, this.options.minSeverity)) return false
      return p.push(record)
    } catch (err) {
      p.log.errorOnce('send', `could not queue a record: ${String(err)}`)
      return false
    }
  }

  protected now (): number {
    return this.options.clock.now()
  }

  /** @internal */
  [kPushSummaries] (windows: readonly DedupWindow[]): void {
    this.#pipeline?.pushSummaries(windows)
  }

  isHealthy (): boolean {
    const status = this.health().status
    return status === 'healthy' || status === 'degraded'
  }

  getQueueSize (): number {
    return this.#pipeline?.size ?? 0
  }

  getRateLimitInfo (): RateLimitInfo {
    return this.#pipeline?.rateLimitInfo() ?? EMPTY_RATE_LIMITS
  }

  resetRateLimits (): void {
    this.#pipeline?.resetRateLimits()
  }

  stats (): Counters {
    const c = this.#pipeline?.counters
    return c === undefined ? emptyCounters() : { ...c, droppedByReason: { ...c.droppedByReason } }
  }

  health (): Health {
    const p = this.#pipeline
    if (p === undefined) return disabledHealth()
    const degraded = this.#limits?.status().degraded
    const problem = p.disabled ?? p.failing ?? (degraded === undefined ? undefined : { reason: degraded })
    const health: Health = {
      status: p.disabled !== undefined ? 'disabled' : p.failing !== undefined ? 'unhealthy' : degraded !== undefined ? 'degraded' : 'healthy',
      enabled: true,
      queueSize: p.size,
      webhook: this.options.target!.redacted,
      rateLimits: p.rateLimitInfo(),
      counters: this.stats()
    }
    if (problem !== undefined) health.reason = problem.reason
    return health
  }

  flush (timeoutMs?: number): Promise<FlushResult> {
    return this.#pipeline?.flush(timeoutMs) ?? Promise.resolve({ pending: 0, timedOut: false })
  }

  close (timeoutMs?: number): Promise<FlushResult> {
    return this.#pipeline?.close(timeoutMs) ?? Promise.resolve({ pending: 0, timedOut: false })
  }

  protected listenerFailed (event: string, err: unknown): void {
    this.#pipeline?.log.errorOnce(`listener:${event}`, `a '${event}' listener threw: ${redactLoose(String(err))}`)
  }
}

/**
 * Where this notifier's rate-limit state lives: the process-wide store every sender shares, or, with
 * `redisUrl`, Redis in front of it. A notifier on a clock of its own (tests) keeps a private store: times
 * from different clocks cannot share windows.
 */
function limitStore (o: ResolvedOptions): LimitStore {
  const local = o.clock === systemClock ? sharedLimits : new SharedLimits()
  const url = o.redisUrl
  if (url === undefined) return local
  const log = new SelfLog(o.logLevel, o.log, (s) => s)
  let down = false
  return new RedisLimits({
    url,
    local,
    onChange: (up, reason) => {
      if (up === !down) return
      down = !up
      // One line per change: `down` already makes it once.
      if (down) {
        log.warnOnce('redis', `${reason ?? 'Redis unreachable'}: this process falls back to its own rate limiter (limits not shared) until Redis is back`)
        log.clear('redis')
      } else log.info('Redis reachable again: rate limits are shared with the other processes once more')
    }
  })
}

/**
 * Builds a notifier from the environment, as the seed does: DISCORD_WEBHOOK_URL,
 * DISCORD_NOTIFICATIONS_ENABLED (`false` disables), DISCORD_NOTIFICATIONS_LOG_LEVEL (else LOG_LEVEL) and
 * DISCORD_NOTIFICATIONS_REDIS_URL (`redisUrl`).
 * A missing URL disables notifications with one warning instead of failing. `thread: true` returns a
 * ThreadedNotifier (delivery in a worker thread, awaited at process exit).
 */
export function createNotifierFromEnv (overrides?: NotifierOptions, env?: NodeJS.ProcessEnv): DiscordNotifier
export function createNotifierFromEnv (overrides: ThreadedNotifierOptions & { thread: true }, env?: NodeJS.ProcessEnv): ThreadedNotifier
export function createNotifierFromEnv (overrides: (NotifierOptions | ThreadedNotifierOptions) & { thread?: boolean } = {}, env: NodeJS.ProcessEnv = process.env): DiscordNotifier | ThreadedNotifier {
  const { thread, ...rest } = overrides
  const options: NotifierOptions & ThreadedNotifierOptions = { ...rest }
  if (options.webhookUrl === undefined && env.DISCORD_WEBHOOK_URL) options.webhookUrl = env.DISCORD_WEBHOOK_URL
  const enabledEnv = env.DISCORD_NOTIFICATIONS_ENABLED?.trim().toLowerCase()
  if (options.enabled === undefined && enabledEnv !== undefined && ['false', '0', 'no', 'off'].includes(enabledEnv)) options.enabled = false
  if (options.redisUrl === undefined && env.DISCORD_NOTIFICATIONS_REDIS_URL) options.redisUrl = env.DISCORD_NOTIFICATIONS_REDIS_URL
  if (options.logLevel === undefined) {
    const level = normaliseLogLevel(env.DISCORD_NOTIFICATIONS_LOG_LEVEL ?? env.LOG_LEVEL)
    if (level !== undefined) options.logLevel = level
  }
  if (options.enabled !== false && options.webhookUrl === undefined) {
    options.enabled = false
    if (options.logLevel !== 'silent' && options.logLevel !== 'error') {
      const log = options.log ?? ((line: string) => process.stderr.write(line + '\n'))
      log('logcord warn: DISCORD_WEBHOOK_URL is not set: Discord notifications are disabled')
    }
  }
  return thread === true ? new ThreadedNotifier(options) : new DiscordNotifier(options)
}

function normaliseLogLevel (value: string | undefined): NotifierOptions['logLevel'] {
  switch (value?.trim().toLowerCase()) {
    case 'debug': case 'trace': return 'debug'
    case 'info': return 'info'
    case 'warn': case 'warning': return 'warn'
    case 'error': case 'critical': case 'fatal': return 'error'
    case 'silent': case 'none': case 'off': return 'silent'
    default: return undefined
  }
}
