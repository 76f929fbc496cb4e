import { EventEmitter } from 'node:events'
import type { NotifierEvents } from './events.js'
import { serializeError } from './format/safe-value.js'
import { redactLoose } from './http/webhook-url.js'
import { atLeast, isSeverity, SEVERITY_STYLES, severityFromLevel, type Severity } from './levels.js'
import { resolveOptions, type NotifierOptions, type ResolvedOptions } from './options.js'
import type { Embed, EmbedField } from './payload.js'
import { Pipeline, type Counters, type FlushResult } from './pipeline.js'
import type { RateLimitInfo } from './rate-limit/limiter.js'
import type { SharedLimits } from './rate-limit/shared-limits.js'
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

export type HealthStatus = 'healthy' | 'unhealthy' | 'disabled'

export interface Health {
  status: HealthStatus
  enabled: boolean
  /** Why the notifier is not healthy. Never contains the webhook token. */
  reason?: string
  queueSize: number
  /** The webhook URL with its token replaced by `[redacted]`. */
  webhook?: string
  rateLimits: RateLimitInfo
  counters: Counters
}

const EMPTY_RATE_LIMITS: RateLimitInfo = { globalRateLimit: { active: false, resetTime: 0, waitTime: 0 }, buckets: {} }

/**
 * Sends notifications to one Discord webhook without ever blocking or throwing into the caller.
 * Send methods return at once; delivery happens in the background, steered by Discord's rate limits.
 * Trouble is reported through events (`sent`, `dropped`, `rateLimited`, `retry`, `error`, `disabled`)
 * and a concise line on stderr per distinct problem.
 */
export class DiscordNotifier extends EventEmitter<NotifierEvents> {
  readonly options: ResolvedOptions
  #pipeline: Pipeline | undefined

  constructor (options: NotifierOptions = {}, internal?: { shared?: SharedLimits }) {
    super()
    this.options = resolveOptions(options)
    if (this.options.enabled && this.options.target !== undefined) {
      const deps: ConstructorParameters<typeof Pipeline>[0] = { options: this.options, target: this.options.target, emit: (event, ...args) => this.#safeEmit(event, ...args) }
      if (internal?.shared !== undefined) deps.shared = internal.shared
      this.#pipeline = new Pipeline(deps)
    }
  }

  /** False when notifications are switched off (`enabled: false`, or no webhook URL via fromEnv). */
  get enabled (): boolean {
    return this.#pipeline !== undefined
  }

  /** The core entry point adapters use: hands over a record. False when filtered out, shed or refused. */
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

  sendPlaintext (text: string, severity: Severity = 'info'): boolean {
    return this.send({ severity, message: '', content: String(text), time: this.options.clock.now() })
  }

  /** The seed's send_embed: a ready embed (any Discord embed part), fitted to Discord's limits. */
  sendEmbed (input: EmbedInput): boolean {
    const severity = input.severity ?? 'info'
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
      const d = ts === true ? new Date(this.options.clock.now()) : new Date(ts)
      if (!Number.isNaN(d.getTime())) embed.timestamp = d.toISOString()
    }
    return this.send({ severity, message: input.title ?? '', embed, time: this.options.clock.now() })
  }

  /** The seed's send_diagnostic: level decides colour and emoji; details become fields. */
  sendDiagnostic (input: DiagnosticInput): boolean {
    const severity = isSeverity(input.level) ? input.level : severityFromLevel(input.level)
    const record: LogRecord = {
      severity,
      level: String(input.level),
      service: input.service,
      title: `${SEVERITY_STYLES[severity].label} · ${input.service}`,
      message: String(input.message),
      time: this.options.clock.now()
    }
    if (input.details !== undefined) record.fields = input.details
    return this.send(record)
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
      title: `🚀 ${service} started`,
      message: info.version === undefined ? `${service} is up.` : `${service} ${info.version} is up.`,
      fields,
      time: this.options.clock.now()
    })
  }

  /** The seed's send_error_notification: message, stack in a code block, and the cause chain. */
  sendErrorNotification (input: ErrorNotificationInput): boolean {
    const error = serializeError(input.error)
    const record: LogRecord = {
      severity: 'error',
      service: input.service,
      title: `${SEVERITY_STYLES.error.emoji} ${input.service}: ${error.message || error.type}`,
      message: '',
      error,
      time: this.options.clock.now()
    }
    if (input.context !== undefined) record.context = input.context
    if (input.details !== undefined) record.fields = input.details
    return this.send(record)
  }

  /** True while the notifier is enabled and its webhook works. `health().reason` says why not. */
  isHealthy (): boolean {
    return this.health().status === 'healthy'
  }

  getQueueSize (): number {
    return this.#pipeline?.size ?? 0
  }

  getRateLimitInfo (): RateLimitInfo {
    return this.#pipeline?.rateLimitInfo() ?? EMPTY_RATE_LIMITS
  }

  /** Forgets learned bucket state (the seed's reset_rate_limits; for tests). */
  resetRateLimits (): void {
    this.#pipeline?.resetRateLimits()
  }

  /** Counters since start: accepted, sent, requests, retried, rateLimited, dropped (by reason), deadLettered. */
  stats (): Counters {
    const c = this.#pipeline?.counters
    return c === undefined ? emptyCounters() : { ...c, droppedByReason: { ...c.droppedByReason } }
  }

  /** The seed's /health entry for this notifier. Safe to serve: the token is redacted. */
  health (): Health {
    const p = this.#pipeline
    if (p === undefined) {
      return { status: 'disabled', enabled: false, reason: 'notifications are disabled', queueSize: 0, rateLimits: EMPTY_RATE_LIMITS, counters: emptyCounters() }
    }
    const problem = p.disabled ?? p.failing
    const health: Health = {
      status: p.disabled !== undefined ? 'disabled' : problem !== undefined ? 'unhealthy' : 'healthy',
      enabled: true,
      queueSize: p.size,
      webhook: this.options.target!.redacted,
      rateLimits: p.rateLimitInfo(),
      counters: this.stats()
    }
    if (problem !== undefined) health.reason = problem.reason
    return health
  }

  /** Settles when everything queued so far is delivered or dropped, or after `timeoutMs`. Never rejects. */
  flush (timeoutMs?: number): Promise<FlushResult> {
    return this.#pipeline?.flush(timeoutMs) ?? Promise.resolve({ pending: 0, timedOut: false })
  }

  /** Stops intake, delivers within the deadline, dead-letters what is left, and frees sockets and files. */
  close (timeoutMs?: number): Promise<FlushResult> {
    return this.#pipeline?.close(timeoutMs) ?? Promise.resolve({ pending: 0, timedOut: false })
  }

  #safeEmit<K extends keyof NotifierEvents> (event: K, ...args: NotifierEvents[K]): void {
    // An unhandled 'error' event would crash the host process: only emit it to listeners.
    if (this.listenerCount(event) === 0) return
    try {
      this.emit(event, ...(args as never))
    } catch (err) {
      this.#pipeline?.log.errorOnce(`listener:${event}`, `a '${event}' listener threw: ${redactLoose(String(err))}`)
    }
  }
}

function emptyCounters (): Counters {
  return {
    accepted: 0, sent: 0, requests: 0, retried: 0, rateLimited: 0, waits: 0, invalidRequests: 0, dropped: 0,
    droppedByReason: { queue_full: 0, disabled: 0, rejected: 0, retries_exhausted: 0, tls: 0, shutdown: 0, closed: 0 },
    deadLettered: 0
  }
}

/**
 * Builds a notifier from the environment, as the seed does: DISCORD_WEBHOOK_URL,
 * DISCORD_NOTIFICATIONS_ENABLED (`false` disables) and DISCORD_NOTIFICATIONS_LOG_LEVEL (else LOG_LEVEL).
 * A missing URL disables notifications with one warning instead of failing.
 */
export function createNotifierFromEnv (overrides: NotifierOptions = {}, env: NodeJS.ProcessEnv = process.env): DiscordNotifier {
  const options: NotifierOptions = { ...overrides }
  if (options.webhookUrl === undefined && env.DISCORD_WEBHOOK_URL) options.webhookUrl = env.DISCORD_WEBHOOK_URL
  const enabledEnv = env.DISCORD_NOTIFICATIONS_ENABLED?.trim().toLowerCase()
  if (options.enabled === undefined && enabledEnv !== undefined && ['false', '0', 'no', 'off'].includes(enabledEnv)) options.enabled = false
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
  return new DiscordNotifier(options)
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
