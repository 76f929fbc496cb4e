import { trackPending, untrackPending, type ExitParticipant } from './exit.js'
import { resolveWithEnvironment, withEnvironment } from './env.js'
import { redactLoose } from './http/webhook-url.js'
import { atLeast, type Severity } from './levels.js'
import { disabledHealth, EMPTY_RATE_LIMITS, emptyCounters, kFoldRepeat, kSendAt, NotifierBase, type Health } from './notifier-base.js'
import { DEFAULTS, type NotifierOptions, type ResolvedOptions } from './options.js'
import { Pipeline, type Counters, type FlushResult } from './pipeline.js'
import type { RateLimitInfo } from './rate-limit/limiter.js'
import type { LimitStore } from './rate-limit/limit-store.js'
import { RedisLimits } from './rate-limit/redis-limits.js'
import { RedisStorms } from './batch/redis-storms.js'
import { localStorms } from './batch/storm-store.js'
import { SharedLimits, sharedLimits } from './rate-limit/shared-limits.js'
import { systemClock } from './clock.js'
import { SelfLog } from './self-log.js'
import type { LogRecord } from './record.js'
import type { DedupWindow } from './batch/dedup.js'
import { kHandWindows, ThreadedNotifier, type ThreadedNotifierOptions } from './worker/threaded-notifier.js'

/** Internal: how the delivery worker hands storm summaries counted on the caller's thread to its notifier. */
export const kPushSummaries = Symbol.for('logcord.pushSummaries')
/** Internal: how the delivery worker hands a window's first record (with its fingerprint) to its notifier. */
export const kPushFirst = Symbol.for('logcord.pushFirst')
/** Internal: how the delivery worker closes its notifier at process exit. */
export const kCloseAtExit = Symbol.for('logcord.closeAtExit')

export type { DiagnosticInput, DiagnosticLevel, EmbedInput, ErrorNotificationInput, Health, HealthStatus } from './notifier-base.js'

/**
 * Sends notifications to one Discord webhook without ever blocking or throwing into the caller.
 * Send methods return at once; delivery happens in the background, steered by Discord's rate limits.
 * Trouble is reported through events (`sent`, `dropped`, `rateLimited`, `retry`, `error`, `disabled`)
 * and a concise line on stderr per distinct problem.
 */
export class DiscordNotifier extends NotifierBase implements ExitParticipant {
  readonly options: ResolvedOptions
  #pipeline: Pipeline | undefined
  #input: NotifierOptions
  #limits: LimitStore | undefined

  /**
   * Options left unset are read from DISCORD_WEBHOOK_URL, DISCORD_NOTIFICATIONS_ENABLED,
   * DISCORD_NOTIFICATIONS_LOG_LEVEL and DISCORD_NOTIFICATIONS_REDIS_URL (explicit options win; see env.ts).
   * @throws InvalidOptionError (UnknownOptionError, InvalidEnvironmentError) or InvalidWebhookUrlError
   * @param internal `shared`: the rate-limit store (default: the process's, or Redis with `redisUrl`);
   * `env`: the environment to read; `stormsFromCaller`: repeats are folded by the caller (a ThreadedNotifier's worker), so
   * storm control is shared through Redis even though this notifier's own `dedup` is off; `onFolded`
   * hears of each record the fleet folded; `stormInstance` reports windows as the pipeline that handed
   * them over at exit.
   */
  constructor (options: NotifierOptions = {}, internal?: { shared?: LimitStore, env?: NodeJS.ProcessEnv, stormsFromCaller?: boolean, onFolded?: () => void, stormInstance?: string }) {
    super()
    // The options with the environment applied: the exit worker must not read another environment.
    const { options: applied, resolved } = resolveWithEnvironment(options, internal?.env)
    this.options = resolved
    this.#input = applied
    if (this.options.enabled && this.options.target !== undefined) {
      const deps: ConstructorParameters<typeof Pipeline>[0] = {
        options: this.options,
        target: this.options.target,
        emit: (event, ...args) => this.emitSafe(event, ...args),
        wants: (event) => this.listenerCount(event) > 0,
        // Seen through the end of the process only while something is pending: an idle notifier is
        // referenced by nothing global and never holds the process.
        onPending: (pending) => {
          this.#pipelinePending = pending
          this.#trackExit()
        }
      }
      // With redisUrl, storm control is shared too: one alert and one summary for the whole fleet.
      const sharedStorms = this.options.redisUrl !== undefined && (this.options.dedup.enabled || internal?.stormsFromCaller === true)
      this.#limits = internal?.shared ?? limitStore(this.options, sharedStorms)
      deps.shared = this.#limits
      deps.storms = sharedStorms ? new RedisStorms({ url: this.options.redisUrl! }) : localStorms
      if (internal?.onFolded !== undefined) deps.onFolded = internal.onFolded
      if (internal?.stormInstance !== undefined) deps.stormInstance = internal.stormInstance
      this.#pipeline = new Pipeline(deps)
    }
  }

  /** The pipeline has records pending; staged calls (kStage) count as pending too. */
  #pipelinePending = false

  #trackExit (): void {
    this.#pipelinePending || this.hasStaged ? trackPending(this) : untrackPending(this)
  }

  protected override stagedChanged (): void {
    this.#trackExit()
  }

  get exitTimeoutMs (): number {
    return this.options.exitTimeoutMs
  }

  /** @internal The event loop emptied with records pending (a script ended): deliver, then dead-letter. */
  drainBeforeExit (): Promise<unknown> {
    this.handOverStaged()
    return this.#pipeline?.settle(this.options.flushTimeoutMs, { name: 'flushTimeoutMs after the event loop emptied', ms: this.options.flushTimeoutMs }) ?? Promise.resolve()
  }

  /**
   * @internal `process.exit()` or a crash with records pending: nothing asynchronous runs on this thread
   * again, so they go to a delivery worker started now (it shares the process's rate-limit table); the exit blocks until
   * it settled them (the returned wait). Records that cannot go (a custom `dispatcher` cannot cross into
   * a worker) are dead-lettered here.
   */
  handOffAtExit (deliver: boolean): ((deadline: number) => void) | undefined {
    this.handOverStaged()
    const p = this.#pipeline
    if (p === undefined) return undefined
    const { records, windows, instance } = p.handOff()
    if (records.length === 0 && windows === undefined) return undefined
    if (!deliver || this.options.dispatcher !== undefined) {
      // Windows reported to no one: their repeats are lost with the summaries this process would have sent.
      p.dropAtExit([...records, ...p.localSummaries(windows ?? [])], deliver ? 'a custom dispatcher cannot be used from the exit worker' : 'the shutdown deadline had passed')
      return undefined
    }
    let worker: ThreadedNotifier
    try {
      const { log: _log, dispatcher: _dispatcher, clock: _clock, ...plain } = this.#input
      // Records were filtered and folded here already; summaries and notices must not be filtered again.
      worker = new ThreadedNotifier({ ...plain, minSeverity: 'debug', dedup: { ...plain.dedup, enabled: false } }, { atExit: true, ...(windows === undefined ? {} : { stormsFromCaller: true, stormInstance: instance }) })
    } catch (err) {
      p.dropAtExit([...records, ...p.localSummaries(windows ?? [])], `the exit worker could not start: ${redactLoose(String(err))}`)
      return undefined
    }
    for (const record of records) worker.send(record)
    // The exit worker reports these to the fleet (or, Redis unreachable, sends their summaries itself).
    if (windows !== undefined) worker[kHandWindows](windows)
    return (deadline) => { worker.drainSync(Math.max(0, deadline - Date.now())) }
  }

  get enabled (): boolean {
    return this.#pipeline !== undefined
  }

  send (record: LogRecord): boolean {
    return this.#send(record, undefined)
  }

  override [kSendAt] (record: LogRecord, at: number): boolean {
    return this.#send(record, at)
  }

  #send (record: LogRecord, at: number | undefined): boolean {
    const p = this.#pipeline
    if (p === undefined) return false
    // Calls a sender staged earlier go first (see kStage).
    if (this.hasStaged) this.handOverStaged()
    try {
      if (!atLeast(record.severity, this.options.minSeverity)) return false
      return p.push(record, at)
    } catch (err) {
      p.log.errorOnce('send', `could not queue a record: ${String(err)}`)
      return false
    }
  }

  protected now (): number {
    return this.options.clock.now()
  }

  override [kFoldRepeat] (severity: Severity, service: string | undefined, message: string, at?: number): boolean {
    const p = this.#pipeline
    if (p === undefined) return false
    try {
      return this.foldPasses(severity, this.options.minSeverity) && p.foldRepeat(severity, service, message, at)
    } catch {
      return false
    }
  }

  /** @internal The delivery worker's close at process exit: its stderr line names exitTimeoutMs. */
  [kCloseAtExit] (timeoutMs: number, exitTimeoutMs: number): Promise<FlushResult> {
    return this.#pipeline?.close(timeoutMs, { name: 'exitTimeoutMs at process exit', ms: exitTimeoutMs }) ?? Promise.resolve({ pending: 0, timedOut: false })
  }

  /** @internal */
  [kPushSummaries] (windows: readonly DedupWindow[]): void {
    this.#pipeline?.pushSummaries(windows)
  }

  /** @internal A window's first record, folded on the caller's thread (see Pipeline.pushFirst). */
  [kPushFirst] (record: LogRecord, key: number, check: number, at: number, endsAt: number): boolean {
    const p = this.#pipeline
    if (p === undefined) return false
    try {
      return p.pushFirst(record, key, check, at, endsAt)
    } catch (err) {
      p.log.errorOnce('send', `could not queue a record: ${String(err)}`)
      return false
    }
  }

  /**
   * True while alerts reach Discord: healthy, or degraded only because Redis is unreachable (limits then
   * come from this process alone). False during an outage (records held), when failing or disabled.
   */
  isHealthy (): boolean {
    const p = this.#pipeline
    if (p === undefined || p.disabled !== undefined || p.failing !== undefined || p.outage !== undefined) return false
    return true
  }

  getQueueSize (): number {
    this.handOverStaged()
    return this.#pipeline?.size ?? 0
  }

  getRateLimitInfo (): RateLimitInfo {
    return this.#pipeline?.rateLimitInfo() ?? EMPTY_RATE_LIMITS
  }

  resetRateLimits (): void {
    this.#pipeline?.resetRateLimits()
  }

  stats (): Counters {
    this.handOverStaged()
    const c = this.#pipeline?.counters
    const out = c === undefined ? emptyCounters() : { ...c, droppedByReason: { ...c.droppedByReason } }
    out.unknownLevels = this.unknownLevels
    return out
  }

  #warned = new Set<string>()
  protected warnOnce (key: string, message: string): void {
    const p = this.#pipeline
    if (p !== undefined) return p.log.warnOnce(key, message)
    // Disabled: no pipeline and its log, but a mistake in the calling code is still worth one line.
    if (this.#warned.has(key) || this.options.logLevel === 'silent' || this.options.logLevel === 'error') return
    this.#warned.add(key)
    try {
      this.options.log(`logcord warn: ${redactLoose(message)}`)
    } catch {}
  }

  health (): Health {
    const p = this.#pipeline
    if (p === undefined) return disabledHealth()
    const redisDown = this.#limits?.status().degraded
    const problem = p.disabled ?? p.failing ?? p.outage ?? (redisDown === undefined ? undefined : { kind: 'redis', reason: redisDown, since: undefined })
    const health: Health = {
      status: p.disabled !== undefined ? 'disabled' : p.failing !== undefined ? 'unhealthy' : problem !== undefined ? 'degraded' : 'healthy',
      enabled: true,
      queueSize: p.size,
      webhook: this.options.target!.redacted,
      rateLimits: p.rateLimitInfo(),
      counters: this.stats()
    }
    if (problem !== undefined) {
      health.reason = problem.kind === 'outage' ? `Discord unreachable, records held: ${problem.reason}` : problem.reason
      if (problem.since !== undefined) health.since = new Date(problem.since).toISOString()
    }
    return health
  }

  flush (timeoutMs?: number): Promise<FlushResult> {
    this.handOverStaged()
    return this.#pipeline?.flush(timeoutMs) ?? Promise.resolve({ pending: 0, timedOut: false })
  }

  close (timeoutMs?: number): Promise<FlushResult> {
    this.handOverStaged()
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
function limitStore (o: ResolvedOptions, sharedStorms: boolean): LimitStore {
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
        // Storm control shares the connection (RedisStorms): it falls back with it.
        const what = sharedStorms ? 'rate limiter and storm control (neither shared)' : 'rate limiter (limits not shared)'
        log.warnOnce('redis', `${reason ?? 'Redis unreachable'}: this process falls back to its own ${what} until Redis is back`)
        log.clear('redis')
      } else log.info(`Redis reachable again: ${sharedStorms ? 'rate limits and storm control are' : 'rate limits are'} shared with the other processes once more`)
    }
  })
}

/**
 * Builds a notifier from the environment, as the seed does: DISCORD_WEBHOOK_URL,
 * DISCORD_NOTIFICATIONS_ENABLED, DISCORD_NOTIFICATIONS_LOG_LEVEL and DISCORD_NOTIFICATIONS_REDIS_URL, read
 * exactly as every constructor reads them (env.ts; the app's generic LOG_LEVEL is not read). The one
 * difference: a missing URL disables notifications with one warning instead of failing. `thread: true` returns a
 * ThreadedNotifier (delivery in a worker thread, awaited at process exit).
 */
export function createNotifierFromEnv (overrides?: NotifierOptions, env?: NodeJS.ProcessEnv): DiscordNotifier
export function createNotifierFromEnv (overrides: ThreadedNotifierOptions & { thread: true }, env?: NodeJS.ProcessEnv): ThreadedNotifier
export function createNotifierFromEnv (overrides: (NotifierOptions | ThreadedNotifierOptions) & { thread?: boolean } = {}, env: NodeJS.ProcessEnv = process.env): DiscordNotifier | ThreadedNotifier {
  const { thread, ...rest } = overrides
  const options: NotifierOptions & ThreadedNotifierOptions = withEnvironment(rest, env)
  // Every variable is settled here, from `env`: the constructor must not read process.env again.
  options.logLevel ??= DEFAULTS.logLevel
  options.enabled ??= true
  if (options.enabled !== false && options.webhookUrl === undefined) {
    options.enabled = false
    if (options.logLevel !== 'silent' && options.logLevel !== 'error') {
      const log = options.log ?? ((line: string) => process.stderr.write(line + '\n'))
      log('logcord warn: DISCORD_WEBHOOK_URL is not set: Discord notifications are disabled')
    }
  }
  return thread === true ? new ThreadedNotifier(options) : new DiscordNotifier(options)
}
