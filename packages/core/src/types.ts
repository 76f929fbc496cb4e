/** The shapes the whole core shares (records, Discord's payload, events, counters, health, options), and two lists of names. */
import type { Dispatcher } from 'undici'
import type { Clock } from './clock.js'
import type { Severity } from './levels.js'

/** An error reduced to plain data: safe to clone into a worker, to JSON and to render. */
export interface SerializedError {
  type: string
  message: string
  stack?: string
  code?: string | number
  /** `cause` and `errors` (AggregateError) keep the chain. */
  cause?: SerializedError
  errors?: SerializedError[]
  /** Other own enumerable properties of the error (e.g. `statusCode`), as plain data. */
  extra?: Record<string, unknown>
}

/** The neutral record the adapters and the send methods build, and `send()` takes. */
export interface LogRecord {
  severity: Severity
  /** The logger's own level name (`warn`, `crit`, `fatal`, …), shown in the embed footer. */
  level?: string
  /** Main text. May be empty when only an error or embed is given. */
  message: string
  /** When it was logged: epoch milliseconds. */
  time: number
  /** Overrides the title derived from the message. */
  title?: string
  /** The service or component the record is about. */
  service?: string
  /** Serialised data, or the thrown value itself, which `send()` serialises at the call once past storm control. */
  error?: SerializedError | Error
  /** Extra context (metadata, details, child bindings), shown as embed fields; copied at the call. */
  fields?: Record<string, unknown>
  /** Footer text such as `host · pid 123`. */
  footer?: string
  /** A ready embed, used as-is (after limit enforcement). */
  embed?: Embed
  /** Plain message content (sendPlaintext). */
  content?: string
  /** Free-form context line (sendErrorNotification's `context`). */
  context?: string
  /**
   * The incident this record belongs to (at most 200 characters): replaces the storm fingerprint, so the application
   * can resolve what it opened (`resolveIncident(key)`). Winston meta and Pino field `incident`.
   */
  incident?: string
  /** With `incident`: ends that incident (its message says Resolved, this record's message the note) instead of counting in it. Winston meta and Pino field `resolved: true`. */
  resolved?: boolean
}

/** A record as the notifier takes it at the call: plain data, its error serialised. */
export type PlainRecord = LogRecord & { error?: SerializedError }

/** The subset of Discord's Execute Webhook body this library produces (contract §1, §2). */
export interface EmbedField { name: string, value: string, inline?: boolean }

export interface Embed {
  title?: string
  description?: string
  url?: string
  /** ISO 8601. */
  timestamp?: string
  color?: number
  footer?: { text: string, icon_url?: string }
  image?: { url: string }
  thumbnail?: { url: string }
  author?: { name: string, url?: string, icon_url?: string }
  fields?: EmbedField[]
}

export interface AllowedMentions { parse: Array<'roles' | 'users' | 'everyone'>, roles?: string[], users?: string[] }

/** A text file sent with a message as the multipart part `files[n]` (contract §1). */
export interface MessageFile { name: string, /** UTF-8 text. */ content: string }

export interface WebhookPayload {
  content?: string
  username?: string
  avatar_url?: string
  embeds?: Embed[]
  allowed_mentions: AllowedMentions
  thread_name?: string
  /** With files only: `{ id, filename }` per `files[id]` part. */
  attachments?: Array<{ id: number, filename: string }>
}

export const DROP_REASONS = ['queue_full', 'disabled', 'rejected', 'expired', 'tls', 'shutdown', 'closed'] as const
/**
 * queue_full: shed by the queue's overflow policy; disabled: the webhook was disabled (401/403/404, thread settings
 * Discord refuses); rejected: refused for good (400 after the stricter resend, 413 for one record); expired: held past
 * maxRecordAgeMs; tls: a TLS failure (not retried); shutdown: pending at a shutdown deadline or process end; closed: after close().
 */
export type DropReason = (typeof DROP_REASONS)[number]

export type RateLimitScope = 'bucket' | 'channel' | 'global' | 'cloudflare' | 'invalid_requests'

export interface SentEvent { records: number, embeds: number, status: number, attempt: number, durationMs: number, channelId?: string }

export interface DroppedEvent {
  reason: DropReason
  /** Records that will never be delivered: user records and the repeats of lost storm summaries. */
  count: number
  /** The records themselves when known (written to the dead-letter file). */
  records?: LogRecord[]
  /** Of `count`, the repeats that lost "×N more" summaries stood for. Absent when 0. */
  repeats?: number
  detail?: string
}

export interface RateLimitedEvent {
  scope: RateLimitScope
  /** How long sending to this webhook (or all of them, for global and cloudflare) pauses, in ms. */
  waitMs: number
  /** True when Discord answered 429; false for a proactive wait. */
  reactive: boolean
  bucket?: string
  status?: number
}

export interface RetryEvent { attempt: number, delayMs: number, reason: string }

/** `kind` is stable: `webhook_disabled`, `outage`, `http_400`, `tls`, `dead_letter_write`, … */
export interface ProblemEvent { kind: string, message: string, status?: number, discordCode?: number }

export interface NotifierEvents {
  sent: [SentEvent]
  dropped: [DroppedEvent]
  rateLimited: [RateLimitedEvent]
  retry: [RetryEvent]
  /** Emitted only when someone listens: an unhandled 'error' would crash the host process. */
  error: [ProblemEvent]
  disabled: [ProblemEvent]
}

/** How the core emits a notifier event (only when someone listens). */
export type Emit = <K extends keyof NotifierEvents>(event: K, ...args: NotifierEvents[K]) => void

export interface Counters {
  /** Records handed over (after the level filter). Always sent + dropped + collapsed + pending. */
  accepted: number
  /** Records Discord confirmed. */
  sent: number
  /** HTTP requests made. */
  requests: number
  /** Retries after 5xx, network errors and timeouts. */
  retried: number
  /** 429 answers received. */
  rateLimited: number
  /** Proactive waits the limiter imposed. */
  waits: number
  /** 401, 403 and non-shared 429 answers (Discord's ban counter, contract §3). */
  invalidRequests: number
  /** Records that will never be delivered, by reason. */
  dropped: number
  droppedByReason: Record<DropReason, number>
  /** Dropped records written to the dead-letter file. */
  deadLettered: number
  /** Dropped records whose dead-letter write failed (reported once on stderr; never fatal). */
  deadLetterFailed: number
  /** Repeats folded into "×N more" summaries (the first of each kind is sent, or folded by the fleet). */
  collapsed: number
  /** Send calls with a level the library does not know (sent as 'error'; also in `accepted`). */
  unknownLevels: number
  /** Edits of incident messages Discord took (`PATCH …/messages/{id}`). */
  edits: number
  /** Incidents open now, and resolved since the start. */
  incidents: { open: number, resolved: number }
}

export interface FlushResult {
  /** Records still queued or in flight when it settled (0: everything delivered or dropped). */
  pending: number
  timedOut: boolean
}

/**
 * What is wrong: `disabled` (Discord said the webhook is gone), `failing` (a TLS failure), `outage` (Discord
 * unreachable, records held), `redis` (limits and storms not shared), `worker` (the delivery worker failed).
 */
export type ProblemKind = 'disabled' | 'failing' | 'outage' | 'redis' | 'worker'

export interface HealthProblem {
  kind: ProblemKind
  /** Never contains the webhook token. */
  reason: string
  /** Epoch ms. */
  since?: number
}

/** `degraded`: alerts still flow or are held and nothing is lost yet (an outage, Redis unreachable). */
export type HealthStatus = 'healthy' | 'degraded' | 'unhealthy' | 'disabled'

export interface Health {
  status: HealthStatus
  enabled: boolean
  /** The problem's kind, when not healthy. */
  problem?: ProblemKind
  /** Why it is not healthy. Never contains the webhook token. */
  reason?: string
  /** Since when (ISO 8601), set with `reason`. */
  since?: string
  /** Records pending: queued, in flight or waiting for the fleet's decision. */
  queueSize: number
  /** The webhook URL with its token replaced by `[redacted]`. */
  webhook?: string
  rateLimits: RateLimitInfo
  counters: Counters
}

/** In seconds: `resetTime` and `lastUpdated` since the epoch, `resetAfter` from now, `waitTime` this webhook must still wait. */
export interface BucketInfo {
  limit: number
  remaining: number
  resetTime: number
  resetAfter: number
  exhausted: boolean
  waitTime: number
  lastUpdated: number
}

export interface RateLimitInfo {
  globalRateLimit: { active: boolean, resetTime: number, waitTime: number }
  buckets: Record<string, BucketInfo>
}

/** Where and how to POST. `url` holds the token: never log it; use `redacted`. */
export interface WebhookTarget {
  id: string
  token: string
  /** `{origin}/api/v10/webhooks/{id}/{token}?wait=true[&thread_id=…]`. */
  url: string
  /** The same URL with the token replaced by `[redacted]`. */
  redacted: string
  threadId?: string
}

export type LogLevel = 'debug' | 'info' | 'warn' | 'error' | 'silent'

export const FINGERPRINT_PARTS = ['severity', 'message', 'errorType', 'topFrame'] as const
export type FingerprintPart = (typeof FINGERPRINT_PARTS)[number]

/** A severity, or a logger's name for one (any case: `warn`, `fatal`, `err`, `crit`, …), as the options take it. */
export type SeverityName = Severity | 'warn' | 'fatal' | 'err' | 'crit' | (string & {})

export interface MentionOptions { roles?: string[], users?: string[], minSeverity?: SeverityName }

export interface RenderOptions { includeFields?: string[], excludeFields?: string[], redactKeys?: string[], titleTemplate?: string, maxStackLines?: number }

export interface RateLimitOptions {
  fallbackLimit?: number
  fallbackWindowMs?: number
  channelLimit?: number
  channelWindowMs?: number
  globalPerSecond?: number
  offsetMs?: number
  invalidRequestLimit?: number
  cloudflareCooldownMs?: number
}

export interface DedupOptions { enabled?: boolean, windowMs?: number, fingerprint?: FingerprintPart[] }

/** Incidents (delivery/incidents.ts); every duration in ms. */
export interface IncidentOptions { enabled?: boolean, editIntervalMs?: number, resolveAfterMs?: number, announceResolved?: boolean }

export interface OutageModeOptions { afterMs?: number, probeMinMs?: number, probeMaxMs?: number }

/** Every option, with its default and meaning, is in options/table.ts and the README's options table. */
export interface NotifierOptions {
  webhookUrl?: string
  enabled?: boolean
  apiOrigin?: string
  username?: string
  avatarUrl?: string
  threadId?: string
  threadName?: string
  mentions?: MentionOptions
  minSeverity?: SeverityName
  queueCapacity?: number
  timeoutMs?: number
  retryDelays?: number[]
  flushTimeoutMs?: number
  exitTimeoutMs?: number
  outage?: OutageModeOptions
  maxRecordAgeMs?: number
  /** Unset: `logcord/dead-letters.ndjson` in `os.tmpdir()`; `false`: none. */
  deadLetterFile?: string | false
  logLevel?: LogLevel
  log?: (line: string) => void
  rateLimits?: RateLimitOptions
  render?: RenderOptions
  attachments?: boolean
  dedup?: DedupOptions
  incidents?: IncidentOptions
  userAgentSuffix?: string
  thread?: boolean
  dispatcher?: Dispatcher
  clock?: Clock
  redisUrl?: string
  /** An http(s):// proxy for every request; unset: HTTPS_PROXY / HTTP_PROXY / NO_PROXY are honoured. */
  proxyUrl?: string
}

/** The options resolved once, at construction: every default applied, every value checked. */
export type ResolvedOptions = { target: WebhookTarget | undefined, deadLetterFile: string | undefined, minSeverity: Severity, mentions: Required<MentionOptions> & { minSeverity: Severity } }
  & { [K in UnsetByDefault]: NotifierOptions[K] }
  & { [K in Exclude<Grouped, 'mentions'>]: Required<NonNullable<NotifierOptions[K]>> }
  & Required<Omit<NotifierOptions, Grouped | UnsetByDefault | 'deadLetterFile' | 'webhookUrl' | 'apiOrigin' | 'threadId' | 'minSeverity'>>
type Grouped = 'mentions' | 'outage' | 'rateLimits' | 'render' | 'dedup' | 'incidents'
type UnsetByDefault = 'username' | 'avatarUrl' | 'threadName' | 'dispatcher' | 'redisUrl' | 'proxyUrl'
