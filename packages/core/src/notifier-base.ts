import { EventEmitter } from 'node:events'
import type { NotifierEvents } from './events.js'
import { serializeError } from './format/safe-value.js'
import { describe } from './errors.js'
import { atLeast, knownSeverity, SEVERITIES, SEVERITY_STYLES, type Severity } from './levels.js'
import type { Embed, EmbedField } from './payload.js'
import type { Counters, FlushResult } from './pipeline.js'
import type { RateLimitInfo } from './rate-limit/limiter.js'
import type { LogRecord } from './record.js'

export type DiagnosticLevel = Severity | 'warn' | 'fatal'

export interface DiagnosticInput {
  level: DiagnosticLevel
  service: string
  message: string
  details?: Record<string, unknown>
}

export interface ErrorNotificationInput {
  service: string
  error: unknown
  context?: string
  details?: Record<string, unknown>
}

export interface EmbedInput {
  title?: string
  description?: string
  url?: string
  color?: number
  fields?: EmbedField[]
  footer?: { text: string, icon_url?: string } | string
  author?: { name: string, url?: string, icon_url?: string }
  thumbnail?: { url: string } | string
  image?: { url: string } | string
  timestamp?: string | number | Date | boolean
  /** Severity used for queue priority and mentions. @default 'info' */
  severity?: Severity
}

/**
 * `degraded`: alerts still go out or are held, nothing is lost yet, but something is wrong: Discord is
 * unreachable and records are held for it (outage mode), or Redis is unreachable, so limits are not
 * shared with other processes.
 */
export type HealthStatus = 'healthy' | 'degraded' | 'unhealthy' | 'disabled'

export interface Health {
  status: HealthStatus
  enabled: boolean
  /** Why the notifier is not healthy. Never contains the webhook token. */
  reason?: string
  /** Since when the notifier is not healthy: an ISO 8601 time, set with `reason`. */
  since?: string
  queueSize: number
  /** The webhook URL with its token replaced by `[redacted]`. */
  webhook?: string
  rateLimits: RateLimitInfo
  counters: Counters
}

export const EMPTY_RATE_LIMITS: RateLimitInfo = { globalRateLimit: { active: false, resetTime: 0, waitTime: 0 }, buckets: {} }

/**
 * Internal: `notifier[kFoldRepeat](severity, service, message)` counts one more repeat of an alert whose
 * storm window is open, without a record (see Pipeline.foldRepeat); false when the record must be sent.
 */
export const kFoldRepeat = Symbol.for('logcord.foldRepeat')

/**
 * Internal: `notifier[kSendAt](record, at)` is send() for a call made at `at` (epoch ms, from the
 * notifier's clock) and handed over later: storm windows and the queue count from the call, not the
 * hand-over (see kStage).
 */
export const kSendAt = Symbol.for('logcord.sendAt')

/**
 * Internal: `notifier[kStage](handOver)` says a sender holds calls it has not handed over yet (the Winston
 * transport stages a synchronous run of log calls and hands them over in one go, at the end of the run
 * or sooner); `notifier[kUnstage](handOver)` says it handed them over. Until then, whatever reads or
 * flushes the notifier, sends through it, or ends the process calls `handOver()` first (synchronously),
 * so staging changes no order, count or exit guarantee.
 */
export const kStage = Symbol.for('logcord.stage')
export const kUnstage = Symbol.for('logcord.unstage')

/**
 * The notifier API shared by the in-process notifier and the worker-thread one: the seed's send methods,
 * each turning its arguments into a LogRecord for `send()`. Subclasses decide where records go.
 */
export abstract class NotifierBase extends EventEmitter<NotifierEvents> {
  /** Hands over a record. False when filtered out, shed or refused. Never throws. */
  abstract send (record: LogRecord): boolean
  /**
   * @internal Storm control before a record is built: true when a deferred-error record with this
   * severity, service and non-empty message would be folded into an open window (and it was counted
   * so); false, counting nothing, when the record must go through `send()`. `at`: when the call was
   * made (epoch ms; default now). Never throws.
   */
  [kFoldRepeat] (_severity: Severity, _service: string | undefined, _message: string, _at?: number): boolean {
    return false
  }

  /** @internal See kSendAt. */
  [kSendAt] (record: LogRecord, _at: number): boolean {
    return this.send(record)
  }

  /** @internal See kStage. */
  [kStage] (handOver: () => void): void {
    this.#stagers.add(handOver)
    if (this.#stagers.size === 1) this.stagedChanged(true)
  }

  /** @internal See kStage. */
  [kUnstage] (handOver: () => void): void {
    if (this.#stagers.delete(handOver) && this.#stagers.size === 0) this.stagedChanged(false)
  }

  readonly #stagers = new Set<() => void>()

  /** True while a sender holds staged calls (see kStage). */
  protected get hasStaged (): boolean {
    return this.#stagers.size > 0
  }

  /** Has every sender hand over what it staged (see kStage). Never throws. */
  protected handOverStaged (): void {
    if (this.#stagers.size === 0) return
    for (const handOver of [...this.#stagers]) {
      try {
        handOver()
      } catch {}
    }
  }

  /** Staged calls appeared (true) or were all handed over (false): the process must not end unseen meanwhile. */
  protected stagedChanged (_staged: boolean): void {}

  #foldSeverity: Severity | undefined
  #foldPasses = false
  /** `atLeast(severity, minSeverity)`, remembered for the last severity folded: a storm repeats one. */
  protected foldPasses (severity: Severity, minSeverity: Severity): boolean {
    if (severity !== this.#foldSeverity) {
      this.#foldPasses = atLeast(severity, minSeverity)
      this.#foldSeverity = severity
    }
    return this.#foldPasses
  }
  abstract get enabled (): boolean
  /** True while the notifier is enabled and its webhook works. `health().reason` says why not. */
  abstract isHealthy (): boolean
  abstract getQueueSize (): number
  abstract getRateLimitInfo (): RateLimitInfo
  /** Forgets learned bucket state (the seed's reset_rate_limits; for tests). */
  abstract resetRateLimits (): void
  /** Counters since start: accepted, sent, requests, retried, rateLimited, dropped (by reason), deadLettered, collapsed. */
  abstract stats (): Counters
  /** The seed's /health entry for this notifier. Safe to serve: the token is redacted. */
  abstract health (): Health
  /** Settles when everything queued so far is delivered or dropped, or after `timeoutMs`. Never rejects. */
  abstract flush (timeoutMs?: number): Promise<FlushResult>
  /** Stops intake, delivers within the deadline, dead-letters what is left, and frees resources. */
  abstract close (timeoutMs?: number): Promise<FlushResult>
  protected abstract now (): number
  /** Writes `message` to the library's own log once per `key` (at `warn`), respecting `logLevel`. */
  protected abstract warnOnce (key: string, message: string): void
  /** Send calls with a level or severity the library does not know; see {@link NotifierBase.sendDiagnostic}. */
  protected unknownLevels = 0

  /** Reports a listener that threw; the notifier itself carries on. */
  protected abstract listenerFailed (event: string, err: unknown): void

  /**
   * Emits to listeners without letting them hurt the caller: an unhandled 'error' event would crash the
   * host process, so it is only emitted when someone listens, and a throwing listener is reported.
   */
  protected emitSafe<K extends keyof NotifierEvents> (event: K, ...args: NotifierEvents[K]): void {
    if (this.listenerCount(event) === 0) return
    try {
      this.emit(event, ...(args as never))
    } catch (err) {
      this.listenerFailed(event, err)
    }
  }

  /** Plain text. An unknown `severity` is sent as 'error', as in {@link NotifierBase.sendDiagnostic}. */
  sendPlaintext (text: string, severity: Severity = 'info'): boolean {
    return this.send({ severity: this.#severity(severity, 'sendPlaintext', 'severity'), message: '', content: String(text), time: this.now() })
  }

  /** The seed's send_embed: a ready embed (any Discord embed part), fitted to Discord's limits. */
  sendEmbed (input: EmbedInput): boolean {
    const severity = input.severity === undefined ? 'info' : this.#severity(input.severity, 'sendEmbed', 'severity')
    const embed: Embed = {}
    if (input.title !== undefined) embed.title = String(input.title)
    if (input.description !== undefined) embed.description = String(input.description)
    if (input.url !== undefined) embed.url = input.url
    embed.color = input.color ?? SEVERITY_STYLES[severity].color
    if (input.fields !== undefined) embed.fields = input.fields
    if (input.footer !== undefined) embed.footer = typeof input.footer === 'string' ? { text: input.footer } : input.footer
    if (input.author !== undefined) embed.author = input.author
    if (input.thumbnail !== undefined) embed.thumbnail = typeof input.thumbnail === 'string' ? { url: input.thumbnail } : input.thumbnail
    if (input.image !== undefined) embed.image = typeof input.image === 'string' ? { url: input.image } : input.image
    const ts = input.timestamp ?? true
    if (ts !== false) {
      const d = ts === true ? new Date(this.now()) : new Date(ts)
      if (!Number.isNaN(d.getTime())) embed.timestamp = d.toISOString()
    }
    return this.send({ severity, message: input.title ?? '', embed, time: this.now() })
  }

  /**
   * The seed's send_diagnostic: level decides colour and emoji; details become fields.
   *
   * `level` is a severity (`debug`, `info`, `warning`, `error`, `critical`) or a logger's name for one
   * (`warn`, `fatal`, `crit`, `notice`, … in any case). Any other value is not refused (the logging
   * path never throws, and a typo must not cost the alert) nor quietly sent as 'info' (which a
   * `minSeverity` may then filter out): the diagnostic is sent as **'error'**, so it passes every
   * threshold up to error and stays visible; the first such call writes one warning line naming the
   * value, and every one is counted in `stats().unknownLevels`.
   */
  sendDiagnostic (input: DiagnosticInput): boolean {
    const severity = this.#severity(input.level, 'sendDiagnostic', 'level')
    const record: LogRecord = {
      severity,
      level: String(input.level),
      service: input.service,
      title: `${SEVERITY_STYLES[severity].label} · ${input.service}`,
      message: String(input.message),
      time: this.now()
    }
    if (input.details !== undefined) record.fields = input.details
    return this.send(record)
  }

  /** A known severity for `value`, or 'error' for an unknown one: counted, and reported once. */
  #severity (value: unknown, method: string, field: string): Severity {
    const severity = knownSeverity(value)
    if (severity !== undefined) return severity
    this.unknownLevels++
    this.warnOnce('unknown-level', `${method}() received an unknown ${field} ${describe(value)} and sent it as 'error'. Use one of ${SEVERITIES.join(', ')}. Further ones are counted in stats().unknownLevels.`)
    return 'error'
  }

  /** The seed's send_startup_notification. */
  sendStartupNotification (service: string, info: { version?: string, details?: Record<string, unknown> } = {}): boolean {
    const fields: Record<string, unknown> = { ...info.details }
    if (info.version !== undefined) fields.Version = info.version
    fields['Node.js'] = process.version
    fields.PID = process.pid
    return this.send({
      severity: 'info',
      service,
      // The title template adds the severity emoji; titles here carry none of their own.
      title: `${service} started`,
      message: info.version === undefined ? `${service} is up.` : `${service} ${info.version} is up.`,
      fields,
      time: this.now()
    })
  }

  /** The seed's send_error_notification: message, stack in a code block, and the cause chain. */
  sendErrorNotification (input: ErrorNotificationInput): boolean {
    const error = serializeError(input.error)
    const record: LogRecord = {
      severity: 'error',
      service: input.service,
      title: `${input.service}: ${error.message || error.type}`,
      message: '',
      error,
      time: this.now()
    }
    if (input.context !== undefined) record.context = input.context
    if (input.details !== undefined) record.fields = input.details
    return this.send(record)
  }

}

export function emptyCounters (): Counters {
  return {
    accepted: 0, sent: 0, requests: 0, retried: 0, rateLimited: 0, waits: 0, invalidRequests: 0, dropped: 0,
    droppedByReason: { queue_full: 0, disabled: 0, rejected: 0, expired: 0, tls: 0, shutdown: 0, closed: 0 },
    deadLettered: 0,
    collapsed: 0,
    unknownLevels: 0
  }
}

export function disabledHealth (reason = 'notifications are disabled'): Health {
  return { status: 'disabled', enabled: false, reason, queueSize: 0, rateLimits: EMPTY_RATE_LIMITS, counters: emptyCounters() }
}
